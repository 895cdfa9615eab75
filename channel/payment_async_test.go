package channel

import (
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/lnkit/lnkit/channel/commit"
	"github.com/lnkit/lnkit/channel/monitor"
	"github.com/lnkit/lnkit/events"
	"github.com/lnkit/lnkit/lnkittest/simchain"
	"github.com/lnkit/lnkit/wire"
)

// heldPersister answers InProgress for every monitor update while hold is
// set (the test completes them when it chooses, in any order) and records
// every update it is given.
type heldPersister struct {
	monitor.Persister
	hold *bool
	log  *[]*monitor.Update
}

// UpdatePersistedChannel implements monitor.Persister.
func (h heldPersister) UpdatePersistedChannel(id wire.ChannelID, u *monitor.Update, m *monitor.ChannelMonitor) monitor.UpdateStatus {
	*h.log = append(*h.log, u)
	st := h.Persister.UpdatePersistedChannel(id, u, m)
	if st == monitor.Completed && *h.hold {
		return monitor.InProgress
	}
	return st
}

// asyncNode is a node of asyncPay: its updates and which are reported
// durable.
type asyncNode struct {
	n    *testNode
	log  []*monitor.Update
	hold bool
	// durable is the highest update id reported to the Manager (every
	// update up to it is durable).
	durable uint64
}

// asyncPay is a payment from A to B whose monitor updates complete when a
// seeded schedule says, in any order, late.
type asyncPay struct {
	t     *testing.T
	tp    *testPair
	ch    *testChannel
	nodes map[*testNode]*asyncNode
	wires map[*testNode][]wire.Message
	rng   *rand.Rand
	// left counts the messages of each type that left each node.
	left map[string]int
}

// newAsyncPay opens a ready channel (updates complete at once), then holds
// every later update and starts a payment of payAmount from A to B.
func newAsyncPay(t *testing.T, seed uint64) *asyncPay {
	t.Helper()
	c, err := simchain.New(simchain.Config{})
	require.NoError(t, err)
	c.Mine(1)
	ap := &asyncPay{t: t, nodes: map[*testNode]*asyncNode{}, wires: map[*testNode][]wire.Message{},
		rng: rand.New(rand.NewPCG(seed, 1)), left: map[string]int{}}
	byName := map[string]*asyncNode{"A": {}, "B": {}}
	tp := &testPair{t: t, chain: c, wrapPersister: func(name string, p monitor.Persister) monitor.Persister {
		an := byName[name]
		return heldPersister{Persister: p, hold: &an.hold, log: &an.log}
	}}
	tp.a = tp.newNode("A", 1, testUser(1, false))
	tp.b = tp.newNode("B", 2, testUser(1, false))
	tp.connect()
	ap.tp = tp
	ap.ch = tp.open(1_000_000, 100_000_000, 0)
	tp.mine(1)
	for _, n := range []*testNode{tp.a, tp.b} {
		n.m.TimerTick(payClock)
		an := byName[n.name]
		an.n, an.hold = n, true
		if len(an.log) > 0 {
			an.durable = an.log[len(an.log)-1].ID
		}
		ap.nodes[n] = an
	}
	inv, err := tp.b.m.CreateInvoice(InvoiceRequest{Amount: payAmount})
	require.NoError(t, err)
	require.NoError(t, tp.a.m.SendPayment(PaymentID{1}, inv.Invoice, 0))
	return ap
}

// gates are, for each message persist-before-send gates, the monitor step
// that must be durable before it leaves (CHANNELS.md §5).
var gates = map[string]monitor.StepKind{
	"*wire.CommitmentSigned":  monitor.StepNewCounterpartyCommitment,
	"*wire.RevokeAndAck":      monitor.StepNewHolderCommitment,
	"*wire.UpdateFulfillHTLC": monitor.StepPaymentPreimage,
}

// pull takes what node n releases and checks each message against its
// gate: every update holding the gating step that n handed out so far is
// durable. (At most one commitment_signed and one revoke_and_ack of a
// side is outstanding, so no later update of that step can exist yet.)
func (ap *asyncPay) pull(n *testNode) {
	an := ap.nodes[n]
	for _, o := range n.m.PendingMessages(nil) {
		require.NotNil(ap.t, o.Msg, "%s disconnects", n.name)
		typ := fmt.Sprintf("%T", o.Msg)
		ap.left[n.name+" "+typ]++
		if kind, ok := gates[typ]; ok {
			for _, u := range an.log {
				for _, s := range u.Steps {
					if s.Kind() == kind {
						require.LessOrEqual(ap.t, u.ID, an.durable,
							"%s sent %s before update %d (%v) was durable", n.name, typ, u.ID, kind)
					}
				}
			}
		}
		ap.wires[n] = append(ap.wires[n], roundTrip(ap.t, o.Msg))
	}
}

// pendingOf returns n's updates not yet durable.
func (ap *asyncPay) pendingOf(n *testNode) []uint64 { return n.mon.PendingUpdates(ap.ch.id) }

// complete reports update id of n durable and passes what completed to
// its Manager.
func (ap *asyncPay) complete(n *testNode, id uint64) {
	require.NoError(ap.t, n.mon.ChannelMonitorUpdated(ap.ch.id, id))
	for _, c := range n.mon.ReleaseCompletedUpdates() {
		ap.nodes[n].durable = max(ap.nodes[n].durable, c.UpdateID)
		n.m.MonitorUpdateCompleted(c.ChannelID, c.UpdateID)
	}
}

// claim handles n's events: B claims what is claimable.
func (ap *asyncPay) claim(n *testNode) {
	require.NoError(ap.t, n.queue.Process(context.Background(), events.HandlerFunc(func(_ context.Context, e events.Event) error {
		if c, ok := e.(*events.PaymentClaimable); ok {
			pre, _ := c.Purpose.Preimage.Get()
			if err := n.m.ClaimFunds(pre); err != nil && !errors.Is(err, ErrUnknownPayment) {
				return err
			}
		}
		n.events = append(n.events, e)
		return nil
	})))
}

// run takes random steps (pull, deliver one message, complete one pending
// update, handle events) until nothing is left to do.
func (ap *asyncPay) run() {
	tp := ap.tp
	for i := 0; i < 2000; i++ {
		for _, n := range []*testNode{tp.a, tp.b} {
			ap.pull(n)
		}
		type action func()
		var acts []action
		for _, n := range []*testNode{tp.a, tp.b} {
			if len(ap.wires[n]) > 0 {
				acts = append(acts, func() {
					msg := ap.wires[n][0]
					ap.wires[n] = ap.wires[n][1:]
					require.NoError(ap.t, tp.other(n).m.HandleChannelMessage(n.id, msg))
				})
			}
			if p := ap.pendingOf(n); len(p) > 0 {
				acts = append(acts, func() { ap.complete(n, p[ap.rng.IntN(len(p))]) })
			}
			if n.queue.Len() > 0 {
				acts = append(acts, func() { ap.claim(n) })
			}
		}
		if len(acts) == 0 {
			return
		}
		acts[ap.rng.IntN(len(acts))]()
	}
	ap.t.Fatal("the payment does not settle")
}

// TestAsyncPersistenceGatesPayment: with every monitor update of a
// payment answered InProgress and completed late, in random order (10
// schedules), commitment_signed never leaves before its
// NewCounterpartyCommitment update is durable, revoke_and_ack never
// before NewHolderCommitment, update_fulfill_htlc never before
// PaymentPreimage; the payment ends once with the balances right.
func TestAsyncPersistenceGatesPayment(t *testing.T) {
	seeds := 10
	if testing.Short() {
		seeds = 4
	}
	for seed := range uint64(seeds) {
		ap := newAsyncPay(t, seed)
		a0, b0 := balancesOf(t, ap.tp.a, ap.ch.id)
		ap.run()
		require.Len(t, eventsOf[*events.PaymentSent](t, ap.tp.a), 1, "seed %d", seed)
		require.Empty(t, eventsOf[*events.PaymentFailed](t, ap.tp.a), "seed %d", seed)
		a1, b1 := balancesOf(t, ap.tp.a, ap.ch.id)
		require.Equal(t, a0-payAmount, a1, "seed %d", seed)
		require.Equal(t, b0+payAmount, b1, "seed %d", seed)
		for _, typ := range []string{"A *wire.CommitmentSigned", "B *wire.RevokeAndAck", "B *wire.UpdateFulfillHTLC"} {
			require.Positive(t, ap.left[typ], "seed %d: %s never left", seed, typ)
		}
	}
}

// TestAsyncPersistenceHoldsCommitmentSigned: nothing completed, the
// payer's update_add_htlc leaves but its commitment_signed waits for the
// NewCounterpartyCommitment update; the payee's revoke_and_ack waits for
// its NewHolderCommitment; each leaves once its update completes.
func TestAsyncPersistenceHoldsCommitmentSigned(t *testing.T) {
	ap := newAsyncPay(t, 0)
	tp := ap.tp
	ap.pull(tp.a)
	require.Equal(t, 1, ap.left["A *wire.UpdateAddHTLC"])
	require.Zero(t, ap.left["A *wire.CommitmentSigned"], "commitment_signed before its update is durable")
	p := ap.pendingOf(tp.a)
	require.Len(t, p, 1)
	ap.complete(tp.a, p[0])
	ap.pull(tp.a)
	require.Equal(t, 1, ap.left["A *wire.CommitmentSigned"])
	for _, m := range ap.wires[tp.a] {
		require.NoError(t, tp.b.m.HandleChannelMessage(tp.a.id, m))
	}
	ap.pull(tp.b)
	require.Zero(t, ap.left["B *wire.RevokeAndAck"], "revoke_and_ack before NewHolderCommitment is durable")
	for _, id := range ap.pendingOf(tp.b) {
		ap.complete(tp.b, id)
	}
	ap.pull(tp.b)
	require.Equal(t, 1, ap.left["B *wire.RevokeAndAck"])
}

// deferredPersister makes a monitor update durable only when the test
// completes it, as a remote backup would: until then a crash loses it
// (the Manager's record, written first, still holds it and replays it to
// the monitor at the restart).
type deferredPersister struct {
	monitor.Persister
	held *[]heldUpdate
}

// heldUpdate is an update a deferredPersister has not written yet.
type heldUpdate struct {
	id wire.ChannelID
	u  *monitor.Update
	m  *monitor.ChannelMonitor
}

// UpdatePersistedChannel implements monitor.Persister.
func (d deferredPersister) UpdatePersistedChannel(id wire.ChannelID, u *monitor.Update, m *monitor.ChannelMonitor) monitor.UpdateStatus {
	*d.held = append(*d.held, heldUpdate{id, u, m})
	return monitor.InProgress
}

// writeHeld writes n's oldest held update (updates are written in order:
// a persister must leave no gap) and reports it complete.
func writeHeld(t *testing.T, n *testNode, held *[]heldUpdate, inner monitor.Persister) {
	t.Helper()
	h := (*held)[0]
	*held = (*held)[1:]
	require.Equal(t, monitor.Completed, inner.UpdatePersistedChannel(h.id, h.u, h.m))
	require.NoError(t, n.mon.ChannelMonitorUpdated(h.id, h.u.ID))
	for _, c := range n.mon.ReleaseCompletedUpdates() {
		n.m.MonitorUpdateCompleted(c.ChannelID, c.UpdateID)
	}
}

// TestPaymentCrashWithLateMonitorWrites: the monitors' writes are late
// (made durable when a seeded schedule says, in order) while a payment
// runs; one node crashes at a random step, losing its unwritten updates,
// and restarts (its Manager replays them to the monitor). The payment
// ends once with the balances right, and no monitor holds a revoked
// commitment.
func TestPaymentCrashWithLateMonitorWrites(t *testing.T) {
	seeds := 12
	if testing.Short() {
		seeds = 4
	}
	b := newPayBase(t, commit.AnchorsZeroFeeHTLC)
	for seed := range uint64(seeds) {
		rng := rand.New(rand.NewPCG(seed, 2))
		held := map[string]*[]heldUpdate{"A": {}, "B": {}}
		inner := map[string]monitor.Persister{}
		tp := &testPair{t: t, chain: b.tp.chain}
		tp.wrapPersister = func(name string, p monitor.Persister) monitor.Persister {
			inner[name] = p
			return deferredPersister{Persister: p, held: held[name]}
		}
		f := b.newPayFlowWith(t, payVariant{typ: b.typ, twoWay: seed%2 == 1}, tp)
		crashAt := rng.IntN(30)
		victim := []*testNode{tp.a, tp.b}[rng.IntN(2)]
		what := fmt.Sprintf("seed %d: crash %s at %d", seed, victim.name, crashAt)
		for i := 0; ; i++ {
			if i == crashAt {
				*held[victim.name] = nil
				tp.wrapPersister = func(_ string, p monitor.Persister) monitor.Persister { return p }
				f.wires = map[*testNode][]wire.Message{}
				tp.restart(victim)
				f.requireNotRevoked(what + " after restart")
			}
			var acts []func() bool
			for _, n := range []*testNode{tp.a, tp.b} {
				if h := held[n.name]; len(*h) > 0 && (n != victim || i < crashAt) {
					acts = append(acts, func() bool { writeHeld(t, n, h, inner[n.name]); return true })
				}
			}
			acts = append(acts, f.step)
			if !acts[rng.IntN(len(acts))]() && len(acts) == 1 {
				break
			}
			require.Less(t, i, 500, "%s: the payment does not settle", what)
		}
		f.requireOutcome(what)
		t.Logf("%s: trace %q", what, f.trace)
	}
}
