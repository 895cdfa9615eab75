package chain

import (
	"testing"

	lnwire "github.com/lnkit/lnkit/wire"
	"github.com/stretchr/testify/require"
)

// TestConfirmationTargets checks every target's deadline, mode and name.
func TestConfirmationTargets(t *testing.T) {
	tests := []struct {
		target       ConfirmationTarget
		blocks       uint32
		conservative bool
		name         string
	}{
		{TargetMaximum, 1, true, "maximum"},
		{TargetUrgentSweep, 6, true, "urgent-sweep"},
		{TargetNonAnchorChannelFee, 12, false, "non-anchor-channel-fee"},
		{TargetOutputSpending, 12, false, "output-spending"},
		{TargetChannelCloseMinimum, 144, false, "channel-close-minimum"},
		{TargetMinAllowedNonAnchorRemoteFee, 144, false, "min-allowed-non-anchor-remote-fee"},
		{TargetAnchorChannelFee, 1008, false, "anchor-channel-fee"},
		{TargetMinAllowedAnchorRemoteFee, 1008, false, "min-allowed-anchor-remote-fee"},
		{ConfirmationTarget(200), 6, false, "target(200)"},
	}
	for _, tc := range tests {
		require.Equal(t, tc.blocks, tc.target.Blocks(), tc.name)
		require.Equal(t, tc.conservative, tc.target.Conservative(), tc.name)
		require.Equal(t, tc.name, tc.target.String())
	}
	require.Equal(t, lnwire.FeeRateFloor, ClampFeeRate(0))
	require.Equal(t, lnwire.FeeRateFloor, ClampFeeRate(252))
	require.Equal(t, lnwire.FeeRate(254), ClampFeeRate(254))
}
