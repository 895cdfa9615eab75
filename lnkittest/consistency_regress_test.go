package lnkittest_test

import (
	"context"
	"testing"

	btcwire "github.com/btcsuite/btcd/wire"
	"github.com/stretchr/testify/require"

	"github.com/lnkit/lnkit/chain"
	"github.com/lnkit/lnkit/channel"
	"github.com/lnkit/lnkit/channel/commit"
	"github.com/lnkit/lnkit/channel/monitor"
	"github.com/lnkit/lnkit/events"
	"github.com/lnkit/lnkit/lnkittest"
	"github.com/lnkit/lnkit/wire"
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

// TestRegressionPaymentOverBreachedChannelEnds: a broadcasts one of its
// revoked commitments; before it confirms, b pays a over the channel (an
// HTLC b offered, in both latest commitments, not in the revoked one; a
// holds it).
// The breach confirms and b's justice transaction takes everything: b's
// payment can never succeed, and must fail once the breach is deep. Its
// HTLC stayed pending forever instead (TestChannelConsistencySeeds 1 with
// the on-chain actions: "payments not ended"): the monitor's lostHTLCs
// and timedOut report our offered HTLCs for our own or the
// counterparty's current commitment on chain, never for a breach.
func TestRegressionPaymentOverBreachedChannelEnds(t *testing.T) {
	for _, typ := range cheatTypes {
		t.Run(typ.name, func(t *testing.T) {
			c := cheatHistory(t, lnkittest.Options{Seed: 36}, typ.ct, bothUntil)
			h := c.revokedWithBoth(t)
			c.broadcast(t, h)
			c.a.Claims = lnkittest.HoldPayments
			id, _, err := c.net.Keysend(c.b, c.a, 2_000_000)
			require.NoError(t, err)
			c.net.Settle()
			require.Len(t, c.a.Claimable(), 1, "the HTLC is committed")
			for range 2 * monitor.AntiReorgDelay {
				c.net.Mine(1)
				c.process(t, c.b)
				c.processCheater(t)
			}
			for _, e := range lnkittest.Logged[*events.PaymentSent](c.b) {
				require.NotEqual(t, id, e.PaymentID, "b's payment succeeded")
			}
			requireFailedOnce(t, c.b, id)
		})
	}
}

// TestRegressionChannelClosedOnceAcrossCrash: b force-closes; a, whose
// monitor persistence is asynchronous, learns it from b's error, closes
// the channel and its application handles ChannelClosed; a crashes
// before the monitor update of the close is written. After the restart a
// closed the channel again: a second ChannelClosed, of reason
// outdated-channel-manager, capacity 0 and balance 0
// (TestChannelConsistencyChainSeeds 10: "2 ChannelClosed").
func TestRegressionChannelClosedOnceAcrossCrash(t *testing.T) {
	net, a, b, ch := payPair(t, 37, lnkittest.Anchors)
	a.AsyncMonitorUpdates = true
	require.NoError(t, b.Channels.ForceCloseChannel(ch, a.ID(), "test"))
	net.Settle()
	require.Len(t, lnkittest.Logged[*events.ChannelClosed](a), 1)
	t.Logf("held monitor updates at the crash: %d", len(a.HeldMonitorUpdates()))
	net.Crash(a)
	net.Restart(a)
	net.Settle()
	net.Mine(1)
	net.Settle()
	require.Len(t, lnkittest.Logged[*events.ChannelClosed](a), 1)
}

// TestRegressionPaymentEndsAfterCrashWithHeldClose: b, whose monitor
// persistence is asynchronous, pays a (its monitor update held, the
// HTLC never sent), force-closes the channel (that update held too) and
// crashes: both updates are lost. After the restart b's payment must end
// (it never left b: it fails); it stayed pending forever
// (TestChannelConsistencyChainSeeds-like seed 271: "payments not ended").
func TestRegressionPaymentEndsAfterCrashWithHeldClose(t *testing.T) {
	net, a, b, ch := payPair(t, 38, lnkittest.Anchors)
	b.AsyncMonitorUpdates = true
	id, _, err := net.Keysend(b, a, 20_000_000)
	require.NoError(t, err)
	require.NoError(t, b.Channels.ForceCloseChannel(ch, a.ID(), "test"))
	process(t, net, b)
	t.Logf("held monitor updates at the crash: %d", len(b.HeldMonitorUpdates()))
	net.Crash(b)
	b.AsyncMonitorUpdates = false
	net.Restart(b)
	net.Connect(a, b)
	net.Settle()
	for range 3 * monitor.AntiReorgDelay {
		net.Mine(1)
		net.Settle()
	}
	for _, e := range lnkittest.Logged[*events.PaymentSent](b) {
		require.NotEqual(t, id, e.PaymentID)
	}
	requireFailedOnce(t, b, id)
}

// TestRegressionJusticeAfterFeeSpike: a broadcasts a revoked commitment
// during a fee spike: b's justice transaction takes a's to_local, and
// leaves out the HTLC outputs, not worth their input's fee at that rate.
// Once it confirmed and fees calmed down, b must take the HTLC outputs
// too; they stayed unclaimed for good (the cheater's to take, with the
// preimage or at the expiry): justiceTx never builds below the rate of
// the last justice transaction handed out (bumpedRate's floor, meant for
// a replacement), also when that one confirmed and the new one replaces
// nothing (TestChannelConsistencyChainSeeds-like seeds 250, 350: "output
// …:2 (received_htlc, 1000 sat) unresolved", "still lists revoked-output").
func TestRegressionJusticeAfterFeeSpike(t *testing.T) {
	for _, typ := range cheatTypes {
		t.Run(typ.name, func(t *testing.T) {
			c := cheatHistory(t, lnkittest.Options{Seed: 39}, typ.ct, bothUntil)
			h := c.revokedWithBoth(t)
			c.net.Fees.SetTarget(chain.TargetUrgentSweep, 150_000)
			c.broadcast(t, h)
			c.net.Mine(1)
			j := c.justiceInMempool(t)
			require.Len(t, j, 1, "the to_local only: the htlcs are not worth their fee")
			require.Len(t, j[0].TxIn, 1)
			c.net.Mine(1)
			c.net.Fees.Set(wire.FeeRateFloor)
			for range 2 * monitor.AntiReorgDelay {
				c.net.Mine(1)
			}
			for _, k := range []commit.OutputKind{commit.OfferedHTLCOutput, commit.ReceivedHTLCOutput} {
				c.requireSpentByB(t, btcwire.OutPoint{Hash: h.Tx.TxHash(), Index: uint32(htlcOutput(h, k))})
			}
		})
	}
}

// TestRegressionClaimAfterForceClose: b holds a's payment; a
// force-closes with the HTLC in its commitment; b's application claims
// it a block later, long before the payment's ClaimDeadline: ClaimFunds
// must hand the preimage to b's monitor, which takes the HTLC output on
// chain, and a's payment succeeds. ClaimFunds answered ErrUnknownPayment
// instead (it looks for the HTLC in open channels only): b lost a payment
// it could claim (the consistency fuzzer's force-close seed: "node 1
// claims 90a3a15c: channel: unknown payment").
func TestRegressionClaimAfterForceClose(t *testing.T) {
	for name, ct := range onChainTypes {
		t.Run(name, func(t *testing.T) {
			net, a, b, ch, id := heldPayment(t, 44, ct, 50_000_000)
			held := b.Claimable()[0]
			pre, ok := held.Purpose.Preimage.Get()
			require.True(t, ok)
			closeOnChain(t, net, a, b, ch)
			net.Settle()
			net.Mine(1)
			net.Settle()
			require.Less(t, uint32(net.Chain.Tip().Height), held.ClaimDeadline)
			require.NoError(t, net.Claim(b, pre))
			for range 10 {
				net.Mine(1)
				process(t, net, a, b)
			}
			require.Equal(t, pre, requireSent(t, a, id).Preimage)
		})
	}
}

// TestRegressionForceCloseAcrossCrashWithHeldUpdates: a, whose monitor
// persistence is asynchronous, receives b's payment (a new commitment of
// its own whose monitor update is held), force-closes, broadcasting that
// commitment, and crashes before the updates are written. The commitment
// confirms: a's restored monitor must still recognize it and hand out
// a's to_local once its delay passed. It stayed unspent for good
// (TestChannelConsistencyChainSeeds-like seed 47: "output …:4 (to_local,
// 496100 sat, spent false) of channel 5eed's closing (node 0's
// commitment 1) unresolved"): the restarted Manager, which closed the
// channel before the crash, does not replay the monitor updates the
// crash lost, so the monitor never learns the commitment on chain.
func TestRegressionForceCloseAcrossCrashWithHeldUpdates(t *testing.T) {
	net, a, b, ch := payPair(t, 40, lnkittest.Anchors)
	a.AsyncMonitorUpdates = true
	a.RecordHolderCommitments = true
	_, _, err := net.Keysend(b, a, 5_000_000)
	require.NoError(t, err)
	require.True(t, net.DeliverOne(b, a)) // update_add_htlc
	require.True(t, net.DeliverOne(b, a)) // commitment_signed: a's new commitment, held
	t.Logf("held monitor updates: %d", len(a.HeldMonitorUpdates()))
	require.NoError(t, a.Channels.ForceCloseChannel(ch, b.ID(), "test"))
	process(t, net, a)
	closing := net.Chain.Mempool()
	require.Len(t, closing, 1)
	net.Crash(a)
	a.AsyncMonitorUpdates = false
	net.Restart(a)
	net.Settle()
	for range int(channel.DefaultToSelfDelay) + 2*monitor.AntiReorgDelay {
		net.Mine(1)
		net.Settle()
	}
	s, ok := net.Chain.Spender(btcwire.OutPoint{Hash: closing[0].TxIn[0].PreviousOutPoint.Hash, Index: closing[0].TxIn[0].PreviousOutPoint.Index})
	require.True(t, ok)
	require.Equal(t, closing[0].TxHash(), s.TxID, "a's commitment confirmed")
	require.Empty(t, a.ChainMonitor.ClaimableBalances(), "a's monitor resolved everything")
	for i := range closing[0].TxOut {
		_, unspent := net.Chain.Unspent(btcwire.OutPoint{Hash: s.TxID, Index: uint32(i)})
		require.False(t, unspent && closing[0].TxOut[i].Value > 330, "output %d of a's commitment is unspent", i)
	}
}

// TestRegressionWalletForgetsReplacedSweep: a's application sweeps the
// to_local of its force-close (transaction A, in the mempool), the
// monitor hands the output out again (after a reorganisation or a
// restart: at least once) and, fees having risen, the new sweep C
// replaces A in the mempool, then confirms. The wallet must forget A,
// which can never confirm; it kept it as unconfirmed for good
// (Balance().Unconfirmed overstated, A rebroadcast forever): the wallet's
// externalSpends (chain/wallet/ledger.go) keeps one own spender per
// external outpoint, picked by map iteration order (also a
// nondeterminism), so when C confirms, A is not the one
// evictExternalConflicts finds
// (TestChannelConsistencyChainSeeds-like dense seed 127: "wallet books
// {… Unconfirmed:0.00498755 BTC …}").
func TestRegressionWalletForgetsReplacedSweep(t *testing.T) {
	for i := range 8 { // the map order decides: several tries
		net, a, b, ch := payPair(t, 45+uint64(i), lnkittest.StaticRemoteKey)
		closeOnChain(t, net, a, b, ch)
		net.Mine(int(channel.DefaultToSelfDelay) + 1)
		_, err := net.ProcessEvents(a)
		require.NoError(t, err)
		outs := lnkittest.Logged[*events.SpendableOutputs](a)
		require.NotEmpty(t, outs)
		require.Len(t, net.Chain.Mempool(), 1, "sweep A")
		net.Fees.Set(20_000)
		_, err = a.Wallet.Sweep(context.Background(), outs[len(outs)-1].Outputs, chain.TargetOutputSpending)
		require.NoError(t, err, "sweep C replaces A")
		net.Mine(1)
		require.Empty(t, net.Chain.Mempool())
		require.Zero(t, a.Wallet.Balance().Unconfirmed, "try %d: A is forgotten", i)
	}
}

// TestRegressionClaimSurvivesCrashAfterClose: b, whose monitor
// persistence is asynchronous, claims a's payment (the preimage's monitor
// update held); a force-closes with the HTLC in its commitment, b learns
// it and closes too, then crashes before the updates are written. After
// the restart b's monitor must still get the preimage and take the HTLC
// output: a's payment succeeds. a timed it out instead: b claimed and
// lost the payment (TestChannelConsistencySeeds-like seed 66: "payment
// … claimed by node 1 but failed at node 0"). Same root as
// TestRegressionForceCloseAcrossCrashWithHeldUpdates.
func TestRegressionClaimSurvivesCrashAfterClose(t *testing.T) {
	net, a, b, ch, id := heldPayment(t, 46, lnkittest.StaticRemoteKey, 50_000_000)
	pre, ok := b.Claimable()[0].Purpose.Preimage.Get()
	require.True(t, ok)
	b.AsyncMonitorUpdates = true
	net.Disconnect(a, b)
	require.NoError(t, net.Claim(b, pre))
	process(t, net, b)
	require.NoError(t, a.Channels.ForceCloseChannel(ch, b.ID(), "test"))
	process(t, net, a)
	net.Connect(a, b)
	net.DeliverAll()
	process(t, net, b)
	require.NotEmpty(t, b.HeldMonitorUpdates())
	net.Crash(b)
	b.AsyncMonitorUpdates = false
	net.Restart(b)
	net.Settle()
	for range 200 {
		net.Mine(1)
		net.Settle()
	}
	require.Equal(t, pre, requireSent(t, a, id).Preimage)
}
