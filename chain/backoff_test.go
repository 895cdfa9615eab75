package chain

import (
	"testing"

	"github.com/stretchr/testify/require"
)

// TestBackoff checks the doubling and the cap.
func TestBackoff(t *testing.T) {
	const s = 1_000_000_000
	tests := []struct {
		failures int
		want     int64
	}{{1, 1 * s}, {2, 2 * s}, {3, 4 * s}, {6, 32 * s}, {7, 60 * s}, {100, 60 * s}}
	for _, tc := range tests {
		require.EqualValues(t, tc.want, backoff(tc.failures, s, 60*s), "failures %d", tc.failures)
	}
}
