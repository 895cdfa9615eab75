package channel

// Rule names one rule that open_channel or accept_channel must follow:
// "message.field", the field of BOLT 2 the rule is about. Several
// requirements on one field share its Rule; the RuleError's Msg tells them
// apart.
type Rule string

// The rules of open_channel (BOLT 2, "The open_channel Message",
// Requirements), checked by the acceptor.
const (
	// RuleOpenChainHash: chain_hash is a chain we do not know.
	RuleOpenChainHash Rule = "open_channel.chain_hash"
	// RuleOpenFundingSatoshis: funding_satoshis is 2^24 or more without
	// option_support_large_channel on both sides, or outside our
	// [HandshakeLimits] funding bounds.
	RuleOpenFundingSatoshis Rule = "open_channel.funding_satoshis"
	// RuleOpenPushMsat: push_msat is above funding_satoshis * 1000.
	RuleOpenPushMsat Rule = "open_channel.push_msat"
	// RuleOpenDustLimit: dust_limit_satoshis is below 354, above either
	// side's channel_reserve_satoshis, or above our limit.
	RuleOpenDustLimit Rule = "open_channel.dust_limit_satoshis"
	// RuleOpenChannelReserve: channel_reserve_satoshis is below our dust
	// limit, or above our limit or the funding.
	RuleOpenChannelReserve Rule = "open_channel.channel_reserve_satoshis"
	// RuleOpenHTLCMinimum: htlc_minimum_msat is above our limit or leaves
	// no room for any HTLC in the channel.
	RuleOpenHTLCMinimum Rule = "open_channel.htlc_minimum_msat"
	// RuleOpenMaxHTLCValueInFlight: max_htlc_value_in_flight_msat is below
	// our limit.
	RuleOpenMaxHTLCValueInFlight Rule = "open_channel.max_htlc_value_in_flight_msat"
	// RuleOpenMaxAcceptedHTLCs: max_accepted_htlcs is above 483 or below our
	// limit.
	RuleOpenMaxAcceptedHTLCs Rule = "open_channel.max_accepted_htlcs"
	// RuleOpenToSelfDelay: to_self_delay is above our limit.
	RuleOpenToSelfDelay Rule = "open_channel.to_self_delay"
	// RuleOpenFeeRate: feerate_per_kw is outside our [FeeBounds].
	RuleOpenFeeRate Rule = "open_channel.feerate_per_kw"
	// RuleOpenInitialCommitment: the funder cannot pay the fee of the first
	// commitment, or both its outputs are at or below the reserve.
	RuleOpenInitialCommitment Rule = "open_channel.initial_commitment"
	// RuleOpenPoints: a key or basepoint is not a valid compressed point.
	RuleOpenPoints Rule = "open_channel.points"
	// RuleOpenChannelType: channel_type is absent, undefined, not
	// negotiated, or not acceptable to us.
	RuleOpenChannelType Rule = "open_channel.channel_type"
	// RuleOpenChannelFlags: announce_channel differs from our preference and
	// we force it.
	RuleOpenChannelFlags Rule = "open_channel.channel_flags"
	// RuleOpenUpfrontShutdownScript: upfront_shutdown_script is missing
	// though both sides advertised option_upfront_shutdown_script, or is
	// not an allowed shutdown script.
	RuleOpenUpfrontShutdownScript Rule = "open_channel.upfront_shutdown_script"
	// RuleOpenDualFund: option_dual_fund was negotiated, so open_channel
	// (v1) must not be used.
	RuleOpenDualFund Rule = "open_channel.option_dual_fund"
)

// The rules of accept_channel (BOLT 2, "The accept_channel Message",
// Requirements, and "other fields have the same requirements as their
// counterparts in open_channel"), checked by the opener.
const (
	// RuleAcceptTemporaryChannelID: temporary_channel_id differs from the
	// open_channel's.
	RuleAcceptTemporaryChannelID Rule = "accept_channel.temporary_channel_id"
	// RuleAcceptDustLimit: dust_limit_satoshis is below 354, above either
	// side's channel_reserve_satoshis, or above our limit.
	RuleAcceptDustLimit Rule = "accept_channel.dust_limit_satoshis"
	// RuleAcceptChannelReserve: channel_reserve_satoshis is below the
	// open_channel's dust limit, or above our limit or the funding.
	RuleAcceptChannelReserve Rule = "accept_channel.channel_reserve_satoshis"
	// RuleAcceptHTLCMinimum: htlc_minimum_msat is above our limit or leaves
	// no room for any HTLC in the channel.
	RuleAcceptHTLCMinimum Rule = "accept_channel.htlc_minimum_msat"
	// RuleAcceptMaxHTLCValueInFlight: max_htlc_value_in_flight_msat is below
	// our limit.
	RuleAcceptMaxHTLCValueInFlight Rule = "accept_channel.max_htlc_value_in_flight_msat"
	// RuleAcceptMaxAcceptedHTLCs: max_accepted_htlcs is above 483 or below
	// our limit.
	RuleAcceptMaxAcceptedHTLCs Rule = "accept_channel.max_accepted_htlcs"
	// RuleAcceptToSelfDelay: to_self_delay is above our limit.
	RuleAcceptToSelfDelay Rule = "accept_channel.to_self_delay"
	// RuleAcceptMinimumDepth: minimum_depth is above our limit, or not zero
	// for a zero-conf channel type.
	RuleAcceptMinimumDepth Rule = "accept_channel.minimum_depth"
	// RuleAcceptInitialCommitment: both outputs of the first commitment are
	// at or below the accept_channel's reserve.
	RuleAcceptInitialCommitment Rule = "accept_channel.initial_commitment"
	// RuleAcceptPoints: a key or basepoint is not a valid compressed point.
	RuleAcceptPoints Rule = "accept_channel.points"
	// RuleAcceptChannelType: channel_type is absent or differs from the
	// open_channel's.
	RuleAcceptChannelType Rule = "accept_channel.channel_type"
	// RuleAcceptUpfrontShutdownScript: as RuleOpenUpfrontShutdownScript.
	RuleAcceptUpfrontShutdownScript Rule = "accept_channel.upfront_shutdown_script"
)

// ruleSet maps the rules shared by open_channel and accept_channel to the
// Rule of one message, so one check serves both.
type ruleSet struct {
	dust, reserve, htlcMin, inFlight, maxHTLCs, toSelfDelay, commitment, points, script Rule
}

// openRules returns the shared rules as open_channel's.
func openRules() ruleSet {
	return ruleSet{
		dust: RuleOpenDustLimit, reserve: RuleOpenChannelReserve, htlcMin: RuleOpenHTLCMinimum,
		inFlight: RuleOpenMaxHTLCValueInFlight, maxHTLCs: RuleOpenMaxAcceptedHTLCs,
		toSelfDelay: RuleOpenToSelfDelay, commitment: RuleOpenInitialCommitment,
		points: RuleOpenPoints, script: RuleOpenUpfrontShutdownScript,
	}
}

// acceptRules returns the shared rules as accept_channel's.
func acceptRules() ruleSet {
	return ruleSet{
		dust: RuleAcceptDustLimit, reserve: RuleAcceptChannelReserve, htlcMin: RuleAcceptHTLCMinimum,
		inFlight: RuleAcceptMaxHTLCValueInFlight, maxHTLCs: RuleAcceptMaxAcceptedHTLCs,
		toSelfDelay: RuleAcceptToSelfDelay, commitment: RuleAcceptInitialCommitment,
		points: RuleAcceptPoints, script: RuleAcceptUpfrontShutdownScript,
	}
}

// The rules of funding and of messages in the wrong phase.
const (
	// RuleOpenTemporaryChannelID: open_channel reuses a temporary id of a
	// channel being negotiated with the same peer.
	RuleOpenTemporaryChannelID Rule = "open_channel.temporary_channel_id"
	// RuleFundingCreatedOutpoint: funding_created names a funding output
	// whose channel id is already in use.
	RuleFundingCreatedOutpoint Rule = "funding_created.funding_output_index"
	// RuleFundingCreatedSignature: funding_created's signature does not
	// sign our first commitment.
	RuleFundingCreatedSignature Rule = "funding_created.signature"
	// RuleFundingSignedSignature: funding_signed's signature does not sign
	// our first commitment.
	RuleFundingSignedSignature Rule = "funding_signed.signature"
	// RuleUnexpectedMessage: a message the channel's phase does not
	// expect (funding_signed before funding_created, a second
	// accept_channel, ...).
	RuleUnexpectedMessage Rule = "channel.unexpected_message"
)

// The rules of closing.
const (
	// RuleShutdownScript: a shutdown whose script is not allowed, or
	// changes.
	RuleShutdownScript Rule = "shutdown.scriptpubkey"
)
