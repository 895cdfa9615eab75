package graphtest_test

import (
	"slices"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/lnkit/lnkit/router/graph/graphtest"
)

func TestDeterministicAndShaped(t *testing.T) {
	cfg := graphtest.Config{Nodes: 2000, Channels: 6000, Seed: 9}
	a, b := graphtest.Generate(cfg), graphtest.Generate(cfg)
	require.Equal(t, a.Channels, b.Channels)
	require.Equal(t, a.NodeIDs, b.NodeIDs)
	require.Len(t, a.Channels, 6000)
	require.Equal(t, a.Pairs(10, 1), b.Pairs(10, 1))

	deg := make([]int, cfg.Nodes)
	seen := map[uint64]bool{}
	for _, ch := range a.Channels {
		require.Less(t, string(a.NodeIDs[ch.Node[0]][:]), string(a.NodeIDs[ch.Node[1]][:]))
		require.False(t, seen[ch.SCID.ToUint64()], "unique short_channel_ids")
		seen[ch.SCID.ToUint64()] = true
		deg[ch.Node[0]]++
		deg[ch.Node[1]]++
		for _, p := range ch.Policy {
			require.LessOrEqual(t, p.HTLCMinimumMsat, p.HTLCMaximumMsat)
			require.LessOrEqual(t, p.HTLCMaximumMsat, ch.Capacity.ToMilliSatoshi())
		}
	}
	slices.Sort(deg)
	// heavy tail: hubs far above the mean of 6, most nodes few channels.
	require.Greater(t, deg[len(deg)-1], 100)
	require.LessOrEqual(t, deg[len(deg)/2], 6)
}
