package router_test

import (
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/lnkit/lnkit/router"
	"github.com/lnkit/lnkit/wire"
)

// mppNet is 0 → 1 → 3 (1000 ppm) and 0 → 2 → 3 (2000 ppm), 60,000 sat
// channels: 100,000 sat needs both.
func mppNet() *net {
	n := newNet(4)
	n.ch(1, 0, 1, 60_000, pol{}, pol{})
	n.ch(2, 1, 3, 60_000, pol{ppm: 1000, cltv: 40}, pol{})
	n.ch(3, 0, 2, 60_000, pol{}, pol{})
	n.ch(4, 2, 3, 60_000, pol{ppm: 2000, cltv: 40}, pol{})
	return n
}

func mppReq(n *net, amt wire.MilliSatoshi) router.Request {
	rq := req(n, 0, 3, amt)
	rq.PayeeFeatures = wire.NewFeatureVector(wire.BasicMPPOptional, wire.PaymentSecretRequired, wire.VarOnionOptinRequired)
	rq.MinPartSize = 1_000_000
	return rq
}

// checkParts checks the parts add up, each is valid on its own, and
// together they fit every channel's capacity (or balance).
func checkParts(t *testing.T, n *net, parts []*router.Route, rq router.Request, limit map[wire.ShortChannelID]wire.MilliSatoshi) {
	t.Helper()
	var sum, fees wire.MilliSatoshi
	use := map[wire.ShortChannelID]wire.MilliSatoshi{}
	for _, rt := range parts {
		one := rq
		one.Amount = rt.Amount()
		if rq.FirstHops == nil {
			checkRoute(t, n, rt, one)
		}
		sum += rt.Amount()
		fees += rt.TotalFee
		for i, h := range rt.Hops {
			use[h.ShortChannelID] += rt.AmountIn(i)
		}
	}
	require.Equal(t, rq.Amount, sum)
	require.LessOrEqual(t, fees, rq.MaxFee)
	for c, u := range use {
		if l, ok := limit[c]; ok {
			require.LessOrEqual(t, u, l, "channel %v", c)
		}
	}
}

// TestMPPSplit: 100,000 sat over two 60,000 sat paths goes in two
// halves, one per path, the same every time; one route when it fits.
func TestMPPSplit(t *testing.T) {
	n := mppNet()
	r := n.router(t, nil)
	rq := mppReq(n, 100_000_000)
	parts, err := r.FindRoutes(rq)
	require.NoError(t, err)
	require.Len(t, parts, 2)
	require.Equal(t, []int{0, 1, 3}, n.path(parts[0]))
	require.Equal(t, []int{0, 2, 3}, n.path(parts[1]))
	require.Equal(t, wire.MilliSatoshi(50_000_000), parts[0].Amount())
	require.Equal(t, wire.MilliSatoshi(50_000), parts[0].TotalFee)
	require.Equal(t, wire.MilliSatoshi(100_000), parts[1].TotalFee)
	caps := map[wire.ShortChannelID]wire.MilliSatoshi{}
	for c := uint64(1); c <= 4; c++ {
		caps[scid(c)] = 60_000_000
	}
	checkParts(t, n, parts, rq, caps)

	again, err := r.FindRoutes(rq)
	require.NoError(t, err)
	require.Equal(t, parts, again)

	single, err := r.FindRoutes(mppReq(n, 50_000_000))
	require.NoError(t, err)
	require.Len(t, single, 1)

	// Both paths carry about 119,820 sat (60,000 sat less fees each).
	parts, err = r.FindRoutes(mppReq(n, 119_500_000))
	require.NoError(t, err)
	checkParts(t, n, parts, mppReq(n, 119_500_000), caps)
	_, err = r.FindRoutes(mppReq(n, 120_000_000))
	require.ErrorIs(t, err, router.ErrNoRoute)
}

// TestMPPLimits: no split without basic_mpp, within MaxParts, above
// MinPartSize, within the total fee limit.
func TestMPPLimits(t *testing.T) {
	n := mppNet()
	r := n.router(t, nil)
	for name, mod := range map[string]func(*router.Request){
		"no basic_mpp":  func(r *router.Request) { r.PayeeFeatures = wire.FeatureVector{} },
		"one part":      func(r *router.Request) { r.MaxParts = 1 },
		"min part size": func(r *router.Request) { r.MinPartSize = 60_000_000 },
		// at least 59,940 sat at 1000 ppm and 40,060 at 2000 ppm
		"fee limit": func(r *router.Request) { r.MaxFee = 140_000 },
	} {
		rq := mppReq(n, 100_000_000)
		mod(&rq)
		_, err := r.FindRoutes(rq)
		require.ErrorIs(t, err, router.ErrNoRoute, name)
	}
	rq := mppReq(n, 100_000_000)
	rq.MaxFee = 150_000
	parts, err := r.FindRoutes(rq)
	require.NoError(t, err)
	checkParts(t, n, parts, rq, nil)
}

// TestMPPFirstHopBalances: the parts together stay within the payer's
// channel balances.
func TestMPPFirstHopBalances(t *testing.T) {
	n := mppNet()
	r := n.router(t, nil)
	rq := mppReq(n, 100_000_000)
	rq.FirstHops = []router.FirstHop{
		{ShortChannelID: scid(1), Peer: n.ids[1], OutboundMsat: 30_000_000},
		{ShortChannelID: scid(3), Peer: n.ids[2], OutboundMsat: 80_000_000},
	}
	_, err := r.FindRoutes(rq)
	require.ErrorIs(t, err, router.ErrNoRoute, "the 2-hop path over channel 4 carries at most 60,000 sat")

	rq.Amount = 85_000_000
	parts, err := r.FindRoutes(rq)
	require.NoError(t, err)
	checkParts(t, n, parts, rq, map[wire.ShortChannelID]wire.MilliSatoshi{
		scid(1): 30_000_000, scid(3): 80_000_000, scid(2): 60_000_000, scid(4): 60_000_000,
	})
	for _, p := range parts {
		t.Logf("part %v: %d msat, fee %d", n.path(p), p.Amount(), p.TotalFee)
	}
}
