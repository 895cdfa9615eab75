package lnkittest_test

import (
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/lnkit/lnkit/events"
	"github.com/lnkit/lnkit/lnkittest"
	"github.com/lnkit/lnkit/wire"
)

// TestPaymentResolvedOnChain: B claims a payment from A, but its
// update_fulfill_htlc never reaches A (disconnected); A force-closes with
// the HTLC in its commitment. B's ChainMonitor claims the HTLC output of
// A's commitment with the preimage; A's monitor learns the preimage from
// that spend and A's payment succeeds (PaymentSent with the preimage),
// exactly once. Both channel types.
func TestPaymentResolvedOnChain(t *testing.T) {
	for name, ct := range map[string]lnkittest.ChannelType{"anchors": lnkittest.Anchors, "static_remotekey": lnkittest.StaticRemoteKey} {
		t.Run(name, func(t *testing.T) {
			net, a, b, ch := payPair(t, 41, ct)
			b.Claims = lnkittest.HoldPayments
			id, err := net.Pay(a, b, 50_000_000)
			require.NoError(t, err)
			net.Settle()
			held := b.Claimable()
			require.Len(t, held, 1)
			pre, ok := held[0].Purpose.Preimage.Get()
			require.True(t, ok)
			net.Disconnect(a, b)
			require.NoError(t, net.Claim(b, pre))
			_, err = net.ProcessEvents(b)
			require.NoError(t, err)

			require.NoError(t, a.Channels.ForceCloseChannel(ch, b.ID(), "test: the peer does not answer"))
			_, err = net.ProcessEvents(a)
			require.NoError(t, err)
			for range 3 {
				net.Mine(1)
				_, err = net.ProcessEvents(a)
				require.NoError(t, err)
				_, err = net.ProcessEvents(b)
				require.NoError(t, err)
			}
			sent := requireSent(t, a, id)
			require.Equal(t, pre, sent.Preimage)
			require.Equal(t, wire.PaymentHash(pre.Hash()), sent.PaymentHash)
			net.Mine(10)
			_, err = net.ProcessEvents(a)
			require.NoError(t, err)
			requireSent(t, a, id)
			require.Empty(t, lnkittest.Logged[*events.PaymentFailed](a))
		})
	}
}

// TestPaymentTimedOutOnChain: B never claims A's payment and stops
// answering; A force-closes (by hand, or by itself at the HTLC's deadline,
// channel.HTLCTimeoutGrace blocks after its cltv_expiry); from the HTLC's cltv_expiry A's monitor
// broadcasts its HTLC-timeout transaction (with anchors funded by A's
// wallet), and once it is AntiReorgDelay deep A's payment fails
// (PaymentFailed), exactly once. Both channel types.
func TestPaymentTimedOutOnChain(t *testing.T) {
	for _, tc := range []struct {
		name string
		ct   lnkittest.ChannelType
		auto bool
	}{
		{"anchors", lnkittest.Anchors, false}, {"static_remotekey", lnkittest.StaticRemoteKey, false},
		{"anchors/at the deadline", lnkittest.Anchors, true}, {"static_remotekey/at the deadline", lnkittest.StaticRemoteKey, true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			net, a, b, ch := payPair(t, 43, tc.ct)
			b.Claims = lnkittest.HoldPayments
			id, err := net.Pay(a, b, 50_000_000)
			require.NoError(t, err)
			net.Settle()
			require.Len(t, b.Claimable(), 1)
			net.Disconnect(a, b)
			if !tc.auto {
				require.NoError(t, a.Channels.ForceCloseChannel(ch, b.ID(), "test: the peer does not answer"))
			}
			_, err = net.ProcessEvents(a)
			require.NoError(t, err)
			for range 300 {
				net.Mine(1)
				_, err = net.ProcessEvents(a)
				require.NoError(t, err)
				if len(lnkittest.Logged[*events.PaymentFailed](a)) > 0 {
					break
				}
				require.Empty(t, lnkittest.Logged[*events.PaymentSent](a))
			}
			failed := lnkittest.Logged[*events.PaymentFailed](a)
			require.Len(t, failed, 1)
			require.Equal(t, id, failed[0].PaymentID)
			net.Mine(10)
			_, err = net.ProcessEvents(a)
			require.NoError(t, err)
			require.Len(t, lnkittest.Logged[*events.PaymentFailed](a), 1)
			if tc.auto {
				closed := lnkittest.Logged[*events.ChannelClosed](a)
				require.Len(t, closed, 1)
				require.Equal(t, events.ClosedHTLCsTimedOut, closed[0].Reason.Kind)
			}
		})
	}
}

// TestDustPaymentFailsOnChain: A's payment is too small for an output of
// the commitment (trimmed); A force-closes with it in flight: nothing can
// claim it on chain, and A's payment fails once the commitment is
// AntiReorgDelay deep. Both channel types.
func TestDustPaymentFailsOnChain(t *testing.T) {
	for name, ct := range map[string]lnkittest.ChannelType{"anchors": lnkittest.Anchors, "static_remotekey": lnkittest.StaticRemoteKey} {
		t.Run(name, func(t *testing.T) {
			net, a, b, ch := payPair(t, 47, ct)
			b.Claims = lnkittest.HoldPayments
			id, err := net.Pay(a, b, 300_000)
			require.NoError(t, err)
			net.Settle()
			require.Len(t, b.Claimable(), 1)
			net.Disconnect(a, b)
			require.NoError(t, a.Channels.ForceCloseChannel(ch, b.ID(), "test: the peer does not answer"))
			_, err = net.ProcessEvents(a)
			require.NoError(t, err)
			for range 8 {
				net.Mine(1)
				_, err = net.ProcessEvents(a)
				require.NoError(t, err)
			}
			failed := lnkittest.Logged[*events.PaymentFailed](a)
			require.Len(t, failed, 1)
			require.Equal(t, id, failed[0].PaymentID)
			require.Empty(t, lnkittest.Logged[*events.PaymentSent](a))
		})
	}
}
