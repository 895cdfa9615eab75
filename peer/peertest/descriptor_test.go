package peertest

import (
	"testing"

	"github.com/stretchr/testify/require"
)

func TestDescriptorLimits(t *testing.T) {
	tests := []struct {
		name              string
		capacity, perCall int
		sends             []int // sizes offered
		accepted          []int
		writable          bool
	}{
		{"unlimited", 0, 0, []int{5, 7}, []int{5, 7}, false},
		{"per call", 0, 3, []int{5, 2}, []int{3, 2}, true},
		{"capacity", 4, 0, []int{3, 3, 1}, []int{3, 1, 0}, false}, // full: not writable yet
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			var d Descriptor
			d.SetLimits(tc.capacity, tc.perCall)
			for i, n := range tc.sends {
				require.Equal(t, tc.accepted[i], d.SendData(make([]byte, n), false), "send %d", i)
			}
			require.Equal(t, tc.writable, d.Writable())
			require.False(t, d.Writable(), "reported once at most")
			require.Equal(t, len(tc.sends), d.SendCalls())
		})
	}
}

func TestDescriptorTakeAndDisconnect(t *testing.T) {
	var d Descriptor
	d.SetLimits(4, 0)
	require.Equal(t, 4, d.SendData([]byte("abcdef"), false))
	require.False(t, d.Writable(), "full")
	require.Equal(t, []byte("ab"), d.Take(2))
	require.True(t, d.Writable(), "room again after a refusal")
	require.Equal(t, []byte("cd"), d.Bytes())
	d.Discard()
	require.Zero(t, d.Len())

	d.PauseRead()
	require.True(t, d.ReadPaused())
	require.Zero(t, d.SendData(nil, true))
	require.False(t, d.ReadPaused())
	require.Equal(t, 1, d.Resumes())

	require.Equal(t, 1, d.SendData([]byte("x"), false))
	d.Disconnect()
	require.True(t, d.Disconnected())
	require.Zero(t, d.SendData([]byte("y"), false), "closed")
	require.Equal(t, []byte("x"), d.Take(0), "accepted bytes stay readable")
}
