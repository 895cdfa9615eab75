package router

import (
	"github.com/lnkit/lnkit/invoice"
	"github.com/lnkit/lnkit/wire"
)

// FirstHop is one of the payer's own channels, as the channel manager
// knows it now. When Request.FirstHops is set, the search uses these
// instead of the payer's channels in the graph.
type FirstHop struct {
	// ShortChannelID (or the alias the peer knows the channel by).
	ShortChannelID wire.ShortChannelID
	// Peer is the node at the other end.
	Peer wire.NodeID
	// OutboundMsat is the largest HTLC the channel can send now (the
	// balance less reserve, commitment fees and HTLCs in flight).
	OutboundMsat wire.MilliSatoshi
	// HTLCMinimumMsat is the peer's htlc_minimum_msat.
	HTLCMinimumMsat wire.MilliSatoshi
}

// Request asks for a route from Payer to Payee delivering Amount.
type Request struct {
	// Payer and Payee are the ends of the route.
	Payer, Payee wire.NodeID
	// Amount to deliver to the payee (for FindRoutes, the total of every
	// part).
	Amount wire.MilliSatoshi
	// CurrentHeight is the chain height: expiries are absolute.
	CurrentHeight uint32
	// FinalCLTVDelta is the payee's min_final_cltv_expiry_delta (zero
	// means DefaultFinalCLTVDelta).
	FinalCLTVDelta uint16
	// MaxTotalCLTV bounds the route's total CLTV delta, the final one
	// included (zero means Config.MaxTotalCLTV; values above 65,535 count
	// as 65,535).
	MaxTotalCLTV uint32
	// MaxFee bounds the total fee (of all parts for FindRoutes); zero
	// means Config.MaxFeeBase plus Config.MaxFeeProportional of the
	// amount.
	MaxFee wire.MilliSatoshi
	// RouteHints are the invoice's r fields: private channels towards the
	// payee.
	RouteHints []invoice.RouteHint
	// FirstHops, when not nil, are the payer's usable channels with their
	// balances; the payer's channels in the graph are then ignored.
	FirstHops []FirstHop
	// ExcludeChannels and ExcludeNodes are not used (an excluded node may
	// not be a hop; excluding the payer or payee is an error).
	ExcludeChannels []wire.ShortChannelID
	ExcludeNodes    []wire.NodeID
	// PayeeFeatures are the invoice's features: FindRoutes splits only
	// when they include basic_mpp.
	PayeeFeatures wire.FeatureVector
	// MaxParts and MinPartSize bound FindRoutes' split (zero means the
	// Config's).
	MaxParts    int
	MinPartSize wire.MilliSatoshi
}

// RequestFromInvoice fills a Request from a decoded invoice: payee,
// amount (amount overrides the invoice's when non-zero, as for an
// invoice without one), final CLTV delta, route hints and features.
func RequestFromInvoice(inv *invoice.Invoice, payer wire.NodeID, amount wire.MilliSatoshi, height uint32) Request {
	if a, ok := inv.Amount(); ok && amount == 0 {
		amount = a
	}
	delta := inv.MinFinalCLTVExpiryDelta()
	if delta > 0xffff {
		delta = 0xffff
	}
	return Request{
		Payer:          payer,
		Payee:          inv.Payee(),
		Amount:         amount,
		CurrentHeight:  height,
		FinalCLTVDelta: uint16(delta),
		RouteHints:     inv.RouteHints(),
		PayeeFeatures:  inv.Features(),
	}
}
