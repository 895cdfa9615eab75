package channel

import (
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/lnkit/lnkit/channel/commit"
	"github.com/lnkit/lnkit/wire"
)

// fuzzFeatures returns init features from a bit mask: which optional
// features a fuzzed peer signals.
func fuzzFeatures(mask uint8) wire.FeatureVector {
	bits := []wire.FeatureBit{wire.AnchorsZeroFeeHTLCTxOptional, wire.UpfrontShutdownScriptOptional,
		wire.ShutdownAnySegwitOptional, wire.ScidAliasOptional, wire.ZeroConfOptional,
		wire.SupportLargeChannelOptional, wire.DualFundOptional, wire.SimpleCloseOptional}
	f := wire.NewFeatureVector(wire.StaticRemoteKeyOptional)
	for i, b := range bits {
		if mask&(1<<i) != 0 {
			f.Set(b)
		}
	}
	return f
}

// FuzzCheckOpenChannel feeds every decodable open_channel to the checks
// with varied features and trust: they never panic, fail only with a
// *RuleError, and what they accept satisfies the MUSTs of BOLT 2.
func FuzzCheckOpenChannel(f *testing.F) {
	cfg := DefaultUserConfig()
	for i, ct := range []ChannelType{anchorsType(), {Commitment: commit.StaticRemoteKey},
		{Commitment: commit.AnchorsZeroFeeHTLC, ZeroConf: true, ScidAlias: true}} {
		m := simulatedOpen(f, cfg, estimatorAround(1000), ct, 1_000_000+wire.Satoshi(i), wire.MilliSatoshi(i)*1000)
		b, err := m.Encode(nil)
		require.NoError(f, err)
		f.Add(b, uint8(0xff), uint8(0xff), true)
		f.Add(b, uint8(0x07), uint8(0x41), false)
	}
	est := estimatorAround(1000)
	f.Fuzz(func(t *testing.T, data []byte, ours, theirs uint8, trust bool) {
		var m wire.OpenChannel
		if m.Decode(data) != nil {
			return
		}
		in := testInbound(t, est)
		in.OurFeatures, in.TheirFeatures, in.TrustZeroConf = fuzzFeatures(ours), fuzzFeatures(theirs), trust
		in.Config.Limits.MaxFundingSatoshis = commit.MaxCapacity
		ct, err := CheckOpenChannel(&m, in)
		if err != nil {
			var re *RuleError
			require.ErrorAs(t, err, &re)
			return
		}
		require.LessOrEqual(t, m.PushAmount, m.FundingAmount.ToMilliSatoshi())
		require.GreaterOrEqual(t, m.DustLimit, commit.MinDustLimit)
		require.LessOrEqual(t, m.DustLimit, m.ChannelReserve)
		require.LessOrEqual(t, m.MaxAcceptedHTLCs, MaxAcceptedHTLCsLimit)
		require.Equal(t, m.ChannelType.Value.Bytes(), ct.Features().Bytes())
	})
}

// FuzzCheckAcceptChannel feeds every decodable accept_channel to the
// opener's checks: they never panic, fail only with a *RuleError, and what
// they accept echoes our channel_type and temporary_channel_id.
func FuzzCheckAcceptChannel(f *testing.F) {
	cfg := DefaultUserConfig()
	sents := []*wire.OpenChannel{
		simulatedOpen(f, cfg, estimatorAround(1000), anchorsType(), 1_000_000, 0),
		simulatedOpen(f, cfg, estimatorAround(1000), ChannelType{Commitment: commit.StaticRemoteKey}, 50_000, 10_000_000),
		simulatedOpen(f, cfg, estimatorAround(1000), ChannelType{Commitment: commit.AnchorsZeroFeeHTLC, ZeroConf: true}, 100_000, 0),
	}
	for i, s := range sents {
		a := simulatedAccept(f, cfg, s)
		b, err := a.Encode(nil)
		require.NoError(f, err)
		f.Add(b, uint8(i), uint8(0xff))
	}
	f.Fuzz(func(t *testing.T, data []byte, which, theirs uint8) {
		var m wire.AcceptChannel
		if m.Decode(data) != nil {
			return
		}
		sent := sents[int(which)%len(sents)]
		in := &OutboundAccept{Sent: sent, OurFeatures: testFeatures(), TheirFeatures: fuzzFeatures(theirs), Config: cfg}
		ct, err := CheckAcceptChannel(&m, in)
		if err != nil {
			var re *RuleError
			require.ErrorAs(t, err, &re)
			return
		}
		require.Equal(t, sent.TemporaryChannelID, m.TemporaryChannelID)
		require.Equal(t, sent.ChannelType.Value.Bytes(), ct.Features().Bytes())
		require.GreaterOrEqual(t, m.ChannelReserve, sent.DustLimit)
		require.LessOrEqual(t, m.DustLimit, sent.ChannelReserve)
	})
}

// FuzzShutdownScript: Allows never panics, and what a narrower policy
// allows a wider one allows too.
func FuzzShutdownScript(f *testing.F) {
	f.Add(append([]byte{0x00, 20}, make([]byte, 20)...))
	f.Add(append([]byte{0x51, 32}, make([]byte, 32)...))
	f.Add(append([]byte{0x6a, 0x4c, 80}, make([]byte, 80)...))
	f.Add([]byte{0x6a})
	f.Fuzz(func(t *testing.T, script []byte) {
		all := ShutdownScriptPolicy{AnySegwit: true, SimpleClose: true, Legacy: true}
		if (ShutdownScriptPolicy{}).Allows(script) {
			require.True(t, all.Allows(script))
		}
	})
}
