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

// HTLCIntercepted: an HTLC whose onion names a short channel id we have no
// channel for arrived while channel.UserConfig.AcceptInterceptHTLCs is
// set (an LSP opening the channel on demand, say). It is held: the
// application forwards it (channel.Manager.ForwardInterceptedHTLC) or
// fails it (FailInterceptedHTLC). One still held a few blocks before
// CLTVExpiry is failed back by the channel manager.
type HTLCIntercepted struct {
	Meta
	// InterceptID names the HTLC in ForwardInterceptedHTLC and
	// FailInterceptedHTLC.
	InterceptID [32]byte
	// RequestedNextHopSCID is the short channel id the onion names.
	RequestedNextHopSCID wire.ShortChannelID
	// PaymentHash is the HTLC's payment hash.
	PaymentHash wire.PaymentHash
	// InboundAmount is the incoming HTLC's amount.
	InboundAmount wire.MilliSatoshi
	// ExpectedOutboundAmount is the onion's amt_to_forward.
	ExpectedOutboundAmount wire.MilliSatoshi
	// PrevChannelID is the channel the HTLC came in over.
	PrevChannelID wire.ChannelID
	// CLTVExpiry is the incoming HTLC's cltv_expiry.
	CLTVExpiry uint32
	// OutgoingCLTV is the onion's outgoing_cltv_value.
	OutgoingCLTV uint32
}

// Kind returns KindHTLCIntercepted.
func (*HTLCIntercepted) Kind() Kind { return KindHTLCIntercepted }

// String describes e.
func (e *HTLCIntercepted) String() string { return describe(e) }

// LogValue describes e for log/slog.
func (e *HTLCIntercepted) LogValue() slog.Value { return logValue(e) }

func (e *HTLCIntercepted) check() error { return checkSCID(e.RequestedNextHopSCID) }

func (e *HTLCIntercepted) fields() []field {
	return []field{
		hash32Field(2, "intercept_id", &e.InterceptID, true),
		scidField(4, "requested_next_hop_scid", &e.RequestedNextHopSCID),
		hash32Field(6, "payment_hash", (*[32]byte)(&e.PaymentHash), true),
		uintField(8, "inbound_amount_msat", &e.InboundAmount),
		uintField(10, "expected_outbound_amount_msat", &e.ExpectedOutboundAmount),
		hash32Field(12, "prev_channel_id", (*[32]byte)(&e.PrevChannelID), true),
		uintField(14, "cltv_expiry", &e.CLTVExpiry),
		uintField(16, "outgoing_cltv", &e.OutgoingCLTV),
	}
}
