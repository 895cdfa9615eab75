package simchain_test

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/lnkit/lnkit/chain"
	"github.com/lnkit/lnkit/lnkittest/simchain"
)

// TestConfig checks New's validation and the defaults.
func TestConfig(t *testing.T) {
	for _, tt := range []struct {
		name  string
		cfg   simchain.Config
		field string
	}{
		{"before 1970", simchain.Config{Start: time.Unix(-1, 0)}, "Start"},
		{"after 2038", simchain.Config{Start: time.Unix(1<<31, 0)}, "Start"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			_, err := simchain.New(tt.cfg)
			require.ErrorIs(t, err, simchain.ErrInvalidConfig)
			var ce *simchain.ConfigError
			require.ErrorAs(t, err, &ce)
			require.Equal(t, tt.field, ce.Field)
		})
	}

	c := newChain(t)
	require.Equal(t, time.Unix(simchain.DefaultStart, 0), c.BlockTime(0))
	require.Equal(t, time.Unix(simchain.DefaultStart, 0).Add(3*simchain.BlockInterval), c.BlockTime(3))
	genesis, ok := c.BlockAt(0)
	require.True(t, ok)
	require.Equal(t, c.BlockTime(0), genesis.Header.Timestamp)
	_, ok = c.BlockAt(1)
	require.False(t, ok)

	// Start moves every timestamp; a lower minimum relay fee rate accepts
	// what the default (1 sat/vbyte over the virtual size) refuses.
	start := time.Date(2030, 1, 1, 0, 0, 0, 0, time.UTC)
	low, err := simchain.New(simchain.Config{Start: start, MinRelayFeeRate: 1})
	require.NoError(t, err)
	low.Mine(1)
	block, _ := low.BlockAt(1)
	require.Equal(t, start.Add(simchain.BlockInterval).Unix(), block.Header.Timestamp.Unix())
	prev := fund(t, low, trueScript, 100_000)
	require.NoError(t, low.Broadcast(spendTrue([]prevOut{prev}, 100_000)), "0 sat for 96 vbytes at 1 sat/kw")
	prev = fund(t, c, trueScript, 100_000)
	requireTxError(t, c.Broadcast(spendTrue([]prevOut{prev}, 100_000-95)), simchain.ErrFeeTooLow, -1)
	require.NoError(t, c.Broadcast(spendTrue([]prevOut{prev}, 100_000-96)), "1 sat/vbyte exactly")
}

// TestMedianTimePast checks BIP 113's median against its definition.
func TestMedianTimePast(t *testing.T) {
	c := newChain(t)
	for h := int32(0); h < 30; h++ {
		var window []int64
		for i := max(0, h-10); i <= h; i++ {
			window = append(window, c.BlockTime(i).Unix())
		}
		// Sorted already: timestamps grow with the height.
		require.Equal(t, window[len(window)/2], c.MedianTimePast(h).Unix(), "height %d", h)
	}
}

// TestFeeEstimator checks the settable estimator: default, spikes,
// per-target rates, the floor, errors.
func TestFeeEstimator(t *testing.T) {
	ctx := context.Background()
	var f simchain.FeeEstimator
	var _ chain.FeeEstimator = &f
	rate := func(target chain.ConfirmationTarget) uint32 {
		t.Helper()
		r, err := f.FeeRate(ctx, target)
		require.NoError(t, err)
		return uint32(r)
	}
	require.EqualValues(t, simchain.DefaultFeeRate, rate(chain.TargetUrgentSweep))
	f.Set(50_000)
	require.EqualValues(t, 50_000, rate(chain.TargetAnchorChannelFee))
	f.SetTarget(chain.TargetAnchorChannelFee, 100)
	require.EqualValues(t, 253, rate(chain.TargetAnchorChannelFee), "never below the floor")
	require.EqualValues(t, 50_000, rate(chain.TargetUrgentSweep))
	boom := errors.New("no estimate")
	f.SetError(boom)
	_, err := f.FeeRate(ctx, chain.TargetMaximum)
	require.ErrorIs(t, err, boom)
	f.SetError(nil)
	f.Set(3_000)
	require.EqualValues(t, 3_000, rate(chain.TargetAnchorChannelFee), "Set drops the per-target rates")
}
