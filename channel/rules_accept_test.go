package channel

import (
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/lnkit/lnkit/channel/commit"
	"github.com/lnkit/lnkit/wire"
)

// validAccept returns the open_channel we sent (default policy, anchors,
// 1M sat), a valid accept_channel from a default peer, and our context.
func validAccept(t *testing.T) (*wire.AcceptChannel, *OutboundAccept) {
	t.Helper()
	cfg := DefaultUserConfig()
	open := simulatedOpen(t, cfg, estimatorAround(1000), anchorsType(), 1_000_000, 0)
	return simulatedAccept(t, cfg, open), &OutboundAccept{
		Sent: open, OurFeatures: testFeatures(), TheirFeatures: testFeatures(), Config: cfg,
	}
}

func TestCheckAcceptChannelValid(t *testing.T) {
	m, in := validAccept(t)
	ct, err := CheckAcceptChannel(m, in)
	require.NoError(t, err)
	require.Equal(t, anchorsType(), ct)
}

// TestCheckAcceptChannelRules breaks each rule alone on an otherwise valid
// accept_channel.
func TestCheckAcceptChannelRules(t *testing.T) {
	zeroConf := ChannelType{Commitment: commit.AnchorsZeroFeeHTLC, ZeroConf: true}
	cases := []struct {
		name   string
		rule   Rule
		mutate func(m *wire.AcceptChannel, in *OutboundAccept)
	}{
		{"temporary_channel_id differs", RuleAcceptTemporaryChannelID, func(m *wire.AcceptChannel, _ *OutboundAccept) {
			m.TemporaryChannelID[31] ^= 1
		}},
		{"funding_pubkey", RuleAcceptPoints, func(m *wire.AcceptChannel, _ *OutboundAccept) { m.FundingPubKey = wire.Point{} }},
		{"revocation_basepoint", RuleAcceptPoints, func(m *wire.AcceptChannel, _ *OutboundAccept) { m.RevocationBasepoint[0] = 0x05 }},
		{"payment_basepoint", RuleAcceptPoints, func(m *wire.AcceptChannel, _ *OutboundAccept) { m.PaymentBasepoint = wire.Point{} }},
		{"delayed_payment_basepoint", RuleAcceptPoints, func(m *wire.AcceptChannel, _ *OutboundAccept) { m.DelayedPaymentBasepoint = wire.Point{} }},
		{"htlc_basepoint", RuleAcceptPoints, func(m *wire.AcceptChannel, _ *OutboundAccept) { m.HTLCBasepoint = wire.Point{} }},
		{"first_per_commitment_point", RuleAcceptPoints, func(m *wire.AcceptChannel, _ *OutboundAccept) { m.FirstPerCommitmentPoint = wire.Point{} }},
		{"channel_type missing", RuleAcceptChannelType, func(m *wire.AcceptChannel, _ *OutboundAccept) {
			m.ChannelType = wire.Option[wire.FeatureVector]{}
		}},
		{"channel_type differs", RuleAcceptChannelType, func(m *wire.AcceptChannel, _ *OutboundAccept) {
			m.ChannelType = wire.Some(ChannelType{Commitment: commit.StaticRemoteKey}.Features())
		}},
		{"minimum_depth above our maximum", RuleAcceptMinimumDepth, func(m *wire.AcceptChannel, _ *OutboundAccept) { m.MinimumDepth = 145 }},
		{"minimum_depth not zero for zeroconf", RuleAcceptMinimumDepth, func(m *wire.AcceptChannel, in *OutboundAccept) {
			in.Sent.ChannelType = wire.Some(zeroConf.Features())
			m.ChannelType = wire.Some(zeroConf.Features())
			m.MinimumDepth = 1
		}},
		{"dust limit below 354", RuleAcceptDustLimit, func(m *wire.AcceptChannel, _ *OutboundAccept) { m.DustLimit = 353 }},
		{"dust limit above our maximum", RuleAcceptDustLimit, func(m *wire.AcceptChannel, _ *OutboundAccept) { m.DustLimit = 547 }},
		{"dust limit above its reserve", RuleAcceptDustLimit, func(m *wire.AcceptChannel, _ *OutboundAccept) {
			m.DustLimit, m.ChannelReserve = 500, 499
		}},
		{"dust limit above the open_channel's reserve", RuleAcceptDustLimit, func(m *wire.AcceptChannel, in *OutboundAccept) {
			m.DustLimit = 500
			in.Sent.ChannelReserve = 499
		}},
		{"reserve below the open_channel's dust limit", RuleAcceptChannelReserve, func(m *wire.AcceptChannel, in *OutboundAccept) {
			m.ChannelReserve = 400
			in.Sent.DustLimit = 401
		}},
		{"reserve above our maximum share", RuleAcceptChannelReserve, func(m *wire.AcceptChannel, in *OutboundAccept) {
			m.ChannelReserve = in.Sent.FundingAmount/5 + 1
		}},
		{"reserve the whole capacity", RuleAcceptChannelReserve, func(m *wire.AcceptChannel, in *OutboundAccept) {
			m.ChannelReserve = in.Sent.FundingAmount
			in.Config.Limits.MaxChannelReserveProportionalMillionths = 1_000_000
		}},
		{"to_self_delay above our maximum", RuleAcceptToSelfDelay, func(m *wire.AcceptChannel, _ *OutboundAccept) { m.ToSelfDelay = 2017 }},
		{"max_accepted_htlcs above 483", RuleAcceptMaxAcceptedHTLCs, func(m *wire.AcceptChannel, _ *OutboundAccept) { m.MaxAcceptedHTLCs = 484 }},
		{"max_accepted_htlcs below our minimum", RuleAcceptMaxAcceptedHTLCs, func(m *wire.AcceptChannel, in *OutboundAccept) {
			in.Config.Limits.MinMaxAcceptedHTLCs = m.MaxAcceptedHTLCs + 1
		}},
		{"htlc_minimum above our maximum", RuleAcceptHTLCMinimum, func(m *wire.AcceptChannel, in *OutboundAccept) {
			m.HTLCMinimum = 1000
			in.Config.Limits.MaxHTLCMinimum = 999
		}},
		{"htlc_minimum above the capacity less reserves", RuleAcceptHTLCMinimum, func(m *wire.AcceptChannel, in *OutboundAccept) {
			m.HTLCMinimum = (in.Sent.FundingAmount - m.ChannelReserve - in.Sent.ChannelReserve).ToMilliSatoshi()
		}},
		{"max_htlc_value_in_flight below our minimum", RuleAcceptMaxHTLCValueInFlight, func(m *wire.AcceptChannel, in *OutboundAccept) {
			in.Config.Limits.MinMaxHTLCValueInFlight = m.MaxHTLCValueInFlight + 1
		}},
		{"both outputs at or below the reserve", RuleAcceptInitialCommitment, func(m *wire.AcceptChannel, in *OutboundAccept) {
			// 20,000 sat at 10,000 sat/kw leaves the funder 8100 sat.
			in.Sent.FundingAmount, in.Sent.FeeRate, in.Sent.ChannelReserve = 20_000, 10_000, 1000
			m.ChannelReserve = 8100
			in.Config.Limits.MaxChannelReserveProportionalMillionths = 1_000_000
		}},
		{"upfront script missing though negotiated", RuleAcceptUpfrontShutdownScript, func(m *wire.AcceptChannel, _ *OutboundAccept) {
			m.UpfrontShutdownScript = wire.Option[[]byte]{}
		}},
		{"upfront script of no allowed form", RuleAcceptUpfrontShutdownScript, func(m *wire.AcceptChannel, _ *OutboundAccept) {
			m.UpfrontShutdownScript = wire.Some([]byte{0x00, 0x14})
		}},
	}
	// Where several cases share a rule, the message tells which
	// requirement failed.
	why := map[string]string{
		"funding_pubkey": "funding_pubkey", "revocation_basepoint": "revocation_basepoint",
		"payment_basepoint": "payment_basepoint", "delayed_payment_basepoint": "delayed_payment_basepoint",
		"htlc_basepoint": "htlc_basepoint", "first_per_commitment_point": "first_per_commitment_point",
		"channel_type missing": "missing", "channel_type differs": "differs",
		"minimum_depth above our maximum":               "above our limit",
		"minimum_depth not zero for zeroconf":           "not zero",
		"dust limit below 354":                          "below 354",
		"dust limit above our maximum":                  "above our limit",
		"dust limit above its reserve":                  "above its channel_reserve",
		"dust limit above the open_channel's reserve":   "other side's channel_reserve",
		"reserve below the open_channel's dust limit":   "below the other side's dust",
		"reserve above our maximum share":               "millionths",
		"reserve the whole capacity":                    "not below the capacity",
		"max_accepted_htlcs above 483":                  "above 483",
		"max_accepted_htlcs below our minimum":          "below our limit",
		"htlc_minimum above our maximum":                "above our limit",
		"htlc_minimum above the capacity less reserves": "no room",
		"upfront script missing though negotiated":      "missing",
		"upfront script of no allowed form":             "not an allowed",
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			m, in := validAccept(t)
			tc.mutate(m, in)
			_, err := CheckAcceptChannel(m, in)
			requireRule(t, err, tc.rule)
			require.Contains(t, err.Error(), why[tc.name])
		})
	}
}

// TestCheckAcceptChannelAccepted covers variations that must pass.
func TestCheckAcceptChannelAccepted(t *testing.T) {
	zeroConf := ChannelType{Commitment: commit.AnchorsZeroFeeHTLC, ZeroConf: true}
	cases := []struct {
		name   string
		mutate func(m *wire.AcceptChannel, in *OutboundAccept)
		want   ChannelType
	}{
		{"zeroconf with depth 0", func(m *wire.AcceptChannel, in *OutboundAccept) {
			in.Sent.ChannelType = wire.Some(zeroConf.Features())
			m.ChannelType = wire.Some(zeroConf.Features())
			m.MinimumDepth = 0
		}, zeroConf},
		{"depth at our maximum", func(m *wire.AcceptChannel, _ *OutboundAccept) { m.MinimumDepth = 144 }, anchorsType()},
		{"funder pushed everything but the fee", func(m *wire.AcceptChannel, in *OutboundAccept) {
			in.Sent.PushAmount = (in.Sent.FundingAmount - 2000).ToMilliSatoshi()
		}, anchorsType()},
		{"segwit v1 upfront script with anysegwit", func(m *wire.AcceptChannel, _ *OutboundAccept) {
			m.UpfrontShutdownScript = wire.Some(append([]byte{0x51, 32}, make([]byte, 32)...))
		}, anchorsType()},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			m, in := validAccept(t)
			tc.mutate(m, in)
			got, err := CheckAcceptChannel(m, in)
			require.NoError(t, err)
			require.Equal(t, tc.want, got)
		})
	}
}
