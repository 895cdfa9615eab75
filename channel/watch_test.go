package channel

import (
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/lnkit/lnkit/channel/monitor"
)

// TestUpdatesCompleteInOrder: an update answered Completed while an earlier
// one is in progress does not open the earlier one's gate; completions
// reported for a run (ChainMonitor's) open every gate up to it.
func TestUpdatesCompleteInOrder(t *testing.T) {
	var u updates
	u.pending = []*monitor.Update{{ID: 1}, {ID: 2}, {ID: 3}}
	u.latest = 3
	u.completeOne(2)
	require.False(t, u.durable(0), "the creation is still in progress")
	require.False(t, u.durable(2))
	u.completeOne(0)
	require.True(t, u.durable(0))
	require.False(t, u.durable(1))
	require.False(t, u.durable(2))
	u.completeOne(1)
	require.True(t, u.durable(2), "1 closes the gap: 2 counts now")
	require.False(t, u.durable(3))
	require.Len(t, u.pending, 1)
	u.complete(3)
	require.True(t, u.durable(3))
	require.Empty(t, u.pending)
	require.Empty(t, u.early)
}
