package router_test

import (
	"math/rand/v2"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/lnkit/lnkit/router"
	"github.com/lnkit/lnkit/wire"
)

// hop is one usable channel direction of a hand-built net, for the
// brute-force search and the route checker.
type hop struct {
	scid     wire.ShortChannelID
	from, to int
	p        pol
	capMsat  wire.MilliSatoshi
	usable   bool
}

// directions lists every channel direction of n.
func (n *net) directions() []hop {
	idx := map[wire.NodeID]int{}
	for i, id := range n.ids {
		idx[id] = i
	}
	var out []hop
	for _, r := range n.recs {
		ends := [2]int{idx[r.Announcement.NodeID1], idx[r.Announcement.NodeID2]}
		for d, u := range r.Updates {
			h := hop{scid: r.Announcement.ShortChannelID, from: ends[d], to: ends[1-d], capMsat: r.Capacity.ToMilliSatoshi()}
			if u != nil {
				h.p = pol{base: u.FeeBaseMsat, ppm: u.FeeProportionalMillionths, cltv: u.CLTVExpiryDelta, min: u.HTLCMinimumMsat, max: u.HTLCMaximumMsat, disabled: u.ChannelFlags.IsDisabled()}
				h.usable = !h.p.disabled && h.p.max >= h.p.min && h.p.max <= h.capMsat
			}
			out = append(out, h)
		}
	}
	return out
}

func bolt7Fee(p pol, amt wire.MilliSatoshi) wire.MilliSatoshi {
	return wire.MilliSatoshi(p.base) + amt*wire.MilliSatoshi(p.ppm)/1_000_000
}

// priced is a path priced backwards as BOLT 7 says; ok is false when a
// limit is broken.
func price(path []hop, amt wire.MilliSatoshi, finalCLTV, maxCLTV uint32) (total wire.MilliSatoshi, cltv uint32, ok bool) {
	cltv = finalCLTV
	for i := len(path) - 1; i >= 0; i-- {
		h := path[i]
		if !h.usable || amt < h.p.min || amt > h.p.max || amt > h.capMsat {
			return 0, 0, false
		}
		if i > 0 { // the payer charges no fee
			amt += bolt7Fee(h.p, amt)
			cltv += uint32(h.p.cltv)
		}
	}
	return amt, cltv, cltv <= maxCLTV
}

// bruteForce returns the least total amount over every simple path, or
// false when none satisfies the limits.
func bruteForce(n *net, payer, payee int, amt wire.MilliSatoshi, maxCLTV uint32, maxHops int) (wire.MilliSatoshi, bool) {
	dirs := n.directions()
	best, found := wire.MilliSatoshi(0), false
	seen := make([]bool, len(n.ids))
	var path []hop
	var walk func(at int)
	walk = func(at int) {
		if at == payee {
			if total, _, ok := price(path, amt, 18, maxCLTV); ok && (!found || total < best) {
				best, found = total, true
			}
			return
		}
		if len(path) == maxHops {
			return
		}
		seen[at] = true
		for _, h := range dirs {
			if h.from == at && !seen[h.to] {
				path = append(path, h)
				walk(h.to)
				path = path[:len(path)-1]
			}
		}
		seen[at] = false
	}
	walk(payer)
	return best, found
}

// checkRoute re-prices rt from the graph's policies and checks every
// amount, fee, expiry and limit of it against rq.
func checkRoute(t *testing.T, n *net, rt *router.Route, rq router.Request) {
	t.Helper()
	dirs := n.directions()
	ids := n.path(rt)
	var path []hop
	for i, h := range rt.Hops {
		found := false
		for _, d := range dirs {
			if d.scid == h.ShortChannelID && d.from == ids[i] && d.to == ids[i+1] {
				path, found = append(path, d), true
			}
		}
		require.True(t, found, "hop %d over %v", i, h.ShortChannelID)
	}
	final := uint32(rq.FinalCLTVDelta)
	if final == 0 {
		final = router.DefaultFinalCLTVDelta
	}
	maxCLTV := rq.MaxTotalCLTV
	if maxCLTV == 0 {
		maxCLTV = router.DefaultMaxTotalCLTV
	}
	total, cltv, ok := price(path, rq.Amount, final, maxCLTV)
	require.True(t, ok, "route breaks a limit")
	require.Equal(t, total, rt.TotalAmount)
	require.Equal(t, rq.CurrentHeight+cltv, rt.TotalCLTV)
	require.Equal(t, total-rq.Amount, rt.TotalFee)
	require.LessOrEqual(t, rt.TotalFee, rq.MaxFee)
	// each hop forwards what the next receives, less nothing
	amt, exp := rq.Amount, rq.CurrentHeight+final
	for i := len(rt.Hops) - 1; i >= 0; i-- {
		h := rt.Hops[i]
		require.Equal(t, amt, h.AmountToForward, "hop %d", i)
		require.Equal(t, exp, h.OutgoingCLTV, "hop %d", i)
		if i+1 < len(rt.Hops) {
			p := path[i+1].p
			require.Equal(t, bolt7Fee(p, amt), h.Fee)
			require.Equal(t, p.cltv, h.CLTVExpiryDelta)
		}
		amt += h.Fee
		exp += uint32(h.CLTVExpiryDelta)
	}
	require.Equal(t, rt.TotalAmount, amt)
}

// randomNet is a small random graph: nodes nodes, chans channels with
// random policies (fees, CLTV deltas, htlc maximums, capacities, some
// disabled or missing directions); htlc minimums are 0 or 1 msat so that
// no minimum binds.
func randomNet(rng *rand.Rand, nodes, chans int) *net {
	n := newNet(nodes)
	rp := func() pol {
		p := pol{base: uint32(rng.IntN(3000)), ppm: uint32(rng.IntN(5000)), cltv: uint16(rng.IntN(150)), min: wire.MilliSatoshi(rng.IntN(2))}
		if rng.IntN(4) == 0 {
			p.max = wire.MilliSatoshi(rng.IntN(2_000_000) + 1)
		}
		p.disabled = rng.IntN(10) == 0
		p.missing = rng.IntN(15) == 0
		return p
	}
	for c := range chans {
		a, b := rng.IntN(nodes), rng.IntN(nodes)
		if a == b {
			continue
		}
		n.ch(uint64(c+1), a, b, wire.Satoshi(500+rng.IntN(3000)), rp(), rp())
	}
	return n
}

// TestPropertyCheapest: on 400 small random graphs, FindRoute without
// penalties returns a route exactly as cheap as the cheapest simple path
// a brute-force search finds under the same limits (capacity,
// htlc_maximum_msat, disabled directions, max total CLTV, max hops), and
// finds one exactly when one exists. Every route is re-priced hop by hop.
func TestPropertyCheapest(t *testing.T) {
	rng := rand.New(rand.NewPCG(15, 7))
	routes := 0
	defer func() { t.Logf("%d of 400 graphs have a route", routes) }()
	for i := range 400 {
		n := randomNet(rng, 4+rng.IntN(5), 6+rng.IntN(14))
		maxCLTV := uint32(100 + rng.IntN(400))
		maxHops := 2 + rng.IntN(5)
		r, err := router.New(router.Config{Graph: n.graph(t), MaxHops: maxHops})
		require.NoError(t, err)
		payer, payee := 0, len(n.ids)-1
		amt := wire.MilliSatoshi(1000 + rng.IntN(2_000_000))
		rq := req(n, payer, payee, amt)
		rq.MaxTotalCLTV = maxCLTV
		best, ok := bruteForce(n, payer, payee, amt, maxCLTV, maxHops)
		rt, err := r.FindRoute(rq)
		if !ok {
			if err == nil {
				checkRoute(t, n, rt, rq)
			}
			require.Error(t, err, "graph %d: brute force finds nothing", i)
			continue
		}
		require.NoError(t, err, "graph %d: brute force finds %d", i, best)
		checkRoute(t, n, rt, rq)
		require.Equal(t, best, rt.TotalAmount, "graph %d", i)
		routes++
	}
}

// TestPropertyScored: with the probabilistic scorer (having learned from
// random outcomes), every route found is valid, and none is missed where
// the brute force finds one within the limits.
func TestPropertyScored(t *testing.T) {
	rng := rand.New(rand.NewPCG(16, 8))
	for i := range 200 {
		n := randomNet(rng, 4+rng.IntN(5), 6+rng.IntN(14))
		s, err := router.NewProbabilisticScorer(router.ProbabilisticConfig{})
		require.NoError(t, err)
		r, err := router.New(router.Config{Graph: n.graph(t), Scorer: s})
		require.NoError(t, err)
		payer, payee := 0, len(n.ids)-1
		for range 5 {
			amt := wire.MilliSatoshi(1000 + rng.IntN(2_000_000))
			rq := req(n, payer, payee, amt)
			_, ok := bruteForce(n, payer, payee, amt, router.DefaultMaxTotalCLTV, router.DefaultMaxHops)
			rt, err := r.FindRoute(rq)
			if !ok {
				require.Error(t, err)
				continue
			}
			require.NoError(t, err, "graph %d", i)
			checkRoute(t, n, rt, rq)
			switch rng.IntN(3) {
			case 0:
				s.PaymentPathFailed(rt, rt.Hops[rng.IntN(len(rt.Hops))].ShortChannelID)
			case 1:
				s.PaymentPathSucceeded(rt)
			default:
				s.ProbeSucceeded(rt)
			}
		}
	}
}
