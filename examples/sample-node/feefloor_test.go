package main

import (
	"context"
	"errors"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/lnkit/lnkit/chain"
	"github.com/lnkit/lnkit/wire"
)

// fixedFees answers one rate for every target, or err.
type fixedFees struct {
	rate wire.FeeRate
	err  error
}

func (f fixedFees) FeeRate(context.Context, chain.ConfirmationTarget) (wire.FeeRate, error) {
	return f.rate, f.err
}

func TestFeeFloor(t *testing.T) {
	ctx := context.Background()
	tests := []struct {
		name  string
		est   wire.FeeRate
		floor wire.FeeRate
		want  wire.FeeRate
	}{
		{"no floor", 1250, 0, 1250},
		{"estimate above the floor", 6000, 5000, 6000},
		{"estimate raised to the floor", 1250, 5000, 5000},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := feeFloor{est: fixedFees{rate: tt.est}, floor: tt.floor}.FeeRate(ctx, chain.TargetOutputSpending)
			require.NoError(t, err)
			require.Equal(t, tt.want, got)
		})
	}
	boom := errors.New("no backend")
	_, err := feeFloor{est: fixedFees{err: boom}, floor: 5000}.FeeRate(ctx, chain.TargetOutputSpending)
	require.ErrorIs(t, err, boom, "an estimator's error is not hidden by the floor")
}
