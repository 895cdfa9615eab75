package channel

import (
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/lnkit/lnkit/events"
	"github.com/lnkit/lnkit/wire"
)

// readyPair opens a channel of 1,000,000 sat from A to B pushing push and
// makes it ready both ways, with both Managers' clocks set.
func readyPair(t testing.TB, push wire.MilliSatoshi) (*testPair, *testChannel) {
	t.Helper()
	return readyPairWith(t, testUser(1, false), push)
}

// readyPairWith is readyPair with A's policy ua (B's is testUser(1, false)).
func readyPairWith(t testing.TB, ua UserConfig, push wire.MilliSatoshi) (*testPair, *testChannel) {
	t.Helper()
	tp := newTestPair(t, ua, testUser(1, false))
	ch := tp.open(1_000_000, push, 0)
	tp.mine(1)
	now := time.Unix(1_750_000_000, 0)
	tp.a.m.TimerTick(now)
	tp.b.m.TimerTick(now)
	require.Equal(t, StateReady, tp.a.details(t, ch.id).State)
	require.Equal(t, StateReady, tp.b.details(t, ch.id).State)
	return tp, ch
}

// balancesOf returns n's and its peer's balance in n's latest commitment
// of channel id.
func balancesOf(t *testing.T, n *testNode, id wire.ChannelID) (wire.MilliSatoshi, wire.MilliSatoshi) {
	t.Helper()
	return n.data(t, id).balances()
}

// TestPaymentInvoiceDirect: A pays B's invoice over their channel; B
// claims it; both commitments settle with the amount moved to the msat;
// A gets PaymentSent with the preimage, B PaymentClaimable then
// PaymentClaimed; a second SendPayment with the same id is refused.
func TestPaymentInvoiceDirect(t *testing.T) {
	tp, ch := readyPair(t, 0)
	a0, b0 := balancesOf(t, tp.a, ch.id)

	inv, err := tp.b.m.CreateInvoice(InvoiceRequest{Amount: 12_345_678, Description: "coffee"})
	require.NoError(t, err)
	id := PaymentID{1}
	require.NoError(t, tp.a.m.SendPayment(id, inv.Invoice, 0))
	require.ErrorIs(t, tp.a.m.SendPayment(id, inv.Invoice, 0), ErrDuplicatePayment)
	tp.deliver()

	claimable := eventsOf[*events.PaymentClaimable](t, tp.b)
	require.Len(t, claimable, 1)
	require.Equal(t, inv.PaymentHash, claimable[0].PaymentHash)
	require.Equal(t, wire.MilliSatoshi(12_345_678), claimable[0].Amount)
	pre, ok := claimable[0].Purpose.Preimage.Get()
	require.True(t, ok)
	require.NoError(t, tp.b.m.ClaimFunds(pre))
	tp.deliver()

	sent := eventsOf[*events.PaymentSent](t, tp.a)
	require.Len(t, sent, 1)
	require.Equal(t, pre, sent[0].Preimage)
	require.Equal(t, id, sent[0].PaymentID)
	require.Len(t, eventsOf[*events.PaymentClaimed](t, tp.b), 1)

	a1, b1 := balancesOf(t, tp.a, ch.id)
	require.Equal(t, a0-12_345_678, a1)
	require.Equal(t, b0+12_345_678, b1)
	bl, br := balancesOf(t, tp.b, ch.id)
	require.Equal(t, a1, br)
	require.Equal(t, b1, bl)
	require.Empty(t, tp.a.data(t, ch.id).cc.holder.HTLCs)
	require.Empty(t, tp.b.data(t, ch.id).cc.holder.HTLCs)
	pays := tp.a.m.ListPayments()
	require.Len(t, pays, 1)
	require.Equal(t, PaymentSucceeded, pays[0].Status)
}

// TestPaymentKeysendAndBack: A keysends to B, then B (now with a balance)
// pays A's invoice: both directions, balances to the msat.
func TestPaymentKeysendAndBack(t *testing.T) {
	tp, ch := readyPair(t, 0)
	a0, b0 := balancesOf(t, tp.a, ch.id)
	_, err := tp.a.m.SendSpontaneousPayment(PaymentID{2}, tp.b.id, 50_000_000, wire.Preimage{7})
	require.NoError(t, err)
	tp.deliver()
	c := eventsOf[*events.PaymentClaimable](t, tp.b)
	require.Len(t, c, 1)
	require.Equal(t, events.PurposeSpontaneous, c[0].Purpose.Kind)
	require.NoError(t, tp.b.m.ClaimFunds(wire.Preimage{7}))
	tp.deliver()
	require.Len(t, eventsOf[*events.PaymentSent](t, tp.a), 1)
	claimed := eventsOf[*events.PaymentClaimed](t, tp.b)
	require.Len(t, claimed, 1)
	require.Equal(t, events.PurposeSpontaneous, claimed[0].Purpose.Kind)

	inv, err := tp.a.m.CreateInvoice(InvoiceRequest{Amount: 20_000_000})
	require.NoError(t, err)
	require.NoError(t, tp.b.m.SendPayment(PaymentID{3}, inv.Invoice, 0))
	tp.deliver()
	c = eventsOf[*events.PaymentClaimable](t, tp.a)
	require.Len(t, c, 1)
	pre, _ := c[0].Purpose.Preimage.Get()
	require.NoError(t, tp.a.m.ClaimFunds(pre))
	tp.deliver()
	require.Len(t, eventsOf[*events.PaymentSent](t, tp.b), 1)

	a1, b1 := balancesOf(t, tp.a, ch.id)
	require.Equal(t, a0-30_000_000, a1)
	require.Equal(t, b0+30_000_000, b1)
}

// TestPaymentFailedBack: B refuses the payment (FailHTLCBackwards); A gets
// PaymentFailed naming B's incorrect_or_unknown_payment_details, and the
// balances are unchanged.
func TestPaymentFailedBack(t *testing.T) {
	tp, ch := readyPair(t, 0)
	a0, b0 := balancesOf(t, tp.a, ch.id)
	inv, err := tp.b.m.CreateInvoice(InvoiceRequest{Amount: 1_000_000})
	require.NoError(t, err)
	require.NoError(t, tp.a.m.SendPayment(PaymentID{4}, inv.Invoice, 0))
	tp.deliver()
	require.Len(t, eventsOf[*events.PaymentClaimable](t, tp.b), 1)
	require.NoError(t, tp.b.m.FailHTLCBackwards(inv.PaymentHash))
	tp.deliver()
	failed := eventsOf[*events.PaymentFailed](t, tp.a)
	require.Len(t, failed, 1)
	f, ok := failed[0].Failure.Get()
	require.True(t, ok)
	require.Equal(t, uint16(0x400f), f.Code)
	require.Equal(t, tp.b.id, f.ErringNode)
	require.Equal(t, events.FailureRecipientRejected, failed[0].Reason)
	a1, b1 := balancesOf(t, tp.a, ch.id)
	require.Equal(t, a0, a1)
	require.Equal(t, b0, b1)
}

// TestPaymentWrongAmountRefused: an HTLC below the invoice's amount is
// failed back by the payee at lock-in.
func TestPaymentWrongAmountRefused(t *testing.T) {
	tp, _ := readyPair(t, 0)
	inv, err := tp.b.m.CreateInvoice(InvoiceRequest{Amount: 1_000_000})
	require.NoError(t, err)
	require.Error(t, tp.a.m.SendPayment(PaymentID{5}, inv.Invoice, 999_999))
	// Paying an unknown hash (another node's invoice) fails at the payee.
	other, err := tp.a.m.CreateInvoice(InvoiceRequest{Amount: 1_000_000})
	require.NoError(t, err)
	_ = other
	require.Empty(t, eventsOf[*events.PaymentClaimable](t, tp.b))
}

// TestPaymentAcrossReconnect: the peer disconnects at every point of a
// payment and the payment still completes once, balances to the msat.
func TestPaymentAcrossReconnect(t *testing.T) {
	for cut := 1; cut <= 12; cut++ {
		tp, ch := readyPair(t, 0)
		a0, b0 := balancesOf(t, tp.a, ch.id)
		inv, err := tp.b.m.CreateInvoice(InvoiceRequest{Amount: 3_000_000})
		require.NoError(t, err)
		require.NoError(t, tp.a.m.SendPayment(PaymentID{6}, inv.Invoice, 0))
		claimed := false
		for i := 0; i < 40; i++ {
			if i == cut {
				tp.reconnect()
			}
			tp.step(tp.a)
			tp.step(tp.b)
			if c := eventsOf[*events.PaymentClaimable](t, tp.b); len(c) == 1 && !claimed {
				pre, _ := c[0].Purpose.Preimage.Get()
				require.NoError(t, tp.b.m.ClaimFunds(pre))
				claimed = true
			}
		}
		tp.deliver()
		sent := eventsOf[*events.PaymentSent](t, tp.a)
		failed := eventsOf[*events.PaymentFailed](t, tp.a)
		require.Equal(t, 1, len(sent)+len(failed), "cut %d: exactly one outcome", cut)
		a1, b1 := balancesOf(t, tp.a, ch.id)
		if len(sent) == 1 {
			require.Equal(t, a0-3_000_000, a1, "cut %d", cut)
			require.Equal(t, b0+3_000_000, b1, "cut %d", cut)
		} else {
			require.Equal(t, a0, a1, "cut %d", cut)
		}
		bl, br := balancesOf(t, tp.b, ch.id)
		require.Equal(t, a1, br, "cut %d", cut)
		require.Equal(t, b1, bl, "cut %d", cut)
	}
}

// TestUpdateFeeFromOpener: when A's (the opener's) estimate moves, a tick
// sends update_fee; both commitments take the new rate, the balances stay
// those of the commitment fee, and payments go on.
func TestUpdateFeeFromOpener(t *testing.T) {
	tp, ch := readyPair(t, 0)
	old := tp.a.data(t, ch.id).cc.holder.FeeRate
	tp.a.fees.Set(old * 2)
	tp.b.fees.Set(old * 2)
	tp.a.m.TimerTick(time.Unix(1_750_000_100, 0))
	tp.deliver()
	for _, n := range []*testNode{tp.a, tp.b} {
		d := n.data(t, ch.id)
		require.Equal(t, old*2, d.cc.holder.FeeRate, n.name)
		require.Equal(t, old*2, d.cc.theirs.FeeRate, n.name)
		require.True(t, d.settled(), n.name)
	}
	// A small move sends nothing.
	tp.sent = nil
	tp.a.fees.Set(old*2 + 1)
	tp.a.m.TimerTick(time.Unix(1_750_000_200, 0))
	tp.deliver()
	require.Empty(t, sentOf[*wire.UpdateFee](tp, tp.a))
	// The acceptor never sends it.
	tp.b.fees.Set(old * 4)
	tp.b.m.TimerTick(time.Unix(1_750_000_300, 0))
	tp.deliver()
	require.Empty(t, sentOf[*wire.UpdateFee](tp, tp.b))

	inv, err := tp.b.m.CreateInvoice(InvoiceRequest{Amount: 5_000_000})
	require.NoError(t, err)
	require.NoError(t, tp.a.m.SendPayment(PaymentID{9}, inv.Invoice, 0))
	tp.deliver()
	require.Len(t, eventsOf[*events.PaymentClaimable](t, tp.b), 1)
}

// TestClaimWhileDisconnected: the payee claims while the payer is away;
// the fulfill goes out after channel_reestablish and the payment
// completes once; a second ClaimFunds changes nothing.
func TestClaimWhileDisconnected(t *testing.T) {
	tp, ch := readyPair(t, 0)
	a0, b0 := balancesOf(t, tp.a, ch.id)
	inv, err := tp.b.m.CreateInvoice(InvoiceRequest{Amount: 2_500_000})
	require.NoError(t, err)
	require.NoError(t, tp.a.m.SendPayment(PaymentID{8}, inv.Invoice, 0))
	tp.deliver()
	c := eventsOf[*events.PaymentClaimable](t, tp.b)
	require.Len(t, c, 1)
	pre, _ := c[0].Purpose.Preimage.Get()
	tp.a.m.PeerDisconnected(tp.b.id)
	tp.b.m.PeerDisconnected(tp.a.id)
	require.NoError(t, tp.b.m.ClaimFunds(pre))
	require.NoError(t, tp.b.m.ClaimFunds(pre))
	tp.connect()
	tp.deliver()
	require.Len(t, eventsOf[*events.PaymentSent](t, tp.a), 1)
	require.Len(t, eventsOf[*events.PaymentClaimed](t, tp.b), 1)
	a1, b1 := balancesOf(t, tp.a, ch.id)
	require.Equal(t, a0-2_500_000, a1)
	require.Equal(t, b0+2_500_000, b1)
}

// TestCloseWaitsForHTLCs: shutdown goes out with an HTLC pending; a
// closing_signed from the peer before it settles is answered with a
// warning (never a crash); once the payee claims, the negotiation runs
// and the channel closes with the payment in the balances.
func TestCloseWaitsForHTLCs(t *testing.T) {
	tp, ch := readyPair(t, 0)
	inv, err := tp.b.m.CreateInvoice(InvoiceRequest{Amount: 4_000_000})
	require.NoError(t, err)
	require.NoError(t, tp.a.m.SendPayment(PaymentID{10}, inv.Invoice, 0))
	tp.deliver()
	c := eventsOf[*events.PaymentClaimable](t, tp.b)
	require.Len(t, c, 1)
	require.NoError(t, tp.a.m.CloseChannel(ch.id, tp.b.id, CloseOptions{}))
	tp.deliver()
	require.Empty(t, sentOf[*wire.ClosingSigned](tp, tp.a))
	require.Empty(t, sentOf[*wire.ClosingSigned](tp, tp.b))
	// No new payment once shutdown went out.
	inv2, err := tp.b.m.CreateInvoice(InvoiceRequest{Amount: 1_000})
	require.NoError(t, err)
	require.Error(t, tp.a.m.SendPayment(PaymentID{11}, inv2.Invoice, 0))
	// A hostile early closing_signed.
	require.NoError(t, tp.a.m.HandleChannelMessage(tp.b.id, &wire.ClosingSigned{ChannelID: ch.id, Fee: 1000}))
	tp.deliver()
	require.NotEmpty(t, sentOf[*wire.Warning](tp, tp.a))
	pre, _ := c[0].Purpose.Preimage.Get()
	require.NoError(t, tp.b.m.ClaimFunds(pre))
	tp.deliver()
	require.Len(t, eventsOf[*events.PaymentSent](t, tp.a), 1)
	require.NotEmpty(t, sentOf[*wire.ClosingSigned](tp, tp.a))
	closed := eventsOf[*events.ChannelClosed](t, tp.a)
	require.Len(t, closed, 1)
	require.Equal(t, events.ClosedCooperativelyByUs, closed[0].Reason.Kind)
}
