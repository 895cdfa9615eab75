package channel

import (
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/lnkit/lnkit/channel/commit"
	"github.com/lnkit/lnkit/wire"
)

// validOpen returns a valid open_channel (default policy, anchors, 1M sat,
// 1000 sat/kw base estimates) and the acceptor's context for it.
func validOpen(t *testing.T) (*wire.OpenChannel, *InboundOpen) {
	t.Helper()
	est := estimatorAround(1000)
	m := simulatedOpen(t, DefaultUserConfig(), est, anchorsType(), 1_000_000, 0)
	return m, testInbound(t, est)
}

func TestCheckOpenChannelValid(t *testing.T) {
	m, in := validOpen(t)
	ct, err := CheckOpenChannel(m, in)
	require.NoError(t, err)
	require.Equal(t, anchorsType(), ct)

	// The zero UserConfig means the defaults.
	in.Config = UserConfig{}
	_, err = CheckOpenChannel(m, in)
	require.NoError(t, err)

	// Undefined channel_flags bits are ignored (BOLT 2 MUST).
	m.ChannelFlags = 0xfe
	_, err = CheckOpenChannel(m, in)
	require.NoError(t, err)
}

// TestCheckOpenChannelRules breaks each rule alone on an otherwise valid
// open_channel.
func TestCheckOpenChannelRules(t *testing.T) {
	var bad wire.Point
	bad[0] = 0x02
	for i := 1; i < len(bad); i++ {
		bad[i] = 0xff // x above the field prime
	}
	cases := []struct {
		name   string
		rule   Rule
		mutate func(m *wire.OpenChannel, in *InboundOpen)
	}{
		{"unknown chain", RuleOpenChainHash, func(m *wire.OpenChannel, _ *InboundOpen) { m.ChainHash[0] ^= 1 }},
		{"dual fund negotiated", RuleOpenDualFund, func(_ *wire.OpenChannel, in *InboundOpen) {
			in.OurFeatures.Set(wire.DualFundOptional)
			in.TheirFeatures.Set(wire.DualFundOptional)
		}},
		{"funding_pubkey", RuleOpenPoints, func(m *wire.OpenChannel, _ *InboundOpen) { m.FundingPubKey = bad }},
		{"revocation_basepoint", RuleOpenPoints, func(m *wire.OpenChannel, _ *InboundOpen) { m.RevocationBasepoint = bad }},
		{"payment_basepoint", RuleOpenPoints, func(m *wire.OpenChannel, _ *InboundOpen) { m.PaymentBasepoint = wire.Point{} }},
		{"delayed_payment_basepoint", RuleOpenPoints, func(m *wire.OpenChannel, _ *InboundOpen) { m.DelayedPaymentBasepoint = bad }},
		{"htlc_basepoint", RuleOpenPoints, func(m *wire.OpenChannel, _ *InboundOpen) { m.HTLCBasepoint[0] = 0x04 }},
		{"first_per_commitment_point", RuleOpenPoints, func(m *wire.OpenChannel, _ *InboundOpen) { m.FirstPerCommitmentPoint = bad }},
		{"channel_type missing", RuleOpenChannelType, func(m *wire.OpenChannel, _ *InboundOpen) { m.ChannelType = wire.Option[wire.FeatureVector]{} }},
		{"channel_type odd bit", RuleOpenChannelType, func(m *wire.OpenChannel, _ *InboundOpen) {
			m.ChannelType = wire.Some(wire.NewFeatureVector(wire.StaticRemoteKeyOptional))
		}},
		{"channel_type anchors without static_remotekey", RuleOpenChannelType, func(m *wire.OpenChannel, _ *InboundOpen) {
			m.ChannelType = wire.Some(wire.NewFeatureVector(wire.AnchorsZeroFeeHTLCTxRequired))
		}},
		{"channel_type empty", RuleOpenChannelType, func(m *wire.OpenChannel, _ *InboundOpen) { m.ChannelType = wire.Some(wire.FeatureVector{}) }},
		{"channel_type unknown high bit", RuleOpenChannelType, func(m *wire.OpenChannel, _ *InboundOpen) {
			f := anchorsType().Features()
			f.Set(200)
			m.ChannelType = wire.Some(f)
		}},
		{"channel_type anchors not signaled by peer", RuleOpenChannelType, func(_ *wire.OpenChannel, in *InboundOpen) {
			in.TheirFeatures.Unset(wire.AnchorsZeroFeeHTLCTxOptional)
		}},
		{"channel_type anchors refused by our policy", RuleOpenChannelType, func(_ *wire.OpenChannel, in *InboundOpen) {
			in.Config.Handshake.NegotiateAnchors = false
		}},
		{"channel_type scid_alias not negotiated", RuleOpenChannelType, func(m *wire.OpenChannel, in *InboundOpen) {
			m.ChannelType = wire.Some(ChannelType{Commitment: commit.AnchorsZeroFeeHTLC, ScidAlias: true}.Features())
			in.OurFeatures.Unset(wire.ScidAliasOptional)
		}},
		{"channel_type scid_alias with announce_channel", RuleOpenChannelType, func(m *wire.OpenChannel, in *InboundOpen) {
			m.ChannelType = wire.Some(ChannelType{Commitment: commit.AnchorsZeroFeeHTLC, ScidAlias: true}.Features())
			m.ChannelFlags = 1
			in.Config.Handshake.AnnounceChannel = true
		}},
		{"channel_type zeroconf untrusted", RuleOpenChannelType, func(m *wire.OpenChannel, _ *InboundOpen) {
			m.ChannelType = wire.Some(ChannelType{Commitment: commit.AnchorsZeroFeeHTLC, ZeroConf: true}.Features())
		}},
		{"channel_type zeroconf not negotiated", RuleOpenChannelType, func(m *wire.OpenChannel, in *InboundOpen) {
			m.ChannelType = wire.Some(ChannelType{Commitment: commit.AnchorsZeroFeeHTLC, ZeroConf: true}.Features())
			in.TrustZeroConf = true
			in.TheirFeatures.Unset(wire.ZeroConfOptional)
		}},
		{"announce_channel against our preference", RuleOpenChannelFlags, func(m *wire.OpenChannel, in *InboundOpen) {
			m.ChannelFlags = 1
			in.Config.Limits.ForceAnnouncedChannelPreference = true
		}},
		{"private against our preference", RuleOpenChannelFlags, func(_ *wire.OpenChannel, in *InboundOpen) {
			in.Config.Handshake.AnnounceChannel = true
			in.Config.Limits.ForceAnnouncedChannelPreference = true
		}},
		{"funding 2^24 without large channels", RuleOpenFundingSatoshis, func(m *wire.OpenChannel, in *InboundOpen) {
			m.FundingAmount = LargeChannelThreshold
			in.Config.Limits.MaxFundingSatoshis = commit.MaxCapacity
		}},
		{"funding below our minimum", RuleOpenFundingSatoshis, func(m *wire.OpenChannel, in *InboundOpen) {
			in.Config.Limits.MinFundingSatoshis = m.FundingAmount + 1
		}},
		{"funding above our maximum", RuleOpenFundingSatoshis, func(m *wire.OpenChannel, in *InboundOpen) {
			in.Config.Limits.MaxFundingSatoshis = m.FundingAmount - 1
		}},
		{"push above funding", RuleOpenPushMsat, func(m *wire.OpenChannel, _ *InboundOpen) {
			m.PushAmount = m.FundingAmount.ToMilliSatoshi() + 1
		}},
		{"dust limit below 354", RuleOpenDustLimit, func(m *wire.OpenChannel, _ *InboundOpen) { m.DustLimit = 353 }},
		{"dust limit above our maximum", RuleOpenDustLimit, func(m *wire.OpenChannel, _ *InboundOpen) { m.DustLimit = 547 }},
		{"dust limit above its reserve", RuleOpenDustLimit, func(m *wire.OpenChannel, in *InboundOpen) {
			m.DustLimit, m.ChannelReserve = 500, 400
			in.Config.Handshake.DustLimit = 354
		}},
		{"reserve below our dust limit", RuleOpenChannelReserve, func(m *wire.OpenChannel, in *InboundOpen) {
			m.ChannelReserve = 400
			in.Config.Handshake.DustLimit = 401
		}},
		{"reserve above our maximum share", RuleOpenChannelReserve, func(m *wire.OpenChannel, _ *InboundOpen) {
			m.ChannelReserve = m.FundingAmount/5 + 1
		}},
		{"reserve the whole capacity", RuleOpenChannelReserve, func(m *wire.OpenChannel, in *InboundOpen) {
			m.ChannelReserve = m.FundingAmount
			in.Config.Limits.MaxChannelReserveProportionalMillionths = 1_000_000
		}},
		{"to_self_delay above our maximum", RuleOpenToSelfDelay, func(m *wire.OpenChannel, _ *InboundOpen) { m.ToSelfDelay = 2017 }},
		{"max_accepted_htlcs above 483", RuleOpenMaxAcceptedHTLCs, func(m *wire.OpenChannel, _ *InboundOpen) { m.MaxAcceptedHTLCs = 484 }},
		{"max_accepted_htlcs below our minimum", RuleOpenMaxAcceptedHTLCs, func(m *wire.OpenChannel, _ *InboundOpen) { m.MaxAcceptedHTLCs = 0 }},
		{"htlc_minimum above our maximum", RuleOpenHTLCMinimum, func(m *wire.OpenChannel, in *InboundOpen) {
			in.Config.Limits.MaxHTLCMinimum = m.HTLCMinimum - 1
		}},
		{"htlc_minimum above the capacity less reserves", RuleOpenHTLCMinimum, func(m *wire.OpenChannel, _ *InboundOpen) {
			m.HTLCMinimum = (m.FundingAmount - 2*m.ChannelReserve).ToMilliSatoshi()
		}},
		{"max_htlc_value_in_flight below our minimum", RuleOpenMaxHTLCValueInFlight, func(m *wire.OpenChannel, in *InboundOpen) {
			in.Config.Limits.MinMaxHTLCValueInFlight = m.MaxHTLCValueInFlight + 1
		}},
		{"feerate below our minimum", RuleOpenFeeRate, func(m *wire.OpenChannel, in *InboundOpen) { m.FeeRate = in.Fees.MinAnchors - 1 }},
		{"feerate below our static_remotekey minimum", RuleOpenFeeRate, func(m *wire.OpenChannel, in *InboundOpen) {
			m.ChannelType = wire.Some(ChannelType{Commitment: commit.StaticRemoteKey}.Features())
			m.FeeRate = in.Fees.MinStaticRemoteKey - 1
		}},
		{"feerate above our maximum", RuleOpenFeeRate, func(m *wire.OpenChannel, in *InboundOpen) { m.FeeRate = in.Fees.Max + 1 }},
		{"funder cannot pay the fee", RuleOpenInitialCommitment, func(m *wire.OpenChannel, _ *InboundOpen) {
			m.PushAmount = m.FundingAmount.ToMilliSatoshi() - 1000
		}},
		{"both outputs at or below the reserve", RuleOpenInitialCommitment, func(m *wire.OpenChannel, in *InboundOpen) {
			// 20,000 sat at 10,000 sat/kw: the anchor commitment costs
			// 11,240 + 660 sat, leaving 8100 sat to the funder.
			m.FundingAmount, m.PushAmount, m.FeeRate, m.ChannelReserve = 20_000, 0, 10_000, 8100
			in.Config.Limits.MaxChannelReserveProportionalMillionths = 1_000_000
			in.Fees.Max = 10_000
		}},
		{"upfront script missing though negotiated", RuleOpenUpfrontShutdownScript, func(m *wire.OpenChannel, _ *InboundOpen) {
			m.UpfrontShutdownScript = wire.Option[[]byte]{}
		}},
		{"upfront script of no allowed form", RuleOpenUpfrontShutdownScript, func(m *wire.OpenChannel, _ *InboundOpen) {
			m.UpfrontShutdownScript = wire.Some([]byte{0x6a})
		}},
		{"upfront script segwit v1 without anysegwit", RuleOpenUpfrontShutdownScript, func(m *wire.OpenChannel, in *InboundOpen) {
			m.UpfrontShutdownScript = wire.Some(append([]byte{0x51, 32}, make([]byte, 32)...))
			in.TheirFeatures.Unset(wire.ShutdownAnySegwitOptional)
		}},
		{"upfront script P2PKH refused by policy", RuleOpenUpfrontShutdownScript, func(m *wire.OpenChannel, in *InboundOpen) {
			m.UpfrontShutdownScript = wire.Some(append(append([]byte{0x76, 0xa9, 20}, make([]byte, 20)...), 0x88, 0xac))
			in.Config.Limits.AcceptLegacyShutdownScripts = false
		}},
	}
	// Where several cases share a rule, the message tells which
	// requirement failed.
	why := map[string]string{
		"funding_pubkey": "funding_pubkey", "revocation_basepoint": "revocation_basepoint",
		"payment_basepoint": "payment_basepoint", "delayed_payment_basepoint": "delayed_payment_basepoint",
		"htlc_basepoint": "htlc_basepoint", "first_per_commitment_point": "first_per_commitment_point",
		"channel_type missing": "missing", "channel_type odd bit": "undefined",
		"channel_type anchors without static_remotekey": "undefined", "channel_type empty": "undefined",
		"channel_type unknown high bit":                 "undefined",
		"channel_type anchors not signaled by peer":     "not negotiated",
		"channel_type anchors refused by our policy":    "not negotiated",
		"channel_type scid_alias not negotiated":        "option_scid_alias not negotiated",
		"channel_type scid_alias with announce_channel": "with announce_channel",
		"channel_type zeroconf untrusted":               "untrusted",
		"channel_type zeroconf not negotiated":          "option_zeroconf not negotiated",
		"funding 2^24 without large channels":           "option_support_large_channel",
		"funding below our minimum":                     "below our limit",
		"funding above our maximum":                     "above our limit",
		"dust limit below 354":                          "below 354",
		"dust limit above our maximum":                  "above our limit",
		"dust limit above its reserve":                  "above its channel_reserve",
		"reserve below our dust limit":                  "below the other side's dust",
		"reserve above our maximum share":               "millionths",
		"reserve the whole capacity":                    "not below the capacity",
		"htlc_minimum above our maximum":                "above our limit",
		"htlc_minimum above the capacity less reserves": "no room",
		"feerate below our minimum":                     "below our minimum",
		"feerate below our static_remotekey minimum":    "option_static_remotekey",
		"feerate above our maximum":                     "above our maximum",
		"funder cannot pay the fee":                     "cannot pay",
		"both outputs at or below the reserve":          "at or below the reserve",
		"upfront script missing though negotiated":      "missing",
		"upfront script of no allowed form":             "not an allowed",
		"upfront script segwit v1 without anysegwit":    "not an allowed",
		"upfront script P2PKH refused by policy":        "not an allowed",
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			m, in := validOpen(t)
			tc.mutate(m, in)
			_, err := CheckOpenChannel(m, in)
			requireRule(t, err, tc.rule)
			require.Contains(t, err.Error(), why[tc.name])
		})
	}
}

// TestCheckOpenChannelAccepted covers variations that must pass.
func TestCheckOpenChannelAccepted(t *testing.T) {
	cases := []struct {
		name   string
		mutate func(m *wire.OpenChannel, in *InboundOpen)
		want   ChannelType
	}{
		{"static_remotekey", func(m *wire.OpenChannel, in *InboundOpen) {
			m.ChannelType = wire.Some(ChannelType{Commitment: commit.StaticRemoteKey}.Features())
			m.FeeRate = in.Fees.MinStaticRemoteKey
		}, ChannelType{Commitment: commit.StaticRemoteKey}},
		{"zeroconf trusted", func(m *wire.OpenChannel, in *InboundOpen) {
			m.ChannelType = wire.Some(ChannelType{Commitment: commit.AnchorsZeroFeeHTLC, ZeroConf: true}.Features())
			in.TrustZeroConf = true
		}, ChannelType{Commitment: commit.AnchorsZeroFeeHTLC, ZeroConf: true}},
		{"scid_alias private", func(m *wire.OpenChannel, _ *InboundOpen) {
			m.ChannelType = wire.Some(ChannelType{Commitment: commit.AnchorsZeroFeeHTLC, ScidAlias: true}.Features())
		}, ChannelType{Commitment: commit.AnchorsZeroFeeHTLC, ScidAlias: true}},
		{"large channel negotiated", func(m *wire.OpenChannel, in *InboundOpen) {
			m.FundingAmount = LargeChannelThreshold
			in.Config.Limits.MaxFundingSatoshis = commit.MaxCapacity
			in.OurFeatures.Set(wire.SupportLargeChannelOptional)
			in.TheirFeatures.Set(wire.SupportLargeChannelOptional)
		}, anchorsType()},
		{"announce preference not forced", func(m *wire.OpenChannel, in *InboundOpen) {
			m.ChannelFlags = 1
			in.Config.Limits.ForceAnnouncedChannelPreference = false
		}, anchorsType()},
		{"empty upfront script", func(m *wire.OpenChannel, _ *InboundOpen) { m.UpfrontShutdownScript = wire.Some([]byte{}) }, anchorsType()},
		{"no upfront script, feature not negotiated", func(m *wire.OpenChannel, in *InboundOpen) {
			m.UpfrontShutdownScript = wire.Option[[]byte]{}
			in.TheirFeatures.Unset(wire.UpfrontShutdownScriptOptional)
		}, anchorsType()},
		{"legacy P2SH upfront script", func(m *wire.OpenChannel, _ *InboundOpen) {
			m.UpfrontShutdownScript = wire.Some(append(append([]byte{0xa9, 20}, make([]byte, 20)...), 0x87))
		}, anchorsType()},
		{"push of everything above fee and reserve", func(m *wire.OpenChannel, _ *InboundOpen) {
			m.PushAmount = (m.FundingAmount - 20_000).ToMilliSatoshi()
		}, anchorsType()},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			m, in := validOpen(t)
			tc.mutate(m, in)
			got, err := CheckOpenChannel(m, in)
			require.NoError(t, err)
			require.Equal(t, tc.want, got)
		})
	}
}
