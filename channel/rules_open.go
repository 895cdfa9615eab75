package channel

import (
	"github.com/btcsuite/btcd/chaincfg/chainhash"

	"github.com/lnkit/lnkit/wire"
)

// InboundOpen is what the acceptor knows when it checks an open_channel.
type InboundOpen struct {
	// ChainHash is the genesis hash of our chain.
	ChainHash chainhash.Hash
	// OurFeatures and TheirFeatures are the init features of both nodes.
	OurFeatures, TheirFeatures wire.FeatureVector
	// Config is our policy; the zero UserConfig means the defaults.
	Config UserConfig
	// Fees bound feerate_per_kw ([NewFeeBounds]).
	Fees FeeBounds
	// TrustZeroConf accepts a channel_type with option_zeroconf: the
	// application trusts this peer not to double-spend the funding.
	TrustZeroConf bool
}

// CheckOpenChannel applies every rule of BOLT 2 on open_channel ("The
// open_channel Message", Requirements of the receiving node) and our
// limits, and returns the channel's type. The first broken rule is
// returned as a [*RuleError]; the checks run in the order of the rules
// below, the cheap and fundamental first.
func CheckOpenChannel(msg *wire.OpenChannel, in *InboundOpen) (ChannelType, error) {
	rs := openRules()
	cfg := in.Config.WithDefaults()
	l := &cfg.Limits
	if err := checkOpenChainHash(msg, in.ChainHash); err != nil {
		return ChannelType{}, err
	}
	if err := checkOpenDualFund(in.OurFeatures, in.TheirFeatures); err != nil {
		return ChannelType{}, err
	}
	if err := checkPoints(rs.points, &msg.FundingPubKey, &msg.RevocationBasepoint, &msg.PaymentBasepoint,
		&msg.DelayedPaymentBasepoint, &msg.HTLCBasepoint, &msg.FirstPerCommitmentPoint); err != nil {
		return ChannelType{}, err
	}
	t, err := checkOpenChannelType(msg, in.OurFeatures, in.TheirFeatures, &cfg, in.TrustZeroConf)
	if err != nil {
		return ChannelType{}, err
	}
	ourReserve := cfg.Handshake.ChannelReserve(msg.FundingAmount, msg.DustLimit)
	for _, check := range []func() error{
		func() error { return checkOpenChannelFlags(msg, &cfg) },
		func() error { return checkOpenFunding(msg, in.OurFeatures, in.TheirFeatures, &cfg.Limits) },
		func() error { return checkOpenPush(msg) },
		func() error {
			return checkDustLimit(rs.dust, msg.DustLimit, msg.ChannelReserve, ourReserve, l.MaxDustLimit)
		},
		func() error {
			return checkChannelReserve(rs.reserve, msg.ChannelReserve, cfg.Handshake.DustLimit,
				msg.FundingAmount, l.MaxChannelReserveProportionalMillionths)
		},
		func() error { return checkToSelfDelay(rs.toSelfDelay, msg.ToSelfDelay, l.MaxToSelfDelay) },
		func() error { return checkMaxAcceptedHTLCs(rs.maxHTLCs, msg.MaxAcceptedHTLCs, l.MinMaxAcceptedHTLCs) },
		func() error {
			return checkHTLCMinimum(rs.htlcMin, msg.HTLCMinimum, l.MaxHTLCMinimum, msg.FundingAmount,
				msg.ChannelReserve, ourReserve)
		},
		func() error {
			return checkMaxHTLCValueInFlight(rs.inFlight, msg.MaxHTLCValueInFlight, l.MinMaxHTLCValueInFlight)
		},
		func() error { return checkOpenFeeRate(msg, t, in.Fees) },
		func() error {
			return checkInitialCommitment(rs.commitment, t.Commitment, msg.FundingAmount, msg.PushAmount,
				msg.FeeRate, msg.ChannelReserve, true)
		},
		func() error {
			return checkUpfrontShutdownScript(rs.script, msg.UpfrontShutdownScript, in.OurFeatures,
				in.TheirFeatures, l.AcceptLegacyShutdownScripts)
		},
	} {
		if err := check(); err != nil {
			return ChannelType{}, err
		}
	}
	return t, nil
}

// checkOpenChainHash: BOLT 2, "The open_channel Message", receiver MUST
// fail if chain_hash is a chain unknown to the receiver.
func checkOpenChainHash(msg *wire.OpenChannel, ours chainhash.Hash) error {
	if msg.ChainHash != ours {
		return ruleErr(RuleOpenChainHash, "unknown chain %s", msg.ChainHash)
	}
	return nil
}

// checkOpenDualFund: BOLT 2, "The open_channel Message", receiver MUST fail
// the channel if option_dual_fund has been negotiated (open_channel2 is
// the message then).
func checkOpenDualFund(ours, theirs wire.FeatureVector) error {
	if ours.HasFeature(wire.DualFundRequired) && theirs.HasFeature(wire.DualFundRequired) {
		return ruleErr(RuleOpenDualFund, "option_dual_fund was negotiated: use open_channel2")
	}
	return nil
}

// checkOpenChannelType: BOLT 2, "The open_channel Message", receiver MUST
// fail if the message has no channel_type, if the channel_type is not
// suitable (undefined, or with a feature not negotiated:
// [NegotiateChannelType]), or if it includes option_zeroconf and the
// sender is not trusted to open an unconfirmed channel; the sender MUST NOT
// set option_scid_alias with announce_channel.
func checkOpenChannelType(msg *wire.OpenChannel, ours, theirs wire.FeatureVector, cfg *UserConfig, trustZeroConf bool) (ChannelType, error) {
	ct, ok := msg.ChannelType.Get()
	if !ok {
		return ChannelType{}, ruleErr(RuleOpenChannelType, "missing")
	}
	t, err := NegotiateChannelType(ours, theirs, cfg.Handshake.NegotiateAnchors, &ct)
	switch {
	case err != nil:
		return ChannelType{}, err
	case t.ZeroConf && !trustZeroConf:
		return ChannelType{}, ruleErr(RuleOpenChannelType, "%s: zero-conf from an untrusted peer", t)
	case t.ScidAlias && msg.AnnounceChannel():
		return ChannelType{}, ruleErr(RuleOpenChannelType, "%s with announce_channel set", t)
	}
	return t, nil
}

// checkOpenChannelFlags: BOLT 2, "The open_channel Message", receiver MAY
// fail if announce_channel is false yet it wishes to announce the channel;
// with HandshakeLimits.ForceAnnouncedChannelPreference we also refuse an
// announced channel we wished private. Undefined bits are ignored (MUST).
func checkOpenChannelFlags(msg *wire.OpenChannel, c *UserConfig) error {
	if c.Limits.ForceAnnouncedChannelPreference && msg.AnnounceChannel() != c.Handshake.AnnounceChannel {
		return ruleErr(RuleOpenChannelFlags, "announce_channel %t differs from our preference %t",
			msg.AnnounceChannel(), c.Handshake.AnnounceChannel)
	}
	return nil
}

// checkOpenFunding: BOLT 2, "The open_channel Message", receiver MUST fail
// if funding_satoshis is 2^24 or more and option_support_large_channel is
// not supported (the sender MUST stay below 2^24 unless both nodes
// advertised it); MAY fail if funding_satoshis is too small. Our
// HandshakeLimits bound it both ways.
func checkOpenFunding(msg *wire.OpenChannel, ours, theirs wire.FeatureVector, l *HandshakeLimits) error {
	f := msg.FundingAmount
	large := ours.HasFeature(wire.SupportLargeChannelRequired) && theirs.HasFeature(wire.SupportLargeChannelRequired)
	switch {
	case f >= LargeChannelThreshold && !large:
		return ruleErr(RuleOpenFundingSatoshis, "%d is 2^24 or more without option_support_large_channel", uint64(f))
	case f < l.MinFundingSatoshis:
		return ruleErr(RuleOpenFundingSatoshis, "%d is below our limit %d", uint64(f), uint64(l.MinFundingSatoshis))
	case f > l.MaxFundingSatoshis:
		return ruleErr(RuleOpenFundingSatoshis, "%d is above our limit %d", uint64(f), uint64(l.MaxFundingSatoshis))
	}
	return nil
}

// checkOpenPush: BOLT 2, "The open_channel Message", receiver MUST fail if
// push_msat is greater than funding_satoshis * 1000.
func checkOpenPush(msg *wire.OpenChannel) error {
	if msg.PushAmount > toMsat(msg.FundingAmount) {
		return ruleErr(RuleOpenPushMsat, "%d is above the funding %d sat", uint64(msg.PushAmount), uint64(msg.FundingAmount))
	}
	return nil
}

// checkOpenFeeRate: BOLT 2, "The open_channel Message", receiver MUST fail
// if it considers feerate_per_kw too small for timely processing or
// unreasonably large: outside [FeeBounds] for the channel's type.
func checkOpenFeeRate(msg *wire.OpenChannel, t ChannelType, b FeeBounds) error {
	switch {
	case msg.FeeRate < b.Min(t.Commitment):
		return ruleErr(RuleOpenFeeRate, "%d sat/kw is below our minimum %d for %s", uint32(msg.FeeRate),
			uint32(b.Min(t.Commitment)), t.Commitment)
	case msg.FeeRate > b.Max:
		return ruleErr(RuleOpenFeeRate, "%d sat/kw is above our maximum %d", uint32(msg.FeeRate), uint32(b.Max))
	}
	return nil
}
