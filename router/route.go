package router

import (
	"fmt"

	"github.com/lnkit/lnkit/router/onion"
	"github.com/lnkit/lnkit/wire"
)

// Hop is one hop of a Route after the payer: the node that receives an
// HTLC over ShortChannelID, and what its onion payload tells it.
type Hop struct {
	// NodeID is the node receiving the HTLC.
	NodeID wire.NodeID
	// ShortChannelID is the channel the HTLC reaches NodeID over (from the
	// previous hop, or from the payer for the first hop).
	ShortChannelID wire.ShortChannelID
	// AmountToForward is the amt_to_forward of NodeID's payload: the
	// amount it sends over the next hop's channel, or, for the final hop,
	// the amount it receives.
	AmountToForward wire.MilliSatoshi
	// OutgoingCLTV is the outgoing_cltv_value of NodeID's payload: the
	// absolute expiry of the HTLC it sends on, or, for the final hop, the
	// expiry of the HTLC it receives.
	OutgoingCLTV uint32
	// Fee is what NodeID charges to forward (zero for the final hop): the
	// amount it receives minus AmountToForward.
	Fee wire.MilliSatoshi
	// CLTVExpiryDelta is NodeID's cltv_expiry_delta for the forward (zero
	// for the final hop).
	CLTVExpiryDelta uint16
	// Capacity is what the search took as the most the channel can carry
	// in this direction (the capacity, htlc_maximum_msat, or the payer's
	// balance for a first hop); CapacityKind says which. The scorer learns
	// against it.
	Capacity     wire.MilliSatoshi
	CapacityKind CapacityKind
}

// Route is a path from the payer to the payee with the amounts and
// expiries of every HTLC.
type Route struct {
	// Payer is the sending node.
	Payer wire.NodeID
	// Hops are the nodes after the payer; the last is the payee.
	Hops []Hop
	// TotalAmount is what the payer sends in the first HTLC: the amount
	// delivered plus every fee.
	TotalAmount wire.MilliSatoshi
	// TotalFee is TotalAmount minus the amount delivered.
	TotalFee wire.MilliSatoshi
	// TotalCLTV is the absolute expiry of the first HTLC.
	TotalCLTV uint32
}

// Amount returns the amount delivered to the payee.
func (r *Route) Amount() wire.MilliSatoshi {
	if len(r.Hops) == 0 {
		return 0
	}
	return r.Hops[len(r.Hops)-1].AmountToForward
}

// Payee returns the last hop's node.
func (r *Route) Payee() wire.NodeID {
	if len(r.Hops) == 0 {
		return wire.NodeID{}
	}
	return r.Hops[len(r.Hops)-1].NodeID
}

// AmountIn returns the amount of the HTLC reaching hop i.
func (r *Route) AmountIn(i int) wire.MilliSatoshi {
	if i == 0 {
		return r.TotalAmount
	}
	return r.Hops[i-1].AmountToForward
}

// Source returns the node sending the HTLC to hop i (the payer for i = 0).
func (r *Route) Source(i int) wire.NodeID {
	if i == 0 {
		return r.Payer
	}
	return r.Hops[i-1].NodeID
}

// FinalPayload is what the payee's onion payload carries besides the
// amount and expiry.
type FinalPayload struct {
	// PaymentSecret is the invoice's payment_secret (required by BOLT 11
	// invoices today).
	PaymentSecret wire.PaymentSecret
	// TotalMsat is the total of every part of the payment (the route's
	// amount for a single-part payment; zero means that).
	TotalMsat wire.MilliSatoshi
	// Metadata is the invoice's payment_metadata, if any.
	Metadata []byte
}

// Payloads returns the hop payloads of the route, one per hop, as BOLT 4
// says: amt_to_forward, outgoing_cltv_value and, for every hop but the
// last, the short_channel_id of the next channel; the last carries
// payment_data (and payment_metadata).
func (r *Route) Payloads(final FinalPayload) []onion.HopPayload {
	out := make([]onion.HopPayload, len(r.Hops))
	for i, h := range r.Hops {
		p := &out[i]
		p.AmountToForward = wire.Some(h.AmountToForward)
		p.OutgoingCLTV = wire.Some(h.OutgoingCLTV)
		if i+1 < len(r.Hops) {
			p.ShortChannelID = wire.Some(r.Hops[i+1].ShortChannelID)
			continue
		}
		total := final.TotalMsat
		if total == 0 {
			total = h.AmountToForward
		}
		p.PaymentData = wire.Some(onion.PaymentData{PaymentSecret: final.PaymentSecret, TotalMsat: total})
		if final.Metadata != nil {
			p.PaymentMetadata = wire.Some(final.Metadata)
		}
	}
	return out
}

// OnionHops returns the route as onion.NewPacket's input: each hop's key
// and encoded payload.
func (r *Route) OnionHops(final FinalPayload) ([]onion.Hop, error) {
	payloads := r.Payloads(final)
	out := make([]onion.Hop, len(r.Hops))
	for i := range r.Hops {
		pub, err := r.Hops[i].NodeID.PublicKey()
		if err != nil {
			return nil, fmt.Errorf("router: hop %d key: %w", i, err)
		}
		b, err := payloads[i].Encode(nil)
		if err != nil {
			return nil, fmt.Errorf("router: hop %d payload: %w", i, err)
		}
		out[i] = onion.Hop{PubKey: pub, Payload: b}
	}
	return out, nil
}
