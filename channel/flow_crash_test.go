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
func newCloseFlow(t *testing.T, closer int) *closeFlow {
	t.Helper()
	r := &closeFlow{flow: newFlow(t, 13)}
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
		c := closedEvents(n)
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

// closeSteps is the number of steps of a close without a fault.
func closeSteps(t *testing.T, closer int) int {
	t.Helper()
	r := newCloseFlow(t, closer)
	r.run()
	r.requireCloseOutcome("no fault")
	t.Logf("the close's steps: %q", r.trace)
	return len(r.trace)
}

// stepCloseFaults closes the channel from either side and, for every step
// of the close and both nodes, applies f to the node after that step and
// drives the pair to the end.
func stepCloseFaults(t *testing.T, f fault) {
	t.Helper()
	runs := 0
	for closer := range 2 {
		n := closeSteps(t, closer)
		for k := 0; k <= n; k++ {
			for victim := range 2 {
				runs++
				t.Run(fmt.Sprintf("closer%d/step%02d/node%d", closer, k, victim), func(t *testing.T) {
					r := newCloseFlow(t, closer)
					for range k {
						require.True(t, r.step())
					}
					f(r.flow, r.net.Node(victim))
					r.run()
					what := fmt.Sprintf("closer %d step %d node %d", closer, k, victim)
					t.Logf("%s: trace %q", what, r.trace[k:])
					r.requireCloseOutcome(what)
				})
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
