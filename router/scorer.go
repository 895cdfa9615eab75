package router

import (
	"bytes"

	"github.com/lnkit/lnkit/wire"
)

// CapacityKind says what Hop.Capacity and ChannelUsage.Capacity are.
type CapacityKind uint8

const (
	// CapacityTotal: the channel's funding capacity (from the graph); the
	// liquidity in one direction is somewhere between zero and it.
	CapacityTotal CapacityKind = iota
	// CapacityExact: the exact amount that can be sent (the payer's own
	// channel balance).
	CapacityExact
	// CapacityHTLCMaximum: only htlc_maximum_msat is known.
	CapacityHTLCMaximum
	// CapacityUnknown: nothing is known (a route hint's channel); Capacity
	// is the largest amount.
	CapacityUnknown
)

// ChannelUsage is one candidate use of a channel direction, as the search
// asks the scorer about it.
type ChannelUsage struct {
	// ShortChannelID of the channel.
	ShortChannelID wire.ShortChannelID
	// Dir is the direction: 0 forwards from the lesser node key to the
	// greater (node_id_1 to node_id_2), 1 the other way.
	Dir uint8
	// Amount is the HTLC's amount over the channel.
	Amount wire.MilliSatoshi
	// InFlight is what other parts of the same payment already send over
	// this direction.
	InFlight wire.MilliSatoshi
	// Capacity and CapacityKind: what is known of the most the direction
	// can carry.
	Capacity     wire.MilliSatoshi
	CapacityKind CapacityKind
}

// Scorer gives the search a penalty for each channel use and learns from
// what happens to payments and probes. Penalties are in millisatoshis, on
// the same scale as fees: the search minimizes fees plus penalties.
//
// Penalty is called from the search for every channel direction
// considered, so it must be fast and must not block; the search holds no
// lock of the scorer's, so an implementation that learns concurrently
// with searches must lock itself. The learning methods take the route that
// was tried.
type Scorer interface {
	// Penalty returns the penalty for u.
	Penalty(u ChannelUsage) uint64
	// PaymentPathFailed: an HTLC along r failed at the channel failed
	// (the hop whose ShortChannelID it is could not forward over it); the
	// hops before it forwarded. A zero failed means the failure was at
	// the payee (every channel forwarded).
	PaymentPathFailed(r *Route, failed wire.ShortChannelID)
	// PaymentPathSucceeded: r's HTLCs were all settled.
	PaymentPathSucceeded(r *Route)
	// ProbeFailed and ProbeSucceeded: a probe along r failed at failed,
	// or reached the payee (and was failed back, moving nothing).
	ProbeFailed(r *Route, failed wire.ShortChannelID)
	ProbeSucceeded(r *Route)
}

// PenaltyFloor is an optional interface of a Scorer: MinPenalty returns a
// lower bound of Penalty for every channel use of at least amount. The
// search then looks towards the payer first (an A* whose bound is the
// floor times the hops still needed), which settles fewer nodes; a floor
// above a real penalty would make it miss cheaper routes.
type PenaltyFloor interface {
	MinPenalty(amount wire.MilliSatoshi) uint64
}

// NoPenalty is a Scorer that gives every channel use the same Base
// penalty and learns nothing: routes then minimize fees plus Base per hop.
type NoPenalty struct {
	// Base is the penalty per channel use, in msat.
	Base uint64
}

// Penalty implements Scorer.
func (s NoPenalty) Penalty(ChannelUsage) uint64 { return s.Base }

// MinPenalty implements PenaltyFloor.
func (s NoPenalty) MinPenalty(wire.MilliSatoshi) uint64 { return s.Base }

// PaymentPathFailed implements Scorer.
func (NoPenalty) PaymentPathFailed(*Route, wire.ShortChannelID) {}

// PaymentPathSucceeded implements Scorer.
func (NoPenalty) PaymentPathSucceeded(*Route) {}

// ProbeFailed implements Scorer.
func (NoPenalty) ProbeFailed(*Route, wire.ShortChannelID) {}

// ProbeSucceeded implements Scorer.
func (NoPenalty) ProbeSucceeded(*Route) {}

// direction returns 0 when from is the lesser key (node_id_1), else 1.
func direction(from, to wire.NodeID) uint8 {
	if bytes.Compare(from[:], to[:]) < 0 {
		return 0
	}
	return 1
}
