package channel_test

import (
	"bytes"
	"context"
	"fmt"
	"sync"
	"sync/atomic"
	"testing"

	"github.com/btcsuite/btcd/btcutil"
	"github.com/btcsuite/btcd/chaincfg"
	"github.com/btcsuite/btcd/txscript"
	btcwire "github.com/btcsuite/btcd/wire"
	"github.com/stretchr/testify/require"

	"github.com/lnkit/lnkit/chain/wallet"
	"github.com/lnkit/lnkit/channel"
	"github.com/lnkit/lnkit/channel/monitor"
	"github.com/lnkit/lnkit/events"
	"github.com/lnkit/lnkit/lnkittest"
	"github.com/lnkit/lnkit/lnkittest/simchain"
	"github.com/lnkit/lnkit/persist"
	"github.com/lnkit/lnkit/persist/persisttest"
	"github.com/lnkit/lnkit/wire"
)

// The channel every flow test opens: 1,000,000 sat from node 0 (the
// opener) to node 1 (the acceptor), 150,000 sat pushed.
const (
	flowCapacity = btcutil.Amount(1_000_000)
	flowPush     = wire.MilliSatoshi(150_000_000)
	flowFunds    = btcutil.Amount(1_300_000)
	// flowMaxSteps bounds a flow: a run still moving after that many
	// steps is livelocked.
	flowMaxSteps = 200
)

// fault is what a step test does to the pair at step k: crash and restart
// one node or both, or break their connection, and connect them again.
type fault struct {
	// victims is how many choices of victim there are: node 0, node 1,
	// and, when 3, both.
	victims int
	apply   func(r *flow, victim int)
}

// crashFault crashes the victim (or both nodes at once) and restarts it
// from its store.
var crashFault = fault{victims: 3, apply: func(r *flow, victim int) {
	hit := r.nodes()
	if victim < 2 {
		hit = []*lnkittest.Node{r.net.Node(victim)}
	}
	for _, n := range hit {
		r.net.Crash(n)
	}
	for _, n := range hit {
		r.net.Restart(n)
	}
	r.net.Connect(r.a, r.b)
}}

// victimName names a victim choice.
func victimName(victim int) string {
	return [...]string{"opener", "acceptor", "both"}[victim]
}

// disconnectFault breaks the connection as the victim does it.
var disconnectFault = fault{victims: 2, apply: func(r *flow, victim int) {
	r.net.Disconnect(r.net.Node(victim), r.net.Node(1-victim))
	r.net.Connect(r.a, r.b)
}}

// flow drives an open or a close one step at a time: one message delivered
// (a to b first), else one node's events processed (the application's
// duties), else one block mined while a funding or closing transaction
// waits for confirmations.
type flow struct {
	t    *testing.T
	net  *lnkittest.Network
	a, b *lnkittest.Node
	// start is the opener's wallet before the open.
	start btcutil.Amount
	// funding is the funding outpoint, once a node knows it.
	funding btcwire.OutPoint
	// trace names the steps taken.
	trace []string
	// typ is the channel type the open negotiates (anchors by default).
	typ lnkittest.ChannelType
}

// newFlow builds a funded pair, connected, the open not started.
func newFlow(t *testing.T, seed uint64) *flow {
	t.Helper()
	return newFlowWith(t, lnkittest.Options{Seed: seed})
}

// newFlowWith is newFlow on a network of opts.
func newFlowWith(t *testing.T, opts lnkittest.Options) *flow {
	t.Helper()
	net := lnkittest.NewNetwork(t, opts)
	r := &flow{t: t, net: net, a: net.Node(0), b: net.Node(1), typ: lnkittest.Anchors}
	net.Connect(r.a, r.b)
	net.FundWallet(r.a, flowFunds)
	r.start = r.a.Wallet.Balance().Confirmed
	require.Equal(t, flowFunds, r.start)
	return r
}

// startOpen queues open_channel.
func (r *flow) startOpen() {
	r.t.Helper()
	r.net.StartOpen(r.a, r.b, flowCapacity, r.typ, lnkittest.OpenOptions{Push: flowPush})
}

// nodes lists the pair.
func (r *flow) nodes() []*lnkittest.Node { return []*lnkittest.Node{r.a, r.b} }

// step takes one step and reports whether there was one to take.
func (r *flow) step() bool {
	r.t.Helper()
	r.learnFunding()
	for _, dir := range [][2]*lnkittest.Node{{r.a, r.b}, {r.b, r.a}} {
		if p := r.net.Pending(dir[0], dir[1]); len(p) > 0 {
			require.True(r.t, r.net.DeliverOne(dir[0], dir[1]))
			r.trace = append(r.trace, fmt.Sprintf("%d→%d %T", dir[0].Index, dir[1].Index, p[0]))
			return true
		}
	}
	for _, n := range r.nodes() {
		if n.Events.Len() > 0 {
			// A duty that fails comes again at the next step.
			evs, err := r.net.ProcessEvents(n)
			r.trace = append(r.trace, fmt.Sprintf("events %d: %s (err %v)", n.Index, eventNames(evs), err))
			return true
		}
	}
	if r.waitsForBlocks() {
		r.net.Mine(1)
		r.trace = append(r.trace, "mine")
		return true
	}
	return false
}

// run takes steps until none is left.
func (r *flow) run() {
	r.t.Helper()
	for i := 0; r.step(); i++ {
		if i >= flowMaxSteps {
			r.t.Fatalf("the flow does not settle: last steps %q", r.trace[len(r.trace)-10:])
		}
	}
	r.learnFunding()
}

// learnFunding records the funding outpoint once either node knows it.
func (r *flow) learnFunding() {
	for _, n := range r.nodes() {
		for _, d := range n.Channels.ListChannels() {
			if d.FundingOutPoint != (btcwire.OutPoint{}) {
				r.funding = d.FundingOutPoint
			}
		}
	}
}

// waitsForBlocks reports a transaction on the funding (the funding itself,
// or its spend) that blocks would move on: the funding is published and a
// channel still waits for its confirmations, or a spend of it is in the
// mempool.
func (r *flow) waitsForBlocks() bool {
	if r.funding == (btcwire.OutPoint{}) {
		return false
	}
	if r.spendInMempool() != nil {
		return true
	}
	published := r.net.Chain.InMempool(r.funding.Hash) || r.net.Chain.Confirmations(r.funding.Hash) > 0
	if !published {
		return false
	}
	for _, n := range r.nodes() {
		for _, d := range n.Channels.ListChannels() {
			if d.State == channel.StateAwaitingFunding {
				return true
			}
		}
	}
	return false
}

// spendInMempool returns the mempool's transaction spending the funding.
func (r *flow) spendInMempool() *btcwire.MsgTx {
	for _, tx := range r.net.Chain.Mempool() {
		for _, in := range tx.TxIn {
			if in.PreviousOutPoint == r.funding {
				return tx
			}
		}
	}
	return nil
}

// spend returns the transaction spending the funding, in the mempool or
// confirmed, if any.
func (r *flow) spend() *btcwire.MsgTx {
	if tx := r.spendInMempool(); tx != nil {
		return tx
	}
	if r.funding == (btcwire.OutPoint{}) {
		return nil
	}
	s, ok := r.net.Chain.Spender(r.funding)
	if !ok || s.Height == 0 {
		return nil
	}
	b, _ := r.net.Chain.BlockAt(s.Height)
	for _, tx := range b.Transactions {
		if tx.TxHash() == s.TxID {
			return tx
		}
	}
	return nil
}

// isCommitment reports a commitment transaction: BOLT 3 puts 0x20 in the
// upper byte of its locktime and 0x80 in the upper byte of its sequence; a
// closing transaction has neither.
func isCommitment(tx *btcwire.MsgTx) bool {
	return tx.LockTime>>24 == 0x20 || (len(tx.TxIn) == 1 && tx.TxIn[0].Sequence>>24 == 0x80)
}

// requireNoForceClose fails when a node reported a force close or a
// commitment transaction spends the funding.
//
// One force close is unavoidable and allowed: the acceptor persisted the
// channel and sent funding_signed, and the opener lost it (a crash, a
// broken connection) before funding_signed arrived. The opener forgets the
// channel (it never broadcast the funding) and answers the acceptor's
// channel_reestablish with an error; the acceptor cannot tell whether the
// funding was published, so it fails the channel as BOLT 2 says (closed
// with the counterparty's error, its commitment handed to the chain). The
// funding was never published, so that commitment spends nothing: the
// check is that no transaction spends the funding and that the funding is
// unknown to the chain.
func (r *flow) requireNoForceClose(what string) {
	r.t.Helper()
	published := r.funding != (btcwire.OutPoint{}) &&
		(r.net.Chain.InMempool(r.funding.Hash) || r.net.Chain.Confirmations(r.funding.Hash) > 0)
	for _, n := range r.nodes() {
		for _, c := range closedEvents(n) {
			switch c.Reason.Kind {
			case events.ClosedHolderForceClosed, events.ClosedCounterpartyForceClosed:
				r.t.Fatalf("%s: node %d force closed: %v", what, n.Index, c.Reason)
			case events.ClosedCounterpartyError, events.ClosedProcessingError:
				require.False(r.t, published, "%s: node %d failed a published channel: %v", what, n.Index, c.Reason)
				require.Equal(r.t, r.b, n, "%s: the opener failed the channel: %v", what, c.Reason)
			}
		}
	}
	if tx := r.spend(); tx != nil {
		require.False(r.t, isCommitment(tx), "%s: a commitment transaction spends the funding", what)
	}
}

// requireOpenOutcome checks the end of an open: both nodes hold the same
// ready channel with the opener's and the pushed balances to the msat, the
// funding confirmed and unspent, the opener's wallet down by the capacity
// and the funding fee; or neither holds a channel, nothing was published
// on the funding and the opener's wallet holds all its coins again.
func (r *flow) requireOpenOutcome(what string) (ready bool) {
	r.t.Helper()
	r.requireNoForceClose(what)
	da, db := r.a.Channels.ListChannels(), r.b.Channels.ListChannels()
	bal := r.a.Wallet.Balance()
	if len(da) == 0 && len(db) == 0 {
		require.Zero(r.t, bal.Locked, "%s: coins still locked", what)
		require.Equal(r.t, r.start, bal.Confirmed, "%s: the opener's coins are not back", what)
		if r.funding != (btcwire.OutPoint{}) {
			require.False(r.t, r.net.Chain.InMempool(r.funding.Hash), "%s: an abandoned funding was broadcast", what)
			require.Zero(r.t, r.net.Chain.Confirmations(r.funding.Hash), "%s: an abandoned funding confirmed", what)
		}
		return false
	}
	require.Len(r.t, da, 1, "%s: opener", what)
	require.Len(r.t, db, 1, "%s: acceptor (opener has %v)", what, da)
	x, y := da[0], db[0]
	require.Equal(r.t, x.ChannelID, y.ChannelID, what)
	for _, d := range []channel.ChannelDetails{x, y} {
		require.Equal(r.t, channel.StateReady, d.State, what)
		require.True(r.t, d.Usable, what)
	}
	require.Equal(r.t, wire.MilliSatoshi(flowCapacity)*1000-flowPush, x.OurBalance, what)
	require.Equal(r.t, flowPush, x.TheirBalance, what)
	require.Equal(r.t, flowPush, y.OurBalance, what)
	require.Equal(r.t, x.OurBalance, y.TheirBalance, what)
	require.Positive(r.t, r.net.Chain.Confirmations(x.FundingOutPoint.Hash), what)
	_, unspent := r.net.Chain.Unspent(x.FundingOutPoint)
	require.True(r.t, unspent, "%s: funding spent", what)
	fee := r.fundingFee(x.FundingOutPoint)
	require.Positive(r.t, fee, what)
	require.Zero(r.t, bal.Locked, what)
	require.Equal(r.t, r.start-flowCapacity-fee, bal.Confirmed+bal.Unconfirmed, "%s: opener's wallet", what)
	return true
}

// fundingFee is the opener wallet's fee on the funding transaction.
func (r *flow) fundingFee(op btcwire.OutPoint) btcutil.Amount {
	r.t.Helper()
	for _, tx := range r.a.Wallet.Transactions() {
		if tx.TxID == op.Hash {
			return tx.Fee
		}
	}
	r.t.Fatalf("the opener's wallet does not know the funding %v", op.Hash)
	return 0
}

// settleTimedOut mines past the acceptor's funding timeout when the step
// left it alone with a channel whose funding was never published (the
// opener lost it before funding_signed was durable on its side: the
// acceptor cannot know, and BOLT 2 has it forget the channel after 2016
// blocks), and checks that it forgot it without broadcasting.
func (r *flow) settleTimedOut(what string) {
	r.t.Helper()
	if len(r.a.Channels.ListChannels()) != 0 || len(r.b.Channels.ListChannels()) != 1 {
		return
	}
	d := r.b.Channels.ListChannels()[0]
	require.Equal(r.t, channel.StateAwaitingFunding, d.State, what)
	require.False(r.t, r.net.Chain.InMempool(d.FundingOutPoint.Hash), what)
	r.net.Mine(2016)
	r.run()
	require.Empty(r.t, r.b.Channels.ListChannels(), "%s: the acceptor did not forget", what)
	c := closedEvents(r.b)
	require.NotEmpty(r.t, c, what)
	require.Equal(r.t, events.ClosedFundingTimedOut, c[len(c)-1].Reason.Kind, what)
	require.Empty(r.t, r.net.Chain.Mempool(), "%s: something was broadcast", what)
}

// openSteps is the number of steps of an open without a fault.
func openSteps(t *testing.T, typ lnkittest.ChannelType) int {
	t.Helper()
	r := newFlow(t, 11)
	r.typ = typ
	r.startOpen()
	r.run()
	require.True(t, r.requireOpenOutcome("no fault"))
	t.Logf("the open's steps: %q", r.trace)
	return len(r.trace)
}

// eventNames names evs' types.
func eventNames(evs []events.Event) string {
	s := ""
	for _, e := range evs {
		if c, ok := e.(*events.ChannelClosed); ok {
			s += fmt.Sprintf("ChannelClosed(%v) ", c.Reason.Kind)
			continue
		}
		s += fmt.Sprintf("%T ", e)
	}
	return s
}

// runOpenWithFault runs the open, applies f to victim after k steps, and
// drives the pair to the end. It reports whether the channel opened.
func runOpenWithFault(t *testing.T, typ lnkittest.ChannelType, k int, victim int, f fault) bool {
	t.Helper()
	r := newFlow(t, 11)
	r.typ = typ
	r.startOpen()
	for range k {
		require.True(t, r.step())
	}
	f.apply(r, victim)
	r.run()
	what := fmt.Sprintf("step %d %s", k, victimName(victim))
	r.settleTimedOut(what)
	ok := r.requireOpenOutcome(what)
	t.Logf("%s: opened %v; trace %q; opener events %s; acceptor events %s", what, ok, r.trace[k:], eventNames(r.a.EventLog), eventNames(r.b.EventLog))
	return ok
}

// TestOpenCrashAtEveryStep crashes the opener, then the acceptor, after
// every step of an open, restarts it from what its store made durable and
// drives the pair to the end: the channel opens on both sides with its
// balances to the msat, or on neither with the opener's coins back; never
// a force close.
func TestOpenCrashAtEveryStep(t *testing.T) {
	stepOpenFaults(t, crashFault)
}

// flowTypes are the channel types the step tests run with.
var flowTypes = []struct {
	name string
	typ  lnkittest.ChannelType
}{{"anchors", lnkittest.Anchors}, {"static_remotekey", lnkittest.StaticRemoteKey}}

// stepOpenFaults runs runOpenWithFault for both channel types, every step
// and every victim.
func stepOpenFaults(t *testing.T, f fault) {
	t.Helper()
	runs, opened := 0, 0
	for _, ct := range flowTypes {
		n := openSteps(t, ct.typ)
		for k := 0; k <= n; k++ {
			for victim := range f.victims {
				runs++
				t.Run(fmt.Sprintf("%s/step%02d/%s", ct.name, k, victimName(victim)), func(t *testing.T) {
					if runOpenWithFault(t, ct.typ, k, victim, f) {
						opened++
					}
				})
			}
		}
	}
	t.Logf("%d scenarios, %d opened", runs, opened)
}

// closeFlow is a flow whose channel is open and whose close was asked.
type closeFlow struct {
	*flow
	id wire.ChannelID
	// closer asked for the close.
	closer *lnkittest.Node
	// wallets are the wallets' totals once the channel is open.
	wallets [2]btcutil.Amount
}

// newCloseFlow opens the channel and asks closer (0 or 1) to close it.
func newCloseFlow(t *testing.T, typ lnkittest.ChannelType, closer int) *closeFlow {
	t.Helper()
	f := newFlow(t, 13)
	f.typ = typ
	return openThenClose(t, f, closer)
}

// openThenClose opens f's channel and asks closer (0 or 1) to close it.
func openThenClose(t *testing.T, f *flow, closer int) *closeFlow {
	t.Helper()
	r := &closeFlow{flow: f}
	r.startOpen()
	r.run()
	require.True(t, r.requireOpenOutcome("open"))
	r.id = r.a.Channels.ListChannels()[0].ChannelID
	for i, n := range r.nodes() {
		r.wallets[i] = n.Wallet.Balance().Total()
	}
	r.trace = nil
	r.closer = r.net.Node(closer)
	other := r.net.Node(1 - closer)
	require.NoError(t, r.closer.Channels.CloseChannel(r.id, other.ID(), channel.CloseOptions{}))
	return r
}

// requireCloseOutcome checks the end of a cooperative close: a closing
// transaction (not a commitment) confirmed, neither node holds the
// channel, each reported one cooperative close, and each wallet got its
// balance to the satoshi: the acceptor the push, the opener the rest
// minus the closing fee.
func (r *closeFlow) requireCloseOutcome(what string) {
	r.t.Helper()
	r.requireNoForceClose(what)
	tx := r.spend()
	require.NotNil(r.t, tx, "%s: no closing transaction confirmed", what)
	s, _ := r.net.Chain.Spender(r.funding)
	require.Positive(r.t, s.Height, "%s: the closing transaction is unconfirmed", what)
	require.Empty(r.t, r.a.Channels.ListChannels(), what)
	require.Empty(r.t, r.b.Channels.ListChannels(), what)
	for _, n := range r.nodes() {
		c := uniqueClosed(n)
		require.Len(r.t, c, 1, "%s: node %d", what, n.Index)
		want := events.ClosedCooperativelyByPeer
		if n == r.closer {
			want = events.ClosedCooperativelyByUs
		}
		require.Equal(r.t, want, c[0].Reason.Kind, "%s: node %d", what, n.Index)
	}
	var out btcutil.Amount
	for _, o := range tx.TxOut {
		out += btcutil.Amount(o.Value)
	}
	fee := flowCapacity - out
	require.Positive(r.t, fee, what)
	toA, toB := flowCapacity-btcutil.Amount(flowPush/1000)-fee, btcutil.Amount(flowPush/1000)
	require.Equal(r.t, toA, paidTo(r.t, r.a, tx), "%s: opener", what)
	require.Equal(r.t, toB, paidTo(r.t, r.b, tx), "%s: acceptor", what)
	require.Equal(r.t, r.wallets[0]+toA, r.a.Wallet.Balance().Total(), "%s: opener's wallet", what)
	require.Equal(r.t, r.wallets[1]+toB, r.b.Wallet.Balance().Total(), "%s: acceptor's wallet", what)
}

// uniqueClosed returns the ChannelClosed events node handled, each once:
// an event handled when the node crashed, before the queue made that
// durable, is delivered again after the restart with its id (the queue's
// at-least-once guarantee).
func uniqueClosed(n *lnkittest.Node) []*events.ChannelClosed {
	var out []*events.ChannelClosed
	seen := map[uint64]bool{}
	for _, c := range closedEvents(n) {
		if !seen[c.EventID()] {
			seen[c.EventID()] = true
			out = append(out, c)
		}
	}
	return out
}

// closeSteps is the number of steps of a close without a fault.
func closeSteps(t *testing.T, typ lnkittest.ChannelType, closer int) int {
	t.Helper()
	r := newCloseFlow(t, typ, closer)
	r.run()
	r.requireCloseOutcome("no fault")
	t.Logf("the close's steps: %q", r.trace)
	return len(r.trace)
}

// stepCloseFaults closes a channel of either type from either side and,
// for every step of the close and every victim, applies f after that step
// and drives the pair to the end.
func stepCloseFaults(t *testing.T, f fault) {
	t.Helper()
	runs := 0
	for _, ct := range flowTypes {
		for closer := range 2 {
			n := closeSteps(t, ct.typ, closer)
			for k := 0; k <= n; k++ {
				for victim := range f.victims {
					runs++
					what := fmt.Sprintf("%s/%s_closes/step%02d/%s", ct.name, victimName(closer), k, victimName(victim))
					t.Run(what, func(t *testing.T) {
						r := newCloseFlow(t, ct.typ, closer)
						for range k {
							require.True(t, r.step())
						}
						f.apply(r.flow, victim)
						r.run()
						t.Logf("%s: trace %q", what, r.trace[k:])
						r.requireCloseOutcome(what)
					})
				}
			}
		}
	}
	t.Logf("%d scenarios", runs)
}

// TestCloseCrashAtEveryStep crashes either node after every step of a
// cooperative close asked by either side, restarts it from its store and
// drives the pair to the end: the shutdown is sent again after the
// reestablishment, the negotiation restarts, the closing transaction
// confirms and each wallet gets its balance to the satoshi; never a
// commitment broadcast.
func TestCloseCrashAtEveryStep(t *testing.T) {
	stepCloseFaults(t, crashFault)
}

// gate is a node's broadcaster in the held-write tests: it passes
// broadcasts to the chain until the node dies. The harness is
// single-threaded, so a node whose store crashed under a held write still
// runs to the end of the call that made the write; a dead process would
// broadcast nothing more, so the gate drops what it sends then.
type gate struct {
	chain *simchain.Chain
	dead  atomic.Bool
	// sent is what the node broadcast alive (whether the chain took it
	// or not); dropped is what it broadcast after it died.
	sent, dropped []*btcwire.MsgTx
}

// BroadcastTransactions implements chain.Broadcaster.
func (g *gate) BroadcastTransactions(ctx context.Context, txs ...*btcwire.MsgTx) error {
	if g.dead.Load() {
		g.dropped = append(g.dropped, txs...)
		return nil
	}
	g.sent = append(g.sent, txs...)
	return g.chain.BroadcastTransactions(ctx, txs...)
}

// gates holds each node's current gate (a new one at every start).
type gates struct {
	mu  sync.Mutex
	cur map[int]*gate
}

// of returns node's current gate.
func (gs *gates) of(n *lnkittest.Node) *gate {
	gs.mu.Lock()
	defer gs.mu.Unlock()
	return gs.cur[n.Index]
}

// handlers builds node's channel manager as lnkittest does, broadcasting
// through a new gate.
func (gs *gates) handlers(n *lnkittest.Node) lnkittest.Handlers {
	g := &gate{chain: n.Network().Chain}
	gs.mu.Lock()
	gs.cur[n.Index] = g
	gs.mu.Unlock()
	m, err := channel.Load(channel.Config{
		ChainHash:   *chaincfg.RegressionNetParams.GenesisHash,
		Features:    channel.Features(),
		Node:        n.Keys,
		Signers:     channel.KeysSigners(n.Keys),
		Entropy:     n.Entropy(),
		Watch:       n.ChainMonitor,
		Broadcaster: g,
		Fees:        n.Network().Fees,
		Destinations: channel.ShutdownScriptFunc(func(ctx context.Context) ([]byte, error) {
			addr, err := n.Wallet.NewAddress(ctx, wallet.P2WPKH)
			if err != nil {
				return nil, err
			}
			return txscript.PayToAddrScript(addr)
		}),
		Store:     n.Store,
		Events:    n.Events,
		BestBlock: n.Wallet.Birthday(),
		User:      channel.DefaultUserConfig(),
	}, n.ChainMonitor.Monitors())
	if err != nil {
		panic(fmt.Sprintf("node %d: channel manager: %v", n.Index, err))
	}
	n.Channels = m
	return lnkittest.Handlers{
		Channel: m,
		Listen:  m,
		Ticker:  m,
		Poll: func() {
			for _, c := range n.ChainMonitor.ReleaseCompletedUpdates() {
				m.MonitorUpdateCompleted(c.ChannelID, c.UpdateID)
			}
		},
	}
}

// newGatedFlow is newFlow with gated broadcasters.
func newGatedFlow(t *testing.T, seed uint64) (*flow, *gates) {
	t.Helper()
	gs := &gates{cur: map[int]*gate{}}
	return newFlowWith(t, lnkittest.Options{Seed: seed, Handlers: gs.handlers}), gs
}

// heldIn reports a write held by s (visible, not durable) in namespace ns.
func heldIn(s *persisttest.CrashStore, ns persist.Namespace) bool {
	ctx := context.Background()
	keys, _ := s.List(ctx, ns)
	for _, k := range keys {
		v, _ := s.Read(ctx, ns, k)
		d, ok := s.Durable(ns, k)
		if !ok || !bytes.Equal(v, d) {
			return true
		}
	}
	return false
}

// crashAt runs act with victim's store holding every write: the writes are
// made durable one by one until, when target says the write held is the
// one (or at the (skip+1)-th write for a nil target), victim dies: its
// gate closes and its store crashes, keeping what was durable. act runs to
// its end on the dead node (see gate); the caller then crashes victim
// through the harness, which loses what it sent, and restarts it. It
// reports whether victim died.
func crashAt(gs *gates, victim *lnkittest.Node, skip int, target func(*persisttest.CrashStore) bool, act func()) bool {
	store, g := victim.Store, gs.of(victim)
	ctx, cancel := context.WithCancel(context.Background())
	died := make(chan bool, 1)
	store.Hold(true)
	go func() {
		for released := 0; ; released++ {
			if store.WaitPending(ctx, 1) != nil {
				died <- false
				return
			}
			if (target == nil && released == skip) || (target != nil && target(store)) {
				g.dead.Store(true)
				store.Crash()
				died <- true
				return
			}
			store.Release(1)
		}
	}()
	act()
	cancel()
	store.Hold(false)
	return <-died
}

// restartVictim crashes victim through the harness (its store already
// crashed: the harness takes what was durable), restarts it and
// reconnects the pair.
func (r *flow) restartVictim(victim *lnkittest.Node) {
	r.t.Helper()
	r.net.Crash(victim)
	r.net.Restart(victim)
	r.net.Connect(r.a, r.b)
}

// TestOpenCrashAtEveryWrite crashes each node at each of its store writes
// during each step of the open (every write before it durable, that one
// and what follows lost), restarts it and drives the pair to the end: the
// channel opens on both sides with the balances to the msat, or on
// neither with the opener's coins back; never a force close. What the
// node did after its crash point never reaches the chain (gate) nor the
// peer (the harness crash breaks the connection).
func TestOpenCrashAtEveryWrite(t *testing.T) {
	n := openSteps(t, lnkittest.Anchors)
	scenarios, opened := 0, 0
	for k := 0; k < n; k++ {
		for victim := range 2 {
			for skip := 0; ; skip++ {
				r, gs := newGatedFlow(t, 11)
				r.startOpen()
				for range k {
					require.True(t, r.step())
				}
				v := r.net.Node(victim)
				if !crashAt(gs, v, skip, nil, func() { require.True(t, r.step()) }) {
					break
				}
				scenarios++
				what := fmt.Sprintf("step %d %s write %d", k, victimName(victim), skip)
				r.restartVictim(v)
				r.run()
				r.settleTimedOut(what)
				if r.requireOpenOutcome(what) {
					opened++
				}
				if t.Failed() {
					return
				}
			}
		}
	}
	t.Logf("%d steps, %d scenarios, %d opened", n, scenarios, opened)
}

// TestCrashWhileWriteHeld crashes a node while one write of the open is
// held (applied, not durable) and checks the persist-before-send rule:
// the message or broadcast that commits to that write did not go out,
// not even from the dead node running on to the end of its call (its
// messages and its broadcasts after the crash are inspected, then lost);
// after the restart the pair ends with no channel, nothing published on
// the funding, and the opener's coins back (or, when the opener's channel
// record was durable, with the channel open on both sides).
func TestCrashWhileWriteHeld(t *testing.T) {
	for _, tc := range []struct {
		name string
		// step is the step during which the write is made: 2 is the
		// opener's FundingGenerationReady, 3 delivers funding_created, 4
		// delivers funding_signed.
		step   int
		victim int
		ns     string
		// never is the message the victim must not send.
		never any
		// opens: the channel opens after the restart. Only the opener's
		// lost monitor write allows it: its channel record was durable
		// first, so the restarted Manager rebuilds the monitor from it
		// and broadcasts the funding then.
		opens bool
	}{
		{"opener/pending funding record", 2, 0, channel.PendingFundingNamespace, &wire.FundingCreated{}, false},
		{"acceptor/channel record", 3, 1, channel.ChannelsNamespace, &wire.FundingSigned{}, false},
		{"acceptor/monitor (WatchChannel)", 3, 1, monitor.MonitorsNamespace, &wire.FundingSigned{}, false},
		{"opener/channel record", 4, 0, channel.ChannelsNamespace, nil, false},
		{"opener/monitor (WatchChannel)", 4, 0, monitor.MonitorsNamespace, nil, true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			r, gs := newGatedFlow(t, 11)
			r.startOpen()
			for range tc.step {
				require.True(t, r.step())
			}
			v, other := r.net.Node(tc.victim), r.net.Node(1-tc.victim)
			ns := persist.Namespace{Primary: tc.ns}
			died := crashAt(gs, v, 0, func(s *persisttest.CrashStore) bool { return heldIn(s, ns) }, func() { require.True(t, r.step()) })
			require.True(t, died, "no write to %s", tc.ns)
			r.learnFunding()

			// What the dead node sent and broadcast after its crash.
			if tc.never != nil {
				for _, m := range r.net.Pending(v, other) {
					require.NotEqual(t, fmt.Sprintf("%T", tc.never), fmt.Sprintf("%T", m), "sent although its write was lost")
				}
			}
			for _, tx := range gs.of(v).dropped {
				require.NotEqual(t, r.funding.Hash, tx.TxHash(), "the funding was broadcast although a write it needs was lost")
			}
			require.False(t, r.net.Chain.InMempool(r.funding.Hash), "the funding was broadcast before its write was durable")

			r.restartVictim(v)
			r.run()
			r.settleTimedOut(tc.name)
			require.Equal(t, tc.opens, r.requireOpenOutcome(tc.name))
		})
	}
}

// TestCloseCrashAtEveryWrite crashes each node at each of its store writes
// during each step of a cooperative close asked by either side (every
// write before it durable, that one and what follows lost), restarts it
// and drives the pair to the end: the closing transaction confirms, each
// wallet gets its balance to the satoshi, never a commitment.
func TestCloseCrashAtEveryWrite(t *testing.T) {
	scenarios := 0
	for closer := range 2 {
		n := closeSteps(t, lnkittest.Anchors, closer)
		for k := 0; k < n; k++ {
			for victim := range 2 {
				for skip := 0; ; skip++ {
					f, gs := newGatedFlow(t, 13)
					r := openThenClose(t, f, closer)
					for range k {
						require.True(t, r.step())
					}
					v := r.net.Node(victim)
					if !crashAt(gs, v, skip, nil, func() { require.True(t, r.step()) }) {
						break
					}
					scenarios++
					what := fmt.Sprintf("%s closes, step %d, %s write %d", victimName(closer), k, victimName(victim), skip)
					r.restartVictim(v)
					r.run()
					r.requireCloseOutcome(what)
					if t.Failed() {
						return
					}
				}
			}
		}
	}
	t.Logf("%d scenarios", scenarios)
}

// TestFundingNeverConfirms: the opener's funding transaction never reaches
// the chain (its broadcast is lost). Either the acceptor forgets the
// channel FundingTimeoutBlocks after funding_signed (ChannelClosed,
// funding timed out), broadcasting nothing, and its error closes the
// opener's channel; or the opener gives up first (ForceCloseChannel). In
// both the opener gets DiscardFunding and its wallet holds all its coins
// again, and nothing spends the funding.
func TestFundingNeverConfirms(t *testing.T) {
	for _, tc := range []struct {
		name        string
		openerQuits bool
	}{
		{"acceptor times out", false},
		{"opener force-closes", true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			r, gs := newGatedFlow(t, 17)
			r.startOpen()
			for range 4 { // up to funding_signed in flight
				require.True(t, r.step())
			}
			gs.of(r.a).dead.Store(true) // the funding broadcast is lost
			r.run()
			ga := gs.of(r.a)
			require.Len(t, ga.dropped, 1, "the funding")
			require.Equal(t, r.funding.Hash, ga.dropped[0].TxHash())
			ga.dead.Store(false)
			for _, n := range r.nodes() {
				d := n.Channels.ListChannels()
				require.Len(t, d, 1)
				require.Equal(t, channel.StateAwaitingFunding, d[0].State)
			}
			id := r.a.Channels.ListChannels()[0].ChannelID

			if tc.openerQuits {
				r.net.Mine(100)
				r.run()
				require.NoError(t, r.a.Channels.ForceCloseChannel(id, r.b.ID(), "funding never confirmed"))
				r.run()
				require.Equal(t, events.ClosedHolderForceClosed, uniqueClosed(r.a)[0].Reason.Kind)
				require.Equal(t, events.ClosedCounterpartyError, uniqueClosed(r.b)[0].Reason.Kind)
			} else {
				r.net.Mine(int(channel.FundingTimeoutBlocks) - 1)
				r.run()
				require.Len(t, r.b.Channels.ListChannels(), 1, "one block before the timeout")
				gb := gs.of(r.b)
				r.net.Mine(1)
				r.run()
				require.Equal(t, events.ClosedFundingTimedOut, uniqueClosed(r.b)[0].Reason.Kind)
				require.Empty(t, gb.sent, "the acceptor broadcast something")
				// The acceptor's error closes the opener's channel.
				require.Equal(t, events.ClosedCounterpartyError, uniqueClosed(r.a)[0].Reason.Kind)
			}
			for _, n := range r.nodes() {
				require.Empty(t, n.Channels.ListChannels())
				require.Len(t, uniqueClosed(n), 1)
			}
			var discarded []*events.DiscardFunding
			for _, e := range r.a.EventLog {
				if d, ok := e.(*events.DiscardFunding); ok {
					discarded = append(discarded, d)
				}
			}
			require.Len(t, discarded, 1)
			require.Equal(t, r.funding.Hash, discarded[0].FundingTx.TxHash())
			bal := r.a.Wallet.Balance()
			require.Equal(t, r.start, bal.Confirmed, "the opener's coins are not back: %+v", bal)
			require.Zero(t, bal.Locked+bal.Unconfirmed)
			require.Empty(t, r.net.Chain.Mempool())
			require.False(t, r.net.Chain.Confirmations(r.funding.Hash) > 0)
		})
	}
}
