package main

import (
	"fmt"
	"io"
)

// invoiceResult is the answer of getinvoice.
type invoiceResult struct {
	Invoice     string `json:"invoice"`
	PaymentHash string `json:"payment_hash"`
	// AmountMsat is the amount asked, 0 when the payer chooses.
	AmountMsat uint64 `json:"amount_msat"`
	ExpirySecs uint64 `json:"expiry_secs"`
}

func (r invoiceResult) writeText(w io.Writer) {
	amount := fmt.Sprintf("%d msat", r.AmountMsat)
	if r.AmountMsat == 0 {
		amount = "any amount"
	}
	fmt.Fprintf(w, "SUCCESS: invoice for %s, valid %d s\n", amount, r.ExpirySecs)
	fmt.Fprintf(w, "invoice:      %s\n", r.Invoice)
	fmt.Fprintf(w, "payment_hash: %s\n", r.PaymentHash)
}

// paymentResult is the answer of sendpayment and keysend: the payment's
// HTLC is handed to the channel; EVENT payment_sent or payment_failed
// says how it ended.
type paymentResult struct {
	PaymentID   string `json:"payment_id"`
	PaymentHash string `json:"payment_hash"`
	AmountMsat  uint64 `json:"amount_msat"`
	Status      string `json:"status"`
}

func (r paymentResult) writeText(w io.Writer) {
	fmt.Fprintf(w, "SUCCESS: payment %s of %d msat is %s (payment_hash %s); EVENT payment_sent or payment_failed follows\n",
		r.PaymentID, r.AmountMsat, r.Status, r.PaymentHash)
}

// Directions of listpayments.
const (
	directionOutbound = "outbound"
	directionInbound  = "inbound"
)

// paymentEntry is one payment of listpayments.
type paymentEntry struct {
	// PaymentID is an outbound payment's id (empty for inbound ones).
	PaymentID   string `json:"payment_id,omitempty"`
	PaymentHash string `json:"payment_hash"`
	AmountMsat  uint64 `json:"amount_msat"`
	FeeMsat     uint64 `json:"fee_msat"`
	// Status is pending, succeeded or failed (outbound); claimable or
	// claimed (inbound).
	Status    string `json:"status"`
	Direction string `json:"direction"`
	// Preimage is the proof of payment, once succeeded or claimed.
	Preimage string `json:"preimage,omitempty"`
	Keysend  bool   `json:"keysend"`
}

// listPaymentsResult is the answer of listpayments: outbound payments
// first (by payment id), then inbound ones (by payment hash).
type listPaymentsResult struct {
	Payments []paymentEntry `json:"payments"`
}

func (r listPaymentsResult) writeText(w io.Writer) {
	if len(r.Payments) == 0 {
		fmt.Fprintln(w, "no payments")
		return
	}
	for _, p := range r.Payments {
		kind := "invoice"
		if p.Keysend {
			kind = "keysend"
		}
		fmt.Fprintf(w, "%s %s %d msat (fee %d msat) %s, payment_hash %s\n", p.Direction, kind, p.AmountMsat, p.FeeMsat, p.Status, p.PaymentHash)
		if p.PaymentID != "" {
			fmt.Fprintf(w, "    payment_id: %s\n", p.PaymentID)
		}
		if p.Preimage != "" {
			fmt.Fprintf(w, "    preimage:   %s\n", p.Preimage)
		}
	}
}
