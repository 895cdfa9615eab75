package lnkittest_test

import (
	"slices"
	"testing"

	"github.com/btcsuite/btcd/btcutil"
	"github.com/btcsuite/btcd/chaincfg/chainhash"
	btcwire "github.com/btcsuite/btcd/wire"
	"github.com/stretchr/testify/require"

	"github.com/lnkit/lnkit/chain"
	"github.com/lnkit/lnkit/channel"
	"github.com/lnkit/lnkit/channel/monitor"
	"github.com/lnkit/lnkit/events"
	"github.com/lnkit/lnkit/lnkittest"
	"github.com/lnkit/lnkit/wire"
)

// The on-chain resolution matrix (issue 18): every way an HTLC (and our
// to_local) of a force-closed channel is resolved on chain, for both
// channel types, each disturbed at each interesting point by a reorg, a
// crash and restart of the resolving node, or a fee spike, and checked to
// the satoshi: each wallet ends with its channel balance, plus the HTLC if
// it won it, less the fees of the transactions it made (read from the
// chain), and the payer learns the outcome exactly once, a timeout only
// once it is AntiReorgDelay deep.

// resolutionKind is what is resolved on chain.
type resolutionKind int

const (
	// offeredOnOurs (R1): a force-closes; the HTLC it offered times out
	// through its HTLC-timeout transaction, whose output a sweeps after
	// its to_self_delay.
	offeredOnOurs resolutionKind = iota + 1
	// receivedOnOurs (R2): b claims the payment, then force-closes; its
	// HTLC-success transaction takes the HTLC, its output swept after the
	// delay; a learns the preimage from the chain.
	receivedOnOurs
	// offeredOnTheirs (R3): b force-closes holding the payment; a takes
	// the HTLC from b's commitment once timed out.
	offeredOnTheirs
	// receivedOnTheirs (R4): b claims the payment, a force-closes; b takes
	// the HTLC from a's commitment with the preimage, and a learns it.
	receivedOnTheirs
	// toLocalOnly (R5): a force-closes without an HTLC; its to_local is
	// swept after its to_self_delay.
	toLocalOnly
)

var resolutionKinds = []struct {
	name string
	kind resolutionKind
}{
	{"R1 offered on ours", offeredOnOurs},
	{"R2 received on ours", receivedOnOurs},
	{"R3 offered on theirs", offeredOnTheirs},
	{"R4 received on theirs", receivedOnTheirs},
	{"R5 to_local", toLocalOnly},
}

// resolutionMsat is the payment of the resolution tests: 50,000 sat, an
// HTLC output of its own in both commitments.
const resolutionMsat wire.MilliSatoshi = 50_000_000

// resolutionDelay is the to_self_delay of the resolution tests: short,
// for speed, but longer than AntiReorgDelay.
const resolutionDelay = 8

// walletReserve is what b's wallet holds before the close (a's has what
// the funding left).
const walletReserve btcutil.Amount = 100_000

// point is a moment of a resolution where a disturbance strikes.
type point int

const (
	// atCommitment: the commitment just confirmed.
	atCommitment point = iota + 1
	// atBroadcast: the claim is in the mempool for the first time.
	atBroadcast
	// atClaim: the claim (HTLC transaction or claim, or the to_local's
	// sweep) just confirmed.
	atClaim
	// atWait: within the CSV wait of the output the resolution gives the
	// resolver (the second-stage output, or the to_local), its
	// transaction 4 blocks deep (not yet AntiReorgDelay).
	atWait
	// atSweep: the wallet's sweep of an HTLC transaction's output (R1,
	// R2) just confirmed.
	atSweep
)

// onchainCase is one resolution being run: a channel from a to b of
// payCapacity, on which a pays b resolutionMsat (but R5), closed by
// closer; resolver's monitor resolves the output claimed.
type onchainCase struct {
	net  *lnkittest.Network
	a, b *lnkittest.Node
	ch   wire.ChannelID
	// ids are a's payments to b (resolutionMsat, then the extra ones).
	ids              []channel.PaymentID
	kind             resolutionKind
	anchors          bool
	closer, resolver *lnkittest.Node
	// share is each node's channel balance (sat, HTLC aside) before the
	// close; before its confirmed wallet balance.
	share, before [2]btcutil.Amount
	// commitment is the closer's commitment transaction.
	commitment *btcwire.MsgTx
	// claimed is the output the resolution is about: the HTLC output of
	// resolutionMsat, or the closer's to_local (R5); htlcs are all the
	// HTLC outputs, amounts their payments (sat).
	claimed btcwire.OutPoint
	htlcs   []btcwire.OutPoint
	amounts []btcutil.Amount
	// expiry is the HTLC's cltv_expiry, preimage its payment's preimage.
	expiry   int32
	preimage wire.Preimage
	// flipped says the HTLC went the other way than kind says (a
	// reorganisation, a race); revealed that a learned the preimage on
	// chain whoever took the HTLC in the end (its payment succeeded).
	flipped, revealed bool
	// done records the points reached.
	done map[point]bool
}

// claimTiming is when b claims the payment.
type claimTiming int

const (
	// claimAtClose: b claims before the close when the resolution is
	// b's (R2, R4), never otherwise.
	claimAtClose claimTiming = iota
	// claimWithheld: b claims before the close, but its monitor
	// broadcasts nothing (b's node is away) until the test says.
	claimWithheld
	// claimLate: b claims once the commitment confirmed (the test does
	// it).
	claimLate
)

// newOnchainCase builds the channel, the payment (held by b, or claimed by
// b while disconnected from a) and the extra ones, and has closer
// broadcast its commitment.
func newOnchainCase(t *testing.T, seed uint64, kind resolutionKind, ct lnkittest.ChannelType, timing claimTiming, extra ...wire.MilliSatoshi) *onchainCase {
	t.Helper()
	c := &onchainCase{kind: kind, anchors: ct == lnkittest.Anchors, done: map[point]bool{}}
	opts := lnkittest.Options{Seed: seed, WalletGapLimit: 4, UserConfig: func(*lnkittest.Node) channel.UserConfig {
		u := channel.DefaultUserConfig()
		u.Handshake.ToSelfDelay = resolutionDelay
		return u
	}}
	if kind == toLocalOnly {
		c.net, c.a, c.b, c.ch = payPairWith(t, opts, ct)
	} else {
		var id channel.PaymentID
		c.net, c.a, c.b, c.ch, id = heldPaymentWith(t, opts, ct, resolutionMsat)
		c.ids, c.amounts = append(c.ids, id), append(c.amounts, btcutil.Amount(resolutionMsat/1000))
		for _, msat := range extra {
			id, err := c.net.Pay(c.a, c.b, msat)
			require.NoError(t, err)
			c.net.Settle()
			c.ids, c.amounts = append(c.ids, id), append(c.amounts, btcutil.Amount(msat/1000))
		}
		require.Len(t, c.b.Claimable(), len(c.ids))
	}
	c.net.Disconnect(c.a, c.b)
	// b needs coins too: the wallet pays the fees of its anchors HTLC
	// transactions.
	c.net.FundWallet(c.b, walletReserve)
	if kind != toLocalOnly {
		pre, ok := c.b.Claimable()[0].Purpose.Preimage.Get()
		require.True(t, ok)
		c.preimage = pre
	}
	switch {
	case timing == claimWithheld:
		c.b.WithholdClaims = true
		fallthrough
	case timing == claimAtClose && (kind == receivedOnOurs || kind == receivedOnTheirs):
		for _, p := range c.b.Claimable() {
			pre, ok := p.Purpose.Preimage.Get()
			require.True(t, ok)
			require.NoError(t, c.net.Claim(c.b, pre))
		}
		process(t, c.net, c.b)
	}
	for _, bal := range c.a.ChainMonitor.ClaimableBalances() {
		if bal.Kind == monitor.BalanceMaybeTimeout {
			c.expiry = bal.Height
		}
	}
	d := c.net.Channel(c.a, c.ch)
	c.share = [2]btcutil.Amount{btcutil.Amount(d.OurBalance / 1000), btcutil.Amount(d.TheirBalance / 1000)}
	c.before = [2]btcutil.Amount{c.a.Wallet.Balance().Confirmed, c.b.Wallet.Balance().Confirmed}

	c.closer, c.resolver = c.a, c.a
	switch kind {
	case receivedOnOurs:
		c.closer, c.resolver = c.b, c.b
	case offeredOnTheirs:
		c.closer = c.b
	case receivedOnTheirs:
		c.resolver = c.b
	}
	other := c.a
	if c.closer == c.a {
		other = c.b
	}
	require.NoError(t, c.closer.Channels.ForceCloseChannel(c.ch, other.ID(), "test: the peer does not answer"))
	process(t, c.net, c.closer)
	for _, tx := range c.net.Chain.Mempool() {
		if len(tx.TxIn) == 1 && tx.TxIn[0].PreviousOutPoint == d.FundingOutPoint {
			c.commitment = tx
		}
	}
	require.NotNil(t, c.commitment, "the closer's commitment in the mempool")
	c.claimed = c.commitmentOutput(t)
	return c
}

// commitmentOutput checks the commitment's outputs against the channel
// balances (the opener a pays the fee and the anchors) and returns the
// output the resolution is about.
func (c *onchainCase) commitmentOutput(t *testing.T) btcwire.OutPoint {
	t.Helper()
	var out, anchors btcutil.Amount
	for _, o := range c.commitment.TxOut {
		out += btcutil.Amount(o.Value)
		if c.anchors && o.Value == 330 {
			anchors += 330
		}
	}
	fee := payCapacity - out
	want := map[*lnkittest.Node]btcutil.Amount{c.a: c.share[0] - fee - anchors, c.b: c.share[1]}
	find := func(v btcutil.Amount) int {
		for i, o := range c.commitment.TxOut {
			if btcutil.Amount(o.Value) == v {
				return i
			}
		}
		t.Fatalf("no output of %d sat in the commitment", v)
		return -1
	}
	find(want[c.a])
	local := find(want[c.closer])
	if c.kind == toLocalOnly {
		return btcwire.OutPoint{Hash: c.commitment.TxHash(), Index: uint32(local)}
	}
	require.NotZero(t, c.expiry, "a's HTLC balance gives its cltv_expiry")
	c.htlcs = nil
	for _, v := range c.amounts {
		c.htlcs = append(c.htlcs, btcwire.OutPoint{Hash: c.commitment.TxHash(), Index: uint32(find(v))})
	}
	return c.htlcs[0]
}

// winner is the node the HTLC (or the to_local) ends with.
func (c *onchainCase) winner() *lnkittest.Node {
	if c.flipped != (c.kind == receivedOnOurs || c.kind == receivedOnTheirs) {
		return c.b
	}
	return c.a
}

// step has every running node's application handle its events, and
// checks the payer's outcome so far: never twice, a timeout only once
// the claim is AntiReorgDelay deep.
func (c *onchainCase) step(t *testing.T) {
	t.Helper()
	for _, n := range []*lnkittest.Node{c.a, c.b} {
		if n.Running() {
			process(t, c.net, n)
		}
	}
	failed, sent := lnkittest.Logged[*events.PaymentFailed](c.a), lnkittest.Logged[*events.PaymentSent](c.a)
	outcomes := map[channel.PaymentID]int{}
	for _, e := range failed {
		outcomes[e.PaymentID]++
	}
	for _, e := range sent {
		outcomes[e.PaymentID]++
	}
	for id, n := range outcomes {
		require.Equal(t, 1, n, "the outcome of payment %x is reported once", id[:4])
	}
	if len(failed) > 0 {
		require.False(t, c.revealed, "a's payment fails though a learned the preimage")
		require.Zero(t, c.winner().Index, "a's payment fails only when the HTLC times out (height %d)", c.net.Chain.Tip().Height)
		deep := 0
		for _, op := range c.htlcs {
			if s, ok := c.net.Chain.Spender(op); ok && s.Height > 0 && c.net.Chain.Confirmations(s.TxID) >= monitor.AntiReorgDelay {
				deep++
			}
		}
		require.GreaterOrEqual(t, deep, len(failed), "a payment fails once its HTLC's timeout is deep enough")
	}
}

// mine mines n blocks of the mempool, one at a time, a step after each.
func (c *onchainCase) mine(t *testing.T, n int) {
	t.Helper()
	for range n {
		c.net.Mine(1)
		c.step(t)
	}
}

// withhold mines n blocks without the mempool's transactions (a miner
// leaving the claim out), a step after each.
func (c *onchainCase) withhold(t *testing.T, n int) {
	t.Helper()
	for range n {
		_, err := c.net.Chain.MineTx()
		require.NoError(t, err)
		c.step(t)
	}
}

// claimInMempool returns the mempool's transaction spending the claimed
// output, or nil.
func (c *onchainCase) claimInMempool() *btcwire.MsgTx {
	s, ok := c.net.Chain.Spender(c.claimed)
	if !ok || s.Height > 0 {
		return nil
	}
	for _, tx := range c.net.Chain.Mempool() {
		if tx.TxHash() == s.TxID {
			return tx
		}
	}
	return nil
}

// claimConfirmations is how deep the claimed output's spend is (0: not
// confirmed).
func (c *onchainCase) claimConfirmations() int32 {
	s, ok := c.net.Chain.Spender(c.claimed)
	if !ok || s.Height == 0 {
		return 0
	}
	return c.net.Chain.Confirmations(s.TxID)
}

// waitConfirmations is how deep the transaction opening the CSV wait is:
// the HTLC transaction (R1, R2), the commitment (R5); 0 for the others.
func (c *onchainCase) waitConfirmations() int32 {
	switch c.kind {
	case offeredOnOurs, receivedOnOurs:
		return c.claimConfirmations()
	case toLocalOnly:
		if c.claimConfirmations() == 0 {
			return c.net.Chain.Confirmations(c.commitment.TxHash())
		}
	}
	return 0
}

// sweepConfirmations is how deep the spend of the resolver's HTLC
// transaction's output is (R1, R2; 0: not confirmed).
func (c *onchainCase) sweepConfirmations() int32 {
	if c.kind != offeredOnOurs && c.kind != receivedOnOurs {
		return 0
	}
	s, ok := c.net.Chain.Spender(c.claimed)
	if !ok || s.Height == 0 {
		return 0
	}
	sw, ok := c.net.Chain.Spender(btcwire.OutPoint{Hash: s.TxID})
	if !ok || sw.Height == 0 {
		return 0
	}
	return c.net.Chain.Confirmations(sw.TxID)
}

// disturbance is what strikes a resolution at a point (and, with also,
// the same run at other points: one network for several strikes).
type disturbance struct {
	name  string
	at    point
	apply func(t *testing.T, c *onchainCase)
	also  []disturbance
}

// parts returns d and the disturbances of its also.
func (d disturbance) parts() []disturbance {
	return append([]disturbance{d}, d.also...)
}

// reach runs the parts of d at p if the resolution is at p for the first
// time.
func (c *onchainCase) reach(t *testing.T, p point, d disturbance) {
	t.Helper()
	if c.done[p] {
		return
	}
	c.done[p] = true
	for _, x := range d.parts() {
		if x.at == p && x.apply != nil {
			t.Logf("%s at height %d", x.name, c.net.Chain.Tip().Height)
			x.apply(t, c)
		}
	}
}

// settled reports whether every output of the commitment but the anchors
// is spent by a confirmed transaction whose outputs are spent the same
// way down to outputs of the wallets, and the mempool is empty.
func (c *onchainCase) settled(t *testing.T) bool {
	t.Helper()
	if len(c.net.Chain.Mempool()) > 0 || !c.a.Running() || !c.b.Running() {
		return false
	}
	s := c.settlement(t, false)
	return s.open == 0
}

// run confirms the commitment and mines until the resolution is settled,
// d striking at its point; then a few more blocks (nothing may happen
// twice), and checks the outcome.
func (c *onchainCase) run(t *testing.T, d disturbance) {
	t.Helper()
	c.mine(t, 1)
	require.Positive(t, c.net.Chain.Confirmations(c.commitment.TxHash()))
	c.reach(t, atCommitment, d)
	for range 400 {
		if c.settled(t) {
			break
		}
		if c.claimInMempool() != nil {
			c.reach(t, atBroadcast, d)
		}
		c.mine(t, 1)
		if c.claimConfirmations() >= 1 {
			c.reach(t, atClaim, d)
		}
		if c.waitConfirmations() >= 4 {
			c.reach(t, atWait, d)
		}
		if c.sweepConfirmations() >= 1 {
			c.reach(t, atSweep, d)
		}
	}
	require.True(t, c.settled(t), "the resolution settles")
	for _, x := range d.parts() {
		if x.at != 0 && pointOf(c.kind, x.at) {
			require.True(t, c.done[x.at], "the resolution went through %s's point", x.name)
		}
	}
	c.mine(t, monitor.AntiReorgDelay+1)
	require.Empty(t, c.net.Chain.Mempool(), "nothing more to do")
	c.requireOutcome(t)
}

// requireOutcome checks the payer's outcome, the closes and the wallets.
func (c *onchainCase) requireOutcome(t *testing.T) {
	t.Helper()
	failed, sent := lnkittest.Logged[*events.PaymentFailed](c.a), lnkittest.Logged[*events.PaymentSent](c.a)
	switch {
	case c.kind == toLocalOnly:
		require.Empty(t, failed)
		require.Empty(t, sent)
	case c.winner() == c.a && !c.revealed:
		require.Len(t, failed, len(c.ids))
		for _, id := range c.ids {
			require.True(t, slices.ContainsFunc(failed, func(e *events.PaymentFailed) bool { return e.PaymentID == id }))
		}
		require.Empty(t, sent)
	default:
		for _, id := range c.ids {
			requireSent(t, c.a, id)
		}
		require.Empty(t, failed)
	}
	requireClosedOnce(t, c.ch, c.a, c.b)
	s := c.settlement(t, true)
	for i, n := range []*lnkittest.Node{c.a, c.b} {
		share := c.share[i]
		if i == 0 {
			share -= s.commitFee + s.anchors
		}
		if n == c.winner() && c.kind != toLocalOnly {
			for _, v := range c.amounts {
				share += v
			}
		}
		want := c.before[i] + share + s.anchorsTaken[i] - s.fees[i]
		bal := n.Wallet.Balance()
		require.Zero(t, bal.Unconfirmed, "node %d's wallet: nothing left unconfirmed", i)
		require.Zero(t, bal.Locked, "node %d's wallet: nothing left locked", i)
		got := bal.Confirmed
		t.Logf("node %d: channel %d sat, fees %d sat in %d transactions, wallet %d -> %d", i, share, s.fees[i], s.txs[i], c.before[i], got)
		require.Equal(t, want, got, "node %d's wallet: its channel balance less its fees, to the satoshi", i)
	}
}

// settlement is where the commitment's outputs went on chain.
type settlement struct {
	// commitFee is the commitment's fee, anchors the value of its anchor
	// outputs (both paid by the opener).
	commitFee, anchors btcutil.Amount
	// fees are the fees of the transactions each node made (the
	// descendants of the commitment ending in its wallet), txs how many.
	fees [2]btcutil.Amount
	txs  [2]int
	// anchorsTaken is the value of the anchor outputs each node spent.
	anchorsTaken [2]btcutil.Amount
	// open counts the outputs not yet in a wallet (the commitment's
	// anchors aside).
	open int
}

// settlement follows the commitment's outputs down the chain: each
// confirmed transaction spending one belongs to the one node whose wallet
// its outputs end in (its other inputs must be that wallet's coins). With
// strict, every output but an anchor must end in a wallet.
func (c *onchainCase) settlement(t *testing.T, strict bool) settlement {
	t.Helper()
	nodes := []*lnkittest.Node{c.a, c.b}
	var s settlement
	var out btcutil.Amount
	for _, o := range c.commitment.TxOut {
		out += btcutil.Amount(o.Value)
		if c.anchors && o.Value == 330 {
			s.anchors += 330
		}
	}
	s.commitFee = payCapacity - out
	// owner returns the node whose wallet the output op (of value v) ends
	// in, -1 for none (unspent, unconfirmed), and records the fees on the
	// way.
	seen := map[chainhash.Hash]int{}
	var owner func(op btcwire.OutPoint, pkScript []byte) int
	owner = func(op btcwire.OutPoint, pkScript []byte) int {
		sp, ok := c.net.Chain.Spender(op)
		if !ok || sp.Height == 0 {
			for i, n := range nodes {
				if n.Wallet.IsMine(pkScript) {
					return i
				}
			}
			return -1
		}
		if o, ok := seen[sp.TxID]; ok {
			return o
		}
		tx := confirmedTx(t, c.net, sp.TxID)
		who := -1
		for i, o := range tx.TxOut {
			w := owner(btcwire.OutPoint{Hash: sp.TxID, Index: uint32(i)}, o.PkScript)
			require.True(t, w >= 0 || !strict, "output %d of %v ends in no wallet", i, sp.TxID)
			if w < 0 {
				s.open++
			}
			require.True(t, who < 0 || w < 0 || w == who, "the outputs of %v end in both wallets", sp.TxID)
			if w >= 0 {
				who = w
			}
		}
		seen[sp.TxID] = who
		if who < 0 {
			return -1
		}
		var fee btcutil.Amount
		for _, in := range tx.TxIn {
			prev := confirmedTx(t, c.net, in.PreviousOutPoint.Hash).TxOut[in.PreviousOutPoint.Index]
			fee += btcutil.Amount(prev.Value)
		}
		for _, o := range tx.TxOut {
			fee -= btcutil.Amount(o.Value)
		}
		s.fees[who] += fee
		s.txs[who]++
		return who
	}
	for i, o := range c.commitment.TxOut {
		w := owner(btcwire.OutPoint{Hash: c.commitment.TxHash(), Index: uint32(i)}, o.PkScript)
		switch {
		case c.anchors && o.Value == 330:
			if w >= 0 {
				s.anchorsTaken[w] += 330
			}
		case w < 0:
			s.open++
		case strict:
			require.Equal(t, c.expectedOwner(t, i), nodes[w], "output %d of the commitment ends in node %d's wallet", i, w)
		}
	}
	return s
}

// expectedOwner is the node output i of the commitment (not an anchor)
// belongs to.
func (c *onchainCase) expectedOwner(t *testing.T, i int) *lnkittest.Node {
	t.Helper()
	if c.kind != toLocalOnly && slices.Contains(c.htlcs, btcwire.OutPoint{Hash: c.commitment.TxHash(), Index: uint32(i)}) {
		return c.winner()
	}
	if btcutil.Amount(c.commitment.TxOut[i].Value) == c.share[1] {
		return c.b
	}
	return c.a
}

// adjustable reports whether the claim's fee rate can change: every
// claim but the presigned HTLC transactions of a channel without anchors.
func (c *onchainCase) adjustable() bool {
	return c.anchors || c.kind == offeredOnTheirs || c.kind == receivedOnTheirs
}

// claimFee is the fee tx pays (its inputs confirmed).
func claimFee(t *testing.T, net *lnkittest.Network, tx *btcwire.MsgTx) btcutil.Amount {
	t.Helper()
	var fee int64
	for _, in := range tx.TxIn {
		fee += confirmedTx(t, net, in.PreviousOutPoint.Hash).TxOut[in.PreviousOutPoint.Index].Value
	}
	for _, o := range tx.TxOut {
		fee -= o.Value
	}
	return btcutil.Amount(fee)
}

// spikeRate is the TargetUrgentSweep rate of the fee spikes: four times
// the default.
const spikeRate wire.FeeRate = 10_000

// deadline is the claim's deadline (bumpedRate's): the HTLC's
// cltv_expiry for a timeout, the block before for a preimage claim.
func (c *onchainCase) deadline() int32 {
	if c.winner() == c.b {
		return c.expiry - 1
	}
	return c.expiry
}

// feeSpike: fees rise while miners leave the claim out. A claim whose
// rate can change is replaced at the new rate at the next block, and
// inside SweepBumpWindow of its deadline a quarter higher at every block,
// never paying more than the HTLC it claims; a presigned one is broadcast
// again as it is. The miners leave a preimage claim out until two blocks
// before its deadline, a timeout (whose deadline is now: the counterparty
// may claim with the preimage any time) for 8 blocks, a presigned
// transaction for 3.
func feeSpike(t *testing.T, c *onchainCase) {
	tx := c.claimInMempool()
	require.NotNil(t, tx)
	value := c.amounts[0]
	c.net.Fees.SetTarget(chain.TargetUrgentSweep, spikeRate)
	rate := feeRate(t, c.net, tx)
	blocks := 8
	switch {
	case !c.adjustable():
		blocks = 3
	case c.winner() == c.b:
		blocks = int(c.deadline() - 2 - c.net.Chain.Tip().Height)
	}
	for i := range blocks {
		c.withhold(t, 1)
		height := c.net.Chain.Tip().Height
		next := c.claimInMempool()
		require.NotNil(t, next, "height %d: the claim is in the mempool", height)
		r := feeRate(t, c.net, next)
		c.requireFeesBelowValue(t)
		inWindow := c.deadline()-height <= monitor.SweepBumpWindow
		switch {
		case !c.adjustable():
			require.Equal(t, tx.TxHash(), next.TxHash(), "a presigned HTLC transaction is broadcast as it is")
		case i == 0:
			require.GreaterOrEqual(t, r, atLeast(spikeRate), "replaced at the new rate")
		case inWindow && next.TxHash() != tx.TxHash():
			require.GreaterOrEqual(t, r, atLeast(rate*5/4), "height %d: a quarter more", height)
		case inWindow:
			// Not bumped: only when a quarter more would cost about
			// the HTLC.
			require.Greater(t, claimFee(t, c.net, tx)*3/2+330, value, "height %d: not bumped though worth it (%d sat/kw)", height, rate)
		default:
			require.Equal(t, tx.TxHash(), next.TxHash(), "height %d: no bump before the window", height)
		}
		tx, rate = next, r
	}
	t.Logf("claim at %d sat/kw after the spike, %d sat of fee", rate, claimFee(t, c.net, tx))
}

// requireFeesBelowValue checks that no claim in the mempool pays more fee
// than the HTLCs it claims (a claim may take several: preimage claims far
// from their expiry share one transaction).
func (c *onchainCase) requireFeesBelowValue(t *testing.T) {
	t.Helper()
	claimed := map[chainhash.Hash]btcutil.Amount{}
	for k, op := range c.htlcs {
		if s, ok := c.net.Chain.Spender(op); ok && s.Height == 0 {
			claimed[s.TxID] += c.amounts[k]
		}
	}
	for _, tx := range c.net.Chain.Mempool() {
		if value, ok := claimed[tx.TxHash()]; ok {
			require.Less(t, claimFee(t, c.net, tx), value, "height %d: never more fee than the HTLCs claimed", c.net.Chain.Tip().Height)
		}
	}
}

// reorgOut returns the disturbance that, at p, raises the claims' rate
// and reorganises the chain down to the block depth blocks below the tip
// (capped below AntiReorgDelay), replacing it by depth+1 empty blocks:
// what those blocks held goes back to the mempool, and the monitor, seeing
// its outputs unspent again, claims them again.
func reorgOut(name string, p point, depth func(c *onchainCase) int32) disturbance {
	return disturbance{name: name, at: p, apply: func(t *testing.T, c *onchainCase) {
		c.net.Fees.SetTarget(chain.TargetUrgentSweep, spikeRate)
		d := min(depth(c), monitor.AntiReorgDelay-1)
		claimed := c.claimConfirmations() > 0 && c.claimConfirmations() <= d
		c.net.Reorg(int(d), int(d)+1)
		c.step(t)
		if !claimed || c.net.Chain.Confirmations(c.commitment.TxHash()) == 0 {
			return
		}
		again := c.claimInMempool()
		require.NotNil(t, again, "the claim is back in the mempool")
		t.Logf("the claim again: %v at %d sat/kw", again.TxHash(), feeRate(t, c.net, again))
		if c.adjustable() && c.kind != toLocalOnly {
			require.GreaterOrEqual(t, feeRate(t, c.net, again), atLeast(spikeRate), "the claim made again at the new rate")
		}
	}}
}

// crash returns the disturbance that, at p, crashes the resolver (with
// others, also the other node), mines blocks while it is down, and
// restarts it (the peers stay apart).
func crash(name string, p point, blocks int, others bool) disturbance {
	return disturbance{name: name, at: p, apply: func(t *testing.T, c *onchainCase) {
		nodes := []*lnkittest.Node{c.resolver}
		if others {
			nodes = []*lnkittest.Node{c.a, c.b}
		}
		for _, n := range nodes {
			c.net.Crash(n)
		}
		c.mine(t, blocks)
		for _, n := range nodes {
			c.net.Restart(n)
		}
		c.step(t)
	}}
}

// crashThroughReorg: both nodes crash once the claim confirmed; while
// they are down, its block leaves the chain (fees risen) for a longer branch;
// back, each catches up through the reorganisation from the block it had
// processed, and the resolver claims again.
func crashThroughReorg(t *testing.T, c *onchainCase) {
	c.net.Crash(c.a)
	c.net.Crash(c.b)
	c.net.Fees.SetTarget(chain.TargetUrgentSweep, spikeRate)
	depth := int(min(c.claimConfirmations(), monitor.AntiReorgDelay-1))
	if c.kind == toLocalOnly {
		depth = 0 // R5's claim is the wallet's sweep: sweptThroughReorg
	}
	c.net.Reorg(depth, depth+1)
	c.net.Restart(c.a)
	c.net.Restart(c.b)
	c.step(t)
	if depth > 0 && c.net.Chain.Confirmations(c.commitment.TxHash()) > 0 {
		require.NotNil(t, c.claimInMempool(), "the claim is back in the mempool")
	}
}

// sweptThroughReorg: the resolver crashes once the wallet's sweep of
// what the resolution gave it (R5: the to_local; R1, R2: the HTLC
// transaction's output) confirmed; while it is down the sweep's block
// leaves the chain for a longer branch (the sweep back in the mempool);
// back, it must neither sweep the output twice nor block its events.
func sweptThroughReorg(t *testing.T, c *onchainCase) {
	c.net.Crash(c.resolver)
	c.net.Reorg(1, 2)
	c.net.Restart(c.resolver)
	c.step(t)
}

// restartWhileSweepWaits: the resolver restarts while the wallet's sweep
// of its to_local (R5) waits in the mempool, and miners leave it out of
// the next block.
func restartWhileSweepWaits(t *testing.T, c *onchainCase) {
	c.net.Crash(c.resolver)
	c.net.Restart(c.resolver)
	c.step(t)
	c.withhold(t, 1)
}

// crashInSpike: fees spike while miners leave the claim out, and the
// resolver crashes between two of those blocks: once back, its claim
// never pays less than before the crash (the rate is persisted), it is
// still in the mempool, and the run settles without coins left locked or
// unconfirmed in its wallet.
func crashInSpike(t *testing.T, c *onchainCase) {
	c.net.Fees.SetTarget(chain.TargetUrgentSweep, spikeRate)
	c.withhold(t, 2)
	before := c.claimInMempool()
	require.NotNil(t, before)
	rate := feeRate(t, c.net, before)
	c.net.Crash(c.resolver)
	c.withhold(t, 1)
	c.net.Restart(c.resolver)
	c.step(t)
	for range 2 {
		c.withhold(t, 1)
		after := c.claimInMempool()
		require.NotNil(t, after, "the claim is in the mempool")
		require.GreaterOrEqual(t, feeRate(t, c.net, after), rate, "never a lower rate after the restart")
	}
}

// storm is one disturbance made of several, each at its own point of the
// same run.
func storm(name string, ds ...disturbance) disturbance {
	return disturbance{name: name, also: ds}
}

// The disturbances of the matrix. A storm strikes at every point of one
// run (each point once: a network per strike would make the matrix too
// slow under -race); what struck where is logged.
var resolutionDisturbances = []disturbance{
	{name: "undisturbed"},
	storm("reorgs",
		reorgOut("reorg of the commitment", atCommitment, func(*onchainCase) int32 { return 1 }),
		reorgOut("reorg of the claim", atClaim, func(*onchainCase) int32 { return 1 }),
		reorgOut("reorg in the wait", atWait, func(c *onchainCase) int32 { return c.waitConfirmations() }),
		reorgOut("reorg of the sweep", atSweep, func(*onchainCase) int32 { return 1 })),
	reorgOut("reorg of the claim and the commitment", atClaim, func(c *onchainCase) int32 {
		return c.net.Chain.Confirmations(c.commitment.TxHash())
	}),
	storm("crashes",
		crash("crash at the commitment", atCommitment, 0, false),
		crash("crash at the broadcast", atBroadcast, 1, false),
		disturbance{name: "crash of both, the claim reorged out while down", at: atClaim, apply: crashThroughReorg},
		crash("crash in the wait", atWait, 6, false)),
	crash("crash at the sweep", atSweep, 1, false),
	{name: "the sweep reorged out while down", at: atSweep, apply: sweptThroughReorg},
	{name: "the to_local sweep reorged out while down", at: atClaim, apply: sweptThroughReorg},
	{name: "a restart while the to_local sweep waits", at: atBroadcast, apply: restartWhileSweepWaits},
	{name: "fee spike", at: atBroadcast, apply: feeSpike},
	{name: "crash in the spike", at: atBroadcast, apply: crashInSpike},
}

// pointOf reports whether resolutions of kind k go through p.
func pointOf(k resolutionKind, p point) bool {
	switch p {
	case atWait:
		return k == offeredOnOurs || k == receivedOnOurs || k == toLocalOnly
	case atSweep:
		return k == offeredOnOurs || k == receivedOnOurs
	}
	return true
}

// applies reports whether d strikes resolutions of kind k.
func (d disturbance) applies(k resolutionKind) bool {
	if d.name == "the to_local sweep reorged out while down" || d.name == "a restart while the to_local sweep waits" {
		return k == toLocalOnly
	}
	if d.at == atBroadcast && k == toLocalOnly && d.apply != nil && len(d.also) == 0 {
		// R5's claim is the wallet's sweep: no fee spike (the wallet's
		// business).
		return false
	}
	return d.at == 0 || slices.ContainsFunc(d.parts(), func(x disturbance) bool { return pointOf(k, x.at) })
}

// TestResolutionMatrix runs each on-chain resolution (R1-R5) for both
// channel types, undisturbed and disturbed at its points: reorgs (of the
// commitment, of the claim, in the CSV wait, of the sweep; one of the
// claim and the commitment together), crashes and restarts (of the
// resolver at the commitment, at the broadcast with a block missed, in
// the wait with six missed; of both nodes through a reorganisation of the
// claim; of the resolver at the sweep, or through a reorganisation of it,
// or while it waits), a fee spike while miners leave the claim out (and a
// crash during it). Every run ends with each wallet holding its channel
// balance (and the HTLC if it won it) less the fees of its transactions,
// to the satoshi, nothing unconfirmed or locked, and the payer told the
// outcome exactly once, a timeout only once it is AntiReorgDelay deep.
func TestResolutionMatrix(t *testing.T) {
	for _, r := range resolutionKinds {
		for _, typ := range cheatTypes {
			for _, d := range resolutionDisturbances {
				if !d.applies(r.kind) {
					continue
				}
				t.Run(r.name+"/"+typ.name+"/"+d.name, func(t *testing.T) {
					t.Parallel()
					c := newOnchainCase(t, 51, r.kind, typ.ct, claimAtClose)
					c.run(t, d)
				})
			}
		}
	}
}

// TestResolutionPreimageWins: the payer times the HTLC out (R1: its
// HTLC-timeout transaction; R3: its claim from b's commitment), but b knew
// the preimage (its claims withheld: the node away) and its claim (R1:
// from a's commitment; R3: its HTLC-success transaction) confirms instead:
// mined while a's timeout waits in the mempool, or in a longer branch that
// reorganises a's confirmed timeout away. a's payment never fails (its
// timeout was never deep): it succeeds, once, with the preimage learned
// from the chain; the HTLC ends in b's wallet, and a's wallet keeps no
// trace of its dead timeout, to the satoshi.
func TestResolutionPreimageWins(t *testing.T) {
	for _, tc := range []struct {
		name string
		at   point
		// mine confirms b's claim instead of a's timeout.
		mine func(t *testing.T, c *onchainCase, preimage *btcwire.MsgTx)
	}{
		{"in the mempool race", atBroadcast, func(t *testing.T, c *onchainCase, preimage *btcwire.MsgTx) {
			_, err := c.net.Chain.MineTx(preimage)
			require.NoError(t, err)
		}},
		{"by a reorg", atClaim, func(t *testing.T, c *onchainCase, preimage *btcwire.MsgTx) {
			_, err := c.net.Chain.ReorgBlocks(1, []*btcwire.MsgTx{preimage})
			require.NoError(t, err)
		}},
	} {
		for _, kind := range []resolutionKind{offeredOnOurs, offeredOnTheirs} {
			for _, typ := range cheatTypes {
				t.Run(tc.name+"/"+resolutionKinds[kind-1].name+"/"+typ.name, func(t *testing.T) {
					t.Parallel()
					c := newOnchainCase(t, 52, kind, typ.ct, claimWithheld)
					c.run(t, disturbance{name: "the preimage wins " + tc.name, at: tc.at, apply: func(t *testing.T, c *onchainCase) {
						timeout, ok := c.net.Chain.Spender(c.claimed)
						require.True(t, ok)
						var preimage *btcwire.MsgTx
						for _, tx := range c.b.WithheldClaims() {
							if spends(tx, c.claimed) {
								preimage = tx
							}
						}
						require.NotNil(t, preimage, "b's claim with the preimage, withheld")
						c.b.WithholdClaims = false
						c.flipped = true
						tc.mine(t, c, preimage)
						c.step(t)
						s, ok := c.net.Chain.Spender(c.claimed)
						require.True(t, ok)
						require.NotEqual(t, timeout.TxID, s.TxID)
						require.Equal(t, preimage.TxHash(), s.TxID, "b's claim confirmed instead of a's timeout")
					}})
					requireSent(t, c.a, c.ids[0])
				})
			}
		}
	}
}

// TestResolutionClaimAfterClose: b holds the payment when the channel
// closes (R2: b force-closes; R4: a does) and claims it once the
// commitment confirmed: its monitor must learn the preimage and take the
// HTLC on chain (BOLT 5: a preimage for an unresolved HTLC output we were
// offered is used to spend it), a learning it from the chain.
func TestResolutionClaimAfterClose(t *testing.T) {
	for _, kind := range []resolutionKind{receivedOnOurs, receivedOnTheirs} {
		for _, typ := range cheatTypes {
			t.Run(resolutionKinds[kind-1].name+"/"+typ.name, func(t *testing.T) {
				t.Parallel()
				c := newOnchainCase(t, 53, kind, typ.ct, claimLate)
				c.run(t, disturbance{name: "claim after the close", at: atCommitment, apply: func(t *testing.T, c *onchainCase) {
					require.NoError(t, c.net.Claim(c.b, c.preimage), "b claims a payment it holds, the channel closed")
					c.step(t)
				}})
			})
		}
	}
}

// spends reports whether tx spends op.
func spends(tx *btcwire.MsgTx, op btcwire.OutPoint) bool {
	for _, in := range tx.TxIn {
		if in.PreviousOutPoint == op {
			return true
		}
	}
	return false
}

// TestResolutionCommitmentSwitch: both sides broadcast their commitment;
// one confirms, then a longer branch confirms the other instead. Each
// monitor drops what it planned for the first (an HTLC transaction, a
// claim) and resolves the HTLC from the second: R1 becomes R3 and back,
// R4 becomes R2 and back. The outcome is the same (a's timeout, or b's
// preimage claim), once, and the wallets end right to the satoshi.
func TestResolutionCommitmentSwitch(t *testing.T) {
	switched := map[resolutionKind]resolutionKind{
		offeredOnOurs: offeredOnTheirs, offeredOnTheirs: offeredOnOurs,
		receivedOnTheirs: receivedOnOurs, receivedOnOurs: receivedOnTheirs,
	}
	for _, kind := range []resolutionKind{offeredOnOurs, offeredOnTheirs, receivedOnOurs, receivedOnTheirs} {
		for _, typ := range cheatTypes {
			t.Run(resolutionKinds[kind-1].name+"/"+typ.name, func(t *testing.T) {
				t.Parallel()
				c := newOnchainCase(t, 54, kind, typ.ct, claimAtClose)
				c.run(t, disturbance{name: "the other commitment confirms", at: atCommitment, apply: func(t *testing.T, c *onchainCase) {
					other := c.a
					if c.closer == c.a {
						other = c.b
					}
					var keyID [32]byte
					for _, m := range other.ChainMonitor.Monitors() {
						if m.ChannelID == c.ch {
							keyID = m.ChannelKeyID
						}
					}
					tx, err := other.ChainMonitor.LatestHolderCommitmentTx(c.ch, other.Keys.ChannelKeys(keyID))
					require.NoError(t, err)
					_, err = c.net.Chain.ReorgBlocks(1, []*btcwire.MsgTx{tx}, nil)
					require.NoError(t, err)
					c.kind, c.closer, c.commitment = switched[c.kind], other, tx
					if c.kind == offeredOnOurs || c.kind == receivedOnOurs {
						c.resolver = c.closer
					} else {
						c.resolver = c.a
						if c.kind == receivedOnTheirs {
							c.resolver = c.b
						}
					}
					c.claimed = c.commitmentOutput(t)
					c.step(t)
				}})
			})
		}
	}
}

// TestResolutionRestartWhenSettled: once a resolution settled (the payer
// told, every output in a wallet), both nodes restart: nothing is told
// twice (no second PaymentSent or PaymentFailed, ChannelClosed,
// SpendableOutputs for an output already swept) and the wallets stay
// right to the satoshi.
func TestResolutionRestartWhenSettled(t *testing.T) {
	for _, r := range resolutionKinds {
		for _, typ := range cheatTypes {
			t.Run(r.name+"/"+typ.name, func(t *testing.T) {
				t.Parallel()
				c := newOnchainCase(t, 55, r.kind, typ.ct, claimAtClose)
				c.run(t, disturbance{})
				for _, n := range []*lnkittest.Node{c.a, c.b} {
					c.net.Crash(n)
					c.net.Restart(n)
				}
				c.mine(t, monitor.AntiReorgDelay+1)
				require.Empty(t, c.net.Chain.Mempool())
				c.requireOutcome(t)
			})
		}
	}
}

// TestResolutionManyHTLCs: three payments in flight at the close, all
// resolved the same way at once (their HTLC transactions or claims built
// in the same blocks; with anchors, each funded by the wallet from coins
// the others do not take), through a fee spike (the smaller HTLCs' claims
// stop being bumped first): every payment's outcome once, the wallets
// right to the satoshi.
func TestResolutionManyHTLCs(t *testing.T) {
	for _, r := range resolutionKinds[:4] {
		for _, typ := range cheatTypes {
			t.Run(r.name+"/"+typ.name, func(t *testing.T) {
				t.Parallel()
				c := newOnchainCase(t, 56, r.kind, typ.ct, claimAtClose, 30_000_000, 20_000_000)
				c.run(t, disturbance{name: "fee spike", at: atBroadcast, apply: feeSpike})
			})
		}
	}
}

// TestResolutionPreimageReorgedAway: b's claim with the preimage (R4:
// from a's commitment; R2: its HTLC-success transaction) confirms and a
// learns the preimage (PaymentSent), then the block leaves the chain and
// miners leave b's claim out (b's node away) until a times the HTLC out.
// a keeps the HTLC and its payment stays sent: no PaymentFailed after the
// PaymentSent; the wallets end right to the satoshi.
func TestResolutionPreimageReorgedAway(t *testing.T) {
	for _, kind := range []resolutionKind{receivedOnOurs, receivedOnTheirs} {
		for _, typ := range cheatTypes {
			t.Run(resolutionKinds[kind-1].name+"/"+typ.name, func(t *testing.T) {
				t.Parallel()
				c := newOnchainCase(t, 57, kind, typ.ct, claimAtClose)
				c.run(t, disturbance{name: "the preimage reorged away", at: atClaim, apply: func(t *testing.T, c *onchainCase) {
					claim, ok := c.net.Chain.Spender(c.claimed)
					require.True(t, ok)
					requireSent(t, c.a, c.ids[0])
					c.b.WithholdClaims, c.a.WithholdClaims = true, true
					c.flipped, c.revealed = true, true
					c.net.Reorg(1, 0)
					c.step(t)
					// a's miners leave b's claim out until a's timeout.
					var timeout *btcwire.MsgTx
					for timeout == nil {
						require.Less(t, c.net.Chain.Tip().Height, c.expiry+2, "a times the HTLC out")
						c.withhold(t, 1)
						for _, tx := range c.a.WithheldClaims() {
							if spends(tx, c.claimed) {
								timeout = tx
							}
						}
					}
					c.a.WithholdClaims = false
					_, err := c.net.Chain.MineTx(timeout)
					require.NoError(t, err)
					c.step(t)
					s, ok := c.net.Chain.Spender(c.claimed)
					require.True(t, ok)
					require.NotEqual(t, claim.TxID, s.TxID)
					c.b.WithholdClaims = false
				}})
			})
		}
	}
}

// TestResolutionUneconomicalTimeout: a force-closes its anchors channel
// with a 2,000-sat payment in flight, above the dust limit (an output of
// the commitment) but below what its wallet-funded HTLC-timeout would pay
// in fees at the default rate. The monitor does not spend more than the
// HTLC is worth, nor does it give the payment up (the counterparty could
// still claim it with the preimage: failing it, a forward's upstream
// would be failed for an HTLC that may yet be paid): the payment stays in
// flight while fees are high, and ends once they fall and the timeout is
// claimed and deep.
func TestResolutionUneconomicalTimeout(t *testing.T) {
	net, a, b, ch, id := heldPayment(t, 58, lnkittest.Anchors, 2_000_000)
	net.Disconnect(a, b)
	closeOnChain(t, net, a, b, ch)
	for range 120 {
		net.Mine(1)
		process(t, net, a)
	}
	require.Empty(t, lnkittest.Logged[*events.PaymentFailed](a), "in flight while not worth claiming")
	net.Fees.Set(wire.FeeRateFloor)
	for range monitor.AntiReorgDelay + 2 {
		net.Mine(1)
		process(t, net, a)
	}
	requireFailedOnce(t, a, id)
}
