package channel

import (
	"errors"
	"fmt"
	"testing"

	"github.com/stretchr/testify/require"
)

func TestRuleError(t *testing.T) {
	err := fmt.Errorf("wrapped: %w", ruleErr(RuleOpenToSelfDelay, "%d blocks is above our limit %d", 3000, 2016))
	require.ErrorIs(t, err, ErrRuleViolated)
	require.ErrorIs(t, err, &RuleError{Rule: RuleOpenToSelfDelay})
	require.NotErrorIs(t, err, &RuleError{Rule: RuleAcceptToSelfDelay})
	require.NotErrorIs(t, err, ErrInvalidConfig)
	var re *RuleError
	require.True(t, errors.As(err, &re))
	require.Equal(t, "channel: open_channel.to_self_delay: 3000 blocks is above our limit 2016", re.Error())
	require.Equal(t, "open_channel.to_self_delay: 3000 blocks is above our limit 2016", re.PeerMessage())
	var nilRule *RuleError
	require.False(t, re.Is(nilRule))
}
