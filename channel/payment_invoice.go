package channel

import (
	"errors"
	"fmt"

	"github.com/btcsuite/btcd/chaincfg"
	"github.com/btcsuite/btcd/chaincfg/chainhash"

	"github.com/lnkit/lnkit/channel/internal/inbound"
	"github.com/lnkit/lnkit/invoice"
	"github.com/lnkit/lnkit/wire"
)

// DefaultInvoiceMinFinalCLTVExpiryDelta is the min_final_cltv_expiry_delta
// of our invoices: above HTLCFailBackBuffer, so that a payment that
// arrives with the least expiry allowed still leaves blocks to claim it.
const DefaultInvoiceMinFinalCLTVExpiryDelta = HTLCFailBackBuffer + 3

// Route hint defaults for our private channels: the peer's forwarding
// policy toward us is not known to the Manager, so the hint carries
// common defaults (a payer that pays too little learns the real policy
// from the peer's fee_insufficient failure).
const (
	DefaultHintFeeBaseMsat            = 1000
	DefaultHintFeeProportional        = 1
	DefaultHintCLTVExpiryDelta        = 80
	DefaultInvoiceExpirySecs   uint32 = 3600
)

// InvoiceRequest describes an invoice to create (CreateInvoice).
type InvoiceRequest struct {
	// Amount is the amount asked; zero lets the payer choose.
	Amount wire.MilliSatoshi
	// Description is the invoice's description; DescriptionHash, when
	// set, is written instead.
	Description     string
	DescriptionHash *[32]byte
	// ExpirySecs is how long the invoice may be paid. Default (zero):
	// DefaultInvoiceExpirySecs.
	ExpirySecs uint32
	// MinFinalCLTVExpiryDelta is the least blocks the payment's HTLC must
	// have left when it reaches us. Default (zero):
	// DefaultInvoiceMinFinalCLTVExpiryDelta, which is also the least
	// allowed (a payment must leave blocks to claim it).
	MinFinalCLTVExpiryDelta uint16
	// PaymentHash, when set, is the hash of a preimage the application
	// holds (it claims with ClaimFunds); otherwise the Manager derives the
	// preimage from its inbound payment key and the payment secret, and
	// PaymentClaimable carries it.
	PaymentHash *wire.PaymentHash
}

// CreatedInvoice is an invoice CreateInvoice made.
type CreatedInvoice struct {
	// Encoded is the BOLT 11 string.
	Encoded string
	// Invoice is its decoded form.
	Invoice *invoice.Invoice
	// PaymentHash and PaymentSecret are the invoice's.
	PaymentHash   wire.PaymentHash
	PaymentSecret wire.PaymentSecret
	// Preimage is the derived preimage (absent when the application gave
	// the hash). A secret until paid.
	Preimage wire.Option[wire.Preimage]
}

// CreateInvoice makes a signed BOLT 11 invoice for a payment to us: its
// payment secret encodes the invoice's terms (checked when the payment
// arrives; nothing is stored), route hints name our private channels, and
// its timestamp is the Manager's time (TimerTick).
func (m *Manager) CreateInvoice(r InvoiceRequest) (*CreatedInvoice, error) {
	now := m.unixNow()
	if now == 0 {
		return nil, errors.New("channel: no time yet: call TimerTick first")
	}
	net, err := networkOf(m.cfg.ChainHash)
	if err != nil {
		return nil, err
	}
	delta := r.MinFinalCLTVExpiryDelta
	switch {
	case delta == 0:
		delta = DefaultInvoiceMinFinalCLTVExpiryDelta
	case delta < DefaultInvoiceMinFinalCLTVExpiryDelta:
		return nil, fmt.Errorf("channel: min_final_cltv_expiry_delta %d is below %d", delta, DefaultInvoiceMinFinalCLTVExpiryDelta)
	}
	expiry := r.ExpirySecs
	if expiry == 0 {
		expiry = DefaultInvoiceExpirySecs
	}
	p := inbound.InvoiceParams{
		Network: net, Description: r.Description, DescriptionHash: r.DescriptionHash, ExpirySecs: expiry,
		MinFinalCLTVExpiryDelta: delta, Timestamp: now, RouteHints: m.routeHints(), MPP: true,
	}
	if r.Amount != 0 {
		p.Amount = wire.Some(r.Amount)
	}
	out := &CreatedInvoice{}
	if r.PaymentHash != nil {
		p.PaymentHash = *r.PaymentHash
		if p.PaymentSecret, err = m.inbound.CreateForHash(p.PaymentHash, p.PaymentParams()); err != nil {
			return nil, fmt.Errorf("channel: invoice: %w", err)
		}
	} else {
		var iv [16]byte
		rnd := m.cfg.Entropy.GetSecureRandomBytes()
		copy(iv[:], rnd[:])
		var pre wire.Preimage
		if p.PaymentHash, p.PaymentSecret, pre, err = m.inbound.Create(p.PaymentParams(), iv); err != nil {
			return nil, fmt.Errorf("channel: invoice: %w", err)
		}
		out.Preimage = wire.Some(pre)
	}
	s, inv, err := inbound.NewInvoice(p, m.cfg.Node)
	if err != nil {
		return nil, fmt.Errorf("channel: invoice: %w", err)
	}
	out.Encoded, out.Invoice, out.PaymentHash, out.PaymentSecret = s, inv, p.PaymentHash, p.PaymentSecret
	return out, nil
}

// routeHints are the hints of our usable private channels: a payer
// reaches us through the peer.
func (m *Manager) routeHints() []invoice.RouteHint {
	var hints []invoice.RouteHint
	for _, p := range m.allPeers() {
		p.mu.Lock()
		for _, e := range p.entries {
			d := e.data()
			if d == nil || d.announce || !d.fund.readyReceived {
				continue
			}
			scid := d.fund.theirAlias
			if scid == (wire.ShortChannelID{}) {
				scid = d.fund.scid
			}
			if scid == (wire.ShortChannelID{}) {
				continue
			}
			hints = append(hints, invoice.RouteHint{{
				NodeID: p.id, ShortChannelID: scid, FeeBaseMsat: DefaultHintFeeBaseMsat,
				FeeProportionalMillionths: DefaultHintFeeProportional, CLTVExpiryDelta: DefaultHintCLTVExpiryDelta,
			}})
		}
		p.mu.Unlock()
	}
	return hints
}

// networkOf is the chain of genesis hash h.
func networkOf(h chainhash.Hash) (*chaincfg.Params, error) {
	for _, n := range []*chaincfg.Params{&chaincfg.MainNetParams, &chaincfg.TestNet3Params, &chaincfg.RegressionNetParams,
		&chaincfg.SigNetParams, &chaincfg.SimNetParams} {
		if *n.GenesisHash == h {
			return n, nil
		}
	}
	return nil, fmt.Errorf("channel: no invoice prefix for chain %v", h)
}
