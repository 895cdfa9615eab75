package channel

import (
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/lnkit/lnkit/channel/internal/outbound"
	"github.com/lnkit/lnkit/events"
	"github.com/lnkit/lnkit/router/onion"
	"github.com/lnkit/lnkit/wire"
)

// twoChannels opens two ready channels of 1,000,000 sat from A to B (each
// carries at most max_htlc_value_in_flight_msat, 10% of it, at once).
func twoChannels(t *testing.T) (*testPair, *testChannel, *testChannel) {
	t.Helper()
	tp := newTestPair(t, testUser(1, false), testUser(1, false))
	ch1 := tp.open(1_000_000, 0, 1)
	ch2 := tp.open(1_000_000, 0, 2)
	tp.mine(1)
	now := time.Unix(1_750_000_000, 0)
	tp.a.m.TimerTick(now)
	tp.b.m.TimerTick(now)
	return tp, ch1, ch2
}

// htlcAmounts returns the amounts of n's HTLCs in its latest commitment of
// channel id.
func htlcAmounts(t *testing.T, n *testNode, id wire.ChannelID) []wire.MilliSatoshi {
	t.Helper()
	var out []wire.MilliSatoshi
	for _, h := range n.data(t, id).cc.holder.HTLCs {
		out = append(out, h.Amount)
	}
	return out
}

// loseAdds is a tamper that loses, while *lose, the update_add_htlc and
// commitment_signed messages of channel id.
func loseAdds(id wire.ChannelID, lose *bool) func(*testNode, wire.Message) wire.Message {
	return func(_ *testNode, msg wire.Message) wire.Message {
		var ch wire.ChannelID
		switch m := msg.(type) {
		case *wire.UpdateAddHTLC:
			ch = m.ChannelID
		case *wire.CommitmentSigned:
			ch = m.ChannelID
		default:
			return msg
		}
		if *lose && ch == id {
			return nil
		}
		return msg
	}
}

// TestPaymentMultiPart: B's invoice asks more than one channel carries:
// A splits it over both (one part each, the onion of each naming the
// total and the secret); B holds the first part and raises one
// PaymentClaimable, for the total, when the second arrives; one ClaimFunds
// claims both; A gets one PaymentSent, B one PaymentClaimed for the total
// with two HTLCs; balances move by the total to the msat.
func TestPaymentMultiPart(t *testing.T) {
	tp, ch1, ch2 := twoChannels(t)
	const total = wire.MilliSatoshi(150_000_000)
	a1, _ := balancesOf(t, tp.a, ch1.id)
	a2, _ := balancesOf(t, tp.a, ch2.id)
	inv, err := tp.b.m.CreateInvoice(InvoiceRequest{Amount: total, Description: "a big coffee"})
	require.NoError(t, err)
	require.True(t, inv.Invoice.Features().HasFeature(wire.BasicMPPOptional))
	require.NoError(t, tp.a.m.SendPayment(PaymentID{1}, inv.Invoice, 0))
	tp.deliver()

	parts := append(htlcAmounts(t, tp.b, ch1.id), htlcAmounts(t, tp.b, ch2.id)...)
	require.Len(t, parts, 2)
	require.Equal(t, total, parts[0]+parts[1])
	claimable := eventsOf[*events.PaymentClaimable](t, tp.b)
	require.Len(t, claimable, 1, "one event for both parts")
	require.Equal(t, total, claimable[0].Amount)
	pre, ok := claimable[0].Purpose.Preimage.Get()
	require.True(t, ok)
	require.NoError(t, tp.b.m.ClaimFunds(pre))
	tp.deliver()

	sent := eventsOf[*events.PaymentSent](t, tp.a)
	require.Len(t, sent, 1, "one PaymentSent for both parts")
	require.Equal(t, pre, sent[0].Preimage)
	claimed := eventsOf[*events.PaymentClaimed](t, tp.b)
	require.Len(t, claimed, 1)
	require.Equal(t, total, claimed[0].Amount)
	require.Equal(t, uint32(2), claimed[0].HTLCCount)
	b1, _ := balancesOf(t, tp.a, ch1.id)
	b2, _ := balancesOf(t, tp.a, ch2.id)
	require.Equal(t, a1+a2-total, b1+b2)
	require.Equal(t, a1-parts[0], b1)
	pays := tp.a.m.ListPayments()
	require.Len(t, pays, 1)
	require.Equal(t, PaymentSucceeded, pays[0].Status)
}

// TestPaymentMultiPartTimeout: the second part never reaches B (its
// channel's messages are lost): B holds the first, raises nothing, and
// fails it back with mpp_timeout once MPPTimeout passed, not before; a
// ClaimFunds meanwhile is refused (ErrPaymentIncomplete).
func TestPaymentMultiPartTimeout(t *testing.T) {
	tp, ch1, ch2 := twoChannels(t)
	lose := true
	tp.tamper = loseAdds(ch2.id, &lose)
	a1, _ := balancesOf(t, tp.a, ch1.id)
	inv, err := tp.b.m.CreateInvoice(InvoiceRequest{Amount: 150_000_000, Description: "half of it comes"})
	require.NoError(t, err)
	require.NoError(t, tp.a.m.SendPayment(PaymentID{1}, inv.Invoice, 0))
	tp.deliver()
	require.Len(t, htlcAmounts(t, tp.b, ch1.id), 1)
	require.Empty(t, htlcAmounts(t, tp.b, ch2.id))
	require.Empty(t, eventsOf[*events.PaymentClaimable](t, tp.b))
	require.ErrorIs(t, tp.b.m.ClaimFunds(inv.Preimage.Value), ErrPaymentIncomplete)

	start := time.Unix(1_750_000_000, 0)
	tp.b.m.TimerTick(start.Add(MPPTimeout - time.Second))
	tp.deliver()
	require.Len(t, htlcAmounts(t, tp.b, ch1.id), 1, "still held")
	tp.b.m.TimerTick(start.Add(MPPTimeout))
	tp.deliver()
	require.Empty(t, htlcAmounts(t, tp.b, ch1.id), "failed back")
	after, _ := balancesOf(t, tp.a, ch1.id)
	require.Equal(t, a1, after)
	fails := sentOf[*wire.UpdateFailHTLC](tp, tp.b)
	require.Len(t, fails, 1)
	pay := tp.a.m.pay.byID[PaymentID{1}]
	require.NotNil(t, pay)
	f, err := outbound.DecodeFailure(&pay.Attempts[0], fails[0].Reason)
	require.NoError(t, err)
	require.Equal(t, onion.CodeMPPTimeout, f.Code)
	require.Equal(t, outbound.StatusPending, pay.Status, "its other part is still in flight")
}

// TestPaymentMultiPartRestart: B crashes holding the first part; once
// restarted (its set rebuilt from the committed HTLC) the second part,
// retransmitted on reconnection, completes the payment: one
// PaymentClaimable for the total, and the claim of both.
func TestPaymentMultiPartRestart(t *testing.T) {
	tp, ch1, ch2 := twoChannels(t)
	lose := true
	tp.tamper = loseAdds(ch2.id, &lose)
	const total = wire.MilliSatoshi(150_000_000)
	inv, err := tp.b.m.CreateInvoice(InvoiceRequest{Amount: total, Description: "across a crash"})
	require.NoError(t, err)
	require.NoError(t, tp.a.m.SendPayment(PaymentID{1}, inv.Invoice, 0))
	tp.deliver()
	require.Len(t, htlcAmounts(t, tp.b, ch1.id), 1)
	require.Empty(t, eventsOf[*events.PaymentClaimable](t, tp.b))

	lose = false
	tp.restart(tp.b)
	tp.deliver()
	require.Len(t, htlcAmounts(t, tp.b, ch2.id), 1, "the second part, retransmitted")
	claimable := eventsOf[*events.PaymentClaimable](t, tp.b)
	require.Len(t, claimable, 1)
	require.Equal(t, total, claimable[0].Amount)
	require.NoError(t, tp.b.m.ClaimFunds(inv.Preimage.Value))
	tp.deliver()
	require.Len(t, eventsOf[*events.PaymentSent](t, tp.a), 1)
	require.Empty(t, htlcAmounts(t, tp.b, ch1.id))
	require.Empty(t, htlcAmounts(t, tp.b, ch2.id))
}

// TestPaymentMultiPartOneChannelClosed: the parts of a payment reached B
// over two channels; one of them is force-closed before B claims. The
// claim fulfills the part of the open channel off chain and hands the
// preimage to the closed channel's monitor (which claims its part on
// chain): no part is left to time out once the preimage is out.
func TestPaymentMultiPartOneChannelClosed(t *testing.T) {
	tp, ch1, ch2 := twoChannels(t)
	const total = wire.MilliSatoshi(150_000_000)
	inv, err := tp.b.m.CreateInvoice(InvoiceRequest{Amount: total, Description: "half closes"})
	require.NoError(t, err)
	require.NoError(t, tp.a.m.SendPayment(PaymentID{1}, inv.Invoice, 0))
	tp.deliver()
	claimable := eventsOf[*events.PaymentClaimable](t, tp.b)
	require.Len(t, claimable, 1)
	require.NoError(t, tp.b.m.ForceCloseChannel(ch2.id, tp.a.id, "test"))
	tp.deliver()
	require.NoError(t, tp.b.m.ClaimFunds(inv.Preimage.Value))
	tp.deliver()
	require.Empty(t, htlcAmounts(t, tp.b, ch1.id), "the open channel's part settled")
	got, ok := tp.b.mon.Preimage(ch2.id, inv.PaymentHash)
	require.True(t, ok, "the closed channel's monitor has the preimage")
	require.Equal(t, inv.Preimage.Value, got)
}

// TestMPPBookTotals: a part whose total_msat differs from its set's (with
// the same secret) dooms the whole set: it is forgotten and its hash
// handed to failDoomedMPP once; a part with another secret, or one coming
// once the set is complete, is refused alone and the set kept.
func TestMPPBookTotals(t *testing.T) {
	var b mppBook
	now := time.Unix(1_750_000_000, 0)
	hash, secret := wire.PaymentHash{1}, wire.PaymentSecret{2}
	part := func(id uint64, amount wire.MilliSatoshi) mppPart {
		return mppPart{ch: wire.ChannelID{9}, id: id, amount: amount, deadline: 500}
	}
	out, _ := b.add(hash, 100, secret, part(1, 40), now)
	require.Equal(t, mppHeld, out)
	out, _ = b.add(hash, 100, wire.PaymentSecret{3}, part(2, 40), now)
	require.Equal(t, mppRefused, out, "another secret")
	require.True(t, b.incomplete(hash), "the set is kept")
	require.Empty(t, b.takeDoomed())

	out, _ = b.add(hash, 101, secret, part(3, 40), now)
	require.Equal(t, mppRefused, out, "another total")
	require.False(t, b.incomplete(hash), "the set is gone")
	out, _ = b.add(hash, 100, secret, part(7, 40), now)
	require.Equal(t, mppHeld, out, "a part before the doomed ones are failed starts a set")
	require.Equal(t, []wire.PaymentHash{hash}, b.takeDoomed())
	require.False(t, b.incomplete(hash), "failed back with them: its set is gone too")
	require.Empty(t, b.takeDoomed(), "handed out once")

	// A complete set refuses more parts, whatever their total, alone.
	other := wire.PaymentHash{4}
	out, _ = b.add(other, 100, secret, part(4, 60), now)
	require.Equal(t, mppHeld, out)
	out, _ = b.add(other, 100, secret, part(5, 40), now)
	require.Equal(t, mppComplete, out)
	out, _ = b.add(other, 90, secret, part(6, 40), now)
	require.Equal(t, mppRefused, out)
	require.Empty(t, b.takeDoomed())
}
