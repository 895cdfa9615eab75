package channel

import (
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/lnkit/lnkit/channel/commit"
	"github.com/lnkit/lnkit/events"
	"github.com/lnkit/lnkit/wire"
)

// The cost of a payment between two Managers in memory: real keys and
// signatures, chain monitors persisting every update synchronously to an
// in-memory CrashStore, durable event queues on the same store, and every
// message through the wire codec (testPair). Compare with LDK's
// bench_sends, which times two payments (one each way) per iteration.

// paymentBenchCase is one channel of the payment benchmarks.
type paymentBenchCase struct {
	name    string
	anchors bool
	// amount is what each payment pays: above the dust limit (the HTLC
	// has an output and an HTLC transaction signed both ways) unless the
	// case says dust.
	amount wire.MilliSatoshi
}

var paymentBenchCases = []paymentBenchCase{
	{name: "static_remote_key", anchors: false, amount: 5_000_000},
	{name: "anchors", anchors: true, amount: 5_000_000},
	// LDK's bench_sends pays 10 sat: trimmed HTLCs, no HTLC signatures.
	{name: "anchors_dust", anchors: true, amount: 10_000},
}

// paymentLoop pays back and forth over one channel: even rounds go from A
// to B, odd ones from B to A, so that balances stay put for any number of
// iterations.
type paymentLoop struct {
	tp *testPair
	ch *testChannel
	// rounds counts the rounds (their parity is the direction), paid the
	// payments made (the next payment id).
	rounds, paid uint64
	// msgs and htlcSigs count the messages delivered and the HTLC
	// signatures they carried.
	msgs, htlcSigs int
	// writes is both stores' mutation count when the timed loop started
	// (each a durable write, an fsync in a real store).
	writes int
	// cpu is the process's CPU time when the timed loop started.
	cpu time.Duration
}

// newPaymentLoop opens a ready channel of 1,000,000 sat of type c, half
// pushed to B.
func newPaymentLoop(b testing.TB, c paymentBenchCase) *paymentLoop {
	b.Helper()
	ua := testUser(1, false)
	ua.Handshake.NegotiateAnchors = c.anchors
	tp, ch := readyPairWith(b, ua, 500_000_000)
	want := commit.StaticRemoteKey
	if c.anchors {
		want = commit.AnchorsZeroFeeHTLC
	}
	require.Equal(b, want, tp.a.details(b, ch.id).ChannelType.Commitment)
	return &paymentLoop{tp: tp, ch: ch}
}

// direction returns the payer and payee of the next round.
func (l *paymentLoop) direction() (*testNode, *testNode) {
	if l.rounds%2 == 0 {
		return l.tp.a, l.tp.b
	}
	return l.tp.b, l.tp.a
}

// round makes k payments of amount from one node to the other: the payee
// creates k invoices, the payer sends them all before anything is
// delivered, the payee claims each when claimable, and the round ends
// when the payer has k PaymentSent and both commitments are settled.
func (l *paymentLoop) round(b testing.TB, k int, amount wire.MilliSatoshi) {
	b.Helper()
	tp := l.tp
	payer, payee := l.direction()
	l.rounds++
	for range k {
		inv, err := payee.m.CreateInvoice(InvoiceRequest{Amount: amount})
		require.NoError(b, err)
		l.paid++
		var id PaymentID
		id[0], id[1], id[2], id[3] = byte(l.paid), byte(l.paid>>8), byte(l.paid>>16), byte(l.paid>>24)
		require.NoError(b, payer.m.SendPayment(id, inv.Invoice, 0))
	}
	l.deliver(b)
	claimed := 0
	for _, e := range takeEvents(b, payee) {
		if c, ok := e.(*events.PaymentClaimable); ok {
			pre, ok := c.Purpose.Preimage.Get()
			require.True(b, ok)
			require.NoError(b, payee.m.ClaimFunds(pre))
			claimed++
		}
	}
	require.Equal(b, k, claimed, "payments claimable")
	l.deliver(b)
	sent := 0
	for _, e := range takeEvents(b, payer) {
		if _, ok := e.(*events.PaymentSent); ok {
			sent++
		}
	}
	require.Equal(b, k, sent, "payments sent")
	takeEvents(b, payee) // PaymentClaimed
	require.Empty(b, tp.a.data(b, l.ch.id).cc.holder.HTLCs)
	require.Empty(b, tp.b.data(b, l.ch.id).cc.holder.HTLCs)
}

// deliver delivers until quiet and counts what went.
func (l *paymentLoop) deliver(b testing.TB) {
	b.Helper()
	l.tp.sent = l.tp.sent[:0]
	l.tp.deliver()
	l.msgs += len(l.tp.sent)
	for _, s := range l.tp.sent {
		if cs, ok := s.msg.(*wire.CommitmentSigned); ok {
			l.htlcSigs += len(cs.HTLCSignatures)
		}
	}
}

// start resets the counts as the timed loop starts.
func (l *paymentLoop) start(b *testing.B) {
	b.ReportAllocs()
	l.msgs, l.htlcSigs = 0, 0
	l.writes = l.tp.a.store.Mutations() + l.tp.b.store.Mutations()
	l.cpu = processCPUTime()
}

// report adds the per-payment metrics: n payments were made. cpu-ms is
// the process's CPU time (every thread: the garbage collector's too),
// steadier than the wall clock when other processes share the cores.
func (l *paymentLoop) report(b *testing.B, n int) {
	cpu := processCPUTime() - l.cpu
	b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(n)/1e6, "ms/payment")
	b.ReportMetric(float64(cpu.Nanoseconds())/float64(n)/1e6, "cpu-ms/payment")
	b.ReportMetric(float64(l.msgs)/float64(n), "msgs/payment")
	b.ReportMetric(float64(l.htlcSigs)/float64(n), "htlcsigs/payment")
	writes := l.tp.a.store.Mutations() + l.tp.b.store.Mutations() - l.writes
	b.ReportMetric(float64(writes)/float64(n), "writes/payment")
}

// takeEvents returns the events n raised since the last call, without
// keeping them (a benchmark runs long).
func takeEvents(t testing.TB, n *testNode) []events.Event {
	t.Helper()
	n.events = n.events[:0]
	return n.drainEvents(t)
}

// BenchmarkPaymentRoundTrip measures one payment over a direct channel
// per op: CreateInvoice at the payee, SendPayment, update_add_htlc and
// the commitment exchange (commitment_signed, revoke_and_ack both ways),
// PaymentClaimable, ClaimFunds, update_fulfill_htlc and the second
// exchange, until both commitments are settled; each monitor update
// persisted before its message leaves. Payments alternate direction.
func BenchmarkPaymentRoundTrip(b *testing.B) {
	for _, c := range paymentBenchCases {
		b.Run(c.name, func(b *testing.B) {
			l := newPaymentLoop(b, c)
			n := 0
			l.start(b)
			for b.Loop() {
				l.round(b, 1, c.amount)
				n++
			}
			l.report(b, n)
		})
	}
}

// paymentBatch is how many payments BenchmarkPaymentBatch sends before
// delivering.
const paymentBatch = 16

// BenchmarkPaymentBatch measures paymentBatch payments sent before any
// message is delivered, per op: the first HTLC goes in its own
// commitment_signed, the others share the next one (and their fulfills
// share one or two), as a busy channel batches many updates per
// commitment. ms/payment divides by the payments.
func BenchmarkPaymentBatch(b *testing.B) {
	for _, c := range paymentBenchCases[:2] {
		b.Run(c.name, func(b *testing.B) {
			l := newPaymentLoop(b, c)
			n := 0
			l.start(b)
			for b.Loop() {
				l.round(b, paymentBatch, c.amount)
				n += paymentBatch
			}
			l.report(b, n)
		})
	}
}
