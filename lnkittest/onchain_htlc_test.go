package lnkittest_test

import (
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/lnkit/lnkit/channel"
	"github.com/lnkit/lnkit/events"
	"github.com/lnkit/lnkit/lnkittest"
	"github.com/lnkit/lnkit/wire"
)

// onChainTypes are the channel types of the on-chain HTLC tests.
var onChainTypes = map[string]lnkittest.ChannelType{"anchors": lnkittest.Anchors, "static_remotekey": lnkittest.StaticRemoteKey}

// heldPayment is a channel from a to b on which a pays b msat, committed
// on both sides and held by b's application (not claimed), and the
// payment's id.
func heldPayment(t *testing.T, seed uint64, ct lnkittest.ChannelType, msat wire.MilliSatoshi) (*lnkittest.Network, *lnkittest.Node, *lnkittest.Node, wire.ChannelID, channel.PaymentID) {
	t.Helper()
	return heldPaymentWith(t, lnkittest.Options{Seed: seed}, ct, msat)
}

// heldPaymentWith is heldPayment on a network of opts.
func heldPaymentWith(t *testing.T, opts lnkittest.Options, ct lnkittest.ChannelType, msat wire.MilliSatoshi) (*lnkittest.Network, *lnkittest.Node, *lnkittest.Node, wire.ChannelID, channel.PaymentID) {
	t.Helper()
	net, a, b, ch := payPairWith(t, opts, ct)
	b.Claims = lnkittest.HoldPayments
	id, err := net.Pay(a, b, msat)
	require.NoError(t, err)
	net.Settle()
	require.Len(t, b.Claimable(), 1)
	return net, a, b, ch, id
}

// closedWithPayment is heldPayment's channel force-closed by a (b away)
// and blocks mined, a's application handling its events after each: a
// and its payment.
func closedWithPayment(t *testing.T, seed uint64, ct lnkittest.ChannelType, msat wire.MilliSatoshi, blocks int) (*lnkittest.Node, channel.PaymentID) {
	t.Helper()
	net, a, b, ch, id := heldPayment(t, seed, ct, msat)
	net.Disconnect(a, b)
	closeOnChain(t, net, a, b, ch)
	for range blocks {
		net.Mine(1)
		process(t, net, a)
	}
	return a, id
}

// closeOnChain has a force-close ch (its peer b no longer answers) and
// process the events of it.
func closeOnChain(t *testing.T, net *lnkittest.Network, a, b *lnkittest.Node, ch wire.ChannelID) {
	t.Helper()
	require.NoError(t, a.Channels.ForceCloseChannel(ch, b.ID(), "test: the peer does not answer"))
	process(t, net, a)
}

// process plays the application of nodes once.
func process(t *testing.T, net *lnkittest.Network, nodes ...*lnkittest.Node) {
	t.Helper()
	for _, n := range nodes {
		_, err := net.ProcessEvents(n)
		require.NoError(t, err)
	}
}

// requireFailedOnce checks a logged exactly one PaymentFailed, for id.
func requireFailedOnce(t *testing.T, a *lnkittest.Node, id channel.PaymentID) {
	t.Helper()
	failed := lnkittest.Logged[*events.PaymentFailed](a)
	require.Len(t, failed, 1)
	require.Equal(t, id, failed[0].PaymentID)
}

// TestPaymentResolvedOnChain: B claims a payment from A, but its
// update_fulfill_htlc never reaches A (disconnected); A force-closes with
// the HTLC in its commitment. B's ChainMonitor claims the HTLC output of
// A's commitment with the preimage; A's monitor learns the preimage from
// that spend and A's payment succeeds (PaymentSent with the preimage),
// exactly once; B hears PaymentClaimed once, from its claim on chain (as
// for a claim settled off chain). Both channel types.
func TestPaymentResolvedOnChain(t *testing.T) {
	for name, ct := range onChainTypes {
		t.Run(name, func(t *testing.T) {
			net, a, b, ch, id := heldPayment(t, 41, ct, 50_000_000)
			pre, ok := b.Claimable()[0].Purpose.Preimage.Get()
			require.True(t, ok)
			net.Disconnect(a, b)
			require.NoError(t, net.Claim(b, pre))
			process(t, net, b)

			closeOnChain(t, net, a, b, ch)
			for range 3 {
				net.Mine(1)
				process(t, net, a, b)
			}
			sent := requireSent(t, a, id)
			require.Equal(t, pre, sent.Preimage)
			require.Equal(t, wire.PaymentHash(pre.Hash()), sent.PaymentHash)
			net.Mine(10)
			process(t, net, a, b)
			requireSent(t, a, id)
			require.Empty(t, lnkittest.Logged[*events.PaymentFailed](a))
			require.Equal(t, 1, claimedEvents(b, pre.Hash()))
		})
	}
}

// TestPaymentTimedOutOnChain: B never claims A's payment and stops
// answering; A force-closes (by hand, or by itself at the HTLC's deadline,
// channel.HTLCTimeoutGrace blocks after its cltv_expiry); from the HTLC's
// cltv_expiry A's monitor broadcasts its HTLC-timeout transaction (with
// anchors funded by A's wallet), and once it is AntiReorgDelay deep A's
// payment fails (PaymentFailed), exactly once. Both channel types.
func TestPaymentTimedOutOnChain(t *testing.T) {
	for name, ct := range onChainTypes {
		for _, auto := range []bool{false, true} {
			if auto {
				name += "/at the deadline"
			}
			t.Run(name, func(t *testing.T) {
				net, a, b, ch, id := heldPayment(t, 43, ct, 50_000_000)
				net.Disconnect(a, b)
				if auto {
					process(t, net, a)
				} else {
					closeOnChain(t, net, a, b, ch)
				}
				for range 300 {
					net.Mine(1)
					process(t, net, a)
					if len(lnkittest.Logged[*events.PaymentFailed](a)) > 0 {
						break
					}
					require.Empty(t, lnkittest.Logged[*events.PaymentSent](a))
				}
				requireFailedOnce(t, a, id)
				net.Mine(10)
				process(t, net, a)
				requireFailedOnce(t, a, id)
				if auto {
					closed := lnkittest.Logged[*events.ChannelClosed](a)
					require.Len(t, closed, 1)
					require.Equal(t, events.ClosedHTLCsTimedOut, closed[0].Reason.Kind)
				}
			})
		}
	}
}

// TestDustPaymentFailsOnChain: A's payment is too small for an output of
// the commitment (trimmed); A force-closes with it in flight: nothing can
// claim it on chain, and A's payment fails once the commitment is
// AntiReorgDelay deep. Both channel types.
func TestDustPaymentFailsOnChain(t *testing.T) {
	for name, ct := range onChainTypes {
		t.Run(name, func(t *testing.T) {
			a, id := closedWithPayment(t, 47, ct, 300_000, 8)
			requireFailedOnce(t, a, id)
			require.Empty(t, lnkittest.Logged[*events.PaymentSent](a))
		})
	}
}
