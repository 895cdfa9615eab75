package channel

import (
	"github.com/lnkit/lnkit/channel/commit"
	"github.com/lnkit/lnkit/wire"
)

// The checks shared by open_channel and accept_channel ("Other fields have
// the same requirements as their counterparts in open_channel"). Each takes
// the Rule to report, from openRules or acceptRules.

// checkPoints: BOLT 2, "The open_channel Message", receiver MUST fail if
// funding_pubkey, revocation_basepoint, htlc_basepoint, payment_basepoint or
// delayed_payment_basepoint are not valid secp256k1 pubkeys in compressed
// format; first_per_commitment_point is checked the same way, since BOLT 3
// derives keys from it.
func checkPoints(rule Rule, funding, revocation, payment, delayed, htlc, first *wire.Point) error {
	names := [...]string{"funding_pubkey", "revocation_basepoint", "payment_basepoint",
		"delayed_payment_basepoint", "htlc_basepoint", "first_per_commitment_point"}
	for i, p := range [...]*wire.Point{funding, revocation, payment, delayed, htlc, first} {
		if !p.IsValid() {
			return ruleErr(rule, "%s %s is not a valid compressed point", names[i], p)
		}
	}
	return nil
}

// checkDustLimit: BOLT 2, "The open_channel Message", receiver MUST fail if
// dust_limit_satoshis is smaller than 354 or greater than
// channel_reserve_satoshis, MAY fail if it is too large (our
// HandshakeLimits.MaxDustLimit); "The accept_channel Message": the sender's
// dust limit must not exceed the open_channel's channel_reserve_satoshis.
// ownReserve is the reserve in the same message, otherReserve the one of
// the other side's message.
func checkDustLimit(rule Rule, dust, ownReserve, otherReserve, maxDust wire.Satoshi) error {
	switch {
	case dust < commit.MinDustLimit:
		return ruleErr(rule, "%d is below 354", uint64(dust))
	case dust > maxDust:
		return ruleErr(rule, "%d is above our limit %d", uint64(dust), uint64(maxDust))
	case dust > ownReserve:
		return ruleErr(rule, "%d is above its channel_reserve_satoshis %d", uint64(dust), uint64(ownReserve))
	case dust > otherReserve:
		return ruleErr(rule, "%d is above the other side's channel_reserve_satoshis %d", uint64(dust), uint64(otherReserve))
	}
	return nil
}

// checkChannelReserve: BOLT 2, "The accept_channel Message", receiver MUST
// fail if either channel_reserve_satoshis is less than the other side's
// dust_limit_satoshis; "The open_channel Message", MAY fail if it considers
// channel_reserve_satoshis too large (above our
// HandshakeLimits.MaxChannelReserveProportionalMillionths, or the whole
// capacity).
func checkChannelReserve(rule Rule, reserve, otherDust, funding wire.Satoshi, maxPPM uint32) error {
	limit := wire.Satoshi(mulDiv(uint64(funding), uint64(maxPPM), 1_000_000))
	switch {
	case reserve < otherDust:
		return ruleErr(rule, "%d is below the other side's dust_limit_satoshis %d", uint64(reserve), uint64(otherDust))
	case reserve >= funding:
		return ruleErr(rule, "%d is not below the capacity %d", uint64(reserve), uint64(funding))
	case reserve > limit:
		return ruleErr(rule, "%d is above our limit of %d millionths of the capacity (%d)",
			uint64(reserve), maxPPM, uint64(limit))
	}
	return nil
}

// checkToSelfDelay: BOLT 2, "The open_channel Message", receiver MUST fail
// if to_self_delay is unreasonably large (above our
// HandshakeLimits.MaxToSelfDelay).
func checkToSelfDelay(rule Rule, delay, maxDelay uint16) error {
	if delay > maxDelay {
		return ruleErr(rule, "%d blocks is above our limit %d", delay, maxDelay)
	}
	return nil
}

// checkMaxAcceptedHTLCs: BOLT 2, "The open_channel Message", receiver MUST
// fail if max_accepted_htlcs is greater than 483, MAY fail if it considers
// it too small (below our HandshakeLimits.MinMaxAcceptedHTLCs).
func checkMaxAcceptedHTLCs(rule Rule, n, minN uint16) error {
	switch {
	case n > MaxAcceptedHTLCsLimit:
		return ruleErr(rule, "%d is above 483", n)
	case n < minN:
		return ruleErr(rule, "%d is below our limit %d", n, minN)
	}
	return nil
}

// checkHTLCMinimum: BOLT 2, "The open_channel Message", receiver MAY fail
// if it considers htlc_minimum_msat too large: above our
// HandshakeLimits.MaxHTLCMinimum, or so large that no HTLC fits in the
// capacity less both reserves.
func checkHTLCMinimum(rule Rule, v, maxV wire.MilliSatoshi, funding, reserveA, reserveB wire.Satoshi) error {
	room := funding - min(funding, reserveA)
	room -= min(room, reserveB)
	switch {
	case v > maxV:
		return ruleErr(rule, "%d is above our limit %d", uint64(v), uint64(maxV))
	case v >= toMsat(room):
		return ruleErr(rule, "%d leaves no room for an HTLC in the capacity less both reserves (%d sat)",
			uint64(v), uint64(room))
	}
	return nil
}

// checkMaxHTLCValueInFlight: BOLT 2, "The open_channel Message", receiver
// MAY fail if it considers max_htlc_value_in_flight_msat too small (below
// our HandshakeLimits.MinMaxHTLCValueInFlight).
func checkMaxHTLCValueInFlight(rule Rule, v, minV wire.MilliSatoshi) error {
	if v < minV {
		return ruleErr(rule, "%d is below our limit %d", uint64(v), uint64(minV))
	}
	return nil
}

// checkInitialCommitment: BOLT 2, "The open_channel Message", receiver MUST
// fail if the funder's amount for the initial commitment transaction is not
// sufficient for full fee payment (checkFee, the acceptor's side: the
// opener chose its own fee), or if both to_local and to_remote of the
// initial commitment are less than or equal to channel_reserve_satoshis.
// The fee is that of a commitment without HTLCs, plus the two anchors for
// an anchor channel (BOLT 3, "Fee Payment"). funding and push must already
// be checked (push <= funding*1000).
func checkInitialCommitment(rule Rule, t commit.ChannelType, funding wire.Satoshi, push wire.MilliSatoshi,
	rate wire.FeeRate, reserve wire.Satoshi, checkFee bool) error {
	cost := commit.CommitmentFee(t, rate, 0)
	if t.HasAnchors() {
		cost += 2 * commit.AnchorAmount
	}
	funder := toMsat(funding) - push
	if funder < toMsat(cost) {
		if checkFee {
			return ruleErr(rule, "the funder's %d msat cannot pay the commitment fee and anchors of %d sat",
				uint64(funder), uint64(cost))
		}
		funder = 0
	} else {
		funder -= toMsat(cost)
	}
	if funder.ToSatoshi() <= reserve && push.ToSatoshi() <= reserve {
		return ruleErr(rule, "both outputs of the first commitment (%d and %d msat) are at or below the reserve %d sat",
			uint64(funder), uint64(push), uint64(reserve))
	}
	return nil
}

// checkUpfrontShutdownScript: BOLT 2, "The open_channel Message": if both
// nodes advertised option_upfront_shutdown_script the sender MUST include
// upfront_shutdown_script, empty or a valid shutdown scriptpubkey as
// "Closing Initiation: shutdown" requires. A present non-empty script must
// be of an allowed form whether or not the feature was negotiated, since we
// would have to close to it. The sender's other MUST (include the record
// whenever the TLV stream is sent, so always, since channel_type is in it)
// is not enforced: a receiver gains nothing by refusing an absent record
// when the feature was not negotiated.
func checkUpfrontShutdownScript(rule Rule, script wire.Option[[]byte], ours, theirs wire.FeatureVector, legacy bool) error {
	both := func(b wire.FeatureBit) bool { return ours.HasFeature(b) && theirs.HasFeature(b) }
	if !script.Present {
		if both(wire.UpfrontShutdownScriptRequired) {
			return ruleErr(rule, "missing though option_upfront_shutdown_script was negotiated")
		}
		return nil
	}
	if len(script.Value) == 0 {
		return nil
	}
	p := ShutdownScriptPolicy{
		AnySegwit:   both(wire.ShutdownAnySegwitRequired),
		SimpleClose: both(wire.SimpleCloseRequired),
		Legacy:      legacy,
	}
	if !p.Allows(script.Value) {
		return ruleErr(rule, "%x is not an allowed shutdown script", script.Value)
	}
	return nil
}
