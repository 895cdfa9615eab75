package events

import (
	"fmt"
	"log/slog"

	btcwire "github.com/btcsuite/btcd/wire"

	"github.com/lnkit/lnkit/wire"
)

// OpenChannelRequest: a peer asked to open a channel to us (open_channel)
// and the manager is configured to let the application decide. Accept it
// with the manager's AcceptInboundChannel (giving a user channel id) or
// reject it; the peer waits meanwhile.
type OpenChannelRequest struct {
	Meta
	// TemporaryChannelID is open_channel's temporary_channel_id.
	TemporaryChannelID wire.ChannelID
	// CounterpartyNodeID is the peer asking.
	CounterpartyNodeID wire.NodeID
	// FundingAmount is the channel's capacity, all of it from the peer.
	FundingAmount wire.Satoshi
	// PushAmount is what the peer gives us at opening (push_msat).
	PushAmount wire.MilliSatoshi
	// ChannelType is the negotiated channel_type (BOLT 2).
	ChannelType wire.FeatureVector
	// IsAnnounced is whether the peer wants the channel public
	// (announce_channel).
	IsAnnounced bool
	// CounterpartyFeatures is the peer's init feature vector.
	CounterpartyFeatures wire.FeatureVector
	// Params is what the peer proposes for its side of the channel.
	Params ChannelParameters
}

// ChannelParameters is what a peer proposes in open_channel for the
// commitment transactions we will sign for it.
type ChannelParameters struct {
	// DustLimit is dust_limit_satoshis.
	DustLimit wire.Satoshi
	// MaxHTLCValueInFlight is max_htlc_value_in_flight_msat.
	MaxHTLCValueInFlight wire.MilliSatoshi
	// HTLCMinimum is htlc_minimum_msat.
	HTLCMinimum wire.MilliSatoshi
	// FeeRate is feerate_per_kw of the first commitment.
	FeeRate wire.FeeRate
	// ToSelfDelay is to_self_delay: how long we must wait on chain for our
	// own funds if we force-close.
	ToSelfDelay uint16
	// MaxAcceptedHTLCs is max_accepted_htlcs.
	MaxAcceptedHTLCs uint16
	// ChannelReserve is channel_reserve_satoshis: what we must keep.
	ChannelReserve wire.Satoshi
}

// Kind returns KindOpenChannelRequest.
func (*OpenChannelRequest) Kind() Kind { return KindOpenChannelRequest }

// String describes e.
func (e *OpenChannelRequest) String() string { return describe(e) }

// LogValue describes e for log/slog.
func (e *OpenChannelRequest) LogValue() slog.Value { return logValue(e) }

func (e *OpenChannelRequest) check() error { return nil }

func (e *OpenChannelRequest) fields() []field {
	return []field{
		hash32Field(2, "temporary_channel_id", (*[32]byte)(&e.TemporaryChannelID), true),
		nodeIDField(4, "counterparty", &e.CounterpartyNodeID),
		uintField(6, "funding_sat", &e.FundingAmount),
		uintField(8, "push_msat", &e.PushAmount),
		featuresField(10, "channel_type", &e.ChannelType),
		boolField(12, "announced", &e.IsAnnounced),
		featuresField(14, "counterparty_features", &e.CounterpartyFeatures),
		uintField(16, "dust_limit_sat", &e.Params.DustLimit),
		uintField(18, "max_htlc_value_in_flight_msat", &e.Params.MaxHTLCValueInFlight),
		uintField(20, "htlc_minimum_msat", &e.Params.HTLCMinimum),
		uintField(22, "feerate_per_kw", &e.Params.FeeRate),
		uintField(24, "to_self_delay", &e.Params.ToSelfDelay),
		uintField(26, "max_accepted_htlcs", &e.Params.MaxAcceptedHTLCs),
		uintField(28, "channel_reserve_sat", &e.Params.ChannelReserve),
	}
}

// FundingGenerationReady: an outbound channel was accepted; the
// application must build (not broadcast) a transaction paying exactly
// ChannelValue to OutputScript with segwit inputs only, and give it to the
// manager's FundingTransactionGenerated. chain/wallet answers it.
type FundingGenerationReady struct {
	Meta
	// TemporaryChannelID is the channel's temporary id, to name it to
	// FundingTransactionGenerated.
	TemporaryChannelID wire.ChannelID
	// CounterpartyNodeID is the peer.
	CounterpartyNodeID wire.NodeID
	// ChannelValue is what the funding output must pay.
	ChannelValue wire.Satoshi
	// OutputScript is the funding output's script (P2WSH of the 2-of-2).
	OutputScript []byte
	// UserChannelID is the id the application gave CreateChannel.
	UserChannelID uint64
}

// Kind returns KindFundingGenerationReady.
func (*FundingGenerationReady) Kind() Kind { return KindFundingGenerationReady }

// String describes e.
func (e *FundingGenerationReady) String() string { return describe(e) }

// LogValue describes e for log/slog.
func (e *FundingGenerationReady) LogValue() slog.Value { return logValue(e) }

func (e *FundingGenerationReady) check() error { return nil }

func (e *FundingGenerationReady) fields() []field {
	return []field{
		hash32Field(2, "temporary_channel_id", (*[32]byte)(&e.TemporaryChannelID), true),
		nodeIDField(4, "counterparty", &e.CounterpartyNodeID),
		uintField(6, "channel_value_sat", &e.ChannelValue),
		scriptField(8, "output_script", &e.OutputScript),
		uintField(10, "user_channel_id", &e.UserChannelID),
	}
}

// ChannelPending: the funding transaction is signed by both sides (and,
// for an outbound channel, broadcast); the channel has its permanent id
// and waits for confirmations.
type ChannelPending struct {
	Meta
	// ChannelID is the channel's permanent id (from the funding outpoint).
	ChannelID wire.ChannelID
	// UserChannelID is the application's id of the channel.
	UserChannelID uint64
	// FormerTemporaryChannelID is the temporary id the channel had.
	FormerTemporaryChannelID wire.ChannelID
	// CounterpartyNodeID is the peer.
	CounterpartyNodeID wire.NodeID
	// FundingOutPoint is the funding output.
	FundingOutPoint btcwire.OutPoint
	// ChannelType is the channel's negotiated type.
	ChannelType wire.FeatureVector
}

// Kind returns KindChannelPending.
func (*ChannelPending) Kind() Kind { return KindChannelPending }

// String describes e.
func (e *ChannelPending) String() string { return describe(e) }

// LogValue describes e for log/slog.
func (e *ChannelPending) LogValue() slog.Value { return logValue(e) }

func (e *ChannelPending) check() error { return nil }

func (e *ChannelPending) fields() []field {
	return []field{
		hash32Field(2, "channel_id", (*[32]byte)(&e.ChannelID), true),
		uintField(4, "user_channel_id", &e.UserChannelID),
		hash32Field(6, "former_temporary_channel_id", (*[32]byte)(&e.FormerTemporaryChannelID), true),
		nodeIDField(8, "counterparty", &e.CounterpartyNodeID),
		outPointField(10, "funding_outpoint", &e.FundingOutPoint),
		featuresField(12, "channel_type", &e.ChannelType),
	}
}

// ChannelReady: both sides sent channel_ready; the channel is usable.
type ChannelReady struct {
	Meta
	// ChannelID is the channel's id.
	ChannelID wire.ChannelID
	// UserChannelID is the application's id of the channel.
	UserChannelID uint64
	// CounterpartyNodeID is the peer.
	CounterpartyNodeID wire.NodeID
	// FundingOutPoint is the funding output.
	FundingOutPoint btcwire.OutPoint
	// ChannelType is the channel's negotiated type.
	ChannelType wire.FeatureVector
}

// Kind returns KindChannelReady.
func (*ChannelReady) Kind() Kind { return KindChannelReady }

// String describes e.
func (e *ChannelReady) String() string { return describe(e) }

// LogValue describes e for log/slog.
func (e *ChannelReady) LogValue() slog.Value { return logValue(e) }

func (e *ChannelReady) check() error { return nil }

func (e *ChannelReady) fields() []field {
	return []field{
		hash32Field(2, "channel_id", (*[32]byte)(&e.ChannelID), true),
		uintField(4, "user_channel_id", &e.UserChannelID),
		nodeIDField(6, "counterparty", &e.CounterpartyNodeID),
		outPointField(8, "funding_outpoint", &e.FundingOutPoint),
		featuresField(10, "channel_type", &e.ChannelType),
	}
}

// ChannelClosed: a channel is closed, or will never open; Reason says why.
// Funds still on chain reach the application later, as SpendableOutputs.
type ChannelClosed struct {
	Meta
	// ChannelID is the channel's id (the temporary one if it never got a
	// permanent one).
	ChannelID wire.ChannelID
	// UserChannelID is the application's id of the channel.
	UserChannelID uint64
	// Reason is why it closed.
	Reason ClosureReason
	// CounterpartyNodeID is the peer (zero when unknown).
	CounterpartyNodeID wire.NodeID
	// ChannelCapacity is the channel's value (zero when unknown).
	ChannelCapacity wire.Satoshi
	// FundingOutPoint is the funding output (zero when never funded).
	FundingOutPoint btcwire.OutPoint
	// LastLocalBalance is our balance in the last commitment (zero when
	// unknown or none).
	LastLocalBalance wire.MilliSatoshi
}

// Kind returns KindChannelClosed.
func (*ChannelClosed) Kind() Kind { return KindChannelClosed }

// String describes e.
func (e *ChannelClosed) String() string { return describe(e) }

// LogValue describes e for log/slog.
func (e *ChannelClosed) LogValue() slog.Value { return logValue(e) }

func (e *ChannelClosed) check() error {
	if !e.Reason.Kind.valid() {
		return fmt.Errorf("%w: closure kind %d", errFieldValue, uint8(e.Reason.Kind))
	}
	return nil
}

func (e *ChannelClosed) fields() []field {
	return []field{
		hash32Field(2, "channel_id", (*[32]byte)(&e.ChannelID), true),
		uintField(4, "user_channel_id", &e.UserChannelID),
		enumField(6, "reason", &e.Reason.Kind),
		textField(8, "message", &e.Reason.Message),
		nodeIDField(10, "counterparty", &e.CounterpartyNodeID),
		uintField(12, "capacity_sat", &e.ChannelCapacity),
		outPointField(14, "funding_outpoint", &e.FundingOutPoint),
		uintField(16, "last_local_balance_msat", &e.LastLocalBalance),
		boolField(18, "broadcast", &e.Reason.Broadcast),
		textField(21, "rule", &e.Reason.Rule), // odd: older readers skip it
	}
}

// DiscardFunding: a funding transaction the application built will never
// be used (the channel closed before it was broadcast, or before it
// confirmed): the application may spend its inputs elsewhere (the wallet
// unlocks them, or abandons the transaction if it was broadcast).
type DiscardFunding struct {
	Meta
	// ChannelID is the channel it was for.
	ChannelID wire.ChannelID
	// UserChannelID is the application's id of the channel.
	UserChannelID uint64
	// FundingTx is the transaction, when the manager has it (nil
	// otherwise).
	FundingTx *btcwire.MsgTx
	// FundingOutPoint is its funding output, when known.
	FundingOutPoint btcwire.OutPoint
}

// Kind returns KindDiscardFunding.
func (*DiscardFunding) Kind() Kind { return KindDiscardFunding }

// String describes e.
func (e *DiscardFunding) String() string { return describe(e) }

// LogValue describes e for log/slog.
func (e *DiscardFunding) LogValue() slog.Value { return logValue(e) }

func (e *DiscardFunding) check() error { return nil }

func (e *DiscardFunding) fields() []field {
	return []field{
		hash32Field(2, "channel_id", (*[32]byte)(&e.ChannelID), true),
		uintField(4, "user_channel_id", &e.UserChannelID),
		txField(6, "funding_txid", &e.FundingTx),
		outPointField(8, "funding_outpoint", &e.FundingOutPoint),
	}
}
