package channel

import (
	"strconv"

	"github.com/lnkit/lnkit/channel/commit"
	"github.com/lnkit/lnkit/internal/configerr"
	"github.com/lnkit/lnkit/wire"
)

// UserConfig is the node's channel policy: the parameters we offer when a
// channel opens, the limits we accept from a peer, and how a channel
// forwards.
//
// The zero UserConfig means [DefaultUserConfig]. Any other value is taken
// as it is, field by field, so start from DefaultUserConfig and change what
// you need: [UserConfig.Validate] refuses the zero values of fields that
// need one.
type UserConfig struct {
	// Handshake is what we send in open_channel or accept_channel.
	Handshake HandshakeConfig
	// Limits is what we accept in the peer's open_channel or
	// accept_channel.
	Limits HandshakeLimits
	// Channel is the forwarding policy of a channel; it may change while
	// the channel is open.
	Channel ChannelConfig
	// AcceptInboundChannels accepts every inbound open_channel that passes
	// the checks at once. When false, each raises an OpenChannelRequest
	// event and waits for AcceptInboundChannel or RejectInboundChannel.
	// Default [DefaultAcceptInboundChannels].
	AcceptInboundChannels bool
	// AcceptInterceptHTLCs holds an HTLC whose onion names a short
	// channel id we have no channel for, and raises HTLCIntercepted,
	// instead of failing it with unknown_next_peer: the application
	// forwards it (Manager.ForwardInterceptedHTLC, an LSP having opened
	// the channel, say) or fails it. Default false.
	AcceptInterceptHTLCs bool
}

// DefaultAcceptInboundChannels is the default of
// UserConfig.AcceptInboundChannels: accept without asking.
const DefaultAcceptInboundChannels = true

// HandshakeConfig holds our side's parameters of a new channel: the fields
// we set in open_channel (as opener) or accept_channel (as acceptor).
type HandshakeConfig struct {
	// MinimumDepth is the minimum_depth we send in accept_channel: the
	// confirmations of the funding transaction we wait for (BOLT 2, "The
	// accept_channel Message"). At least 1: zero-conf channels are accepted
	// one by one, never by configuration. Default [DefaultMinimumDepth].
	MinimumDepth uint32
	// ToSelfDelay is the to_self_delay we send: the CSV delay, in blocks,
	// on the peer's own outputs of its commitments, hence the time we have
	// to punish a revoked commitment (BOLT 2, "The open_channel Message").
	// Between [MinToSelfDelay] and [DefaultMaxToSelfDelay] (peers refuse
	// more). Default [DefaultToSelfDelay].
	ToSelfDelay uint16
	// HTLCMinimum is the htlc_minimum_msat we send: the smallest HTLC we
	// accept (BOLT 2, "The open_channel Message"). Default
	// [DefaultHTLCMinimum].
	HTLCMinimum wire.MilliSatoshi
	// MaxHTLCValueInFlightPercent is the max_htlc_value_in_flight_msat we
	// send, as a percent (1 to 100) of the channel's capacity: the total of
	// the HTLCs the peer may have offered us at once (BOLT 2, "The
	// open_channel Message"). Default [DefaultMaxHTLCValueInFlightPercent].
	MaxHTLCValueInFlightPercent uint8
	// ChannelReserveProportionalMillionths is the channel_reserve_satoshis
	// we send, in millionths of the capacity: what the peer must keep on
	// its side so that it has something to lose (BOLT 2, "The open_channel
	// Message", Rationale: 1% is suggested). The reserve is raised to both
	// dust limits (see [HandshakeConfig.ChannelReserve]). At most 1,000,000.
	// Default [DefaultChannelReserveProportionalMillionths].
	ChannelReserveProportionalMillionths uint32
	// MaxAcceptedHTLCs is the max_accepted_htlcs we send: how many HTLCs
	// the peer may have offered us at once, 1 to [MaxAcceptedHTLCsLimit]
	// (BOLT 2, "The open_channel Message"). Default
	// [DefaultMaxAcceptedHTLCs].
	MaxAcceptedHTLCs uint16
	// DustLimit is the dust_limit_satoshis we send: outputs below it are
	// left out of our commitments (BOLT 3, "Dust Limits"). At least
	// [commit.MinDustLimit] (354, BOLT 2) and at most the MaxDustLimit of
	// our own Limits (peers apply a limit like ours). Default
	// [DefaultDustLimit].
	DustLimit wire.Satoshi
	// AnnounceChannel sets announce_channel in the channel_flags of our
	// open_channel: the channel is announced to the network (BOLT 7) and
	// used for forwarding. As acceptor, it is the preference that
	// HandshakeLimits.ForceAnnouncedChannelPreference enforces. Default
	// [DefaultAnnounceChannel].
	AnnounceChannel bool
	// NegotiateAnchors offers option_anchors (BOLT 3 anchor outputs with
	// zero-fee HTLC transactions) in channel_type when the peer supports
	// it, and accepts it when proposed; without it only
	// option_static_remotekey channels are made. Default
	// [DefaultNegotiateAnchors].
	NegotiateAnchors bool
	// CommitUpfrontShutdownScript sends a non-empty upfront_shutdown_script
	// (option_upfront_shutdown_script, BOLT 2): the closing output of the
	// channel is fixed when it opens, even if the node is compromised
	// later. Default [DefaultCommitUpfrontShutdownScript].
	CommitUpfrontShutdownScript bool
}

// The defaults of HandshakeConfig.
const (
	// DefaultMinimumDepth is 6 confirmations, also the depth BOLT 7 asks
	// before announcement_signatures.
	DefaultMinimumDepth uint32 = 6
	// DefaultToSelfDelay is 144 blocks, about a day.
	DefaultToSelfDelay uint16 = 144
	// MinToSelfDelay is the smallest ToSelfDelay we allow ourselves: six
	// blocks to notice a revoked commitment and get the penalty mined.
	MinToSelfDelay uint16 = 6
	// DefaultHTLCMinimum is 1 msat.
	DefaultHTLCMinimum wire.MilliSatoshi = 1
	// DefaultMaxHTLCValueInFlightPercent is 10% of the capacity.
	DefaultMaxHTLCValueInFlightPercent uint8 = 10
	// DefaultChannelReserveProportionalMillionths is 1% (BOLT 2's
	// suggestion).
	DefaultChannelReserveProportionalMillionths uint32 = 10_000
	// DefaultMaxAcceptedHTLCs is 50 HTLCs.
	DefaultMaxAcceptedHTLCs uint16 = 50
	// MaxAcceptedHTLCsLimit is BOLT 2's bound on max_accepted_htlcs, 483,
	// which keeps a commitment with every HTLC under the standard weight.
	MaxAcceptedHTLCsLimit uint16 = 483
	// DefaultDustLimit is 354 sat, the smallest BOLT 2 allows
	// ([commit.MinDustLimit]).
	DefaultDustLimit = commit.MinDustLimit
	// DefaultAnnounceChannel is false: channels are private unless asked.
	DefaultAnnounceChannel = false
	// DefaultNegotiateAnchors is true: anchors are preferred.
	DefaultNegotiateAnchors = true
	// DefaultCommitUpfrontShutdownScript is true.
	DefaultCommitUpfrontShutdownScript = true
)

// HandshakeLimits bound what we accept in the peer's open_channel (as
// acceptor) or accept_channel (as opener). A value outside them fails the
// channel with a [*RuleError] naming the field.
type HandshakeLimits struct {
	// MinFundingSatoshis is the smallest funding_satoshis we accept (BOLT
	// 2, "The open_channel Message": MAY fail if funding_satoshis is too
	// small). Default [DefaultMinFundingSatoshis].
	MinFundingSatoshis wire.Satoshi
	// MaxFundingSatoshis is the largest funding_satoshis we accept. At
	// 2^24 and above, option_support_large_channel must also be
	// advertised by both sides. Default [DefaultMaxFundingSatoshis].
	MaxFundingSatoshis wire.Satoshi
	// MaxHTLCMinimum is the largest htlc_minimum_msat we accept (BOLT 2:
	// MAY fail if it considers htlc_minimum_msat too large). Default
	// [DefaultMaxHTLCMinimum].
	MaxHTLCMinimum wire.MilliSatoshi
	// MinMaxHTLCValueInFlight is the smallest max_htlc_value_in_flight_msat
	// we accept (BOLT 2: MAY fail if it considers it too small). Default
	// [DefaultMinMaxHTLCValueInFlight].
	MinMaxHTLCValueInFlight wire.MilliSatoshi
	// MaxChannelReserveProportionalMillionths is the largest
	// channel_reserve_satoshis we accept, in millionths of the capacity
	// (BOLT 2: MAY fail if it considers channel_reserve_satoshis too
	// large). Default [DefaultMaxChannelReserveProportionalMillionths].
	MaxChannelReserveProportionalMillionths uint32
	// MinMaxAcceptedHTLCs is the smallest max_accepted_htlcs we accept
	// (BOLT 2: MAY fail if it considers it too small). Default
	// [DefaultMinMaxAcceptedHTLCs].
	MinMaxAcceptedHTLCs uint16
	// MaxMinimumDepth is the largest minimum_depth we accept in
	// accept_channel (BOLT 2, "The accept_channel Message": MAY fail if
	// minimum_depth is unreasonably large). Default
	// [DefaultMaxMinimumDepth].
	MaxMinimumDepth uint32
	// MaxToSelfDelay is the largest to_self_delay we accept: how long our
	// own funds may be locked after a force close (BOLT 2: MUST fail if
	// to_self_delay is unreasonably large). Default [DefaultMaxToSelfDelay].
	MaxToSelfDelay uint16
	// MaxDustLimit is the largest dust_limit_satoshis we accept: HTLCs
	// below the peer's dust limit become fees on its commitment (BOLT 2:
	// MAY fail if it considers dust_limit_satoshis too large). Default
	// [DefaultMaxDustLimit].
	MaxDustLimit wire.Satoshi
	// ForceAnnouncedChannelPreference refuses an open_channel whose
	// announce_channel differs from our HandshakeConfig.AnnounceChannel
	// (BOLT 2: MAY fail if announce_channel is false yet it wishes to
	// announce). Default [DefaultForceAnnouncedChannelPreference].
	ForceAnnouncedChannelPreference bool
	// AcceptLegacyShutdownScripts accepts P2PKH and P2SH upfront shutdown
	// scripts, which BOLT 2 dropped from the allowed forms but lets
	// receivers accept from older nodes ("Closing Initiation: shutdown",
	// Rationale). Default [DefaultAcceptLegacyShutdownScripts].
	AcceptLegacyShutdownScripts bool
	// FeeRateTolerance is how far below our estimate a peer's
	// feerate_per_kw may be (BOLT 2: MUST fail if it considers
	// feerate_per_kw too small for timely processing), so that estimators
	// that disagree a little do not fail channels. Default
	// [DefaultFeeRateTolerance].
	FeeRateTolerance wire.FeeRate
	// MaxFeeRateMultiple is how many times our highest estimate (the
	// 1-block target) a peer's feerate_per_kw may be (BOLT 2: MUST fail if
	// it considers it unreasonably large). Default
	// [DefaultMaxFeeRateMultiple].
	MaxFeeRateMultiple uint32
}

// The defaults of HandshakeLimits.
const (
	// DefaultMinFundingSatoshis is 20,000 sat, lnd's smallest channel:
	// smaller channels would spend a large share of their capacity on the
	// MinChannelReserve floor and the commitment fee.
	DefaultMinFundingSatoshis wire.Satoshi = 20_000
	// LargeChannelThreshold is 2^24 sat: funding at or above it needs
	// option_support_large_channel on both sides (BOLT 2).
	LargeChannelThreshold wire.Satoshi = 1 << 24
	// DefaultMaxFundingSatoshis is 2^24 - 1 sat, the largest channel
	// without option_support_large_channel; raise it to take large
	// channels.
	DefaultMaxFundingSatoshis = LargeChannelThreshold - 1
	// DefaultMaxHTLCMinimum is no limit beyond the capacity check.
	DefaultMaxHTLCMinimum wire.MilliSatoshi = 1<<64 - 1
	// DefaultMinMaxHTLCValueInFlight is no limit.
	DefaultMinMaxHTLCValueInFlight wire.MilliSatoshi = 0
	// DefaultMaxChannelReserveProportionalMillionths is 20% of the
	// capacity.
	DefaultMaxChannelReserveProportionalMillionths uint32 = 200_000
	// DefaultMinMaxAcceptedHTLCs is 1: a channel where we may offer no
	// HTLC is useless.
	DefaultMinMaxAcceptedHTLCs uint16 = 1
	// DefaultMaxMinimumDepth is 144 blocks, about a day.
	DefaultMaxMinimumDepth uint32 = 144
	// DefaultMaxToSelfDelay is 2016 blocks, about two weeks: lnd asks up to
	// 2016 for large channels.
	DefaultMaxToSelfDelay uint16 = 2016
	// DefaultMaxDustLimit is 546 sat, the largest standard dust threshold
	// (P2PKH) of Bitcoin Core's relay policy.
	DefaultMaxDustLimit wire.Satoshi = 546
	// DefaultForceAnnouncedChannelPreference is false: a node accepts
	// inbound channels whether public or private (lnd opens public ones
	// by default), so the default node interoperates; a node that wants
	// only its own kind sets it.
	DefaultForceAnnouncedChannelPreference = false
	// DefaultAcceptLegacyShutdownScripts is true: lnd and LDK accept them.
	DefaultAcceptLegacyShutdownScripts = true
	// DefaultFeeRateTolerance is 250 sat/kw (about 1 sat/vbyte).
	DefaultFeeRateTolerance wire.FeeRate = 250
	// DefaultMaxFeeRateMultiple is 10.
	DefaultMaxFeeRateMultiple uint32 = 10
)

// ChannelConfig is the policy of one open channel: what it charges to
// forward and what it risks.
type ChannelConfig struct {
	// ForwardingFeeBaseMsat is fee_base_msat of our channel_update (BOLT
	// 7): charged on every HTLC forwarded out through the channel.
	// Default [DefaultForwardingFeeBaseMsat].
	ForwardingFeeBaseMsat uint32
	// ForwardingFeeProportionalMillionths is fee_proportional_millionths
	// of our channel_update (BOLT 7). Default
	// [DefaultForwardingFeeProportionalMillionths].
	ForwardingFeeProportionalMillionths uint32
	// CLTVExpiryDelta is cltv_expiry_delta of our channel_update (BOLT 7):
	// the blocks we keep between an incoming HTLC's expiry and the
	// outgoing one's. At least [MinCLTVExpiryDelta] (BOLT 2,
	// "cltv_expiry_delta Selection"). Default [DefaultCLTVExpiryDelta].
	CLTVExpiryDelta uint16
	// MaxDustHTLCExposure is max_dust_htlc_exposure_msat (BOLT 2,
	// "Bounding exposure to trimmed in-flight HTLCs"): it caps the total of
	// the HTLCs trimmed from either commitment, lost as fees if it confirms
	// (CVE-2021-41593). Default [DefaultMaxDustHTLCExposure].
	MaxDustHTLCExposure wire.MilliSatoshi
	// ForceCloseAvoidanceMaxFee is how much more than our estimate we
	// accept to pay in a cooperative close fee rather than force close
	// (the fee_range we offer in closing_signed, BOLT 2 "Legacy Closing
	// Negotiation"). Default [DefaultForceCloseAvoidanceMaxFee].
	ForceCloseAvoidanceMaxFee wire.Satoshi
}

// The defaults of ChannelConfig.
const (
	// DefaultForwardingFeeBaseMsat is 1000 msat.
	DefaultForwardingFeeBaseMsat uint32 = 1000
	// DefaultForwardingFeeProportionalMillionths is 0.
	DefaultForwardingFeeProportionalMillionths uint32 = 0
	// DefaultCLTVExpiryDelta is 72 blocks, about 12 hours.
	DefaultCLTVExpiryDelta uint16 = 72
	// MinCLTVExpiryDelta is 34 blocks, BOLT 2's "if in doubt" value:
	// 3R+2G+2S with R=2, S=12 and G=HTLCTimeoutGrace, above
	// HTLCTimeoutGrace+HTLCClaimBuffer (see htlc_deadline.go).
	MinCLTVExpiryDelta uint16 = 34
	// DefaultMaxDustHTLCExposure is 50,000,000 msat (50,000 sat): enough
	// for bursts of small payments on a static_remotekey channel (lnd sends
	// them without waiting), still a small cap on what trimmed HTLCs can
	// cost.
	DefaultMaxDustHTLCExposure wire.MilliSatoshi = 50_000_000
	// DefaultForceCloseAvoidanceMaxFee is 1000 sat.
	DefaultForceCloseAvoidanceMaxFee wire.Satoshi = 1000
)

// DefaultUserConfig returns the default policy: every field its Default
// constant.
func DefaultUserConfig() UserConfig {
	return UserConfig{
		Handshake: HandshakeConfig{
			MinimumDepth:                         DefaultMinimumDepth,
			ToSelfDelay:                          DefaultToSelfDelay,
			HTLCMinimum:                          DefaultHTLCMinimum,
			MaxHTLCValueInFlightPercent:          DefaultMaxHTLCValueInFlightPercent,
			ChannelReserveProportionalMillionths: DefaultChannelReserveProportionalMillionths,
			MaxAcceptedHTLCs:                     DefaultMaxAcceptedHTLCs,
			DustLimit:                            DefaultDustLimit,
			AnnounceChannel:                      DefaultAnnounceChannel,
			NegotiateAnchors:                     DefaultNegotiateAnchors,
			CommitUpfrontShutdownScript:          DefaultCommitUpfrontShutdownScript,
		},
		Limits: HandshakeLimits{
			MinFundingSatoshis:                      DefaultMinFundingSatoshis,
			MaxFundingSatoshis:                      DefaultMaxFundingSatoshis,
			MaxHTLCMinimum:                          DefaultMaxHTLCMinimum,
			MinMaxHTLCValueInFlight:                 DefaultMinMaxHTLCValueInFlight,
			MaxChannelReserveProportionalMillionths: DefaultMaxChannelReserveProportionalMillionths,
			MinMaxAcceptedHTLCs:                     DefaultMinMaxAcceptedHTLCs,
			MaxMinimumDepth:                         DefaultMaxMinimumDepth,
			MaxToSelfDelay:                          DefaultMaxToSelfDelay,
			MaxDustLimit:                            DefaultMaxDustLimit,
			ForceAnnouncedChannelPreference:         DefaultForceAnnouncedChannelPreference,
			AcceptLegacyShutdownScripts:             DefaultAcceptLegacyShutdownScripts,
			FeeRateTolerance:                        DefaultFeeRateTolerance,
			MaxFeeRateMultiple:                      DefaultMaxFeeRateMultiple,
		},
		Channel: ChannelConfig{
			ForwardingFeeBaseMsat:               DefaultForwardingFeeBaseMsat,
			ForwardingFeeProportionalMillionths: DefaultForwardingFeeProportionalMillionths,
			CLTVExpiryDelta:                     DefaultCLTVExpiryDelta,
			MaxDustHTLCExposure:                 DefaultMaxDustHTLCExposure,
			ForceCloseAvoidanceMaxFee:           DefaultForceCloseAvoidanceMaxFee,
		},
		AcceptInboundChannels: DefaultAcceptInboundChannels,
	}
}

// WithDefaults returns c, or DefaultUserConfig if c is the zero UserConfig.
func (c UserConfig) WithDefaults() UserConfig {
	if c == (UserConfig{}) {
		return DefaultUserConfig()
	}
	return c
}

// Validate checks every field (after [UserConfig.WithDefaults]) and returns
// a [*ConfigError] naming the first invalid one ("Handshake.ToSelfDelay").
func (c UserConfig) Validate() error {
	c = c.WithDefaults()
	for _, check := range []func() error{c.validateLimits, c.validateHandshake, c.validateChannel} {
		if err := check(); err != nil {
			return err
		}
	}
	return nil
}

// invalid returns the ConfigError of field.
func invalid(field, reason string) error { return configerr.New("channel", field, reason) }

func u64s(v uint64) string { return strconv.FormatUint(v, 10) }

func (c UserConfig) validateHandshake() error {
	h := &c.Handshake
	switch {
	case h.MinimumDepth == 0:
		return invalid("Handshake.MinimumDepth", "must be at least 1 (zero-conf is accepted per channel)")
	case h.ToSelfDelay < MinToSelfDelay || h.ToSelfDelay > DefaultMaxToSelfDelay:
		return invalid("Handshake.ToSelfDelay", "must be between "+u64s(uint64(MinToSelfDelay))+
			" and "+u64s(uint64(DefaultMaxToSelfDelay))+", got "+u64s(uint64(h.ToSelfDelay)))
	case h.MaxHTLCValueInFlightPercent == 0 || h.MaxHTLCValueInFlightPercent > 100:
		return invalid("Handshake.MaxHTLCValueInFlightPercent", "must be 1 to 100, got "+
			u64s(uint64(h.MaxHTLCValueInFlightPercent)))
	case h.ChannelReserveProportionalMillionths > 1_000_000:
		return invalid("Handshake.ChannelReserveProportionalMillionths", "must be at most 1000000")
	case h.MaxAcceptedHTLCs == 0 || h.MaxAcceptedHTLCs > MaxAcceptedHTLCsLimit:
		return invalid("Handshake.MaxAcceptedHTLCs", "must be 1 to 483, got "+u64s(uint64(h.MaxAcceptedHTLCs)))
	case h.DustLimit < commit.MinDustLimit:
		return invalid("Handshake.DustLimit", "must be at least 354 sat (BOLT 2), got "+u64s(uint64(h.DustLimit)))
	case h.DustLimit > c.Limits.MaxDustLimit:
		return invalid("Handshake.DustLimit", "must be at most Limits.MaxDustLimit ("+
			u64s(uint64(c.Limits.MaxDustLimit))+" sat), got "+u64s(uint64(h.DustLimit)))
	}
	return nil
}

func (c UserConfig) validateLimits() error {
	l := &c.Limits
	switch {
	case l.MinFundingSatoshis == 0:
		return invalid("Limits.MinFundingSatoshis", "must be at least 1 sat")
	case l.MaxFundingSatoshis < l.MinFundingSatoshis:
		return invalid("Limits.MaxFundingSatoshis", "must be at least Limits.MinFundingSatoshis")
	case l.MaxFundingSatoshis > commit.MaxCapacity:
		return invalid("Limits.MaxFundingSatoshis", "must be at most 21 million bitcoin")
	case l.MaxChannelReserveProportionalMillionths > 1_000_000:
		return invalid("Limits.MaxChannelReserveProportionalMillionths", "must be at most 1000000")
	case l.MinMaxAcceptedHTLCs > MaxAcceptedHTLCsLimit:
		return invalid("Limits.MinMaxAcceptedHTLCs", "must be at most 483")
	case l.MaxToSelfDelay == 0:
		return invalid("Limits.MaxToSelfDelay", "must be at least 1")
	case l.MaxDustLimit < commit.MinDustLimit:
		return invalid("Limits.MaxDustLimit", "must be at least 354 sat (BOLT 2)")
	case l.MaxFeeRateMultiple == 0:
		return invalid("Limits.MaxFeeRateMultiple", "must be at least 1")
	}
	return nil
}

func (c UserConfig) validateChannel() error {
	if c.Channel.CLTVExpiryDelta < MinCLTVExpiryDelta {
		return invalid("Channel.CLTVExpiryDelta", "must be at least 34 (BOLT 2), got "+
			u64s(uint64(c.Channel.CLTVExpiryDelta)))
	}
	return nil
}
