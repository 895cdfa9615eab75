package channel

import (
	"context"
	"errors"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/lnkit/lnkit/chain"
	"github.com/lnkit/lnkit/channel/commit"
	"github.com/lnkit/lnkit/wire"
)

type failingEstimator struct{}

func (failingEstimator) FeeRate(context.Context, chain.ConfirmationTarget) (wire.FeeRate, error) {
	return 0, errors.New("no backend")
}

func TestNewFeeBounds(t *testing.T) {
	l := DefaultUserConfig().Limits
	b, err := NewFeeBounds(context.Background(), estimatorAround(4000), l)
	require.NoError(t, err)
	require.Equal(t, FeeBounds{MinStaticRemoteKey: 2000 - 250, MinAnchors: 1000 - 250, Max: 16_000 * 10}, b)
	require.Equal(t, b.MinAnchors, b.Min(commit.AnchorsZeroFeeHTLC))
	require.Equal(t, b.MinStaticRemoteKey, b.Min(commit.StaticRemoteKey))

	// Low estimates never bring the minimum under the relay floor.
	b, err = NewFeeBounds(context.Background(), estimatorAround(300), l)
	require.NoError(t, err)
	require.Equal(t, wire.FeeRateFloor, b.MinAnchors)
	require.Equal(t, wire.FeeRateFloor, b.MinStaticRemoteKey)

	// The maximum saturates.
	l.MaxFeeRateMultiple = 1 << 31
	b, err = NewFeeBounds(context.Background(), estimatorAround(4000), l)
	require.NoError(t, err)
	require.Equal(t, wire.FeeRate(1<<32-1), b.Max)

	_, err = NewFeeBounds(context.Background(), failingEstimator{}, l)
	require.ErrorContains(t, err, "no backend")
}
