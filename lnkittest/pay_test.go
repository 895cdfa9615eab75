package lnkittest_test

import (
	"testing"

	"github.com/btcsuite/btcd/btcutil"
	"github.com/stretchr/testify/require"

	"github.com/lnkit/lnkit/channel"
	"github.com/lnkit/lnkit/events"
	"github.com/lnkit/lnkit/lnkittest"
	"github.com/lnkit/lnkit/wire"
)

const (
	payCapacity btcutil.Amount    = 1_000_000
	payPush     wire.MilliSatoshi = 400_000_000
)

// payPair is a ready channel from node 0 to node 1 of payCapacity,
// pushing payPush.
func payPair(t *testing.T, seed uint64, ct lnkittest.ChannelType) (*lnkittest.Network, *lnkittest.Node, *lnkittest.Node, wire.ChannelID) {
	t.Helper()
	return payPairWith(t, lnkittest.Options{Seed: seed}, ct)
}

// payPairWith is payPair on a network of opts.
func payPairWith(t *testing.T, opts lnkittest.Options, ct lnkittest.ChannelType) (*lnkittest.Network, *lnkittest.Node, *lnkittest.Node, wire.ChannelID) {
	t.Helper()
	net := lnkittest.NewNetwork(t, opts)
	a, b := net.Node(0), net.Node(1)
	id := net.OpenChannel(a, b, payCapacity, ct, lnkittest.OpenOptions{Push: payPush})
	net.Settle()
	return net, a, b, id
}

// requireBalances checks both views of channel id: a owns aMsat, b the
// rest, no HTLC left.
func requireBalances(t *testing.T, net *lnkittest.Network, a, b *lnkittest.Node, id wire.ChannelID, aMsat wire.MilliSatoshi) {
	t.Helper()
	da, db := net.Channel(a, id), net.Channel(b, id)
	total := wire.MilliSatoshi(payCapacity) * 1000
	require.Equal(t, aMsat, da.OurBalance, "node %d's balance", a.Index)
	require.Equal(t, total-aMsat, da.TheirBalance, "node %d's view of its peer", a.Index)
	require.Equal(t, total-aMsat, db.OurBalance, "node %d's balance", b.Index)
	require.Equal(t, aMsat, db.TheirBalance, "node %d's view of its peer", b.Index)
}

// requireSent checks that from got exactly one PaymentSent for id, and
// returns it.
func requireSent(t *testing.T, from *lnkittest.Node, id channel.PaymentID) *events.PaymentSent {
	t.Helper()
	var got []*events.PaymentSent
	for _, e := range lnkittest.Logged[*events.PaymentSent](from) {
		if e.PaymentID == id {
			got = append(got, e)
		}
	}
	require.Len(t, got, 1, "PaymentSent of %x", id[:4])
	return got[0]
}

func TestPayBothWays(t *testing.T) {
	for _, ct := range []lnkittest.ChannelType{lnkittest.Anchors, lnkittest.StaticRemoteKey} {
		net, a, b, ch := payPair(t, 21, ct)
		start := net.Channel(a, ch).OurBalance

		id, err := net.Pay(a, b, 12_345_678)
		require.NoError(t, err)
		net.Settle()
		sent := requireSent(t, a, id)
		claimed := lnkittest.Logged[*events.PaymentClaimed](b)
		require.Len(t, claimed, 1)
		require.Equal(t, sent.PaymentHash, claimed[0].PaymentHash)
		pre, _ := claimed[0].Purpose.Preimage.Get()
		require.Equal(t, sent.Preimage, pre)
		requireBalances(t, net, a, b, ch, start-12_345_678)

		back, err := net.Pay(b, a, 2_000_000)
		require.NoError(t, err)
		net.Settle()
		requireSent(t, b, back)
		requireBalances(t, net, a, b, ch, start-10_345_678)
	}
}

func TestKeysend(t *testing.T) {
	net, a, b, ch := payPair(t, 22, lnkittest.Anchors)
	start := net.Channel(a, ch).OurBalance
	id, hash, err := net.Keysend(a, b, 777_000)
	require.NoError(t, err)
	net.Settle()
	sent := requireSent(t, a, id)
	require.Equal(t, hash, sent.PaymentHash)
	claimable := lnkittest.Logged[*events.PaymentClaimable](b)
	require.Len(t, claimable, 1)
	require.Equal(t, events.PurposeSpontaneous, claimable[0].Purpose.Kind)
	requireBalances(t, net, a, b, ch, start-777_000)
}

// TestPaymentFailed covers the payments that fail: refused by the payee's
// application, too big for the channel (refused at once), and failed by
// the test after a hold.
func TestPaymentFailed(t *testing.T) {
	net, a, b, ch := payPair(t, 23, lnkittest.Anchors)
	start := net.Channel(a, ch).OurBalance

	b.Claims = lnkittest.FailPayments
	id, err := net.Pay(a, b, 5_000_000)
	require.NoError(t, err)
	net.Settle()
	failed := lnkittest.Logged[*events.PaymentFailed](a)
	require.Len(t, failed, 1)
	require.Equal(t, id, failed[0].PaymentID)
	require.Equal(t, events.FailureRecipientRejected, failed[0].Reason)
	requireBalances(t, net, a, b, ch, start)

	_, err = net.Pay(a, b, wire.MilliSatoshi(payCapacity)*1000)
	require.ErrorIs(t, err, channel.ErrNoRoute)

	b.Claims = lnkittest.HoldPayments
	_, hash, err := net.Keysend(a, b, 3_000_000)
	require.NoError(t, err)
	net.Settle()
	require.Len(t, b.Claimable(), 1)
	require.NoError(t, net.FailBack(b, hash))
	require.Empty(t, b.Claimable())
	net.Settle()
	require.Len(t, lnkittest.Logged[*events.PaymentFailed](a), 2)
	requireBalances(t, net, a, b, ch, start)
}

// TestPaymentHeldThenClaimed: the payee's test claims itself, across a
// restart of the payee.
func TestPaymentHeldThenClaimed(t *testing.T) {
	net, a, b, ch := payPair(t, 24, lnkittest.StaticRemoteKey)
	start := net.Channel(a, ch).OurBalance
	id, pre := payHeld(t, net, a, b, 9_000_000)

	net.Crash(b)
	net.Restart(b)
	net.Connect(a, b)
	net.Settle()
	require.NoError(t, net.Claim(b, pre))
	net.Settle()
	require.Equal(t, pre, requireSent(t, a, id).Preimage)
	requireBalances(t, net, a, b, ch, start-9_000_000)
}

// TestPayeeCrashWithHTLCInFlight crashes the payee after each message of
// the payment's exchange (update_add, commitment_signed, revoke_and_ack,
// …, update_fulfill, …): after its restart and a reconnection the payment
// completes exactly once, with the balances moved to the msat.
func TestPayeeCrashWithHTLCInFlight(t *testing.T) {
	for steps := range 12 {
		net, a, b, ch := payPair(t, 25, lnkittest.Anchors)
		start := net.Channel(a, ch).OurBalance
		id, err := net.Pay(a, b, 4_000_000)
		require.NoError(t, err)
		for range steps { // alternately a → b and b → a, processing events
			if !net.DeliverOne(a, b) {
				net.DeliverOne(b, a)
			}
			_, err := net.ProcessEvents(b)
			require.NoError(t, err)
		}
		net.Crash(b)
		net.Restart(b)
		net.Connect(a, b)
		net.Settle()
		requireSent(t, a, id)
		requireBalances(t, net, a, b, ch, start-4_000_000)
		require.Empty(t, lnkittest.Logged[*events.ChannelClosed](a), "steps %d", steps)
		require.Empty(t, lnkittest.Logged[*events.ChannelClosed](b), "steps %d", steps)
	}
}

// TestPaymentAsyncPersistence: the payee's monitor updates complete in
// reverse order; nothing leaves before they are durable, and the payment
// completes once they all are.
func TestPaymentAsyncPersistence(t *testing.T) {
	net, a, b, ch := payPair(t, 26, lnkittest.Anchors)
	start := net.Channel(a, ch).OurBalance
	b.AsyncMonitorUpdates = true
	id, err := net.Pay(a, b, 6_000_000)
	require.NoError(t, err)
	net.Settle()
	require.NotEmpty(t, b.HeldMonitorUpdates())
	require.Empty(t, lnkittest.Logged[*events.PaymentSent](a), "sent before b's monitor is durable")
	for range 4 {
		net.Settle()
		held := b.HeldMonitorUpdates()
		for i := len(held) - 1; i >= 0; i-- {
			net.CompleteMonitorUpdate(b, held[i])
		}
	}
	net.Settle()
	require.Empty(t, b.HeldMonitorUpdates())
	requireSent(t, a, id)
	requireBalances(t, net, a, b, ch, start-6_000_000)
}

// TestAsyncPersistenceCrashLosesHeldUpdates: updates held at a crash are
// not durable; the channel manager hands them out again after the
// restart, and the payment completes.
func TestAsyncPersistenceCrashLosesHeldUpdates(t *testing.T) {
	net, a, b, ch := payPair(t, 27, lnkittest.Anchors)
	start := net.Channel(a, ch).OurBalance
	b.AsyncMonitorUpdates = true
	id, err := net.Pay(a, b, 6_000_000)
	require.NoError(t, err)
	net.Settle()
	require.NotEmpty(t, b.HeldMonitorUpdates())
	net.Crash(b)
	require.Empty(t, b.HeldMonitorUpdates())
	net.Restart(b)
	net.Connect(a, b)
	for range 6 {
		net.Settle()
		net.CompleteMonitorUpdates(b)
	}
	net.Settle()
	requireSent(t, a, id)
	requireBalances(t, net, a, b, ch, start-6_000_000)
}

// TestPaymentSentWithTheCommitment: the payer's PaymentSent waits for the
// commitment_signed that follows the payee's update_fulfill_htlc and is
// made durable in the same write (no write of its own); a payer crashing
// between the two gets the fulfill again after the reconnection and
// raises exactly one PaymentSent, with the balances moved to the msat.
func TestPaymentSentWithTheCommitment(t *testing.T) {
	for _, crash := range []bool{false, true} {
		net, a, b, ch := payPair(t, 27, lnkittest.Anchors)
		start := net.Channel(a, ch).OurBalance
		id, pre := payHeld(t, net, a, b, 5_000_000)
		require.NoError(t, net.Claim(b, pre))

		pending := net.Pending(b, a)
		require.GreaterOrEqual(t, len(pending), 2)
		require.IsType(t, &wire.UpdateFulfillHTLC{}, pending[0])
		require.IsType(t, &wire.CommitmentSigned{}, pending[1])
		writes := a.Store.Mutations()
		require.True(t, net.DeliverOne(b, a)) // update_fulfill_htlc
		_, err := net.ProcessEvents(a)
		require.NoError(t, err)
		require.Equal(t, writes, a.Store.Mutations(), "the fulfill alone writes nothing")
		require.Empty(t, lnkittest.Logged[*events.PaymentSent](a), "PaymentSent waits for the commitment")
		if crash {
			net.Crash(a)
			net.Restart(a)
			net.Connect(a, b)
		} else {
			require.True(t, net.DeliverOne(b, a)) // commitment_signed
			require.Equal(t, writes+1, a.Store.Mutations(), "one write for the commitment and the payment")
		}
		net.Settle()
		require.Equal(t, pre, requireSent(t, a, id).Preimage, "crash %v", crash)
		requireBalances(t, net, a, b, ch, start-5_000_000)
	}
}

// payHeld has a pay b amount with b holding the payment, settles, and
// returns the payment's id and the preimage b may claim it with.
func payHeld(t *testing.T, net *lnkittest.Network, a, b *lnkittest.Node, amount wire.MilliSatoshi) (channel.PaymentID, wire.Preimage) {
	t.Helper()
	b.Claims = lnkittest.HoldPayments
	id, err := net.Pay(a, b, amount)
	require.NoError(t, err)
	net.Settle()
	held := b.Claimable()
	require.Len(t, held, 1)
	pre, ok := held[0].Purpose.Preimage.Get()
	require.True(t, ok)
	return id, pre
}
