package channel

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"testing"
	"time"

	btcwire "github.com/btcsuite/btcd/wire"
	"github.com/stretchr/testify/require"

	"github.com/lnkit/lnkit/channel/commit"
	"github.com/lnkit/lnkit/channel/monitor"
	"github.com/lnkit/lnkit/events"
	"github.com/lnkit/lnkit/persist/persisttest"
	"github.com/lnkit/lnkit/wire"
)

// The payment step machinery: a payment from A to B driven one step at a
// time (one message delivered, else one node's events handled as an
// application does), with a node crashed at any of its durable writes,
// restarted from what its store made durable (Load), reconnected, and the
// payment finished.

// payClock is the time both Managers are given (and given again after a
// restart).
var payClock = time.Unix(1_750_000_000, 0)

// payAmount is what A pays B in the step tests, payBackAmount what B
// pays A in the two-way ones.
const (
	payAmount     = wire.MilliSatoshi(5_000_000)
	payBackAmount = wire.MilliSatoshi(3_000_000)
)

// restart crashes node n (its store keeps what was durable, everything
// built on it is dropped, its connection is gone) and starts it again
// from the store (startFrom), then reconnects the pair. Its broadcaster
// is kept, held while it was dead (see crashAtWrite), and opened again.
func (tp *testPair) restart(n *testNode) {
	tp.t.Helper()
	n.unfollow()
	tp.other(n).m.PeerDisconnected(n.id)
	tp.startFrom(n, n.store.Crash())
	tp.connect()
}

// startFrom starts node n from store as a restarted process does: events
// queue, monitors (Restore), Manager (Load with the monitors, n's last
// Manager's config otherwise), following the chain, clock set.
func (tp *testPair) startFrom(n *testNode, store *persisttest.CrashStore) {
	t := tp.t
	t.Helper()
	ctx := context.Background()
	q, err := events.Open(ctx, events.Config{Store: store, Logger: slog.New(slog.DiscardHandler)})
	require.NoError(t, err)
	pers, err := monitor.NewKVPersister(monitor.KVPersisterConfig{Store: store})
	require.NoError(t, err)
	mons, err := pers.Load()
	require.NoError(t, err)
	var persister monitor.Persister = pers
	if tp.wrapPersister != nil {
		persister = tp.wrapPersister(n.name, pers)
	}
	_, writer := persister.(monitor.UpdateWriter)
	mon, err := monitor.NewChainMonitor(monitor.ChainMonitorConfig{Persister: persister, OmitChannelClosed: true, UpdatesWithChannel: writer})
	require.NoError(t, err)
	for _, cm := range mons {
		require.NoError(t, mon.Restore(cm))
	}
	cfg := n.m.cfg
	cfg.Store, cfg.Events, cfg.Watch, cfg.Broadcaster = store, q, mon, n.bcast
	m, err := Load(cfg, mon.Monitors())
	require.NoError(t, err, "%s: load", n.name)
	n.store, n.queue, n.mon, n.m = store, q, mon, m
	n.bcast.mu.Lock()
	n.bcast.hold = false
	n.bcast.mu.Unlock()
	n.unfollow = tp.chain.Connect(mon, m)
	m.TimerTick(payClock)
}

// payBase is a ready channel of one type (A pushing 100,000 sat to B)
// whose durable state each scenario starts from: opening it once and
// loading copies of the stores keeps the step tests quick.
type payBase struct {
	tp  *testPair
	ch  *testChannel
	typ commit.ChannelType
}

// newPayBase opens the base channel of type typ.
func newPayBase(t *testing.T, typ commit.ChannelType) *payBase {
	t.Helper()
	ua, ub := testUser(1, false), testUser(1, false)
	ua.Handshake.NegotiateAnchors = typ == commit.AnchorsZeroFeeHTLC
	tp := newTestPair(t, ua, ub)
	ch := tp.open(1_000_000, 100_000_000, 0)
	tp.mine(1)
	require.Equal(t, StateReady, tp.a.details(t, ch.id).State)
	require.Equal(t, typ, tp.a.data(t, ch.id).params.Type)
	return &payBase{tp: tp, ch: ch, typ: typ}
}

// clone returns a node started from a copy of n's durable store, with
// n's keys.
func (tp *testPair) clone(n *testNode) *testNode {
	c := &testNode{name: n.name, keys: n.keys, id: n.id, m: n.m, bcast: &testBroadcaster{chain: tp.chain}}
	tp.startFrom(c, n.store.Reopen())
	return c
}

// crashAtWrite runs act with n's store holding every write: the writes
// are made durable one by one until the (skip+1)-th, where n dies: its
// broadcasts are held and its store crashes, keeping what was durable
// (that write and every later one are lost). act runs to its end on the
// dead node; the caller restarts it. It reports whether n died (act made
// more than skip writes).
func crashAtWrite(n *testNode, skip int, act func()) bool {
	store := n.store
	ctx, cancel := context.WithCancel(context.Background())
	died := make(chan bool, 1)
	store.Hold(true)
	go func() {
		for released := 0; ; released++ {
			if store.WaitPending(ctx, 1) != nil {
				died <- false
				return
			}
			if released == skip {
				n.bcast.mu.Lock()
				n.bcast.hold = true
				n.bcast.mu.Unlock()
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

// payFlow is a payment from A to B over a ready channel, driven step by
// step. Messages a Manager releases go on the wire (one queue per
// direction) and are delivered one per step; a crash or a disconnection
// loses what is on the wire.
type payFlow struct {
	t      *testing.T
	tp     *testPair
	ch     *testChannel
	typ    commit.ChannelType
	wires  map[*testNode][]wire.Message
	a0, b0 wire.MilliSatoshi
	id     PaymentID
	// refuse makes the payee fail the payment back instead of claiming
	// it; twoWay makes B pay A at the same time as A pays B.
	refuse, twoWay bool
	trace          []string
	// errs are the errors the receiving Manager returned (a dead node's
	// failed writes among them).
	errs []error
}

// newPayFlow starts a pair from b's stores, re-establishes the channel
// and starts a payment of payAmount from A to B's invoice.
func (b *payBase) newPayFlow(t *testing.T, v payVariant) *payFlow {
	t.Helper()
	return b.newPayFlowWith(t, v, &testPair{t: t, chain: b.tp.chain})
}

// newPayFlowWith is newPayFlow on tp (its chain b's).
func (b *payBase) newPayFlowWith(t *testing.T, v payVariant, tp *testPair) *payFlow {
	t.Helper()
	tp.a, tp.b = tp.clone(b.tp.a), tp.clone(b.tp.b)
	t.Cleanup(func() { tp.a.unfollow(); tp.b.unfollow() })
	tp.connect()
	tp.deliver()
	ch := b.ch
	require.True(t, tp.a.details(t, ch.id).Usable)
	f := &payFlow{t: t, tp: tp, ch: ch, typ: b.typ, wires: map[*testNode][]wire.Message{}, id: PaymentID{9}, refuse: v.refuse, twoWay: v.twoWay}
	f.a0, f.b0 = balancesOf(t, tp.a, ch.id)
	inv, err := tp.b.m.CreateInvoice(InvoiceRequest{Amount: payAmount, Description: "step"})
	require.NoError(t, err)
	require.NoError(t, tp.a.m.SendPayment(f.id, inv.Invoice, 0))
	if v.twoWay {
		back, err := tp.a.m.CreateInvoice(InvoiceRequest{Amount: payBackAmount, Description: "back"})
		require.NoError(t, err)
		require.NoError(t, tp.b.m.SendPayment(f.id, back.Invoice, 0))
	}
	return f
}

// pull moves what each Manager releases onto the wire; a disconnection
// it asks for breaks the connection (and it is made again).
func (f *payFlow) pull() {
	for _, from := range []*testNode{f.tp.a, f.tp.b} {
		for _, o := range from.m.PendingMessages(nil) {
			if o.Msg != nil {
				f.wires[from] = append(f.wires[from], roundTrip(f.t, o.Msg))
			}
			if o.Msg == nil || o.Disconnect {
				f.trace = append(f.trace, "disconnect by "+from.name)
				f.reconnect()
				return
			}
		}
	}
}

// reconnect breaks the connection (what is on the wire is lost) and makes
// it again.
func (f *payFlow) reconnect() {
	tp := f.tp
	tp.a.m.PeerDisconnected(tp.b.id)
	tp.b.m.PeerDisconnected(tp.a.id)
	f.wires = map[*testNode][]wire.Message{}
	tp.connect()
}

// step takes one step and reports whether there was one to take.
func (f *payFlow) step() bool {
	f.t.Helper()
	f.pull()
	for _, from := range []*testNode{f.tp.a, f.tp.b} {
		if q := f.wires[from]; len(q) > 0 {
			msg := q[0]
			f.wires[from] = q[1:]
			to := f.tp.other(from)
			f.trace = append(f.trace, fmt.Sprintf("%s→%s %T", from.name, to.name, msg))
			if err := to.m.HandleChannelMessage(from.id, msg); err != nil {
				f.errs = append(f.errs, err)
			}
			return true
		}
	}
	for _, n := range []*testNode{f.tp.a, f.tp.b} {
		if n.queue.Len() > 0 {
			err := n.queue.Process(context.Background(), events.HandlerFunc(func(_ context.Context, e events.Event) error {
				return f.duty(n, e)
			}))
			f.trace = append(f.trace, fmt.Sprintf("events %s (err %v)", n.name, err))
			return true
		}
	}
	return false
}

// duty plays the application: B claims what is claimable (or refuses
// it). A claim or a refusal made already (the event comes again after a
// crash) is not an error.
func (f *payFlow) duty(n *testNode, e events.Event) error {
	if c, ok := e.(*events.PaymentClaimable); ok {
		pre, ok := c.Purpose.Preimage.Get()
		require.True(f.t, ok)
		var err error
		if f.refuse {
			err = n.m.FailHTLCBackwards(c.PaymentHash)
		} else {
			err = n.m.ClaimFunds(pre)
		}
		if err != nil && !errors.Is(err, ErrUnknownPayment) {
			return err
		}
	}
	n.events = append(n.events, e)
	return nil
}

// run takes steps until none is left.
func (f *payFlow) run() {
	f.t.Helper()
	for i := 0; f.step(); i++ {
		if i >= 100 {
			f.t.Fatalf("the payment does not settle: last steps %q", f.trace[len(f.trace)-10:])
		}
	}
}

// uniqueEvents returns n's events of type T, each once (the queue
// delivers an event again after a crash with the same id).
func uniqueEvents[T events.Event](n *testNode) []T {
	var out []T
	seen := map[uint64]bool{}
	for _, e := range n.events {
		if x, ok := e.(T); ok && !seen[e.EventID()] {
			seen[e.EventID()] = true
			out = append(out, x)
		}
	}
	return out
}

// requireNotRevoked checks the persist-before-revoke rule now: each
// node's monitor would broadcast a commitment the peer holds no secret
// of (its number is at least the peer's count of our secrets), and
// nothing spends the funding.
func (f *payFlow) requireNotRevoked(what string) {
	f.t.Helper()
	for _, n := range []*testNode{f.tp.a, f.tp.b} {
		peer := f.tp.other(n).data(f.t, f.ch.id)
		var mine monitor.MonitorInfo
		for _, i := range n.mon.Monitors() {
			if i.ChannelID == f.ch.id {
				mine = i
			}
		}
		require.GreaterOrEqual(f.t, mine.HolderCommitmentNumber, peer.cc.theirs.Number,
			"%s: %s's monitor holds a commitment %s revoked", what, n.name, f.tp.other(n).name)
		require.False(f.t, mine.ForceClosed, "%s: %s", what, n.name)
	}
	_, unspent := f.tp.chain.Unspent(btcwire.OutPoint{Hash: f.ch.fundingTx.TxHash()})
	require.True(f.t, unspent, "%s: the funding was spent", what)
	require.Empty(f.t, f.tp.chain.Mempool(), "%s: something was broadcast", what)
}

// requireOutcome checks the end of the payment: exactly one of
// PaymentSent and PaymentFailed at A, the balances moved (or not) to the
// msat on both sides, no HTLC left, no channel closed, nothing revoked.
func (f *payFlow) requireOutcome(what string) (sent bool) {
	f.t.Helper()
	tp := f.tp
	f.requireNotRevoked(what)
	for _, n := range []*testNode{tp.a, tp.b} {
		n.drainEvents(f.t)
		require.Empty(f.t, uniqueEvents[*events.ChannelClosed](n), "%s: %s closed the channel", what, n.name)
		d := n.details(f.t, f.ch.id)
		require.True(f.t, d.Usable, "%s: %s's channel not usable", what, n.name)
		require.Empty(f.t, n.data(f.t, f.ch.id).cc.holder.HTLCs, "%s: %s holds an htlc", what, n.name)
	}
	a1, b1 := balancesOf(f.t, tp.a, f.ch.id)
	bl, br := balancesOf(f.t, tp.b, f.ch.id)
	require.Equal(f.t, a1, br, what)
	require.Equal(f.t, b1, bl, what)
	sent = true
	want := map[*testNode]wire.MilliSatoshi{tp.a: f.a0, tp.b: f.b0}
	for payer, amount := range f.payments() {
		payee := tp.other(payer)
		s, fl := uniqueEvents[*events.PaymentSent](payer), uniqueEvents[*events.PaymentFailed](payer)
		require.Equal(f.t, 1, len(s)+len(fl), "%s: %s: sent %d, failed %d", what, payer.name, len(s), len(fl))
		pays := payer.m.ListPayments()
		require.Len(f.t, pays, 1, what)
		claimed := uniqueEvents[*events.PaymentClaimed](payee)
		if len(s) == 1 {
			want[payer] -= amount
			want[payee] += amount
			require.Equal(f.t, PaymentSucceeded, pays[0].Status, what)
			require.Len(f.t, claimed, 1, "%s: %s", what, payee.name)
			continue
		}
		sent = false
		require.Equal(f.t, PaymentFailed, pays[0].Status, what)
		require.Empty(f.t, claimed, "%s: %s", what, payee.name)
	}
	require.Equal(f.t, want[tp.a], a1, "%s: A's balance", what)
	require.Equal(f.t, want[tp.b], b1, "%s: B's balance", what)
	return sent
}

// payments returns the payments of the flow, by payer: A pays B
// payAmount, and with twoWay B pays A payBackAmount at the same time.
func (f *payFlow) payments() map[*testNode]wire.MilliSatoshi {
	p := map[*testNode]wire.MilliSatoshi{f.tp.a: payAmount}
	if f.twoWay {
		p[f.tp.b] = payBackAmount
	}
	return p
}

// payVariant is one payment the step tests run: a channel type, and
// whether B claims or refuses.
type payVariant struct {
	typ            commit.ChannelType
	refuse, twoWay bool
}

// String names the variant.
func (v payVariant) String() string {
	s := v.typ.String() + "/claimed"
	if v.refuse {
		s = v.typ.String() + "/refused"
	}
	if v.twoWay {
		s += "/two-way"
	}
	return s
}

// The variants the step tests run: each channel type, each outcome and
// two-way payments appear in one of them; -short runs the first write
// variant only. (Every variant at every write would take too long under
// -race.)
var (
	writeVariants = []payVariant{{typ: commit.AnchorsZeroFeeHTLC}, {typ: commit.StaticRemoteKey, refuse: true}}
	stepVariants  = []payVariant{{typ: commit.StaticRemoteKey, twoWay: true}}
)

// variants returns vs, or its first with -short.
func variants(vs []payVariant) []payVariant {
	if testing.Short() {
		return vs[:1]
	}
	return vs
}

// paySteps runs v's payment from b without a fault, checks it and
// returns its steps.
func (b *payBase) paySteps(t *testing.T, v payVariant) []string {
	t.Helper()
	f := b.newPayFlow(t, v)
	f.run()
	require.Equal(t, !v.refuse, f.requireOutcome("no fault"))
	t.Logf("steps: %q", f.trace)
	return f.trace
}

// TestPaymentCrashAtEveryWrite crashes A, then B, at each of its durable
// writes during each step of a payment (every write before it durable,
// that one and what follows lost; what the node sent after it never
// arrives), restarts it from its store with Load, reconnects and
// finishes: the payment ends exactly once (PaymentSent or PaymentFailed,
// as B decided), the balances are right to the msat on both sides, no
// channel closes, and at every crash and at the end neither monitor holds
// a commitment its peer has revoked. Anchors with the payment claimed,
// static_remotekey with it refused.
func TestPaymentCrashAtEveryWrite(t *testing.T) {
	for _, v := range variants(writeVariants) {
		t.Run(v.String(), func(t *testing.T) {
			b := newPayBase(t, v.typ)
			steps := b.paySteps(t, v)
			scenarios := 0
			for k := range steps {
				for _, victim := range []string{"A", "B"} {
					for skip := 0; ; skip++ {
						f := b.newPayFlow(t, v)
						for range k {
							require.True(t, f.step())
						}
						n := f.tp.a
						if victim == "B" {
							n = f.tp.b
						}
						what := fmt.Sprintf("step %d (%s) %s write %d", k, steps[k], victim, skip)
						if !crashAtWrite(n, skip, func() { f.step() }) {
							break
						}
						scenarios++
						f.wires = map[*testNode][]wire.Message{}
						f.tp.restart(n)
						f.finish(what, !v.refuse, k)
						if t.Failed() {
							return
						}
					}
				}
			}
			t.Logf("%d steps, %d scenarios", len(steps), scenarios)
		})
	}
}

// finish runs f to its end after a fault and checks the outcome: want is
// whether the payment succeeds.
func (f *payFlow) finish(what string, want bool, k int) {
	f.t.Helper()
	f.requireNotRevoked(what + " after restart")
	f.run()
	got := f.requireOutcome(what)
	f.t.Logf("%s: sent %v; trace %q; errors %v", what, got, f.trace[k:], f.errs)
	require.Equal(f.t, want, got, what)
}

// TestPaymentCrashAtEveryStep crashes both nodes at once after every step
// of a payment (nothing held: every write durable, every message on the
// wire lost), restarts them from their stores and finishes, with the
// checks of TestPaymentCrashAtEveryWrite. Two payments at once, A to B
// and B to A, on a static_remotekey channel (-short: none, the write test
// covers a crash of one node between steps).
func TestPaymentCrashAtEveryStep(t *testing.T) {
	if testing.Short() {
		t.Skip("TestPaymentCrashAtEveryWrite covers it with -short")
	}
	for _, v := range stepVariants {
		t.Run(v.String(), func(t *testing.T) {
			b := newPayBase(t, v.typ)
			steps := b.paySteps(t, v)
			for k := 0; k <= len(steps); k++ {
				f := b.newPayFlow(t, v)
				for range k {
					require.True(t, f.step())
				}
				f.wires = map[*testNode][]wire.Message{}
				f.tp.a.unfollow()
				f.tp.b.unfollow()
				f.tp.startFrom(f.tp.a, f.tp.a.store.Crash())
				f.tp.startFrom(f.tp.b, f.tp.b.store.Crash())
				f.tp.connect()
				f.finish(fmt.Sprintf("after step %d", k), !v.refuse, k)
				if t.Failed() {
					return
				}
			}
		})
	}
}
