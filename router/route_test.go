package router_test

import (
	"crypto/sha256"
	"errors"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/lnkit/lnkit/invoice"
	"github.com/lnkit/lnkit/router"
	"github.com/lnkit/lnkit/router/onion"
	"github.com/lnkit/lnkit/wire"
)

const height = 800_000

// diamond is 0 → 1 → 2 → 3 (cheap) and 0 → 4 → 3 (dear), node 0 paying
// node 3.
func diamond(mod func(c uint64, ab, ba *pol)) *net {
	n := newNet(6)
	add := func(c uint64, a, b int, capSat wire.Satoshi, ab, ba pol) {
		if mod != nil {
			mod(c, &ab, &ba)
		}
		n.ch(c, a, b, capSat, ab, ba)
	}
	add(1, 0, 1, 1_000_000, pol{base: 7, ppm: 7, cltv: 7}, pol{cltv: 40})
	add(2, 1, 2, 1_000_000, pol{base: 1000, ppm: 100, cltv: 40}, pol{cltv: 40})
	add(3, 2, 3, 1_000_000, pol{base: 500, ppm: 2500, cltv: 144}, pol{cltv: 40})
	add(4, 0, 4, 1_000_000, pol{cltv: 40}, pol{cltv: 40})
	add(5, 4, 3, 1_000_000, pol{base: 10_000, ppm: 1, cltv: 18}, pol{cltv: 40})
	return n
}

func req(n *net, payer, payee int, amt wire.MilliSatoshi) router.Request {
	return router.Request{Payer: n.ids[payer], Payee: n.ids[payee], Amount: amt, CurrentHeight: height, MaxFee: 1 << 40}
}

// TestFeesAndCLTVMultiHop: every amount, fee and expiry of a three-hop
// route to the msat and block, with BOLT 7's rounding down.
func TestFeesAndCLTVMultiHop(t *testing.T) {
	n := diamond(nil)
	r := n.router(t, nil)
	rt, err := r.FindRoute(req(n, 0, 3, 1_234_567))
	require.NoError(t, err)
	require.Equal(t, []int{0, 1, 2, 3}, n.path(rt))
	// Node 2 charges 500 + 1,234,567*2500/1e6 = 500 + 3086 (3086.4175
	// rounded down); node 1 charges 1000 + 1,238,153*100/1e6 = 1000 + 123.
	want := []router.Hop{
		{NodeID: n.ids[1], ShortChannelID: scid(1), AmountToForward: 1_238_153, OutgoingCLTV: height + 18 + 144, Fee: 1123, CLTVExpiryDelta: 40},
		{NodeID: n.ids[2], ShortChannelID: scid(2), AmountToForward: 1_234_567, OutgoingCLTV: height + 18, Fee: 3586, CLTVExpiryDelta: 144},
		{NodeID: n.ids[3], ShortChannelID: scid(3), AmountToForward: 1_234_567, OutgoingCLTV: height + 18},
	}
	for i := range want {
		want[i].Capacity, want[i].CapacityKind = 1_000_000_000, router.CapacityTotal
	}
	require.Equal(t, want, rt.Hops)
	require.Equal(t, wire.MilliSatoshi(1_239_276), rt.TotalAmount)
	require.Equal(t, wire.MilliSatoshi(4709), rt.TotalFee)
	require.Equal(t, uint32(height+18+144+40), rt.TotalCLTV)
	require.Equal(t, wire.MilliSatoshi(1_234_567), rt.Amount())
	require.Equal(t, n.ids[3], rt.Payee())
}

// TestRouteOnion: the route's onion, peeled by each hop's key, tells each
// hop exactly the forward the route says, and the payee its amount,
// expiry and payment_data.
func TestRouteOnion(t *testing.T) {
	n := diamond(nil)
	rt, err := n.router(t, nil).FindRoute(req(n, 0, 3, 5_000_000))
	require.NoError(t, err)
	secret := wire.PaymentSecret{1, 2, 3}
	hops, err := rt.OnionHops(router.FinalPayload{PaymentSecret: secret, Metadata: []byte{9}})
	require.NoError(t, err)
	session := nodeKey(99)
	hash := sha256.Sum256([]byte("preimage"))
	pkt, _, err := onion.NewPacket(session, hops, hash[:])
	require.NoError(t, err)
	for i, h := range rt.Hops {
		p, err := onion.NewProcessor(onion.ProcessorConfig{ECDH: onion.PrivateKeyECDH{Key: nodeKey(n.path(rt)[i+1])}})
		require.NoError(t, err)
		cltvIn := rt.TotalCLTV // the incoming HTLC's expiry at this hop
		if i > 0 {
			cltvIn = rt.Hops[i-1].OutgoingCLTV
		}
		out, err := p.Process(pkt, hash[:], cltvIn)
		require.NoError(t, err)
		amt, _ := out.Payload.AmountToForward.Get()
		cltv, _ := out.Payload.OutgoingCLTV.Get()
		require.Equal(t, h.AmountToForward, amt)
		require.Equal(t, h.OutgoingCLTV, cltv)
		if i+1 < len(rt.Hops) {
			require.False(t, out.Final)
			next, _ := out.Payload.ShortChannelID.Get()
			require.Equal(t, rt.Hops[i+1].ShortChannelID, next)
			pkt = &out.Next
			continue
		}
		require.True(t, out.Final)
		pd, ok := out.Payload.PaymentData.Get()
		require.True(t, ok)
		require.Equal(t, onion.PaymentData{PaymentSecret: secret, TotalMsat: 5_000_000}, pd)
		md, _ := out.Payload.PaymentMetadata.Get()
		require.Equal(t, []byte{9}, md)
	}
}

// TestLimits: each limit of a channel or of the request moves the route
// off the cheap path 0-1-2-3 onto 0-4-3, or leaves no route.
func TestLimits(t *testing.T) {
	const amt = 1_000_000
	cheap, dear := []int{0, 1, 2, 3}, []int{0, 4, 3}
	tests := []struct {
		name string
		mod  func(c uint64, ab, ba *pol)
		req  func(r *router.Request)
		want []int // nil: no route
	}{
		{name: "cheapest", want: cheap},
		{name: "htlc_maximum below amount", mod: func(c uint64, ab, _ *pol) {
			if c == 2 {
				ab.max = amt
			}
		}, want: dear},
		{name: "htlc_maximum equal to amount with fees", mod: func(c uint64, ab, _ *pol) {
			if c == 2 {
				ab.max = amt + 3000 // node 2's fee: 500 + 2500
			}
		}, want: cheap},
		{name: "htlc_minimum above amount", mod: func(c uint64, ab, _ *pol) {
			if c == 3 {
				ab.min = amt + 1
			}
		}, want: dear},
		{name: "htlc_minimum equal to amount", mod: func(c uint64, ab, _ *pol) {
			if c == 3 {
				ab.min = amt
			}
		}, want: cheap},
		{name: "disabled direction", mod: func(c uint64, ab, _ *pol) {
			if c == 2 {
				ab.disabled = true
			}
		}, want: dear},
		{name: "other direction disabled", mod: func(c uint64, _, ba *pol) {
			if c == 2 {
				ba.disabled = true
			}
		}, want: cheap},
		{name: "no update", mod: func(c uint64, ab, _ *pol) {
			if c == 3 {
				ab.missing = true
			}
		}, want: dear},
		{name: "payer's own policy does not matter", mod: func(c uint64, ab, _ *pol) {
			if c == 1 {
				ab.base, ab.cltv = 1_000_000, 2000
			}
		}, want: cheap},
		{name: "max fee below the cheapest", req: func(r *router.Request) { r.MaxFee = 4099 }},
		{name: "max fee equal to the cheapest", req: func(r *router.Request) { r.MaxFee = 4100 }, want: cheap},
		{name: "max total cltv below the cheap path", req: func(r *router.Request) { r.MaxTotalCLTV = 201 }, want: dear},
		{name: "max total cltv equal to the cheap path", req: func(r *router.Request) { r.MaxTotalCLTV = 202 }, want: cheap},
		{name: "max total cltv below the final delta", req: func(r *router.Request) { r.MaxTotalCLTV = 17 }},
		{name: "final delta pushes the cheap path over", req: func(r *router.Request) {
			r.FinalCLTVDelta, r.MaxTotalCLTV = 100, 250
		}, want: dear},
		{name: "excluded channel", req: func(r *router.Request) {
			r.ExcludeChannels = []wire.ShortChannelID{scid(2)}
		}, want: dear},
		{name: "excluded node", req: func(r *router.Request) { r.ExcludeNodes = []wire.NodeID{nodeID(2)} }, want: dear},
		{name: "everything excluded", req: func(r *router.Request) {
			r.ExcludeNodes = []wire.NodeID{nodeID(2), nodeID(4)}
		}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			n := diamond(tc.mod)
			rq := req(n, 0, 3, amt)
			if tc.req != nil {
				tc.req(&rq)
			}
			rt, err := n.router(t, nil).FindRoute(rq)
			if tc.want == nil {
				require.ErrorIs(t, err, router.ErrNoRoute)
				return
			}
			require.NoError(t, err)
			require.Equal(t, tc.want, n.path(rt))
			checkRoute(t, n, rt, rq)
		})
	}
}

// TestCapacity: an amount over a channel's capacity cannot use it even
// when htlc_maximum_msat would allow it (the graph marks such a policy
// unusable).
func TestCapacity(t *testing.T) {
	n := newNet(3)
	n.ch(1, 0, 1, 10_000, pol{}, pol{})
	n.ch(2, 1, 2, 1_000, pol{}, pol{})
	r := n.router(t, nil)
	_, err := r.FindRoute(req(n, 0, 2, 1_000_001))
	require.ErrorIs(t, err, router.ErrNoRoute)
	rt, err := r.FindRoute(req(n, 0, 2, 1_000_000))
	require.NoError(t, err)
	require.Equal(t, []int{0, 1, 2}, n.path(rt))
}

// TestMaxHops: a chain longer than MaxHops has no route.
func TestMaxHops(t *testing.T) {
	n := newNet(6)
	for i := range 5 {
		n.ch(uint64(i+1), i, i+1, 100_000, pol{cltv: 10}, pol{cltv: 10})
	}
	for _, tc := range []struct {
		max int
		ok  bool
	}{{4, false}, {5, true}} {
		r, err := router.New(router.Config{Graph: n.graph(t), MaxHops: tc.max})
		require.NoError(t, err)
		_, err = r.FindRoute(req(n, 0, 5, 1000))
		if tc.ok {
			require.NoError(t, err)
		} else {
			require.ErrorIs(t, err, router.ErrNoRoute)
		}
	}
}

// TestUnknownFeature: a node whose announcement requires an unknown
// feature is not routed through, nor is a channel whose announcement does
// (BOLT 7).
func TestUnknownFeature(t *testing.T) {
	n := diamond(nil)
	n.recs[2].Announcement.Features = wire.NewFeatureVector(200) // channel 3
	rt, err := n.router(t, nil).FindRoute(req(n, 0, 3, 1000))
	require.NoError(t, err)
	require.Equal(t, []int{0, 4, 3}, n.path(rt))

	n = diamond(nil)
	g := n.graph(t)
	ann := &wire.NodeAnnouncement{NodeID: n.ids[2], Timestamp: 1, Features: wire.NewFeatureVector(200)}
	g.ImportTrusted(nil, []*wire.NodeAnnouncement{ann})
	r, err := router.New(router.Config{Graph: g})
	require.NoError(t, err)
	rt, err = r.FindRoute(req(n, 0, 3, 1000))
	require.NoError(t, err)
	require.Equal(t, []int{0, 4, 3}, n.path(rt))
}

// TestRouteHints: a private payee reached through a two-hop route hint
// from node 2, fees and expiries as the hint's policies say.
func TestRouteHints(t *testing.T) {
	n := diamond(nil)
	r := n.router(t, nil)
	rq := req(n, 0, 5, 2_000_000)
	_, err := r.FindRoute(rq)
	require.ErrorIs(t, err, router.ErrUnknownPayee)

	private := nodeID(7) // not in the graph either
	rq.RouteHints = []invoice.RouteHint{
		{
			{NodeID: n.ids[2], ShortChannelID: scid(90), FeeBaseMsat: 2000, FeeProportionalMillionths: 1000, CLTVExpiryDelta: 40},
			{NodeID: private, ShortChannelID: scid(91), FeeBaseMsat: 1, FeeProportionalMillionths: 10, CLTVExpiryDelta: 9},
		},
		// a dearer hint from node 4
		{{NodeID: n.ids[4], ShortChannelID: scid(92), FeeBaseMsat: 100_000, CLTVExpiryDelta: 40}},
	}
	rt, err := r.FindRoute(rq)
	require.NoError(t, err)
	require.Equal(t, []int{0, 1, 2, -1, 5}, n.path(rt))
	// private: 1 + 2,000,000*10/1e6 = 21 → receives 2,000,021
	// node 2: 2000 + 2,000,021*1000/1e6 = 4000 (4000.021) → 2,004,021
	// node 1: 1000 + 2,004,021*100/1e6 = 1200 (1200.4021) → 2,005,221
	require.Equal(t, wire.MilliSatoshi(2_005_221), rt.TotalAmount)
	require.Equal(t, []wire.MilliSatoshi{2_004_021, 2_000_021, 2_000_000, 2_000_000}, amounts(rt))
	require.Equal(t, []wire.ShortChannelID{scid(1), scid(2), scid(90), scid(91)}, channels(rt))
	require.Equal(t, uint32(height+18+9+40+40), rt.TotalCLTV)
	require.Equal(t, router.CapacityUnknown, rt.Hops[3].CapacityKind)

	// Excluding the hint's channel leaves the dearer hint.
	rq.ExcludeChannels = []wire.ShortChannelID{scid(91)}
	rt, err = r.FindRoute(rq)
	require.NoError(t, err)
	require.Equal(t, []int{0, 4, 5}, n.path(rt))
	require.Equal(t, wire.MilliSatoshi(2_100_000), rt.TotalAmount)
}

// TestFirstHops: the payer's channels with their real balances replace
// its graph channels.
func TestFirstHops(t *testing.T) {
	n := diamond(nil)
	r := n.router(t, nil)
	rq := req(n, 0, 3, 1_000_000)
	rq.FirstHops = []router.FirstHop{
		{ShortChannelID: scid(1), Peer: n.ids[1], OutboundMsat: 999_999},
		{ShortChannelID: scid(4), Peer: n.ids[4], OutboundMsat: 5_000_000},
	}
	// channel 1 cannot send the 1,004,100 the cheap path needs
	rt, err := r.FindRoute(rq)
	require.NoError(t, err)
	require.Equal(t, []int{0, 4, 3}, n.path(rt))
	require.Equal(t, router.CapacityExact, rt.Hops[0].CapacityKind)
	require.Equal(t, wire.MilliSatoshi(5_000_000), rt.Hops[0].Capacity)

	rq.FirstHops[0].OutboundMsat = 1_004_100
	rt, err = r.FindRoute(rq)
	require.NoError(t, err)
	require.Equal(t, []int{0, 1, 2, 3}, n.path(rt))

	// A first hop's htlc minimum binds too.
	rq.FirstHops[0].HTLCMinimumMsat = 1_004_101
	rt, err = r.FindRoute(rq)
	require.NoError(t, err)
	require.Equal(t, []int{0, 4, 3}, n.path(rt))

	// Only first hops count: none that can send means no route.
	rq.FirstHops = []router.FirstHop{}
	_, err = r.FindRoute(rq)
	require.ErrorIs(t, err, router.ErrNoRoute)

	// A private payer (not in the graph) with a first hop to node 2.
	rq = req(n, 0, 3, 1_000_000)
	rq.Payer = nodeID(8)
	rq.FirstHops = []router.FirstHop{{ShortChannelID: scid(80), Peer: n.ids[2], OutboundMsat: 10_000_000}}
	rt, err = r.FindRoute(rq)
	require.NoError(t, err)
	require.Equal(t, []int{-1, 2, 3}, n.path(rt))
	require.Equal(t, wire.MilliSatoshi(1_003_000), rt.TotalAmount)

	// A first hop to the payee itself: no fee at all.
	rq.FirstHops = append(rq.FirstHops, router.FirstHop{ShortChannelID: scid(81), Peer: n.ids[3], OutboundMsat: 10_000_000})
	rt, err = r.FindRoute(rq)
	require.NoError(t, err)
	require.Equal(t, []int{-1, 3}, n.path(rt))
	require.Equal(t, wire.MilliSatoshi(0), rt.TotalFee)
	require.Equal(t, uint32(height+18), rt.TotalCLTV)
}

// TestInvalidRequests: unusable requests are refused with the field named.
func TestInvalidRequests(t *testing.T) {
	n := diamond(nil)
	r := n.router(t, nil)
	for name, mod := range map[string]func(*router.Request){
		"Amount":       func(r *router.Request) { r.Amount = 0 },
		"Payee":        func(r *router.Request) { r.Payee = r.Payer },
		"ExcludeNodes": func(r *router.Request) { r.ExcludeNodes = []wire.NodeID{r.Payee} },
		"FirstHops":    func(r *router.Request) { r.FirstHops = []router.FirstHop{{Peer: r.Payer}} },
	} {
		rq := req(n, 0, 3, 1000)
		mod(&rq)
		_, err := r.FindRoute(rq)
		require.ErrorIs(t, err, router.ErrInvalidRequest, name)
		var re *router.RequestError
		require.True(t, errors.As(err, &re))
		require.Equal(t, name, re.Field)
	}
}

// TestConfig: New validates its Config.
func TestConfig(t *testing.T) {
	g := newNet(1).graph(t)
	for _, tc := range []struct {
		cfg   router.Config
		field string
	}{
		{router.Config{}, "Graph"},
		{router.Config{Graph: g, MaxHops: 28}, "MaxHops"},
		{router.Config{Graph: g, MaxParts: -1}, "MaxParts"},
	} {
		_, err := router.New(tc.cfg)
		require.ErrorIs(t, err, router.ErrInvalidConfig)
		var ce *router.ConfigError
		require.True(t, errors.As(err, &ce))
		require.Equal(t, tc.field, ce.Field)
	}
	_, err := router.NewProbabilisticScorer(router.ProbabilisticConfig{HalfLife: -1})
	require.ErrorIs(t, err, router.ErrInvalidConfig)
}

// TestDefaultFeeLimit: without MaxFee the limit is 10 sat + 5%.
func TestDefaultFeeLimit(t *testing.T) {
	n := newNet(3)
	n.ch(1, 0, 1, 1_000_000, pol{}, pol{})
	n.ch(2, 1, 2, 1_000_000, pol{base: 10_000, ppm: 50_000}, pol{})
	r := n.router(t, nil)
	rq := req(n, 0, 2, 1_000_000)
	rq.MaxFee = 0
	rt, err := r.FindRoute(rq)
	require.NoError(t, err)
	require.Equal(t, wire.MilliSatoshi(60_000), rt.TotalFee)
	rq.Amount = 999_999 // fee 59,999 vs limit 10,000 + 49,999
	_, err = r.FindRoute(rq)
	require.NoError(t, err)
	n = newNet(3)
	n.ch(1, 0, 1, 1_000_000, pol{}, pol{})
	n.ch(2, 1, 2, 1_000_000, pol{base: 10_001, ppm: 50_000}, pol{})
	_, err = n.router(t, nil).FindRoute(rq)
	require.ErrorIs(t, err, router.ErrNoRoute)
}

func amounts(r *router.Route) []wire.MilliSatoshi {
	var out []wire.MilliSatoshi
	for _, h := range r.Hops {
		out = append(out, h.AmountToForward)
	}
	return out
}

func channels(r *router.Route) []wire.ShortChannelID {
	var out []wire.ShortChannelID
	for _, h := range r.Hops {
		out = append(out, h.ShortChannelID)
	}
	return out
}
