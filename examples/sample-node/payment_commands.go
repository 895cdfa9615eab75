package main

import (
	"context"
	"crypto/sha256"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/btcsuite/btcd/chaincfg"

	"github.com/lnkit/lnkit/channel"
	"github.com/lnkit/lnkit/events"
	"github.com/lnkit/lnkit/invoice"
	"github.com/lnkit/lnkit/wire"
)

// getInvoice implements commander. The manager stamps the invoice with
// its time: it is given the time first.
func (n *node) getInvoice(amount wire.MilliSatoshi, expirySecs uint32, description string) (invoiceResult, error) {
	n.channels.TimerTick(time.Now())
	ci, err := n.channels.CreateInvoice(channel.InvoiceRequest{Amount: amount, Description: description, ExpirySecs: expirySecs})
	if err != nil {
		return invoiceResult{}, fmt.Errorf("getinvoice: %w", err)
	}
	n.log.Info("sample-node: invoice created", "payment_hash", ci.PaymentHash, "amount_msat", uint64(amount))
	return invoiceResult{
		Invoice: ci.Encoded, PaymentHash: ci.PaymentHash.String(), AmountMsat: uint64(amount),
		ExpirySecs: ci.Invoice.ExpirySeconds(),
	}, nil
}

// sendPayment implements commander: it pays the invoice over a channel
// with its payee, with the payment id invoicePaymentID (so that the same
// invoice is never paid twice).
func (n *node) sendPayment(_ context.Context, s string, amount wire.MilliSatoshi) (paymentResult, error) {
	inv, err := decodeInvoiceFor(s, n.cfg.Params, n.cfg.Network)
	if err != nil {
		return paymentResult{}, fmt.Errorf("sendpayment: %w", err)
	}
	if inv.Payee() == n.keys.NodeID() {
		return paymentResult{}, errors.New("sendpayment: the invoice is this node's own")
	}
	if amount == 0 {
		a, ok := inv.Amount()
		if !ok {
			return paymentResult{}, errors.New("sendpayment: the invoice has no amount: give one (" + sendPaymentUsage + ")")
		}
		amount = a
	}
	id := invoicePaymentID(s)
	// The invoice's expiry is checked at the manager's time.
	n.channels.TimerTick(time.Now())
	if err := n.channels.SendPayment(id, inv, amount); err != nil {
		return paymentResult{}, paymentError("sendpayment", id, err)
	}
	n.tcp.Notify()
	n.log.Info("sample-node: payment sent", "payment_id", id, "payment_hash", inv.PaymentHash(), "amount_msat", uint64(amount))
	return paymentResult{PaymentID: id.String(), PaymentHash: inv.PaymentHash().String(), AmountMsat: uint64(amount), Status: "pending"}, nil
}

// keysend implements commander: a spontaneous payment with a random id
// and preimage.
func (n *node) keysend(_ context.Context, payee wire.NodeID, amount wire.MilliSatoshi) (paymentResult, error) {
	if payee == n.keys.NodeID() {
		return paymentResult{}, errors.New("keysend: cannot pay ourselves")
	}
	id := events.PaymentID(n.entropy.GetSecureRandomBytes())
	preimage := wire.Preimage(n.entropy.GetSecureRandomBytes())
	hash, err := n.channels.SendSpontaneousPayment(id, payee, amount, preimage)
	if err != nil {
		return paymentResult{}, paymentError("keysend", id, err)
	}
	n.tcp.Notify()
	n.log.Info("sample-node: keysend sent", "payment_id", id, "payment_hash", hash, "amount_msat", uint64(amount))
	return paymentResult{PaymentID: id.String(), PaymentHash: hash.String(), AmountMsat: uint64(amount), Status: "pending"}, nil
}

// invoiceText is an invoice argument without its optional "lightning:"
// prefix, in lower case (BOLT 11 allows either case).
func invoiceText(s string) string {
	s = strings.ToLower(strings.TrimSpace(s))
	return strings.TrimPrefix(s, "lightning:")
}

// invoicePaymentID is sendpayment's payment id: the SHA-256 of the
// invoice string (invoiceText), so that sending the same invoice again is
// refused as a duplicate payment.
func invoicePaymentID(s string) events.PaymentID { return sha256.Sum256([]byte(invoiceText(s))) }

// decodeInvoiceFor decodes a BOLT 11 invoice and checks it is for the
// node's chain (params, called network).
func decodeInvoiceFor(s string, params *chaincfg.Params, network string) (*invoice.Invoice, error) {
	inv, err := invoice.Decode(invoiceText(s))
	if err != nil {
		return nil, fmt.Errorf("%w (want a BOLT 11 invoice, lnbcrt1... on regtest)", err)
	}
	if got := inv.Network(); got == nil || *got.GenesisHash != *params.GenesisHash {
		return nil, fmt.Errorf("the invoice is for another network (prefix %s), this node runs on %s: ask for a %s invoice",
			inv.HumanReadablePart(), network, network)
	}
	return inv, nil
}

// paymentError says what to do about a SendPayment or
// SendSpontaneousPayment error.
func paymentError(cmd string, id events.PaymentID, err error) error {
	switch {
	case errors.Is(err, channel.ErrDuplicatePayment):
		return fmt.Errorf("%s: duplicate payment %s: this invoice was already paid or tried (listpayments shows it); ask the payee for a new invoice", cmd, id)
	case errors.Is(err, channel.ErrNoRoute):
		return fmt.Errorf("%s: %w (payments go over a usable channel directly with the payee, with enough to send: listchannels shows the channels)", cmd, err)
	}
	return fmt.Errorf("%s: %w", cmd, err)
}

// listPayments implements commander: the manager's outbound payments,
// then the inbound payments the node recorded.
func (n *node) listPayments(ctx context.Context) (listPaymentsResult, error) {
	out := n.channels.ListPayments()
	in, err := n.nstore.inboundPayments(ctx)
	if err != nil {
		return listPaymentsResult{}, fmt.Errorf("listpayments: %w", err)
	}
	return paymentsResult(out, in), nil
}

// paymentsResult is listpayments' answer from the outbound and inbound
// payments.
func paymentsResult(out []channel.PaymentDetails, in []inboundPayment) listPaymentsResult {
	r := listPaymentsResult{Payments: make([]paymentEntry, 0, len(out)+len(in))}
	for _, p := range out {
		e := paymentEntry{
			PaymentID: p.ID.String(), PaymentHash: p.PaymentHash.String(), AmountMsat: uint64(p.Amount), FeeMsat: uint64(p.Fee),
			Status: p.Status.String(), Direction: directionOutbound, Keysend: p.Keysend,
		}
		if p.Status == channel.PaymentSucceeded && p.Preimage.Present {
			e.Preimage = p.Preimage.Value.Hex()
		}
		r.Payments = append(r.Payments, e)
	}
	for _, p := range in {
		e := paymentEntry{
			PaymentHash: p.hash.String(), AmountMsat: uint64(p.amount), Status: p.status.String(),
			Direction: directionInbound, Keysend: p.keysend,
		}
		if p.status == inboundClaimed && p.preimage.Present {
			e.Preimage = p.preimage.Value.Hex()
		}
		r.Payments = append(r.Payments, e)
	}
	return r
}
