package channel

import (
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/lnkit/lnkit/channel/commit"
	"github.com/lnkit/lnkit/channel/internal/outbound"
	"github.com/lnkit/lnkit/events"
	"github.com/lnkit/lnkit/persist"
	"github.com/lnkit/lnkit/router/onion"
	"github.com/lnkit/lnkit/wire"
)

// attrStart is readyPair's clock.
var attrStart = time.Unix(1_750_000_000, 0)

// heldInvoicePayment is A paying B an invoice B holds (claimable), and
// B's clock moved by held.
func heldInvoicePayment(t *testing.T, id PaymentID, held time.Duration) (*testPair, *testChannel, *events.PaymentClaimable) {
	t.Helper()
	tp, ch := readyPair(t, 0)
	inv, err := tp.b.m.CreateInvoice(InvoiceRequest{Amount: 1_000_000})
	require.NoError(t, err)
	require.NoError(t, tp.a.m.SendPayment(id, inv.Invoice, 0))
	tp.deliver()
	c := eventsOf[*events.PaymentClaimable](t, tp.b)
	require.Len(t, c, 1)
	tp.b.m.TimerTick(attrStart.Add(held))
	return tp, ch, c[0]
}

// The payee's update_fail_htlc carries attribution data with its hold
// time (2.5 s: 25 units of 100 ms), which the payer reads into the
// failure.
func TestAttributionOfOurFailure(t *testing.T) {
	tp, _, c := heldInvoicePayment(t, PaymentID{1}, 2500*time.Millisecond)
	require.NoError(t, tp.b.m.FailHTLCBackwards(c.PaymentHash))
	tp.deliver()
	fails := sentOf[*wire.UpdateFailHTLC](tp, tp.b)
	require.Len(t, fails, 1)
	require.True(t, fails[0].AttributionData.Present)
	pay := tp.a.m.pay.byID[PaymentID{1}]
	f, err := outbound.DecodeAttributedFailure(&pay.Attempts[0], fails[0].Reason, (*onion.AttributionData)(&fails[0].AttributionData.Value))
	require.NoError(t, err)
	require.Equal(t, []uint32{25}, f.HoldTimes)

	failed := eventsOf[*events.PaymentFailed](t, tp.a)
	require.Len(t, failed, 1)
	hf, ok := failed[0].Failure.Get()
	require.True(t, ok)
	require.Equal(t, []uint32{25}, hf.HoldTimes)
	require.False(t, hf.Tampered)
}

// A fulfill decided while disconnected goes out after the reconnection
// with the attribution data of the moment it was decided (1.2 s held, not
// the 60 s more before the peer came back); PaymentSent has the hold time.
func TestAttributionOfOurFulfillAcrossReconnect(t *testing.T) {
	tp, _, c := heldInvoicePayment(t, PaymentID{2}, 1200*time.Millisecond)
	pre, ok := c.Purpose.Preimage.Get()
	require.True(t, ok)
	tp.a.m.PeerDisconnected(tp.b.id)
	tp.b.m.PeerDisconnected(tp.a.id)
	require.NoError(t, tp.b.m.ClaimFunds(pre))
	tp.b.m.TimerTick(attrStart.Add(time.Minute))
	tp.connect()
	tp.deliver()
	fulfills := sentOf[*wire.UpdateFulfillHTLC](tp, tp.b)
	require.Len(t, fulfills, 1)
	require.True(t, fulfills[0].AttributionData.Present)
	sent := eventsOf[*events.PaymentSent](t, tp.a)
	require.Len(t, sent, 1)
	require.Equal(t, []uint32{12}, sent[0].HoldTimes)
}

// A failure from a peer without option_attribution_data (no
// attribution_data) still decodes, without hold times.
func TestAttributionAbsentFromPeer(t *testing.T) {
	tp, _, c := heldInvoicePayment(t, PaymentID{3}, time.Second)
	tp.tamper = func(from *testNode, msg wire.Message) wire.Message {
		if f, ok := msg.(*wire.UpdateFailHTLC); ok {
			stripped := *f
			stripped.AttributionData = wire.Option[wire.AttributionData]{}
			return &stripped
		}
		return msg
	}
	require.NoError(t, tp.b.m.FailHTLCBackwards(c.PaymentHash))
	tp.deliver()
	failed := eventsOf[*events.PaymentFailed](t, tp.a)
	require.Len(t, failed, 1)
	hf, ok := failed[0].Failure.Get()
	require.True(t, ok)
	require.Equal(t, uint16(onion.CodeIncorrectOrUnknownPaymentDetails), hf.Code)
	require.Nil(t, hf.HoldTimes)
}

// The update log keeps each HTLC's arrival time and its outcome's
// attribution data (record 5, 1.1): they round-trip; a log of 1.0 (no
// record 5) reads with none; record 5 must match the HTLCs.
func TestUpdateLogRecordHoldTimes(t *testing.T) {
	l := recordChanData(t, recordCases()[0]).log
	withAttr := 0
	for _, h := range l.htlcs {
		if h.outcome.attr != nil {
			withAttr++
		}
	}
	require.NotZero(t, withAttr, "the fixture has attribution data")
	b, err := encodeUpdateLog(l)
	require.NoError(t, err)
	got, err := decodeUpdateLog(b, l.p)
	require.NoError(t, err)
	require.Equal(t, normalizeLog(l), normalizeLog(got))

	// As 1.0 wrote it: no record 5, minor 0.
	var rs wire.TLVRecords
	_, _, err = updateLogFormat.Decode(b, func(typ uint64, v []byte) (bool, error) {
		rs = append(rs, wire.TLVRecord{Type: typ, Value: append([]byte(nil), v...)})
		return true, nil
	})
	require.NoError(t, err)
	require.Equal(t, uint64(logRecTimes), rs[len(rs)-1].Type)
	v10 := persist.RecordFormat{Type: updateLogFormat.Type, Major: 1, Minor: 0}
	old, err := v10.Append(nil, rs[:len(rs)-1])
	require.NoError(t, err)
	got, err = decodeUpdateLog(old, l.p)
	require.NoError(t, err)
	bare := *l
	bare.htlcs = append([]htlcEntry(nil), l.htlcs...)
	for i := range bare.htlcs {
		bare.htlcs[i].receivedAt, bare.htlcs[i].outcome.attr = 0, nil
	}
	require.Equal(t, normalizeLog(&bare), normalizeLog(got))

	// Record 5 for one HTLC fewer than the log has.
	short := append(wire.TLVRecords(nil), rs...)
	var xs fieldWriter
	xs.be32(uint32(len(l.htlcs) - 1))
	for range len(l.htlcs) - 1 {
		xs.be64(0)
		xs.attribution(nil)
	}
	short[len(short)-1].Value = xs.buf
	bad, err := updateLogFormat.Append(nil, short)
	require.NoError(t, err)
	_, err = decodeUpdateLog(bad, l.p)
	require.ErrorIs(t, err, ErrCorruptRecord)

	// Attribution data on an HTLC not removed, or removed as malformed;
	// an arrival time on an HTLC of ours.
	for name, spoil := range map[string]func(h *htlcEntry) bool{
		"attribution without a removal": func(h *htlcEntry) bool {
			h.outcome.attr = &wire.AttributionData{}
			return h.outcome.kind == 0
		},
		"attribution on a malformed failure": func(h *htlcEntry) bool {
			if !h.state.removed() {
				return false
			}
			h.outcome = htlcOutcome{kind: htlcFailedMalformed, failureCode: 0x8000 | 5, attr: &wire.AttributionData{}}
			return true
		},
		"arrival of our htlc": func(h *htlcEntry) bool {
			h.receivedAt = 5
			return h.offerer() == commit.Local
		},
	} {
		c := *l
		c.htlcs = append([]htlcEntry(nil), l.htlcs...)
		spoiled := false
		for i := range c.htlcs {
			h := c.htlcs[i]
			if spoil(&h) {
				c.htlcs[i], spoiled = h, true
				break
			}
		}
		require.True(t, spoiled, name)
		b, err := encodeUpdateLog(&c)
		require.NoError(t, err, name)
		_, err = decodeUpdateLog(b, l.p)
		require.ErrorIs(t, err, ErrCorruptRecord, name)
	}
}
