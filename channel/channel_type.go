package channel

import (
	"errors"

	"github.com/lnkit/lnkit/channel/commit"
	"github.com/lnkit/lnkit/wire"
)

// ChannelType is a channel_type of BOLT 2 ("Defined Channel Types"): a
// commitment format, with or without the option_scid_alias and
// option_zeroconf variations.
type ChannelType struct {
	// Commitment is the basic type: option_static_remotekey, or
	// option_anchors with option_static_remotekey.
	Commitment commit.ChannelType
	// ScidAlias is option_scid_alias: the channel is only ever referred to
	// by its aliases (a private channel).
	ScidAlias bool
	// ZeroConf is option_zeroconf: the channel is used before its funding
	// confirms.
	ZeroConf bool
}

// ErrUndefinedChannelType is returned by [ParseChannelType] for a bit set
// that is not a type BOLT 2 defines.
var ErrUndefinedChannelType = errors.New("channel: undefined channel_type")

// ParseChannelType returns the defined type of the channel_type bits f, or
// ErrUndefinedChannelType: exactly bit 12, or bits 12 and 22, plus
// optionally bits 46 and 50; no odd bit and no other bit.
func ParseChannelType(f wire.FeatureVector) (ChannelType, error) {
	t := ChannelType{
		ScidAlias: f.IsSet(wire.ScidAliasRequired),
		ZeroConf:  f.IsSet(wire.ZeroConfRequired),
	}
	switch {
	case f.IsSet(wire.AnchorsZeroFeeHTLCTxRequired):
		t.Commitment = commit.AnchorsZeroFeeHTLC
	default:
		t.Commitment = commit.StaticRemoteKey
	}
	// Comparing the minimal encodings catches every stray bit, including
	// bits too high for a FeatureBit.
	want := t.Features().Bytes()
	got := f.Bytes()
	if string(want) != string(got) {
		return ChannelType{}, ErrUndefinedChannelType
	}
	return t, nil
}

// Features returns the channel_type bits of t, as sent in open_channel.
func (t ChannelType) Features() wire.FeatureVector {
	f := wire.NewFeatureVector(wire.StaticRemoteKeyRequired)
	if t.Commitment == commit.AnchorsZeroFeeHTLC {
		f.Set(wire.AnchorsZeroFeeHTLCTxRequired)
	}
	if t.ScidAlias {
		f.Set(wire.ScidAliasRequired)
	}
	if t.ZeroConf {
		f.Set(wire.ZeroConfRequired)
	}
	return f
}

// String names the type by its features, e.g.
// "option_anchors_zero_fee_htlc_tx+option_scid_alias".
func (t ChannelType) String() string {
	s := t.Commitment.String()
	if t.ScidAlias {
		s += "+option_scid_alias"
	}
	if t.ZeroConf {
		s += "+option_zeroconf"
	}
	return s
}

// NegotiateChannelType chooses or checks the channel_type of a new channel
// from the init features of both nodes (BOLT 2, "The open_channel
// Message", channel_type; BOLT 9).
//
// For the opener (proposed nil) it returns the type to send: anchors when
// both nodes signal option_anchors and anchors is true, else
// option_static_remotekey (ASSUMED by BOLT 9, so always available), never
// with a variation (the manager adds option_scid_alias or option_zeroconf
// when it asks for them).
//
// For the acceptor (proposed the received channel_type) it returns the
// proposed type if it is defined and every feature it contains is signaled
// by both nodes (and anchors is true for an anchor type), else a
// [*RuleError] of RuleOpenChannelType. Whether a zero-conf type is trusted,
// and whether option_scid_alias fits announce_channel, are separate checks
// of [CheckOpenChannel].
func NegotiateChannelType(ours, theirs wire.FeatureVector, anchors bool, proposed *wire.FeatureVector) (ChannelType, error) {
	both := func(b wire.FeatureBit) bool { return ours.HasFeature(b) && theirs.HasFeature(b) }
	if proposed == nil {
		t := ChannelType{Commitment: commit.StaticRemoteKey}
		if anchors && both(wire.AnchorsZeroFeeHTLCTxRequired) {
			t.Commitment = commit.AnchorsZeroFeeHTLC
		}
		return t, nil
	}
	t, err := ParseChannelType(*proposed)
	if err != nil {
		return ChannelType{}, ruleErr(RuleOpenChannelType, "undefined channel_type %s", proposed.String())
	}
	switch {
	case t.Commitment == commit.AnchorsZeroFeeHTLC && (!anchors || !both(wire.AnchorsZeroFeeHTLCTxRequired)):
		return ChannelType{}, ruleErr(RuleOpenChannelType, "%s not negotiated", t)
	case t.ScidAlias && !both(wire.ScidAliasRequired):
		return ChannelType{}, ruleErr(RuleOpenChannelType, "%s: option_scid_alias not negotiated", t)
	case t.ZeroConf && !both(wire.ZeroConfRequired):
		return ChannelType{}, ruleErr(RuleOpenChannelType, "%s: option_zeroconf not negotiated", t)
	}
	return t, nil
}
