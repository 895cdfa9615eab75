package channel

import (
	"context"
	"fmt"

	"github.com/lnkit/lnkit/chain"
	"github.com/lnkit/lnkit/channel/commit"
	"github.com/lnkit/lnkit/wire"
)

// closingFees are the fees we propose and accept in closing_signed.
type closingFees struct {
	// ideal is the fee_satoshis of our first proposal.
	ideal wire.Satoshi
	// feeRange is the fee_range we send and the fees we agree to.
	feeRange wire.FeeRange
}

// closingRates are the fee rate estimates closing fees are computed from.
type closingRates struct {
	// ideal is the rate we aim at.
	ideal wire.FeeRate
	// minimum is the lowest rate we accept.
	minimum wire.FeeRate
}

// closingRatesFrom reads the closing rates from est: the ideal at
// [chain.TargetNonAnchorChannelFee] (a legacy closing transaction does not
// signal RBF, so it gets the rate of a transaction that cannot be bumped
// by replacement), the minimum at [chain.TargetChannelCloseMinimum], and
// at least tolerance (HandshakeLimits.FeeRateTolerance) below the ideal,
// never under the relay floor. The slack matters when the estimator gives
// both targets one rate (btcd's estimatefee, a fallback rate): a peer
// whose estimate or weight differs by a satoshi then proposes just below
// our ideal, and without slack no fee is left strictly between the two
// proposals (lnd v0.20, which sends no fee_range, does exactly that).
func closingRatesFrom(ctx context.Context, est chain.FeeEstimator, tolerance wire.FeeRate) (closingRates, error) {
	ideal, err := est.FeeRate(ctx, chain.TargetNonAnchorChannelFee)
	if err != nil {
		return closingRates{}, fmt.Errorf("channel: closing fee rate: %w", err)
	}
	minimum, err := est.FeeRate(ctx, chain.TargetChannelCloseMinimum)
	if err != nil {
		return closingRates{}, fmt.Errorf("channel: closing minimum fee rate: %w", err)
	}
	lowest := wire.FeeRateFloor
	if ideal > tolerance {
		lowest = chain.ClampFeeRate(ideal - tolerance)
	}
	return closingRates{ideal: ideal, minimum: min(minimum, lowest, ideal)}, nil
}

// closingWeight returns the weight of p's closing transaction as we would
// sign it at a zero fee (both outputs that clear our dust limit), with its
// funding witness at the largest signature sizes.
func closingWeight(p *closingParams) (uint64, error) {
	tx, err := p.channel.LegacyClosingTx(commit.LegacyClosing{
		LocalScript: p.localScript, RemoteScript: p.remoteScript,
		LocalBalance: p.localBalance, RemoteBalance: p.remoteBalance,
		Signer: commit.Local,
	})
	if err != nil {
		return 0, fmt.Errorf("channel: closing weight: %w", err)
	}
	return 4*uint64(tx.SerializeSizeStripped()) + commit.WitnessHeaderWeight + commit.FundingWitnessSize, nil
}

// closingFeesFor computes our ideal fee and fee_range for p's closing
// transaction (p.fees is ignored) from rates: the closing weight times
// each rate, rounded down.
//
//   - The opener pays. Its ideal is weight × rates.ideal; its range is
//     [weight × rates.minimum, ideal + forceCloseAvoidanceMaxFee]: it pays
//     up to forceCloseAvoidanceMaxFee more than it wants rather than force
//     close (ChannelConfig.ForceCloseAvoidanceMaxFee).
//   - The non-opener does not pay, so it has no reason for a maximum (BOLT
//     2 rationale) and SHOULD set max_fee_satoshis to at least the one it
//     receives: its maximum is the opener's whole balance, the largest
//     fee a closing transaction can pay. Its minimum is weight ×
//     rates.minimum, "a fairly low value" that still relays.
//
// Every value is capped at the opener's balance (in whole satoshis): an
// opener with a tiny balance offers all of it, even below the minimum
// rate, and the manager may prefer to force close instead.
func closingFeesFor(p *closingParams, rates closingRates, forceCloseAvoidanceMaxFee wire.Satoshi) (closingFees, error) {
	if p.channel == nil {
		return closingFees{}, invalid("closingParams.channel", "is nil")
	}
	w, err := closingWeight(p)
	if err != nil {
		return closingFees{}, err
	}
	balance := p.openerBalance()
	ideal := min(rates.ideal.FeeForWeight(w), balance)
	low := min(rates.minimum.FeeForWeight(w), ideal)
	high := balance
	if p.weOpened() {
		high = min(ideal+min(forceCloseAvoidanceMaxFee, balance), balance)
	}
	return closingFees{ideal: ideal, feeRange: wire.FeeRange{MinFee: low, MaxFee: high}}, nil
}

// closingRatesAt is r with the ideal rate the application asked for (the
// minimum follows it down, never above it).
func closingRatesAt(ideal wire.FeeRate, r closingRates) closingRates {
	r.ideal = ideal
	if r.minimum > ideal {
		r.minimum = ideal
	}
	return r
}
