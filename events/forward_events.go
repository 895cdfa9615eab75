package events

import (
	"log/slog"

	"github.com/lnkit/lnkit/wire"
)

// PaymentForwarded: an HTLC we forwarded was fulfilled downstream and we
// claimed the incoming HTLC it came with (the preimage is durable with the
// incoming channel's monitor): FeeEarned is ours once the commitments
// settle, or once the claim confirms on chain.
type PaymentForwarded struct {
	Meta
	// PrevChannelID is the channel the HTLC came in over.
	PrevChannelID wire.ChannelID
	// NextChannelID is the channel it went out over.
	NextChannelID wire.ChannelID
	// PaymentHash is the HTLCs' payment hash.
	PaymentHash wire.PaymentHash
	// IncomingAmount is the amount of the incoming HTLC.
	IncomingAmount wire.MilliSatoshi
	// OutgoingAmount is the amount of the outgoing HTLC.
	OutgoingAmount wire.MilliSatoshi
	// FeeEarned is IncomingAmount minus OutgoingAmount.
	FeeEarned wire.MilliSatoshi
	// ClaimedOnChain: the outgoing HTLC's preimage came from the chain
	// (the downstream channel was closed), not from update_fulfill_htlc.
	ClaimedOnChain bool
}

// Kind returns KindPaymentForwarded.
func (*PaymentForwarded) Kind() Kind { return KindPaymentForwarded }

// String describes e.
func (e *PaymentForwarded) String() string { return describe(e) }

// LogValue describes e for log/slog.
func (e *PaymentForwarded) LogValue() slog.Value { return logValue(e) }

func (e *PaymentForwarded) check() error { return nil }

func (e *PaymentForwarded) fields() []field {
	return []field{
		hash32Field(2, "prev_channel_id", (*[32]byte)(&e.PrevChannelID), true),
		hash32Field(4, "next_channel_id", (*[32]byte)(&e.NextChannelID), true),
		hash32Field(6, "payment_hash", (*[32]byte)(&e.PaymentHash), true),
		uintField(8, "incoming_amount_msat", &e.IncomingAmount),
		uintField(10, "outgoing_amount_msat", &e.OutgoingAmount),
		uintField(12, "fee_earned_msat", &e.FeeEarned),
		boolField(14, "claimed_on_chain", &e.ClaimedOnChain),
	}
}
