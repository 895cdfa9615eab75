package lnkittest_test

import (
	"errors"
	"fmt"
	"math/rand/v2"
	"testing"

	"github.com/btcsuite/btcd/btcutil"
	btcwire "github.com/btcsuite/btcd/wire"

	"github.com/lnkit/lnkit/chain"
	"github.com/lnkit/lnkit/channel"
	"github.com/lnkit/lnkit/events"
	"github.com/lnkit/lnkit/lnkittest"
	"github.com/lnkit/lnkit/wire"
)

// The channel consistency fuzzer (as LDK's chanmon_consistency): a byte
// string drives 2 or 3 nodes (channels a–b, and b–c) through payments
// both ways (invoice or keysend), claims and fail-backs, message delivery
// one at a time, disconnections (the only legal loss of a message),
// asynchronous monitor persistence completed in any order, crashes and
// restarts from the durable store, blocks, fee rate moves, and on-chain
// actions (consistency_chain_test.go): force-closes, revoked commitments
// broadcast, blocks mined and reorganised. After every action no channel
// may close but those an on-chain action closed (or whose funding output
// a node's own deadline spent); after a final settle (reconnect all,
// complete all persistence, deliver all, claim all, then mine until every
// on-chain resolution has ended) the open channels' balances are
// conserved to the msat, every payment ended exactly once, every claim's
// preimage reached its payer (unless the HTLC had no output on chain),
// the funds of all nodes are conserved to the satoshi and each closed
// channel's outputs went to whom they pay, a revoked-state broadcaster
// getting nothing (consistency_funds_test.go).

const (
	consCapacity btcutil.Amount    = 1_000_000
	consPush     wire.MilliSatoshi = 500_000_000
	// consMaxBlocks bounds the blocks a run mines: enough to pass the
	// payee's claim deadline (HTLCFailBackBuffer before an HTLC's expiry)
	// several times.
	consMaxBlocks = 40
	// consSettleRounds bounds the settle phase.
	consSettleRounds = 50
	// consNoPing is the nodes' ping interval, in ticks: never within a
	// run (a ping in flight would stop DeliverOne; the fee action ticks).
	consNoPing = 1 << 20
	// consWallet is what each node's wallet is given at the setup.
	consWallet btcutil.Amount = 300_000
)

// consAmounts are the payment amounts: dust, odd msat, near and above
// max_htlc_value_in_flight (10% of the capacity by default).
var consAmounts = [8]wire.MilliSatoshi{1_000, 333_333, 1_000_001, 5_000_000, 20_000_123, 60_000_000, 99_999_999, 150_000_000}

// consChannel is one channel of the run: opened by node a to node b.
type consChannel struct {
	a, b    int
	id      wire.ChannelID
	start   wire.MilliSatoshi // a's balance after opening
	funding btcwire.OutPoint
}

// consPayment is a payment SendPayment accepted.
type consPayment struct {
	id       channel.PaymentID
	from, to int
	ch       int
	amount   wire.MilliSatoshi
	hash     wire.PaymentHash
}

// consistency is one run.
type consistency struct {
	t        testing.TB
	net      *lnkittest.Network
	nodes    []*lnkittest.Node
	chans    []consChannel
	payments []*consPayment
	// claimed are the preimages whose ClaimFunds succeeded, by hash.
	claimed map[wire.PaymentHash]wire.Preimage
	blocks  int
	trace   []string
	data    []byte

	// closing are the channels an on-chain action closed, or whose
	// funding output a node spent on its own (spentByNode).
	closing, spentByNode map[int]bool
	// cheats are the revoked commitments broadcast.
	cheats []consCheat
	// closings are the closed channels' closings, once checked.
	closings map[int]closing
	// chainBlocks counts the blocks the on-chain actions mined.
	chainBlocks int
	// setupHeight and startFunds are the chain's height and the funds
	// of all nodes at the end of the setup.
	setupHeight int32
	startFunds  btcutil.Amount
}

// next returns the next input byte, and false when the input is done.
func (c *consistency) next() (byte, bool) {
	if len(c.data) == 0 {
		return 0, false
	}
	b := c.data[0]
	c.data = c.data[1:]
	return b, true
}

// arg returns the next input byte, 0 when the input is done.
func (c *consistency) arg() byte {
	b, _ := c.next()
	return b
}

func (c *consistency) logf(format string, args ...any) {
	c.trace = append(c.trace, fmt.Sprintf(format, args...))
}

// runConsistency runs the fuzzer on data.
func runConsistency(t testing.TB, data []byte) {
	t.Helper()
	c := &consistency{t: t, data: data, claimed: map[wire.PaymentHash]wire.Preimage{},
		closing: map[int]bool{}, spentByNode: map[int]bool{}}
	defer func() {
		if t.Failed() {
			t.Logf("actions:\n%s", joinTail(c.trace, traceLines))
		}
	}()
	c.setup(c.arg())
	for {
		op, ok := c.next()
		if !ok {
			break
		}
		c.step(op)
		c.checkOpen()
	}
	c.settle()
	c.settleChain()
	c.checkClosed()
	c.checkQuiescent()
	c.checkFunds()
	if testing.Verbose() {
		t.Logf("%d actions, %d payments (%d claimed), %d blocks", len(c.trace), len(c.payments), len(c.claimed), c.blocks)
	}
}

// joinTail joins the last n lines of lines.
func joinTail(lines []string, n int) string {
	if len(lines) > n {
		lines = lines[len(lines)-n:]
	}
	out := ""
	for _, l := range lines {
		out += "  " + l + "\n"
	}
	return out
}

// setup builds the network from the header byte: bit 0 a third node,
// bits 1-2 each channel's type, bits 3-5 each node's asynchronous
// persistence, bits 6-7 the seed.
func (c *consistency) setup(h byte) {
	n := 2 + int(h&1)
	c.net = lnkittest.NewNetwork(c.t, lnkittest.Options{Nodes: n, Seed: uint64(h >> 6), PingIntervalTicks: consNoPing, UserConfig: func(*lnkittest.Node) channel.UserConfig {
		u := channel.DefaultUserConfig()
		u.Handshake.ToSelfDelay = consToSelfDelay
		return u
	}})
	c.nodes = c.net.Nodes()
	for _, node := range c.nodes {
		// Any node may cheat; with anchors, any node's monitor funds
		// its HTLC transactions from its wallet.
		node.RecordHolderCommitments = true
		c.net.FundWallet(node, consWallet)
	}
	ct := func(bit byte) lnkittest.ChannelType {
		if h&bit != 0 {
			return lnkittest.StaticRemoteKey
		}
		return lnkittest.Anchors
	}
	c.open(0, 1, ct(2))
	if n == 3 {
		c.open(1, 2, ct(4))
	}
	c.net.Settle()
	for i, node := range c.nodes {
		node.Claims = lnkittest.HoldPayments
		node.AsyncMonitorUpdates = h&(8<<i) != 0
	}
	for i := range c.chans {
		ch := &c.chans[i]
		d := c.net.Channel(c.nodes[ch.a], ch.id)
		ch.start, ch.funding = d.OurBalance, d.FundingOutPoint
	}
	c.recordStart()
	c.logf("setup: %d nodes, header %08b", n, h)
}

func (c *consistency) open(a, b int, ct lnkittest.ChannelType) {
	id := c.net.OpenChannel(c.nodes[a], c.nodes[b], consCapacity, ct, lnkittest.OpenOptions{Push: consPush})
	c.chans = append(c.chans, consChannel{a: a, b: b, id: id})
}

// ends returns the channel x picks and its ends, in the direction bit 0
// of x picks.
func (c *consistency) ends(x byte) (int, *lnkittest.Node, *lnkittest.Node) {
	i := int(x>>1) % len(c.chans)
	ch := c.chans[i]
	if x&1 == 0 {
		return i, c.nodes[ch.a], c.nodes[ch.b]
	}
	return i, c.nodes[ch.b], c.nodes[ch.a]
}

// node returns the node x picks.
func (c *consistency) node(x byte) *lnkittest.Node { return c.nodes[int(x)%len(c.nodes)] }

// The actions, by the range of op bytes that picks each (weights: what
// makes progress is common, what breaks it is rare).
const (
	opPay        = 30  // [0, 30): pay an invoice
	opKeysend    = 50  // keysend
	opDeliverOne = 110 // deliver one message
	opDeliverDir = 125 // deliver every message one way
	opProcess    = 155 // a node's application handles its events
	opClaim      = 175 // claim a held payment
	opFail       = 180 // fail a held payment back
	opDisconnect = 185 // disconnect a channel's peers
	opConnect    = 205 // reconnect them
	opDrop       = 209 // drop a message (breaks the connection)
	opComplete   = 229 // complete monitor updates
	opCrash      = 233 // crash and restart a node
	opMine       = 237 // mine a block
	opFee        = 239 // the estimator's rate moves, a tick: openers send update_fee
	opAsync      = 241 // switch a node's asynchronous persistence
	opDeliverAll = 255 // deliver everything and handle every event
	opChain      = 256 // an on-chain action (chainStep), by the next byte
)

// step runs the action op (with its argument bytes).
func (c *consistency) step(op byte) {
	switch o := int(op); {
	case o < opPay:
		c.pay(false, c.arg(), c.arg())
	case o < opKeysend:
		c.pay(true, c.arg(), c.arg())
	case o < opDeliverOne:
		_, from, to := c.ends(c.arg())
		ok := from.Running() && to.Running() && c.net.DeliverOne(from, to)
		c.logf("deliver one %d→%d: %v", from.Index, to.Index, ok)
	case o < opDeliverDir:
		_, from, to := c.ends(c.arg())
		k := 0
		for from.Running() && to.Running() && k < 64 && c.net.DeliverOne(from, to) {
			k++
		}
		c.logf("deliver %d %d→%d", k, from.Index, to.Index)
	case o < opProcess:
		c.process(c.node(c.arg()))
	case o < opClaim:
		c.resolve(c.node(c.arg()), true, c.arg())
	case o < opFail:
		c.resolve(c.node(c.arg()), false, c.arg())
	case o < opDisconnect:
		_, a, b := c.ends(c.arg())
		c.logf("disconnect %d-%d", a.Index, b.Index)
		c.net.Disconnect(a, b)
	case o < opConnect:
		_, a, b := c.ends(c.arg())
		if a.Running() && b.Running() && !c.net.Connected(a, b) {
			c.logf("connect %d-%d", a.Index, b.Index)
			c.net.Disconnect(a, b) // a half-closed link
			c.net.Connect(a, b)
		}
	case o < opDrop:
		_, from, to := c.ends(c.arg())
		if from.Running() && to.Running() {
			m := c.net.Drop(from, to)
			c.logf("drop %d→%d: %v", from.Index, to.Index, msgName(m))
		}
	case o < opComplete:
		c.complete(c.node(c.arg()), c.arg())
	case o < opCrash:
		node := c.node(c.arg())
		c.logf("crash and restart %d (held updates %d)", node.Index, len(node.HeldMonitorUpdates()))
		c.net.Crash(node)
		c.net.Restart(node)
	case o < opMine:
		if c.blocks < consMaxBlocks {
			c.blocks++
			c.logf("mine (block %d)", c.blocks)
			c.net.Mine(1)
		}
	case o < opFee:
		rate := wire.FeeRate(253 + 50*int(c.arg()))
		c.logf("fee rate %d, tick", rate)
		// As a real estimator: the commitment targets move, the bounds
		// of what a peer may send (the least allowed, the maximum) do
		// not follow each jump.
		c.net.Fees.Set(rate)
		c.net.Fees.SetTarget(chain.TargetMinAllowedAnchorRemoteFee, wire.FeeRateFloor)
		c.net.Fees.SetTarget(chain.TargetMinAllowedNonAnchorRemoteFee, wire.FeeRateFloor)
		c.net.Fees.SetTarget(chain.TargetMaximum, 50_000)
		c.net.Tick()
	case o < opAsync:
		node := c.node(c.arg())
		node.AsyncMonitorUpdates = !node.AsyncMonitorUpdates
		c.logf("node %d async persistence %v", node.Index, node.AsyncMonitorUpdates)
	case o < opDeliverAll:
		c.logf("deliver all")
		c.net.DeliverAll()
		for _, node := range c.nodes {
			c.process(node)
		}
	default:
		c.chainStep(c.arg())
	}
}

// msgName names a message for the trace.
func msgName(m wire.Message) string {
	if m == nil {
		return "nothing"
	}
	return fmt.Sprintf("%T", m)
}

// pay sends a payment over the channel x picks, in the direction it
// picks, of the amount y picks.
func (c *consistency) pay(keysend bool, x, y byte) {
	ch, from, to := c.ends(x)
	amount := consAmounts[y&7] + wire.MilliSatoshi(y>>3)*7
	if !from.Running() || !to.Running() && !keysend {
		return
	}
	var id channel.PaymentID
	var hash wire.PaymentHash
	var err error
	if keysend {
		id, hash, err = c.net.Keysend(from, to, amount)
	} else {
		var inv *channel.CreatedInvoice
		inv, err = to.Channels.CreateInvoice(channel.InvoiceRequest{Amount: amount})
		if err != nil {
			c.t.Fatalf("create invoice: %v", err)
		}
		hash = inv.PaymentHash
		id = channel.PaymentID(inv.PaymentHash) // unique: a fresh invoice
		err = from.Channels.SendPayment(id, inv.Invoice, 0)
	}
	c.logf("pay %d→%d %v keysend=%v hash %x: %v", from.Index, to.Index, amount, keysend, hash[:4], err)
	switch {
	case err == nil:
		c.payments = append(c.payments, &consPayment{id: id, from: from.Index, to: to.Index, ch: ch, amount: amount, hash: hash})
	case errors.Is(err, channel.ErrNoRoute):
	default:
		c.t.Fatalf("send payment: %v", err)
	}
}

// process has node's application handle its events.
func (c *consistency) process(node *lnkittest.Node) int {
	got, err := c.net.ProcessEvents(node)
	if err != nil {
		c.t.Fatalf("node %d: process events: %v", node.Index, err)
	}
	for _, e := range got {
		c.logf("node %d event %s", node.Index, e.Kind())
	}
	return len(got)
}

// resolve claims (or fails back) the held payment of node x picks.
func (c *consistency) resolve(node *lnkittest.Node, claim bool, x byte) {
	held := node.Claimable()
	if !node.Running() || len(held) == 0 {
		return
	}
	e := held[int(x)%len(held)]
	if !claim {
		err := c.net.FailBack(node, e.PaymentHash)
		c.logf("node %d fails back %x: %v", node.Index, e.PaymentHash[:4], err)
		if err != nil && !errors.Is(err, channel.ErrUnknownPayment) {
			c.t.Fatalf("fail back: %v", err)
		}
		return
	}
	c.claim(node, e)
}

// claim claims the held payment e of node with the preimage it carries.
func (c *consistency) claim(node *lnkittest.Node, e *events.PaymentClaimable) {
	pre, ok := e.Purpose.Preimage.Get()
	if !ok {
		c.t.Fatalf("node %d: claimable %x without its preimage", node.Index, e.PaymentHash[:4])
	}
	err := c.net.Claim(node, pre)
	c.logf("node %d claims %x: %v", node.Index, e.PaymentHash[:4], err)
	switch {
	case err == nil:
		c.claimed[e.PaymentHash] = pre
	case errors.Is(err, channel.ErrUnknownPayment):
		// failed back at its deadline, or gone with a fail-back before
		c.checkClaimRefused(e)
	default:
		c.t.Fatalf("claim: %v", err)
	}
}

// checkClaimRefused fails the run when the claim of e was refused before
// its ClaimDeadline: the Manager may forget a claimable payment only at
// its deadline, or when its channel closed by a commitment that does
// not hold it (a revoked one: the payee takes everything anyway).
func (c *consistency) checkClaimRefused(e *events.PaymentClaimable) {
	height := uint32(c.net.Chain.Tip().Height)
	if e.ClaimDeadline == 0 || height >= e.ClaimDeadline {
		return
	}
	for _, p := range c.payments {
		if p.hash != e.PaymentHash || !c.closing[p.ch] {
			continue
		}
		if cl, ok := c.closingOf(p.ch); ok && (cl.revoked || cl.maybe) {
			return
		}
	}
	c.t.Errorf("claim of %x refused at height %d, before its deadline %d", e.PaymentHash[:4], height, e.ClaimDeadline)
}

// complete completes node's held monitor updates: the first, the last,
// one in the middle, or all of them, as x says.
func (c *consistency) complete(node *lnkittest.Node, x byte) {
	held := node.HeldMonitorUpdates()
	if !node.Running() || len(held) == 0 {
		return
	}
	switch x % 4 {
	case 0:
		held = held[:1]
	case 1:
		held = held[len(held)-1:]
	case 2:
		held = held[len(held)/2 : len(held)/2+1]
	}
	for _, u := range held {
		c.logf("node %d completes update %d of %x", node.Index, u.UpdateID, u.ChannelID[:2])
		c.net.CompleteMonitorUpdate(node, u)
	}
}

// consSeed is the input of seed i of TestChannelConsistencySeeds:
// a header byte then actions bytes, pseudo-random.
func consSeed(i uint64, n int) []byte {
	r := rand.New(rand.NewPCG(i, 0x6c6e6b6974))
	b := make([]byte, n)
	for j := range b {
		b[j] = byte(r.Uint32())
	}
	return b
}

// consSeeds and consActions size TestChannelConsistencySeeds: within
// make test's budget under -race on two busy cores (consShortSeeds with
// -short).
const (
	consSeeds      = 16
	consShortSeeds = 6
	consActions    = 120
)

// TestChannelConsistencySeeds runs the consistency fuzzer on fixed
// pseudo-random inputs.
func TestChannelConsistencySeeds(t *testing.T) {
	seeds := uint64(consSeeds)
	if testing.Short() {
		seeds = consShortSeeds
	}
	for i := range seeds {
		t.Run(fmt.Sprint(i), func(t *testing.T) {
			t.Parallel()
			runConsistency(t, consSeed(i, 1+consActions*2))
		})
	}
}

func FuzzChannelConsistency(f *testing.F) {
	for i := range uint64(2) {
		f.Add(consSeed(100+i, 1+100*2))
	}
	f.Add([]byte{0x00, 0x00, 0x00, 0x05, 0x02, 0x00, 0x03, 0x01}) // pay a→b, deliver, b handles
	f.Add([]byte{0x39, 0x01, 0x02, 0x03, 0x0d, 0x01, 0x0b, 0x01, 0x0c, 0x00})
	// The on-chain actions (opChain, a sub-op, its arguments).
	for i := range uint64(2) {
		f.Add(consChainSeed(200+i, 1+100*2))
	}
	f.Add([]byte{0x00, 0x20, 0x00, 0x03, 0xf8, 0xff, 0x00, 0x00, 0xff, 0x02, 0x07})             // pay, a force-closes, mine 8
	f.Add([]byte{0x06, 0x20, 0x00, 0x03, 0xf8, 0x20, 0x01, 0x03, 0xf8, 0xff, 0x01, 0x00, 0x00}) // pay both ways, a cheats
	f.Add([]byte{0x07, 0x20, 0x02, 0x04, 0xff, 0x00, 0x03, 0xff, 0x02, 0x01, 0xff, 0x03, 0x01}) // b–c: pay, c force-closes, mine 2, reorg 2
	f.Fuzz(func(t *testing.T, data []byte) {
		if len(data) > 1+400*3 {
			return
		}
		runConsistency(t, data)
	})
}

// traceLines is how many of the last actions a failing run logs.
var traceLines = 80
