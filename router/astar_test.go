package router_test

import (
	"errors"
	"math/rand/v2"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/lnkit/lnkit/router"
	"github.com/lnkit/lnkit/router/graph"
	"github.com/lnkit/lnkit/router/graph/graphtest"
)

// noFloor hides a scorer's PenaltyFloor: the search is then a plain
// Dijkstra.
type noFloor struct{ router.Scorer }

// routeCost is what the search minimizes: the fees plus the scorer's
// penalty of every hop.
func routeCost(s router.Scorer, rt *router.Route) uint64 {
	cost := uint64(rt.TotalFee)
	for i, h := range rt.Hops {
		cost += s.Penalty(router.ChannelUsage{
			ShortChannelID: h.ShortChannelID, Dir: dirOf(rt.Source(i), h.NodeID),
			Amount: rt.AmountIn(i), Capacity: h.Capacity, CapacityKind: h.CapacityKind,
		})
	}
	return cost
}

// TestAStarMatchesDijkstra: on a 2,000-node synthetic graph with a
// trained probabilistic scorer, the A* search (PenaltyFloor) finds routes
// exactly as cheap, under the search's cost, as the plain Dijkstra, and
// finds one exactly when it does.
func TestAStarMatchesDijkstra(t *testing.T) {
	net := graphtest.Generate(graphtest.Config{Nodes: 2000, Channels: 6000, Seed: 3})
	g, err := graph.New(graph.Config{})
	require.NoError(t, err)
	net.Populate(g)
	s := newScorer(t, router.ProbabilisticConfig{})
	astar, err := router.New(router.Config{Graph: g, Scorer: s})
	require.NoError(t, err)
	plain, err := router.New(router.Config{Graph: g, Scorer: noFloor{s}})
	require.NoError(t, err)
	rng := rand.New(rand.NewPCG(4, 4))
	same, total := 0, 0
	for i, rq := range benchPairs(net, 300, 5) {
		a, errA := astar.FindRoute(rq)
		d, errD := plain.FindRoute(rq)
		if errD != nil {
			require.True(t, errors.Is(errD, router.ErrNoRoute))
			require.ErrorIs(t, errA, router.ErrNoRoute, "pair %d", i)
			continue
		}
		require.NoError(t, errA, "pair %d", i)
		total++
		ca, cd := routeCost(s, a), routeCost(s, d)
		require.Equal(t, cd, ca, "pair %d: A* %d, Dijkstra %d", i, ca, cd)
		if slices.Equal(channels(a), channels(d)) {
			same++
		}
		// learn, so later pairs see a scorer with knowledge
		if rng.IntN(2) == 0 {
			s.PaymentPathFailed(a, a.Hops[rng.IntN(len(a.Hops))].ShortChannelID)
		} else {
			s.ProbeSucceeded(a)
		}
	}
	t.Logf("%d routes, %d identical", total, same)
}

// TestConcurrentSearches: searches on several goroutines share one
// Router and one ProbabilisticScorer while they learn and time passes
// (run under -race by make test).
func TestConcurrentSearches(t *testing.T) {
	net := graphtest.Generate(graphtest.Config{Nodes: 300, Channels: 900, Seed: 6})
	g, err := graph.New(graph.Config{})
	require.NoError(t, err)
	net.Populate(g)
	s := newScorer(t, router.ProbabilisticConfig{})
	r, err := router.New(router.Config{Graph: g, Scorer: s})
	require.NoError(t, err)
	var wg sync.WaitGroup
	for w := range 4 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i, rq := range benchPairs(net, 50, uint64(10+w)) {
				rt, err := r.FindRoute(rq)
				if err != nil {
					if !errors.Is(err, router.ErrNoRoute) {
						t.Error(err)
					}
					continue
				}
				if i%2 == 0 {
					s.PaymentPathFailed(rt, rt.Hops[0].ShortChannelID)
				} else {
					s.PaymentPathSucceeded(rt)
				}
			}
		}()
	}
	wg.Add(1)
	go func() {
		defer wg.Done()
		for i := range 50 {
			s.TimePassed(graphtest.BaseTime().Add(time.Duration(i) * time.Minute))
		}
	}()
	wg.Wait()
}
