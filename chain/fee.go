package chain

import (
	"context"
	"fmt"

	lnwire "github.com/lnkit/lnkit/wire"
)

// FeeEstimator answers the fee rate a transaction needs to confirm within a
// target.
//
// FeeRate returns a rate in sat/kw that is never below [lnwire.FeeRateFloor]
// (253 sat/kw, 1 sat/vbyte). Implementations substitute a configured fallback
// when the backend has no estimate; an error means no rate at all could be
// produced (for example the backend is unreachable and no fallback is set).
type FeeEstimator interface {
	FeeRate(ctx context.Context, target ConfirmationTarget) (lnwire.FeeRate, error)
}

// ConfirmationTarget names what a fee rate is for. Each target has a default
// confirmation deadline in blocks ([ConfirmationTarget.Blocks]) and an
// estimation style ([ConfirmationTarget.Conservative]); backends translate
// those into their own estimation calls.
type ConfirmationTarget uint8

// The confirmation targets lnkit asks for.
const (
	// TargetMaximum is the upper bound of what is reasonable right now: a
	// counterparty's update_fee above a multiple of this is refused.
	// 1 block, conservative.
	TargetMaximum ConfirmationTarget = iota + 1

	// TargetUrgentSweep is for spends racing a timelock (HTLC claims,
	// penalty transactions). 6 blocks, conservative.
	TargetUrgentSweep

	// TargetNonAnchorChannelFee is the commitment fee rate of channels
	// without anchors, which cannot be bumped later. 12 blocks.
	TargetNonAnchorChannelFee

	// TargetOutputSpending is for sweeping our own settled outputs to the
	// wallet, which has no deadline. 12 blocks.
	TargetOutputSpending

	// TargetChannelCloseMinimum is the lowest rate accepted for a
	// cooperative close. 144 blocks.
	TargetChannelCloseMinimum

	// TargetMinAllowedNonAnchorRemoteFee is the lowest update_fee accepted
	// from a counterparty on a channel without anchors. 144 blocks.
	TargetMinAllowedNonAnchorRemoteFee

	// TargetAnchorChannelFee is the commitment fee rate of anchor channels,
	// which are bumped with CPFP when they must confirm. 1008 blocks.
	TargetAnchorChannelFee

	// TargetMinAllowedAnchorRemoteFee is the lowest update_fee accepted from
	// a counterparty on an anchor channel. 1008 blocks.
	TargetMinAllowedAnchorRemoteFee
)

// Blocks returns the target's confirmation deadline in blocks. An unknown
// target answers 6.
func (t ConfirmationTarget) Blocks() uint32 {
	switch t {
	case TargetMaximum:
		return 1
	case TargetUrgentSweep:
		return 6
	case TargetNonAnchorChannelFee, TargetOutputSpending:
		return 12
	case TargetChannelCloseMinimum, TargetMinAllowedNonAnchorRemoteFee:
		return 144
	case TargetAnchorChannelFee, TargetMinAllowedAnchorRemoteFee:
		return 1008
	default:
		return 6
	}
}

// Conservative reports whether the target wants a conservative estimate
// (one that also considers longer fee history), as bitcoind's
// estimatesmartfee CONSERVATIVE mode does. True for the targets with a hard
// deadline.
func (t ConfirmationTarget) Conservative() bool {
	return t == TargetMaximum || t == TargetUrgentSweep
}

// String names the target, e.g. "urgent-sweep".
func (t ConfirmationTarget) String() string {
	switch t {
	case TargetMaximum:
		return "maximum"
	case TargetUrgentSweep:
		return "urgent-sweep"
	case TargetNonAnchorChannelFee:
		return "non-anchor-channel-fee"
	case TargetOutputSpending:
		return "output-spending"
	case TargetChannelCloseMinimum:
		return "channel-close-minimum"
	case TargetMinAllowedNonAnchorRemoteFee:
		return "min-allowed-non-anchor-remote-fee"
	case TargetAnchorChannelFee:
		return "anchor-channel-fee"
	case TargetMinAllowedAnchorRemoteFee:
		return "min-allowed-anchor-remote-fee"
	default:
		return fmt.Sprintf("target(%d)", uint8(t))
	}
}

// ClampFeeRate returns r, raised to [lnwire.FeeRateFloor] if it is below.
func ClampFeeRate(r lnwire.FeeRate) lnwire.FeeRate {
	if r < lnwire.FeeRateFloor {
		return lnwire.FeeRateFloor
	}
	return r
}
