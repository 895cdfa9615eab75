package channel

import (
	"bytes"

	"github.com/lnkit/lnkit/wire"
)

// OutboundAccept is what the opener knows when it checks the peer's
// accept_channel.
type OutboundAccept struct {
	// Sent is the open_channel we sent.
	Sent *wire.OpenChannel
	// OurFeatures and TheirFeatures are the init features of both nodes.
	OurFeatures, TheirFeatures wire.FeatureVector
	// Config is our policy; the zero UserConfig means the defaults.
	Config UserConfig
}

// CheckAcceptChannel applies every rule of BOLT 2 on accept_channel ("The
// accept_channel Message", Requirements of the receiver, and those of
// open_channel its fields share) and our limits, and returns the channel's
// type. The first broken rule is returned as a [*RuleError].
func CheckAcceptChannel(msg *wire.AcceptChannel, in *OutboundAccept) (ChannelType, error) {
	rs := acceptRules()
	cfg := in.Config.WithDefaults()
	l, sent := &cfg.Limits, in.Sent
	if err := checkAcceptTemporaryChannelID(msg, sent); err != nil {
		return ChannelType{}, err
	}
	if err := checkPoints(rs.points, &msg.FundingPubKey, &msg.RevocationBasepoint, &msg.PaymentBasepoint,
		&msg.DelayedPaymentBasepoint, &msg.HTLCBasepoint, &msg.FirstPerCommitmentPoint); err != nil {
		return ChannelType{}, err
	}
	t, err := checkAcceptChannelType(msg, sent)
	if err != nil {
		return ChannelType{}, err
	}
	for _, check := range []func() error{
		func() error { return checkAcceptMinimumDepth(msg, t, l.MaxMinimumDepth) },
		func() error {
			return checkDustLimit(rs.dust, msg.DustLimit, msg.ChannelReserve, sent.ChannelReserve, l.MaxDustLimit)
		},
		func() error {
			return checkChannelReserve(rs.reserve, msg.ChannelReserve, sent.DustLimit, sent.FundingAmount,
				l.MaxChannelReserveProportionalMillionths)
		},
		func() error { return checkToSelfDelay(rs.toSelfDelay, msg.ToSelfDelay, l.MaxToSelfDelay) },
		func() error { return checkMaxAcceptedHTLCs(rs.maxHTLCs, msg.MaxAcceptedHTLCs, l.MinMaxAcceptedHTLCs) },
		func() error {
			return checkHTLCMinimum(rs.htlcMin, msg.HTLCMinimum, l.MaxHTLCMinimum, sent.FundingAmount,
				msg.ChannelReserve, sent.ChannelReserve)
		},
		func() error {
			return checkMaxHTLCValueInFlight(rs.inFlight, msg.MaxHTLCValueInFlight, l.MinMaxHTLCValueInFlight)
		},
		func() error {
			return checkInitialCommitment(rs.commitment, t.Commitment, sent.FundingAmount, sent.PushAmount,
				sent.FeeRate, msg.ChannelReserve, false)
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

// checkAcceptTemporaryChannelID: BOLT 2, "The accept_channel Message": the
// temporary_channel_id MUST be the same as the open_channel's.
func checkAcceptTemporaryChannelID(msg *wire.AcceptChannel, sent *wire.OpenChannel) error {
	if msg.TemporaryChannelID != sent.TemporaryChannelID {
		return ruleErr(RuleAcceptTemporaryChannelID, "%x is not the open_channel's %x",
			msg.TemporaryChannelID[:], sent.TemporaryChannelID[:])
	}
	return nil
}

// checkAcceptChannelType: BOLT 2, "The accept_channel Message", receiver
// MUST fail if the message has no channel_type or if it does not match the
// open_channel's. The sent type was ours, so it is defined.
func checkAcceptChannelType(msg *wire.AcceptChannel, sent *wire.OpenChannel) (ChannelType, error) {
	ct, ok := msg.ChannelType.Get()
	if !ok {
		return ChannelType{}, ruleErr(RuleAcceptChannelType, "missing")
	}
	if !bytes.Equal(ct.Bytes(), sent.ChannelType.Value.Bytes()) {
		return ChannelType{}, ruleErr(RuleAcceptChannelType, "%s differs from the open_channel's %s",
			ct, sent.ChannelType.Value)
	}
	t, err := ParseChannelType(ct)
	if err != nil {
		return ChannelType{}, ruleErr(RuleAcceptChannelType, "undefined channel_type %s", ct)
	}
	return t, nil
}

// checkAcceptMinimumDepth: BOLT 2, "The accept_channel Message", receiver
// MAY fail if minimum_depth is unreasonably large (above our
// HandshakeLimits.MaxMinimumDepth); the sender MUST set it to zero for a
// channel_type with option_zeroconf.
func checkAcceptMinimumDepth(msg *wire.AcceptChannel, t ChannelType, maxDepth uint32) error {
	switch {
	case t.ZeroConf && msg.MinimumDepth != 0:
		return ruleErr(RuleAcceptMinimumDepth, "%d is not zero for %s", msg.MinimumDepth, t)
	case msg.MinimumDepth > maxDepth:
		return ruleErr(RuleAcceptMinimumDepth, "%d is above our limit %d", msg.MinimumDepth, maxDepth)
	}
	return nil
}
