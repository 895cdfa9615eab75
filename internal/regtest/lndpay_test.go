package regtest_test

import (
	"crypto/sha256"
	"errors"
	"fmt"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/lnkit/lnkit/internal/regtest"
)

// payTimeout is the payment timeout of the test's single payments.
const payTimeout = 30 * time.Second

// TestLndPayments exercises the payment helpers between two lnd nodes on
// one channel: invoices with and without whole-satoshi amounts, a keysend,
// payments that fail (a canceled invoice, an amount below lnd's min_htlc,
// an invoice paid twice), balances to the millisatoshi, and 20 payments at
// concurrency 8.
func TestLndPayments(t *testing.T) {
	if testing.Short() {
		t.Skip("integration: starts btcd/lnd; run without -short")
	}
	start := time.Now()
	ctx := t.Context()
	btcd := regtest.StartBtcd(t, regtest.BtcdOptions{})
	btcd.ActivateSegwit(t)
	alice := regtest.StartLnd(t, btcd, regtest.LndOptions{Alias: "alice"})
	bob := regtest.StartLnd(t, btcd, regtest.LndOptions{Alias: "bob"})
	alice.Fund(t, 1_000_000)
	alice.OpenChannel(t, bob, 500_000)
	t.Logf("channel routable after %s", time.Since(start))

	before := balances(t, alice, bob)
	var paid uint64

	for i, amt := range []uint64{10_000_000, 1_234_567, 1_000} {
		bolt11, hash, err := bob.AddInvoice(ctx, amt, fmt.Sprintf("invoice %d", i), 3600)
		require.NoError(t, err)
		res, err := alice.PayInvoice(ctx, bolt11, payTimeout)
		require.NoError(t, err, "invoice of %d msat", amt)
		require.Equal(t, regtest.PaymentSucceeded, res.Status)
		require.Equal(t, "FAILURE_REASON_NONE", res.FailureReason)
		require.Equal(t, hash, res.Hash)
		require.Equal(t, hash, sha256.Sum256(res.Preimage[:]), "sha256(preimage) is the payment hash")
		require.Equal(t, amt, res.AmountMsat)
		require.Zero(t, res.FeeMsat, "direct channel")
		require.Equal(t, 1, res.Attempts)

		inv, err := bob.WaitInvoiceSettled(ctx, hash, payTimeout)
		require.NoError(t, err)
		require.Equal(t, regtest.InvoiceSettled, inv.State)
		require.Equal(t, amt, inv.ValueMsat)
		require.Equal(t, amt, inv.AmtPaidMsat)
		require.Equal(t, res.Preimage, inv.Preimage)
		require.Equal(t, fmt.Sprintf("invoice %d", i), inv.Memo)
		require.False(t, inv.IsKeysend)
		paid += amt
	}

	t.Run("keysend", func(t *testing.T) {
		res, err := alice.SendKeysend(ctx, bob.NodeID, 5_000_000, payTimeout)
		require.NoError(t, err)
		require.Equal(t, regtest.PaymentSucceeded, res.Status)
		require.Equal(t, res.Hash, sha256.Sum256(res.Preimage[:]))
		require.EqualValues(t, 5_000_000, res.AmountMsat)
		require.Zero(t, res.FeeMsat)
		inv, err := bob.WaitInvoiceSettled(ctx, res.Hash, payTimeout)
		require.NoError(t, err)
		require.True(t, inv.IsKeysend)
		require.EqualValues(t, 5_000_000, inv.AmtPaidMsat)
		require.Equal(t, res.Preimage, inv.Preimage)
		paid += 5_000_000

		_, err = alice.SendKeysend(ctx, bob.NodeID, 1500, payTimeout)
		require.ErrorContains(t, err, "whole number of satoshis")
	})

	t.Run("amountless invoice", func(t *testing.T) {
		bolt11, hash, err := bob.AddInvoice(ctx, 0, "amountless", 0)
		require.NoError(t, err)
		_, err = alice.PayInvoice(ctx, bolt11, payTimeout)
		require.ErrorContains(t, err, "amount must be specified")
		_, err = alice.PayInvoiceAmount(ctx, bolt11, 7_500, payTimeout)
		require.ErrorContains(t, err, "whole number of satoshis")
		res, err := alice.PayInvoiceAmount(ctx, bolt11, 7_000, payTimeout)
		require.NoError(t, err)
		require.Equal(t, hash, res.Hash)
		require.EqualValues(t, 7_000, res.AmountMsat)
		inv, err := bob.WaitInvoiceSettled(ctx, hash, payTimeout)
		require.NoError(t, err)
		require.Zero(t, inv.ValueMsat)
		require.EqualValues(t, 7_000, inv.AmtPaidMsat)
		paid += 7_000
	})

	t.Run("canceled invoice", func(t *testing.T) {
		bolt11, hash, err := bob.AddInvoice(ctx, 2_000_000, "canceled", 0)
		require.NoError(t, err)
		require.NoError(t, bob.CancelInvoice(ctx, hash))
		res, err := alice.PayInvoice(ctx, bolt11, payTimeout)
		var failed *regtest.PaymentFailedError
		require.ErrorAs(t, err, &failed)
		require.Equal(t, "FAILURE_REASON_INCORRECT_PAYMENT_DETAILS", failed.Reason)
		require.Equal(t, hash, failed.Hash)
		require.Equal(t, regtest.PaymentFailed, res.Status)
		require.Equal(t, failed.Reason, res.FailureReason)
		require.Equal(t, [32]byte{}, res.Preimage)

		inv, err := bob.LookupInvoice(ctx, hash)
		require.NoError(t, err)
		require.Equal(t, regtest.InvoiceCanceled, inv.State)
		require.Zero(t, inv.AmtPaidMsat)
		_, err = bob.WaitInvoiceSettled(ctx, hash, payTimeout)
		require.ErrorIs(t, err, regtest.ErrInvoiceCanceled)

		_, err = bob.LookupInvoice(ctx, sha256.Sum256([]byte("no such invoice")))
		require.ErrorIs(t, err, regtest.ErrInvoiceNotFound)
	})

	t.Run("below min_htlc", func(t *testing.T) {
		// lnd sends no HTLC below its --bitcoin.minhtlcout (default 1000
		// msat), whatever the peer accepts: it finds no route.
		bolt11, _, err := bob.AddInvoice(ctx, 999, "below min_htlc", 0)
		require.NoError(t, err)
		res, err := alice.PayInvoice(ctx, bolt11, payTimeout)
		var failed *regtest.PaymentFailedError
		require.ErrorAs(t, err, &failed)
		require.Equal(t, "FAILURE_REASON_NO_ROUTE", failed.Reason)
		require.Zero(t, res.Attempts)
	})

	t.Run("paid twice", func(t *testing.T) {
		bolt11, _, err := bob.AddInvoice(ctx, 3_000, "paid twice", 0)
		require.NoError(t, err)
		_, err = alice.PayInvoice(ctx, bolt11, payTimeout)
		require.NoError(t, err)
		paid += 3_000
		res, err := alice.PayInvoice(ctx, bolt11, payTimeout)
		require.Error(t, err)
		var failed *regtest.PaymentFailedError
		require.False(t, errors.As(err, &failed), "lnd refuses to start the payment: %v", err)
		require.Zero(t, res)
		t.Logf("second payment of a paid invoice: %v", err)
	})

	after := balances(t, alice, bob)
	checkDeltas(t, before, after, paid)
	t.Logf("single payments done after %s", time.Since(start))

	t.Run("concurrent", func(t *testing.T) {
		const n, concurrency = 20, 8
		before := balances(t, alice, bob)
		invoices := make([]string, n)
		hashes := make([][32]byte, n)
		var sum uint64
		for i := range invoices {
			amt := uint64(100_000 + i)
			var err error
			invoices[i], hashes[i], err = bob.AddInvoice(ctx, amt, fmt.Sprintf("concurrent %d", i), 0)
			require.NoError(t, err)
			sum += amt
		}
		began := time.Now()
		outcomes := alice.PayConcurrently(ctx, invoices, concurrency)
		elapsed := time.Since(began)
		var slowest time.Duration
		for i, o := range outcomes {
			require.NoError(t, o.Err, "payment %d", i)
			require.Equal(t, invoices[i], o.Invoice)
			require.Equal(t, hashes[i], o.Result.Hash)
			require.Equal(t, hashes[i], sha256.Sum256(o.Result.Preimage[:]))
			require.EqualValues(t, 100_000+i, o.Result.AmountMsat)
			slowest = max(slowest, o.Elapsed)
		}
		t.Logf("%d payments at concurrency %d in %s (%.1f/s), slowest %s", n, concurrency, elapsed,
			float64(n)/elapsed.Seconds(), slowest)
		for i, h := range hashes {
			inv, err := bob.WaitInvoiceSettled(ctx, h, payTimeout)
			require.NoError(t, err, "invoice %d", i)
			require.EqualValues(t, 100_000+i, inv.AmtPaidMsat)
		}
		checkDeltas(t, before, balances(t, alice, bob), sum)
		paid += sum
	})

	payments, err := alice.ListPayments(ctx)
	require.NoError(t, err)
	succeeded, failed := 0, 0
	var total uint64
	for _, p := range payments {
		switch p.Status {
		case regtest.PaymentSucceeded:
			succeeded++
			total += p.AmountMsat
		case regtest.PaymentFailed:
			failed++
		}
	}
	require.Equal(t, 3+1+1+1+20, succeeded, "alice's succeeded payments")
	require.Equal(t, 2, failed, "alice's failed payments")
	require.Equal(t, paid, total, "sum of alice's succeeded payments")
	for i := 1; i < len(payments); i++ {
		require.Less(t, payments[i-1].PaymentIndex, payments[i].PaymentIndex, "oldest first")
	}
	paged, err := alice.ListPaymentsPaged(ctx, 7)
	require.NoError(t, err)
	require.Equal(t, payments, paged, "pages of 7")
	t.Logf("done after %s", time.Since(start))
}

// chanBalances are both nodes' views of their one channel, millisatoshis.
type chanBalances struct {
	aliceLocal, aliceRemote, bobLocal, bobRemote uint64
	feePerKw                                     int64 // alice opened: she pays the fee
}

// balances waits until neither node has an HTLC in flight and returns
// their balances.
func balances(t *testing.T, alice, bob *regtest.Lnd) chanBalances {
	t.Helper()
	ctx := t.Context()
	require.NoError(t, alice.WaitHTLCsResolved(ctx, payTimeout))
	require.NoError(t, bob.WaitHTLCsResolved(ctx, payTimeout))
	var b chanBalances
	var err error
	b.aliceLocal, b.aliceRemote, err = alice.ChannelBalanceMsat(ctx)
	require.NoError(t, err)
	b.bobLocal, b.bobRemote, err = bob.ChannelBalanceMsat(ctx)
	require.NoError(t, err)
	chans, err := alice.ListChannelsDetail(ctx)
	require.NoError(t, err)
	require.Len(t, chans, 1)
	c := chans[0]
	require.True(t, c.Active)
	require.True(t, c.Initiator)
	require.Empty(t, c.PendingHTLCs)
	require.EqualValues(t, b.aliceLocal/1000, c.LocalBalance, "listchannels truncates to satoshis")
	b.feePerKw = c.FeePerKw
	return b
}

// checkDeltas checks that paid msat moved from alice to bob, to the
// millisatoshi, and that both nodes agree on the channel. The commitment's
// fee rate must not have changed: the fee and both anchors (330 sat each)
// are then a constant deduction from alice's balance. (lnd's commit_fee is
// not that constant: it is the capacity minus the commitment's outputs, so
// it grows by an anchor omitted while bob has no output and by the
// millisatoshis the outputs round away.)
func checkDeltas(t *testing.T, before, after chanBalances, paid uint64) {
	t.Helper()
	require.Equal(t, before.feePerKw, after.feePerKw, "alice changed the commitment fee rate")
	require.Equal(t, before.aliceLocal-paid, after.aliceLocal, "alice's local balance")
	require.Equal(t, before.bobLocal+paid, after.bobLocal, "bob's local balance")
	require.Equal(t, after.aliceLocal, after.bobRemote, "alice's balance, both views")
	require.Equal(t, after.bobLocal, after.aliceRemote, "bob's balance, both views")
	t.Logf("moved %d msat: alice %d -> %d msat, bob %d -> %d msat", paid, before.aliceLocal, after.aliceLocal, before.bobLocal, after.bobLocal)
}
