package simchain

import (
	"context"
	"sync"

	"github.com/lnkit/lnkit/chain"
	lnwire "github.com/lnkit/lnkit/wire"
)

// DefaultFeeRate is what a [FeeEstimator] answers until set: 2,500 sat/kw
// (10 sat/vbyte).
const DefaultFeeRate lnwire.FeeRate = 2_500

// FeeEstimator is a chain.FeeEstimator whose answers the test sets: one
// rate for every target, optionally overridden per target, or an error (a
// backend without an estimate). Rates below lnwire.FeeRateFloor are
// answered as the floor, as the interface requires. The zero value answers
// DefaultFeeRate; it is safe for concurrent use.
type FeeEstimator struct {
	mu      sync.Mutex
	rate    lnwire.FeeRate
	targets map[chain.ConfirmationTarget]lnwire.FeeRate
	err     error
}

var _ chain.FeeEstimator = (*FeeEstimator)(nil)

// Set makes every target answer rate (a fee spike, or a calm), dropping the
// per-target rates.
func (f *FeeEstimator) Set(rate lnwire.FeeRate) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.rate = rate
	f.targets = nil
}

// SetTarget makes target answer rate until the next Set.
func (f *FeeEstimator) SetTarget(target chain.ConfirmationTarget, rate lnwire.FeeRate) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.targets == nil {
		f.targets = make(map[chain.ConfirmationTarget]lnwire.FeeRate)
	}
	f.targets[target] = rate
}

// SetError makes FeeRate fail with err; nil restores the rates.
func (f *FeeEstimator) SetError(err error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.err = err
}

// FeeRate implements chain.FeeEstimator.
func (f *FeeEstimator) FeeRate(_ context.Context, target chain.ConfirmationTarget) (lnwire.FeeRate, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.err != nil {
		return 0, f.err
	}
	rate, ok := f.targets[target]
	if !ok {
		rate = f.rate
	}
	if rate == 0 && !ok {
		rate = DefaultFeeRate
	}
	return chain.ClampFeeRate(rate), nil
}
