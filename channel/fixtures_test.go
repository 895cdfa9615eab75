package channel

import (
	"context"
	"testing"

	"github.com/btcsuite/btcd/btcec/v2"
	"github.com/btcsuite/btcd/chaincfg"
	"github.com/stretchr/testify/require"

	"github.com/lnkit/lnkit/chain"
	"github.com/lnkit/lnkit/channel/commit"
	"github.com/lnkit/lnkit/wire"
)

// testChain is the chain of every test: regtest.
var testChain = *chaincfg.RegressionNetParams.GenesisHash

// testFeatures are the init features both test nodes advertise: every
// feature a channel_type may contain, upfront shutdown and anysegwit.
func testFeatures() wire.FeatureVector {
	return wire.NewFeatureVector(wire.StaticRemoteKeyOptional, wire.AnchorsZeroFeeHTLCTxOptional,
		wire.UpfrontShutdownScriptOptional, wire.ShutdownAnySegwitOptional, wire.ScidAliasOptional,
		wire.ZeroConfOptional, wire.ChannelTypeOptional)
}

// testPoint returns a valid point from a small secret.
func testPoint(t testing.TB, n byte) wire.Point {
	t.Helper()
	var k [32]byte
	k[31] = n
	priv, _ := btcec.PrivKeyFromBytes(k[:])
	return wire.NewPoint(priv.PubKey())
}

// p2wpkh is an upfront shutdown script of the allowed P2WPKH form.
func p2wpkh(fill byte) []byte {
	s := append([]byte{0x00, 20}, make([]byte, 20)...)
	for i := 2; i < len(s); i++ {
		s[i] = fill
	}
	return s
}

// staticEstimator is a chain.FeeEstimator answering a fixed rate per target.
type staticEstimator map[chain.ConfirmationTarget]wire.FeeRate

func (e staticEstimator) FeeRate(_ context.Context, t chain.ConfirmationTarget) (wire.FeeRate, error) {
	return chain.ClampFeeRate(e[t]), nil
}

// estimatorAround returns estimates scaled from a base rate b (sat/kw),
// as a real estimator's targets relate.
func estimatorAround(b wire.FeeRate) staticEstimator {
	return staticEstimator{
		chain.TargetMaximum:                      4 * b,
		chain.TargetUrgentSweep:                  2 * b,
		chain.TargetNonAnchorChannelFee:          b,
		chain.TargetOutputSpending:               b,
		chain.TargetChannelCloseMinimum:          b / 2,
		chain.TargetMinAllowedNonAnchorRemoteFee: b / 2,
		chain.TargetAnchorChannelFee:             b / 4,
		chain.TargetMinAllowedAnchorRemoteFee:    b / 4,
	}
}

// simulatedOpen is the open_channel a node with policy cfg sends for a
// channel of type ct, as the manager will build it.
func simulatedOpen(t testing.TB, cfg UserConfig, est chain.FeeEstimator, ct ChannelType,
	funding wire.Satoshi, push wire.MilliSatoshi) *wire.OpenChannel {
	t.Helper()
	h := cfg.Handshake
	rate, err := est.FeeRate(context.Background(), openerTarget(ct.Commitment))
	require.NoError(t, err)
	m := &wire.OpenChannel{
		ChainHash:               testChain,
		TemporaryChannelID:      wire.ChannelID{1, 2, 3},
		FundingAmount:           funding,
		PushAmount:              push,
		DustLimit:               h.DustLimit,
		MaxHTLCValueInFlight:    h.MaxHTLCValueInFlight(funding),
		ChannelReserve:          h.ChannelReserve(funding, 0),
		HTLCMinimum:             h.HTLCMinimum,
		FeeRate:                 rate,
		ToSelfDelay:             h.ToSelfDelay,
		MaxAcceptedHTLCs:        h.MaxAcceptedHTLCs,
		FundingPubKey:           testPoint(t, 1),
		RevocationBasepoint:     testPoint(t, 2),
		PaymentBasepoint:        testPoint(t, 3),
		DelayedPaymentBasepoint: testPoint(t, 4),
		HTLCBasepoint:           testPoint(t, 5),
		FirstPerCommitmentPoint: testPoint(t, 6),
		UpfrontShutdownScript:   wire.Some([]byte{}),
		ChannelType:             wire.Some(ct.Features()),
	}
	if h.AnnounceChannel {
		m.ChannelFlags = 1
	}
	if h.CommitUpfrontShutdownScript {
		m.UpfrontShutdownScript = wire.Some(p2wpkh(0xaa))
	}
	return m
}

// simulatedAccept is the accept_channel a node with policy cfg answers to
// open, as the manager will build it.
func simulatedAccept(t testing.TB, cfg UserConfig, open *wire.OpenChannel) *wire.AcceptChannel {
	t.Helper()
	h := cfg.Handshake
	m := &wire.AcceptChannel{
		TemporaryChannelID:      open.TemporaryChannelID,
		DustLimit:               h.DustLimit,
		MaxHTLCValueInFlight:    h.MaxHTLCValueInFlight(open.FundingAmount),
		ChannelReserve:          h.ChannelReserve(open.FundingAmount, open.DustLimit),
		HTLCMinimum:             h.HTLCMinimum,
		MinimumDepth:            h.MinimumDepth,
		ToSelfDelay:             h.ToSelfDelay,
		MaxAcceptedHTLCs:        h.MaxAcceptedHTLCs,
		FundingPubKey:           testPoint(t, 11),
		RevocationBasepoint:     testPoint(t, 12),
		PaymentBasepoint:        testPoint(t, 13),
		DelayedPaymentBasepoint: testPoint(t, 14),
		HTLCBasepoint:           testPoint(t, 15),
		FirstPerCommitmentPoint: testPoint(t, 16),
		UpfrontShutdownScript:   wire.Some([]byte{}),
		ChannelType:             wire.Some(open.ChannelType.Value.Clone()),
	}
	if h.CommitUpfrontShutdownScript {
		m.UpfrontShutdownScript = wire.Some(p2wpkh(0xbb))
	}
	return m
}

// testInbound is the acceptor's context with default policy and bounds
// from est.
func testInbound(t testing.TB, est chain.FeeEstimator) *InboundOpen {
	t.Helper()
	cfg := DefaultUserConfig()
	fees, err := NewFeeBounds(context.Background(), est, cfg.Limits)
	require.NoError(t, err)
	return &InboundOpen{
		ChainHash: testChain, OurFeatures: testFeatures(), TheirFeatures: testFeatures(),
		Config: cfg, Fees: fees,
	}
}

// anchorsType is the type the default policy negotiates.
func anchorsType() ChannelType { return ChannelType{Commitment: commit.AnchorsZeroFeeHTLC} }

// requireRule asserts err is a *RuleError of rule, through both errors.Is
// forms and errors.As.
func requireRule(t *testing.T, err error, rule Rule) {
	t.Helper()
	require.Error(t, err)
	require.ErrorIs(t, err, ErrRuleViolated)
	require.ErrorIs(t, err, &RuleError{Rule: rule}, "got %v", err)
	var re *RuleError
	require.ErrorAs(t, err, &re)
	require.Equal(t, rule, re.Rule)
	require.Contains(t, re.PeerMessage(), string(rule)+": ")
}
