package main

import (
	"context"
	"errors"

	"github.com/lnkit/lnkit/channel"
	"github.com/lnkit/lnkit/events"
	"github.com/lnkit/lnkit/wire"
)

// onPaymentClaimable claims a payment whose preimage the node knows (an
// invoice of getinvoice, or a keysend) and fails back any other. A
// claimed payment is recorded first as claimable, so that listpayments
// shows it even if the node stops before PaymentClaimed. In hold mode
// (holdinvoices on) the payment is recorded and its preimage kept, but it
// is claimed only by the claim command.
func (n *node) onPaymentClaimable(ctx context.Context, e *events.PaymentClaimable) error {
	n.notice("payment_claimable payment_hash=%s amount_msat=%d", e.PaymentHash, uint64(e.Amount))
	if !e.Purpose.Preimage.Present {
		err := n.channels.FailHTLCBackwards(e.PaymentHash)
		n.log.Info("sample-node: payment failed back: no preimage for it", "payment_hash", e.PaymentHash, "err", err)
		return nil
	}
	old, found, err := n.nstore.inbound(ctx, e.PaymentHash)
	if err != nil {
		return err
	}
	if !found || old.status != inboundClaimed {
		rec := inboundPayment{hash: e.PaymentHash, status: inboundClaimable, amount: e.Amount,
			keysend: e.Purpose.Kind == events.PurposeSpontaneous}
		if err := n.nstore.saveInbound(ctx, rec); err != nil {
			return err
		}
	}
	if n.held.hold(e.Purpose.Preimage.Value) {
		n.log.Info("sample-node: claimable payment held", "payment_hash", e.PaymentHash)
		return nil
	}
	switch err := n.channels.ClaimFunds(e.Purpose.Preimage.Value); {
	case errors.Is(err, channel.ErrUnknownPayment):
		// Delivered again after a restart: the HTLCs are resolved.
		n.log.Info("sample-node: claimable payment already resolved", "payment_hash", e.PaymentHash)
	case err != nil:
		// Not retried: the manager failed the channel, whose monitor
		// claims the HTLC on chain with the preimage it was given.
		n.log.Warn("sample-node: claiming a payment", "payment_hash", e.PaymentHash, "err", err)
	}
	return nil
}

// onPaymentClaimed records the payment as claimed, with its preimage. A
// keysend is known from its PaymentClaimable too: the manager's
// PaymentClaimed says "invoice" for every payment so far.
func (n *node) onPaymentClaimed(ctx context.Context, e *events.PaymentClaimed) error {
	old, _, err := n.nstore.inbound(ctx, e.PaymentHash)
	if err != nil {
		return err
	}
	rec := inboundPayment{hash: e.PaymentHash, status: inboundClaimed, amount: e.Amount,
		keysend: old.keysend || e.Purpose.Kind == events.PurposeSpontaneous, preimage: e.Purpose.Preimage}
	if rec.preimage.Present && rec.preimage.Value.Hash() != e.PaymentHash {
		rec.preimage.Present = false
	}
	if err := n.nstore.saveInbound(ctx, rec); err != nil {
		return err
	}
	n.notice("payment_claimed payment_hash=%s amount_msat=%d", e.PaymentHash, uint64(e.Amount))
	return nil
}

// onPaymentSent reports an outbound payment's success.
func (n *node) onPaymentSent(e *events.PaymentSent) {
	n.notice("payment_sent payment_id=%s payment_hash=%s preimage=%s fee_msat=%d amount_msat=%d",
		e.PaymentID, e.PaymentHash, e.Preimage.Hex(), uint64(e.FeePaid), uint64(e.Amount))
}

// onPaymentFailed reports an outbound payment's failure: the failure
// code and erring node of its last attempt (0 and empty when unknown).
func (n *node) onPaymentFailed(e *events.PaymentFailed) {
	code, erring := uint16(0), ""
	if e.Failure.Present {
		code = e.Failure.Value.Code
		if id := e.Failure.Value.ErringNode; id != (wire.NodeID{}) {
			erring = id.String()
		}
	}
	n.notice("payment_failed payment_id=%s payment_hash=%s reason=%s failure_code=%d erring_node=%s",
		e.PaymentID, e.PaymentHash, e.Reason, code, erring)
}

// onPaymentPathFailed reports one failed attempt of a payment over the
// network: the failing channel and the node that reported the failure
// (empty when unknown), its code, and whether the payment goes on over
// another path.
func (n *node) onPaymentPathFailed(e *events.PaymentPathFailed) {
	erring := ""
	if id := e.Failure.ErringNode; id != (wire.NodeID{}) {
		erring = id.String()
	}
	n.notice("payment_path_failed payment_id=%s payment_hash=%s short_channel_id=%s erring_node=%s failure_code=%d permanent=%t retryable=%t hops=%d",
		e.PaymentID, e.PaymentHash, e.ShortChannelID, erring, e.Failure.Code, e.PaymentFailedPermanently, e.Retryable, len(e.Path))
}
