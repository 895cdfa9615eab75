package main

import (
	"context"

	"github.com/lnkit/lnkit/chain"
	"github.com/lnkit/lnkit/wire"
)

// feeFloor is the chain daemon's fee estimator with every estimate raised
// to at least floor (--min-fee-rate): how a test or demo on regtest, where
// the daemon's estimates barely move, makes fees "rise" (for example to
// see a force-closed anchor channel's commitment bumped through its
// anchor). A zero floor changes nothing. The lower bounds of what we
// accept from a peer (closing fee minimum, the least update_fee) are not
// raised: a peer whose estimator has no such floor would otherwise be
// refused (lnd proposes a closing fee below our raised minimum).
//
// The anchor channels' commitment rate is not floored either: they are
// bumped through their anchor (CPFP) when fees rise, as LDK's anchor
// channels are. commitment, when not zero (--commitment-fee-rate), is the
// commitment fee rate of every channel we open (the opener's update_fee
// follows it).
type feeFloor struct {
	est        chain.FeeEstimator
	floor      wire.FeeRate
	commitment wire.FeeRate
}

// FeeRate implements chain.FeeEstimator.
func (f feeFloor) FeeRate(ctx context.Context, target chain.ConfirmationTarget) (wire.FeeRate, error) {
	rate, err := f.est.FeeRate(ctx, target)
	if err != nil {
		return 0, err
	}
	switch target {
	case chain.TargetAnchorChannelFee, chain.TargetNonAnchorChannelFee:
		if f.commitment != 0 {
			return f.commitment, nil
		}
		if target == chain.TargetAnchorChannelFee {
			return rate, nil
		}
	case chain.TargetChannelCloseMinimum, chain.TargetMinAllowedNonAnchorRemoteFee, chain.TargetMinAllowedAnchorRemoteFee:
		return rate, nil
	}
	return max(rate, f.floor), nil
}
