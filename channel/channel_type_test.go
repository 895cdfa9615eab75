package channel

import (
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/lnkit/lnkit/channel/commit"
	"github.com/lnkit/lnkit/wire"
)

func TestParseChannelType(t *testing.T) {
	srk, anc := commit.StaticRemoteKey, commit.AnchorsZeroFeeHTLC
	defined := []ChannelType{
		{Commitment: srk}, {Commitment: anc},
		{Commitment: srk, ScidAlias: true}, {Commitment: anc, ScidAlias: true},
		{Commitment: srk, ZeroConf: true}, {Commitment: anc, ZeroConf: true},
		{Commitment: srk, ScidAlias: true, ZeroConf: true}, {Commitment: anc, ScidAlias: true, ZeroConf: true},
	}
	for _, ct := range defined {
		got, err := ParseChannelType(ct.Features())
		require.NoError(t, err, ct.String())
		require.Equal(t, ct, got)
	}
	undefined := [][]wire.FeatureBit{
		{}, {wire.StaticRemoteKeyOptional}, {wire.AnchorsZeroFeeHTLCTxRequired},
		{wire.StaticRemoteKeyRequired, wire.AnchorsZeroFeeHTLCTxOptional},
		{wire.StaticRemoteKeyRequired, wire.AnchorOutputsRequired},
		{wire.StaticRemoteKeyRequired, wire.SupportLargeChannelRequired},
		{wire.ScidAliasRequired}, {wire.StaticRemoteKeyRequired, 300},
	}
	for _, bits := range undefined {
		_, err := ParseChannelType(wire.NewFeatureVector(bits...))
		require.ErrorIs(t, err, ErrUndefinedChannelType, "%v", bits)
	}
	// A leading zero byte is still the same type (the minimal encoding is
	// compared).
	_, err := ParseChannelType(wire.FeatureVectorFromBytes([]byte{0, 0x10, 0}))
	require.NoError(t, err)
	require.Equal(t, "option_anchors_zero_fee_htlc_tx+option_scid_alias+option_zeroconf", defined[7].String())
}

func TestNegotiateChannelType(t *testing.T) {
	all := testFeatures()
	noAnchors := wire.NewFeatureVector(wire.StaticRemoteKeyOptional)
	anchorsOnly := wire.NewFeatureVector(wire.AnchorsZeroFeeHTLCTxOptional)
	srk := ChannelType{Commitment: commit.StaticRemoteKey}

	// Opener: anchors preferred, static_remotekey the fallback (ASSUMED,
	// so even with no bits set).
	got, err := NegotiateChannelType(all, all, true, nil)
	require.NoError(t, err)
	require.Equal(t, anchorsType(), got)
	got, _ = NegotiateChannelType(all, anchorsOnly, true, nil)
	require.Equal(t, anchorsType(), got)
	for _, c := range []struct {
		ours, theirs wire.FeatureVector
		anchors      bool
	}{{all, noAnchors, true}, {noAnchors, all, true}, {all, all, false}, {wire.FeatureVector{}, wire.FeatureVector{}, true}} {
		got, err = NegotiateChannelType(c.ours, c.theirs, c.anchors, nil)
		require.NoError(t, err)
		require.Equal(t, srk, got)
	}

	// Acceptor: the proposal is checked against both nodes' features.
	proposed := anchorsType().Features()
	got, err = NegotiateChannelType(all, all, true, &proposed)
	require.NoError(t, err)
	require.Equal(t, anchorsType(), got)
	_, err = NegotiateChannelType(all, noAnchors, true, &proposed)
	requireRule(t, err, RuleOpenChannelType)
	_, err = NegotiateChannelType(all, all, false, &proposed)
	requireRule(t, err, RuleOpenChannelType)
	proposed = srk.Features()
	got, err = NegotiateChannelType(noAnchors, noAnchors, false, &proposed)
	require.NoError(t, err)
	require.Equal(t, srk, got)
	proposed = wire.NewFeatureVector(wire.StaticRemoteKeyRequired, wire.SupportLargeChannelRequired)
	_, err = NegotiateChannelType(all, all, true, &proposed)
	requireRule(t, err, RuleOpenChannelType)
}
