package channel

import (
	"context"
	"fmt"
	"math"

	"github.com/lnkit/lnkit/chain"
	"github.com/lnkit/lnkit/channel/commit"
	"github.com/lnkit/lnkit/wire"
)

// FeeBounds are the feerate_per_kw a peer's open_channel may carry (BOLT 2,
// "The open_channel Message": MUST fail if it considers feerate_per_kw too
// small for timely processing or unreasonably large). The manager computes
// them from its chain.FeeEstimator with [NewFeeBounds] so that the checks
// stay pure.
type FeeBounds struct {
	// MinStaticRemoteKey is the lowest rate for an option_static_remotekey
	// channel, whose commitment cannot be bumped.
	MinStaticRemoteKey wire.FeeRate
	// MinAnchors is the lowest rate for an anchor channel, which can be
	// bumped with CPFP.
	MinAnchors wire.FeeRate
	// Max is the highest rate for either type.
	Max wire.FeeRate
}

// Min returns the lowest rate for a channel of type t.
func (b FeeBounds) Min(t commit.ChannelType) wire.FeeRate {
	if t.HasAnchors() {
		return b.MinAnchors
	}
	return b.MinStaticRemoteKey
}

// NewFeeBounds asks est for the bounds: each minimum is the estimate of the
// lowest rate we allow a peer (chain.TargetMinAllowedNonAnchorRemoteFee,
// chain.TargetMinAllowedAnchorRemoteFee) less l.FeeRateTolerance, never
// below wire.FeeRateFloor; the maximum is l.MaxFeeRateMultiple times the
// estimate of chain.TargetMaximum.
func NewFeeBounds(ctx context.Context, est chain.FeeEstimator, l HandshakeLimits) (FeeBounds, error) {
	var r [3]wire.FeeRate
	for i, t := range []chain.ConfirmationTarget{
		chain.TargetMinAllowedNonAnchorRemoteFee, chain.TargetMinAllowedAnchorRemoteFee, chain.TargetMaximum,
	} {
		v, err := est.FeeRate(ctx, t)
		if err != nil {
			return FeeBounds{}, fmt.Errorf("channel: fee estimate for %s: %w", t, err)
		}
		r[i] = v
	}
	lower := func(v wire.FeeRate) wire.FeeRate {
		if v < l.FeeRateTolerance {
			return wire.FeeRateFloor
		}
		return chain.ClampFeeRate(v - l.FeeRateTolerance)
	}
	hi := uint64(r[2]) * uint64(l.MaxFeeRateMultiple)
	if hi > math.MaxUint32 {
		hi = math.MaxUint32
	}
	return FeeBounds{MinStaticRemoteKey: lower(r[0]), MinAnchors: lower(r[1]), Max: wire.FeeRate(hi)}, nil
}
