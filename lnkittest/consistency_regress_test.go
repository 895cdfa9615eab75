package lnkittest_test

import (
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/lnkit/lnkit/lnkittest"
)

// Regressions the consistency fuzzer found, minimized.

// TestRegressionClaimWhileDisconnectedThenCrash: the payee claims while
// its peer is away (the fulfill waits for channel_reestablish), then
// crashes. The claim was kept in memory only (the Manager's unsent
// removals), so after the restart the HTLC stayed committed forever: the
// payer never got its preimage (TestChannelConsistencySeeds 7, 9, 25, …
// before the fix: "payment … ended 0 times", balances short by the HTLC).
func TestRegressionClaimWhileDisconnectedThenCrash(t *testing.T) {
	net, a, b, ch := payPair(t, 31, lnkittest.Anchors)
	start := net.Channel(a, ch).OurBalance
	b.Claims = lnkittest.HoldPayments
	id, _, err := net.Keysend(a, b, 3_000_000)
	require.NoError(t, err)
	net.Settle()
	held := b.Claimable()
	require.Len(t, held, 1)
	pre, _ := held[0].Purpose.Preimage.Get()

	net.Disconnect(a, b)
	require.NoError(t, net.Claim(b, pre))
	net.Crash(b)
	net.Restart(b)
	net.Connect(a, b)
	net.Settle()
	require.Equal(t, pre, requireSent(t, a, id).Preimage)
	requireBalances(t, net, a, b, ch, start-3_000_000)
}

// TestRegressionClaimAwaitingRevokeThenCrash: the payee claims while it
// awaits the peer's revoke_and_ack (it just signed a payment of its own),
// so no commitment_signed follows the fulfill at once, and nothing saved
// it: a crash then lost the claim the same way.
func TestRegressionClaimAwaitingRevokeThenCrash(t *testing.T) {
	net, a, b, ch := payPair(t, 32, lnkittest.Anchors)
	start := net.Channel(a, ch).OurBalance
	b.Claims = lnkittest.HoldPayments
	id, _, err := net.Keysend(a, b, 3_000_000)
	require.NoError(t, err)
	net.Settle()
	held := b.Claimable()
	require.Len(t, held, 1)
	pre, _ := held[0].Purpose.Preimage.Get()

	back, _, err := net.Keysend(b, a, 1_000_000) // b signs: awaits a's revoke_and_ack
	require.NoError(t, err)
	require.NoError(t, net.Claim(b, pre))
	net.Crash(b)
	net.Restart(b)
	net.Connect(a, b)
	net.Settle()
	require.Equal(t, pre, requireSent(t, a, id).Preimage)
	requireSent(t, b, back) // its commitment_signed is sent again
	requireBalances(t, net, a, b, ch, start-3_000_000+1_000_000)
}
