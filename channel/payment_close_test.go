package channel

import (
	"bytes"
	"errors"
	"log/slog"
	"testing"

	btcwire "github.com/btcsuite/btcd/wire"
	"github.com/stretchr/testify/require"

	"github.com/lnkit/lnkit/events"
	"github.com/lnkit/lnkit/wire"
)

// Closing with an HTLC in flight, expiry of an unclaimed HTLC, and onion
// replay, at the Manager level.

// paidTo returns what tx pays to script.
func paidTo(tx *btcwire.MsgTx, script []byte) int64 {
	var v int64
	for _, o := range tx.TxOut {
		if bytes.Equal(o.PkScript, script) {
			v += o.Value
		}
	}
	return v
}

// TestCloseWithHTLCInFlight: CloseChannel (by either side) while A's
// payment to B is committed: shutdown goes out both ways, no new HTLC is
// offered either way (SendPayment refused), no closing_signed leaves
// while the HTLC is pending; once B claims (or refuses) it, the
// negotiation runs and the closing transaction pays each side its balance
// to the satoshi.
func TestCloseWithHTLCInFlight(t *testing.T) {
	for _, tc := range []struct {
		name   string
		closer string
		claim  bool
	}{
		{"payer closes, claimed", "A", true},
		{"payee closes, claimed", "B", true},
		{"payer closes, refused", "A", false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			tp, ch := readyPair(t, 100_000_000)
			a0, b0 := balancesOf(t, tp.a, ch.id)
			inv, err := tp.b.m.CreateInvoice(InvoiceRequest{Amount: payAmount})
			require.NoError(t, err)
			require.NoError(t, tp.a.m.SendPayment(PaymentID{1}, inv.Invoice, 0))
			tp.deliver()
			c := eventsOf[*events.PaymentClaimable](t, tp.b)
			require.Len(t, c, 1)

			closer := tp.a
			if tc.closer == "B" {
				closer = tp.b
			}
			require.NoError(t, closer.m.CloseChannel(ch.id, tp.other(closer).id, CloseOptions{}))
			tp.deliver()
			require.Len(t, sentOf[*wire.Shutdown](tp, tp.a), 1)
			require.Len(t, sentOf[*wire.Shutdown](tp, tp.b), 1)
			require.Empty(t, sentOf[*wire.ClosingSigned](tp, tp.a), "closing_signed with an htlc pending")
			require.Empty(t, sentOf[*wire.ClosingSigned](tp, tp.b), "closing_signed with an htlc pending")

			// No new HTLC either way.
			inv2, err := tp.b.m.CreateInvoice(InvoiceRequest{Amount: 1_000_000})
			require.NoError(t, err)
			require.ErrorIs(t, tp.a.m.SendPayment(PaymentID{2}, inv2.Invoice, 0), ErrNoRoute)
			_, err = tp.b.m.SendSpontaneousPayment(PaymentID{3}, tp.a.id, 1_000_000, wire.Preimage{3})
			require.ErrorIs(t, err, ErrNoRoute)
			tp.deliver()
			require.Empty(t, sentOf[*wire.UpdateAddHTLC](tp, tp.b))
			require.Len(t, sentOf[*wire.UpdateAddHTLC](tp, tp.a), 1)

			moved := wire.MilliSatoshi(0)
			if tc.claim {
				pre, _ := c[0].Purpose.Preimage.Get()
				require.NoError(t, tp.b.m.ClaimFunds(pre))
				moved = payAmount
			} else {
				require.NoError(t, tp.b.m.FailHTLCBackwards(inv.PaymentHash))
			}
			tp.deliver()
			require.NotEmpty(t, sentOf[*wire.ClosingSigned](tp, tp.a))
			if tc.claim {
				require.Len(t, eventsOf[*events.PaymentSent](t, tp.a), 1)
			} else {
				require.Len(t, eventsOf[*events.PaymentFailed](t, tp.a), 1)
			}
			tx := closingTxOf(t, tp.a, ch.id)
			require.NotNil(t, tx)
			require.Equal(t, tx.TxHash(), closingTxOf(t, tp.b, ch.id).TxHash())
			var out int64
			for _, o := range tx.TxOut {
				out += o.Value
			}
			fee := int64(1_000_000) - out
			require.Positive(t, fee)
			require.Equal(t, int64((b0+moved)/1000), paidTo(tx, p2wpkh(2)), "B's output")
			require.Equal(t, int64((a0-moved)/1000)-fee, paidTo(tx, p2wpkh(1)), "A's output, less the fee")
			tp.mine(1)
			require.False(t, tp.a.hasChannel(ch.id))
			require.False(t, tp.b.hasChannel(ch.id))
		})
	}
}

// TestUnclaimedHTLCFailedBackBeforeExpiry: B never claims A's payment; B
// fails it back HTLCFailBackBuffer blocks before its cltv_expiry (not one
// block earlier); A gets PaymentFailed; the channel stays, nothing is
// broadcast.
func TestUnclaimedHTLCFailedBackBeforeExpiry(t *testing.T) {
	tp, ch := readyPair(t, 0)
	a0, b0 := balancesOf(t, tp.a, ch.id)
	inv, err := tp.b.m.CreateInvoice(InvoiceRequest{Amount: payAmount})
	require.NoError(t, err)
	require.NoError(t, tp.a.m.SendPayment(PaymentID{1}, inv.Invoice, 0))
	tp.deliver()
	require.Len(t, eventsOf[*events.PaymentClaimable](t, tp.b), 1)
	htlcs := tp.b.data(t, ch.id).cc.holder.HTLCs
	require.Len(t, htlcs, 1)
	expiry := int32(htlcs[0].CLTVExpiry)
	deadline := expiry - HTLCFailBackBuffer
	h := tp.chain.Tip().Height
	require.Greater(t, deadline, h+1)

	tp.mine(int(deadline - 1 - h))
	require.Empty(t, sentOf[*wire.UpdateFailHTLC](tp, tp.b), "failed back before the deadline")
	require.Empty(t, eventsOf[*events.PaymentFailed](t, tp.a))
	tp.mine(1)
	require.Len(t, sentOf[*wire.UpdateFailHTLC](tp, tp.b), 1)
	failed := eventsOf[*events.PaymentFailed](t, tp.a)
	require.Len(t, failed, 1)
	require.Empty(t, closedOf(t, tp.a, ch.id))
	require.Empty(t, closedOf(t, tp.b, ch.id))
	require.True(t, tp.a.details(t, ch.id).Usable)
	a1, b1 := balancesOf(t, tp.a, ch.id)
	require.Equal(t, a0, a1)
	require.Equal(t, b0, b1)
	require.Empty(t, tp.b.data(t, ch.id).cc.holder.HTLCs)
	require.Len(t, tp.a.bcast.broadcasts(), 1, "the funding only")
	// A claim after the fail-back finds nothing.
	pre, _ := inv.Preimage.Get()
	require.ErrorIs(t, tp.b.m.ClaimFunds(pre), ErrUnknownPayment)
}

// TestReplayedOnionFailed: a new HTLC carrying the onion of an HTLC B
// already accepted (same payment hash, amount and expiry, so that the
// commitments agree) is failed back with temporary_node_failure; the
// channel stays. (A revoke_and_ack processed again after a crash is not a
// replay: TestPaymentCrashAtEveryWrite crashes B at each write of its
// revoke_and_ack handling and the payment still succeeds.)
func TestReplayedOnionFailed(t *testing.T) {
	tp, ch := readyPair(t, 0)
	var first *wire.UpdateAddHTLC
	tp.tamper = func(from *testNode, msg wire.Message) wire.Message {
		if m, ok := msg.(*wire.UpdateAddHTLC); ok && from == tp.a {
			if first == nil {
				c := *m
				first = &c
			} else {
				m.OnionPacket = first.OnionPacket
			}
		}
		return msg
	}
	pre := wire.Preimage{42}
	_, err := tp.a.m.SendSpontaneousPayment(PaymentID{1}, tp.b.id, payAmount, pre)
	require.NoError(t, err)
	tp.deliver()
	require.Len(t, eventsOf[*events.PaymentClaimable](t, tp.b), 1)
	require.NoError(t, tp.b.m.ClaimFunds(pre))
	tp.deliver()
	require.Len(t, eventsOf[*events.PaymentSent](t, tp.a), 1)
	a0, b0 := balancesOf(t, tp.a, ch.id)

	var log bytes.Buffer
	tp.b.m.cfg.Logger = slog.New(slog.NewTextHandler(&log, nil))
	_, err = tp.a.m.SendSpontaneousPayment(PaymentID{2}, tp.b.id, payAmount, pre)
	require.NoError(t, err)
	tp.deliver()
	adds := sentOf[*wire.UpdateAddHTLC](tp, tp.a)
	require.Len(t, adds, 2)
	require.Equal(t, first.PaymentHash, adds[1].PaymentHash)
	require.Equal(t, first.CLTVExpiry, adds[1].CLTVExpiry, "same expiry (no block mined)")
	require.Len(t, eventsOf[*events.PaymentClaimable](t, tp.b), 1, "the replay is not claimable")
	// B failed it as a replay (temporary_node_failure, encrypted with the
	// replayed onion's secret: A, whose session key is another, cannot
	// read it, and the payment fails).
	require.Contains(t, log.String(), "replayed onion")
	fails := sentOf[*wire.UpdateFailHTLC](tp, tp.b)
	require.Len(t, fails, 1)
	require.Equal(t, adds[1].ID, fails[0].ID)
	require.Len(t, eventsOf[*events.PaymentFailed](t, tp.a), 1)
	require.Empty(t, closedOf(t, tp.a, ch.id))
	require.Empty(t, closedOf(t, tp.b, ch.id))
	a1, b1 := balancesOf(t, tp.a, ch.id)
	require.Equal(t, a0, a1)
	require.Equal(t, b0, b1)
}

// TestClaimFundsReportsPersistenceFailure: when B's store refuses the
// write that makes the preimage durable, ClaimFunds says so
// (ErrPersistence) instead of returning nil: the application must not
// take the payment for claimed (it was not: no update_fulfill_htlc left).
func TestClaimFundsReportsPersistenceFailure(t *testing.T) {
	tp, _ := readyPair(t, 0)
	inv, err := tp.b.m.CreateInvoice(InvoiceRequest{Amount: payAmount})
	require.NoError(t, err)
	require.NoError(t, tp.a.m.SendPayment(PaymentID{1}, inv.Invoice, 0))
	tp.deliver()
	c := eventsOf[*events.PaymentClaimable](t, tp.b)
	require.Len(t, c, 1)
	pre, _ := c[0].Purpose.Preimage.Get()
	tp.b.store.FailWrites(errors.New("disk full"))
	require.ErrorIs(t, tp.b.m.ClaimFunds(pre), ErrPersistence)
	tp.b.store.FailWrites(nil)
	tp.deliver()
	require.Empty(t, sentOf[*wire.UpdateFulfillHTLC](tp, tp.b))
	require.Empty(t, eventsOf[*events.PaymentSent](t, tp.a))
}

// TestStoreFailureDuringPaymentKeepsChannel: B's store refuses the write
// of the commitment A's commitment_signed brings (a full disk, for a
// moment). CHANNELS.md and Manager.check say a persistence failure is not
// the peer's fault and must not cost the channel: the connection is
// dropped and the reestablishment goes on from what is durable
// (updateMonitor reloads the channel from its last record).
func TestStoreFailureDuringPaymentKeepsChannel(t *testing.T) {
	tp, ch := readyPair(t, 0)
	inv, err := tp.b.m.CreateInvoice(InvoiceRequest{Amount: payAmount})
	require.NoError(t, err)
	require.NoError(t, tp.a.m.SendPayment(PaymentID{1}, inv.Invoice, 0))
	tp.tamper = func(from *testNode, msg wire.Message) wire.Message {
		if _, ok := msg.(*wire.CommitmentSigned); ok && from == tp.a {
			tp.b.store.FailWrites(errors.New("disk full"))
		}
		return msg
	}
	tp.deliver()
	tp.tamper = nil
	tp.b.store.FailWrites(nil)
	tp.reconnect()
	require.Len(t, tp.b.bcast.broadcasts(), 0, "B broadcast its commitment")
	require.Empty(t, closedOf(t, tp.a, ch.id))
	require.Empty(t, closedOf(t, tp.b, ch.id))
	c := eventsOf[*events.PaymentClaimable](t, tp.b)
	require.Len(t, c, 1)
	pre, _ := c[0].Purpose.Preimage.Get()
	require.NoError(t, tp.b.m.ClaimFunds(pre))
	tp.deliver()
	require.Len(t, eventsOf[*events.PaymentSent](t, tp.a), 1)
}
