package inbound

import (
	"time"

	"github.com/btcsuite/btcd/chaincfg"

	"github.com/lnkit/lnkit/internal/configerr"
	"github.com/lnkit/lnkit/invoice"
	"github.com/lnkit/lnkit/wire"
)

// Defaults of InvoiceParams.
const (
	// DefaultExpirySecs is the default InvoiceParams.ExpirySecs: one hour,
	// BOLT 11's default when an invoice has no x field.
	DefaultExpirySecs uint32 = 3600
	// DefaultMinFinalCLTVExpiryDelta is the default
	// InvoiceParams.MinFinalCLTVExpiryDelta: 18 blocks, BOLT 11's default
	// when an invoice has no c field (and LDK's minimum).
	DefaultMinFinalCLTVExpiryDelta uint16 = 18
)

// InvoiceParams describe the BOLT 11 invoice of a payment made with
// Keys.Create or Keys.CreateForHash. Build the payment's Params with
// PaymentParams, so that the secret and the invoice agree.
type InvoiceParams struct {
	// Network is the chain the invoice is for (its prefix: lnbc, lntb,
	// lnbcrt, lntbs). Required.
	Network *chaincfg.Params
	// Amount is the amount requested; absent lets the payer choose. A
	// present amount must be positive.
	Amount wire.Option[wire.MilliSatoshi]
	// Description is the description (d). Ignored when DescriptionHash is
	// set.
	Description string
	// DescriptionHash, if set, is written (h) instead of a description.
	DescriptionHash *[32]byte
	// ExpirySecs is the expiry (x) in seconds after Timestamp. Default
	// (zero): DefaultExpirySecs.
	ExpirySecs uint32
	// MinFinalCLTVExpiryDelta is the min_final_cltv_expiry_delta (c).
	// Default (zero): DefaultMinFinalCLTVExpiryDelta.
	MinFinalCLTVExpiryDelta uint16
	// Timestamp is the invoice's creation time in unix seconds. Required
	// (positive, below 2^35).
	Timestamp uint64
	// PaymentHash is the payment hash (p).
	PaymentHash wire.PaymentHash
	// PaymentSecret is the payment secret (s).
	PaymentSecret wire.PaymentSecret
	// RouteHints are private routes (r) to this node.
	RouteHints []invoice.RouteHint
	// Metadata, if not nil, is the payment metadata (m) the payer must echo;
	// the invoice then requires option_payment_metadata.
	Metadata []byte
	// MPP sets the basic_mpp feature (optional bit 17): the payer may split
	// the payment.
	MPP bool
}

// maxInvoiceTimestamp is the largest timestamp BOLT 11's 35 bits hold.
const maxInvoiceTimestamp = 1<<35 - 1

// withDefaults returns p with the defaults applied.
func (p InvoiceParams) withDefaults() InvoiceParams {
	if p.ExpirySecs == 0 {
		p.ExpirySecs = DefaultExpirySecs
	}
	if p.MinFinalCLTVExpiryDelta == 0 {
		p.MinFinalCLTVExpiryDelta = DefaultMinFinalCLTVExpiryDelta
	}
	return p
}

// PaymentParams returns the Params of the invoice p describes (defaults
// applied): its amount, its absolute expiry (Timestamp + ExpirySecs) and
// its min_final_cltv_expiry_delta.
func (p InvoiceParams) PaymentParams() Params {
	p = p.withDefaults()
	return Params{
		Amount:                  p.Amount,
		Expiry:                  p.Timestamp + uint64(p.ExpirySecs),
		MinFinalCLTVExpiryDelta: p.MinFinalCLTVExpiryDelta,
	}
}

// validate checks p; every error is a *ConfigError.
func (p InvoiceParams) validate() error {
	field := func(name, reason string) error { return configerr.New("inbound", name, reason) }
	switch {
	case p.Network == nil:
		return field("Network", "required")
	case p.Amount.Present && p.Amount.Value == 0:
		return field("Amount", "zero (leave it absent for an open amount)")
	case p.Amount.Present && p.Amount.Value > MaxAmount:
		return field("Amount", "above MaxAmount")
	case p.Timestamp == 0 || p.Timestamp > maxInvoiceTimestamp:
		return field("Timestamp", "must be between 1 and 2^35-1 unix seconds")
	case p.PaymentSecret == wire.PaymentSecret{}:
		return field("PaymentSecret", "required")
	}
	return nil
}

// NewInvoice writes the BOLT 11 invoice p describes, signed by signer (the
// node's keys.Manager), and returns it in bech32 and decoded. Its features
// are var_onion_optin and payment_secret (required), basic_mpp (optional)
// if p.MPP, and option_payment_metadata (required) with Metadata. Invalid
// params fail with a *ConfigError (errors.Is ErrInvalidConfig); the
// Builder's and signer's errors are returned as they are.
func NewInvoice(p InvoiceParams, signer invoice.Signer) (string, *invoice.Invoice, error) {
	if err := p.validate(); err != nil {
		return "", nil, err
	}
	p = p.withDefaults()
	b := invoice.NewBuilder(p.Network, time.Unix(int64(p.Timestamp), 0)).
		PaymentHash(p.PaymentHash).
		PaymentSecret(p.PaymentSecret)
	if p.DescriptionHash != nil {
		b.DescriptionHash(*p.DescriptionHash)
	} else {
		b.Description(p.Description)
	}
	if amt, ok := p.Amount.Get(); ok {
		b.Amount(amt)
	}
	b.Expiry(time.Duration(p.ExpirySecs) * time.Second).
		MinFinalCLTVExpiryDelta(uint64(p.MinFinalCLTVExpiryDelta))
	for _, hint := range p.RouteHints {
		b.RouteHint(hint...)
	}
	features := wire.NewFeatureVector(wire.VarOnionOptinRequired, wire.PaymentSecretRequired)
	if p.Metadata != nil {
		b.Metadata(p.Metadata)
		features.Set(wire.PaymentMetadataRequired)
	}
	if p.MPP {
		features.Set(wire.BasicMPPOptional)
	}
	b.Features(features)
	inv, err := b.Build(signer)
	if err != nil {
		return "", nil, err
	}
	return inv.String(), inv, nil
}
