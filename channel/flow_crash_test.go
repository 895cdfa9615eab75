package channel_test

import (
	"fmt"
	"testing"

	"github.com/btcsuite/btcd/btcutil"
	btcwire "github.com/btcsuite/btcd/wire"
	"github.com/stretchr/testify/require"

	"github.com/lnkit/lnkit/channel"
	"github.com/lnkit/lnkit/events"
	"github.com/lnkit/lnkit/lnkittest"
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
// one node, or break their connection, and connect them again.
type fault func(r *flow, victim *lnkittest.Node)

// crashFault crashes victim and restarts it from its store.
func crashFault(r *flow, victim *lnkittest.Node) {
	r.net.Crash(victim)
	r.net.Restart(victim)
	r.net.Connect(r.a, r.b)
}

// disconnectFault breaks the connection as victim does it.
func disconnectFault(r *flow, victim *lnkittest.Node) {
	other := r.a
	if victim == r.a {
		other = r.b
	}
	r.net.Disconnect(victim, other)
	r.net.Connect(r.a, r.b)
}

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
}

// newFlow builds a funded pair, connected, the open not started.
func newFlow(t *testing.T, seed uint64) *flow {
	t.Helper()
	net := lnkittest.NewNetwork(t, lnkittest.Options{Seed: seed})
	r := &flow{t: t, net: net, a: net.Node(0), b: net.Node(1)}
	net.Connect(r.a, r.b)
	net.FundWallet(r.a, flowFunds)
	r.start = r.a.Wallet.Balance().Confirmed
	require.Equal(t, flowFunds, r.start)
	return r
}

// startOpen queues open_channel.
func (r *flow) startOpen() {
	r.t.Helper()
	r.net.StartOpen(r.a, r.b, flowCapacity, lnkittest.Anchors, lnkittest.OpenOptions{Push: flowPush})
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
		require.Less(r.t, i, flowMaxSteps, "the flow does not settle")
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
func (r *flow) requireNoForceClose(what string) {
	r.t.Helper()
	for _, n := range r.nodes() {
		for _, c := range closedEvents(n) {
			require.NotContains(r.t, []events.ClosureKind{events.ClosedHolderForceClosed, events.ClosedCounterpartyForceClosed}, c.Reason.Kind,
				"%s: node %d force closed: %v", what, n.Index, c.Reason)
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
func openSteps(t *testing.T) int {
	t.Helper()
	r := newFlow(t, 11)
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
func runOpenWithFault(t *testing.T, k int, victim int, f fault) bool {
	t.Helper()
	r := newFlow(t, 11)
	r.startOpen()
	for range k {
		require.True(t, r.step())
	}
	f(r, r.net.Node(victim))
	r.run()
	what := fmt.Sprintf("step %d node %d", k, victim)
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

// stepOpenFaults runs runOpenWithFault for every step and both nodes.
func stepOpenFaults(t *testing.T, f fault) {
	t.Helper()
	n := openSteps(t)
	opened := 0
	for k := 0; k <= n; k++ {
		for victim := range 2 {
			t.Run(fmt.Sprintf("step%02d/node%d", k, victim), func(t *testing.T) {
				if runOpenWithFault(t, k, victim, f) {
					opened++
				}
			})
		}
	}
	t.Logf("%d steps, %d scenarios, %d opened", n, 2*(n+1), opened)
}
