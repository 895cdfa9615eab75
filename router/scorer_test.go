package router_test

import (
	"bytes"
	"context"
	"encoding/binary"
	"math"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/lnkit/lnkit/persist/persisttest"
	"github.com/lnkit/lnkit/router"
	"github.com/lnkit/lnkit/wire"
)

func dirOf(a, b wire.NodeID) uint8 {
	if bytes.Compare(a[:], b[:]) < 0 {
		return 0
	}
	return 1
}

func newScorer(t testing.TB, cfg router.ProbabilisticConfig) *router.ProbabilisticScorer {
	t.Helper()
	s, err := router.NewProbabilisticScorer(cfg)
	require.NoError(t, err)
	return s
}

// TestScorerPenalty: the penalty with nothing learned (uniform liquidity
// between zero and the capacity), by capacity kind.
func TestScorerPenalty(t *testing.T) {
	s := newScorer(t, router.ProbabilisticConfig{})
	const c = 1 << 30
	base := func(amt uint64) uint64 {
		return router.DefaultBasePenaltyMsat + router.DefaultBasePenaltyAmountMultiplierMsat*amt>>30
	}
	liq := func(amt uint64, p float64) uint64 {
		nl := math.Min(-math.Log10(p), 2)
		return uint64(nl * (router.DefaultLiquidityPenaltyMultiplierMsat + router.DefaultLiquidityPenaltyAmountMultiplierMsat*float64(amt)/(1<<20)))
	}
	u := func(amt, inflight uint64, kind router.CapacityKind) router.ChannelUsage {
		return router.ChannelUsage{ShortChannelID: scid(1), Amount: wire.MilliSatoshi(amt), InFlight: wire.MilliSatoshi(inflight), Capacity: c, CapacityKind: kind}
	}
	tests := []struct {
		name string
		u    router.ChannelUsage
		want uint64
	}{
		{"half the capacity", u(c/2, 0, router.CapacityTotal), base(c/2) + liq(c/2, 0.5)},
		{"a tenth", u(c/10, 0, router.CapacityTotal), base(c/10) + liq(c/10, float64(c-c/10)/c)},
		{"in flight counts", u(c/4, c/4, router.CapacityTotal), base(c/4) + liq(c/4, 0.5)},
		{"all of it", u(c, 0, router.CapacityTotal), base(c) + liq(c, 0)},
		{"over the capacity", u(c+1, 0, router.CapacityTotal), base(c+1) + router.DefaultImpossiblePenaltyMsat},
		{"htlc maximum as capacity", u(c/2, 0, router.CapacityHTLCMaximum), base(c/2) + liq(c/2, 0.5)},
		{"exact balance", u(c, 0, router.CapacityExact), base(c)},
		{"over the exact balance", u(c/2, c/2+1, router.CapacityExact), base(c/2) + router.DefaultImpossiblePenaltyMsat},
		{"unknown capacity", u(c*4, 0, router.CapacityUnknown), base(c * 4)},
	}
	for _, tc := range tests {
		require.Equal(t, tc.want, s.Penalty(tc.u), tc.name)
	}
	off := newScorer(t, router.ProbabilisticConfig{DisableBasePenalty: true, DisableLiquidityPenalty: true})
	require.Zero(t, off.Penalty(u(c/2, 0, router.CapacityTotal)))
}

// scoredDiamond is 0 → 1 → 3 (10 ppm) and 0 → 2 → 3 (100 ppm), 1,000,000 sat
// channels, with a probabilistic scorer.
func scoredDiamond(t *testing.T) (*net, *router.Router, *router.ProbabilisticScorer) {
	t.Helper()
	n := newNet(4)
	n.ch(1, 0, 1, 1_000_000, pol{}, pol{})
	n.ch(2, 1, 3, 1_000_000, pol{ppm: 10, cltv: 40}, pol{})
	n.ch(3, 0, 2, 1_000_000, pol{}, pol{})
	n.ch(4, 2, 3, 1_000_000, pol{ppm: 100, cltv: 40}, pol{})
	s := newScorer(t, router.ProbabilisticConfig{})
	s.TimePassed(time.Unix(1_000_000, 0))
	return n, n.router(t, s), s
}

// TestScorerLearnsFailure: a failure at the last channel caps its
// liquidity below the amount and raises the others' lower bounds; the
// next search avoids the failed channel; the reverse direction's bounds
// are the complement.
func TestScorerLearnsFailure(t *testing.T) {
	n, r, s := scoredDiamond(t)
	const amt, capMsat = 300_000_000, 1_000_000_000
	rt, err := r.FindRoute(req(n, 0, 3, amt))
	require.NoError(t, err)
	require.Equal(t, []int{0, 1, 3}, n.path(rt))
	s.PaymentPathFailed(rt, scid(2))

	lo, hi, ok := s.EstimatedLiquidity(scid(2), dirOf(n.ids[1], n.ids[3]), capMsat)
	require.True(t, ok)
	require.Equal(t, [2]wire.MilliSatoshi{0, amt - 1}, [2]wire.MilliSatoshi{lo, hi})
	lo, hi, _ = s.EstimatedLiquidity(scid(2), dirOf(n.ids[3], n.ids[1]), capMsat)
	require.Equal(t, [2]wire.MilliSatoshi{capMsat - amt + 1, capMsat}, [2]wire.MilliSatoshi{lo, hi})
	lo, hi, ok = s.EstimatedLiquidity(scid(1), dirOf(n.ids[0], n.ids[1]), capMsat)
	require.True(t, ok, "the payer's graph channel is learned too")
	require.Equal(t, [2]wire.MilliSatoshi{rt.AmountIn(0), capMsat}, [2]wire.MilliSatoshi{lo, hi})
	_, _, ok = s.EstimatedLiquidity(scid(4), 0, capMsat)
	require.False(t, ok)

	rt, err = r.FindRoute(req(n, 0, 3, amt))
	require.NoError(t, err)
	require.Equal(t, []int{0, 2, 3}, n.path(rt))
	// A smaller amount fits below the learned bound and goes cheap again.
	rt, err = r.FindRoute(req(n, 0, 3, 1_000_000))
	require.NoError(t, err)
	require.Equal(t, []int{0, 1, 3}, n.path(rt))

	// A failure naming a channel not on the route teaches nothing.
	before, _ := s.MarshalBinary()
	s.PaymentPathFailed(rt, scid(77))
	after, _ := s.MarshalBinary()
	require.Equal(t, before, after)
}

// TestScorerLearnsPermanentFailure: a permanent channel failure (the
// node before it answered unknown_next_peer, say) caps the channel at
// nothing: the next search avoids it for a small amount too, unlike a
// failure of the amount; the hops before still learn they forwarded, and
// a failure at the payee (the zero channel) teaches nothing here.
func TestScorerLearnsPermanentFailure(t *testing.T) {
	n, r, s := scoredDiamond(t)
	const amt, capMsat = 300_000_000, 1_000_000_000
	rt, err := r.FindRoute(req(n, 0, 3, amt))
	require.NoError(t, err)
	require.Equal(t, []int{0, 1, 3}, n.path(rt))
	s.PaymentPathFailedPermanently(rt, scid(2))

	lo, hi, ok := s.EstimatedLiquidity(scid(2), dirOf(n.ids[1], n.ids[3]), capMsat)
	require.True(t, ok)
	require.Equal(t, [2]wire.MilliSatoshi{0, 0}, [2]wire.MilliSatoshi{lo, hi})
	lo, hi, _ = s.EstimatedLiquidity(scid(1), dirOf(n.ids[0], n.ids[1]), capMsat)
	require.Equal(t, [2]wire.MilliSatoshi{rt.AmountIn(0), capMsat}, [2]wire.MilliSatoshi{lo, hi})

	rt, err = r.FindRoute(req(n, 0, 3, 1_000_000))
	require.NoError(t, err)
	require.Equal(t, []int{0, 2, 3}, n.path(rt), "avoided whatever the amount")

	before, _ := s.MarshalBinary()
	s.PaymentPathFailedPermanently(rt, wire.ShortChannelID{})
	after, _ := s.MarshalBinary()
	require.Equal(t, before, after)
}

// TestScorerLearnsSuccess: a settled payment moves the amount out of each
// direction's bounds; a probe raises the lower bounds and moves nothing.
func TestScorerLearnsSuccess(t *testing.T) {
	n, r, s := scoredDiamond(t)
	const amt, capMsat = 100_000_000, 1_000_000_000
	rt, err := r.FindRoute(req(n, 0, 3, amt))
	require.NoError(t, err)
	require.Equal(t, []int{0, 1, 3}, n.path(rt))
	d := dirOf(n.ids[1], n.ids[3])

	s.ProbeSucceeded(rt)
	lo, hi, _ := s.EstimatedLiquidity(scid(2), d, capMsat)
	require.Equal(t, [2]wire.MilliSatoshi{amt, capMsat}, [2]wire.MilliSatoshi{lo, hi})

	s.PaymentPathSucceeded(rt)
	lo, hi, _ = s.EstimatedLiquidity(scid(2), d, capMsat)
	require.Equal(t, [2]wire.MilliSatoshi{0, capMsat - amt}, [2]wire.MilliSatoshi{lo, hi})
	lo, hi, _ = s.EstimatedLiquidity(scid(2), 1-d, capMsat)
	require.Equal(t, [2]wire.MilliSatoshi{amt, capMsat}, [2]wire.MilliSatoshi{lo, hi})

	// A failure at the payee (zero channel): every channel forwarded.
	s2 := newScorer(t, router.ProbabilisticConfig{})
	s2.PaymentPathFailed(rt, wire.ShortChannelID{})
	lo, _, _ = s2.EstimatedLiquidity(scid(2), d, capMsat)
	require.Equal(t, wire.MilliSatoshi(amt), lo)

	// Contradicting news wins: a failure below the lower bound resets it.
	s.ProbeSucceeded(rt) // lo = amt
	small := *rt
	small.Hops = append([]router.Hop(nil), rt.Hops...)
	small.Hops[0].AmountToForward = amt / 2 // the amount over channel 2
	s.PaymentPathFailed(&small, scid(2))
	lo, hi, _ = s.EstimatedLiquidity(scid(2), d, capMsat)
	require.Equal(t, [2]wire.MilliSatoshi{0, amt/2 - 1}, [2]wire.MilliSatoshi{lo, hi})
}

// TestScorerDecay: learned offsets halve every half-life (exactly, from
// the time they were learned, however often time is told), time going
// backwards changes nothing, and after 64 half-lives the channel is
// forgotten.
func TestScorerDecay(t *testing.T) {
	n, r, s := scoredDiamond(t)
	const amt, capMsat = 200_000_000, 1_000_000_000
	t0 := time.Unix(1_000_000, 0)
	rt, err := r.FindRoute(req(n, 0, 3, amt))
	require.NoError(t, err)
	s.PaymentPathFailed(rt, scid(2))
	d := dirOf(n.ids[1], n.ids[3])
	maxOff := wire.MilliSatoshi(capMsat - (amt - 1))

	for i := 1; i <= 60; i++ { // an hour in minutes
		s.TimePassed(t0.Add(time.Duration(i) * time.Minute))
	}
	s.TimePassed(t0.Add(6 * time.Hour))
	_, hi, _ := s.EstimatedLiquidity(scid(2), d, capMsat)
	require.Equal(t, capMsat-maxOff/2, hi)
	s.TimePassed(t0.Add(time.Hour)) // backwards: ignored
	_, hi, _ = s.EstimatedLiquidity(scid(2), d, capMsat)
	require.Equal(t, capMsat-maxOff/2, hi)
	s.TimePassed(t0.Add(12 * time.Hour))
	_, hi, _ = s.EstimatedLiquidity(scid(2), d, capMsat)
	require.Equal(t, capMsat-maxOff/4, hi)

	// the penalty follows the decay: lower after more time
	u := router.ChannelUsage{ShortChannelID: scid(2), Dir: d, Amount: amt, Capacity: capMsat}
	p12 := s.Penalty(u)
	s.TimePassed(t0.Add(24 * time.Hour))
	require.Less(t, s.Penalty(u), p12)

	s.TimePassed(t0.Add(64 * 6 * time.Hour))
	_, _, ok := s.EstimatedLiquidity(scid(2), d, capMsat)
	require.False(t, ok)
	b, err := s.MarshalBinary()
	require.NoError(t, err)
	require.Len(t, b, 13, "every channel forgotten")
}

// TestScorerPersist: Save and LoadProbabilisticScorer round-trip the
// learned state; an empty store gives an empty scorer; corrupt values are
// refused with ErrCorruptScorer.
func TestScorerPersist(t *testing.T) {
	n, r, s := scoredDiamond(t)
	for _, amt := range []wire.MilliSatoshi{100_000_000, 300_000_000} {
		rt, err := r.FindRoute(req(n, 0, 3, amt))
		require.NoError(t, err)
		s.PaymentPathFailed(rt, rt.Hops[len(rt.Hops)-1].ShortChannelID)
	}
	ctx := context.Background()
	store := persisttest.NewCrashStore()
	empty, err := router.LoadProbabilisticScorer(ctx, store, router.ProbabilisticConfig{})
	require.NoError(t, err)
	b, _ := empty.MarshalBinary()
	require.Len(t, b, 13)

	require.NoError(t, s.Save(ctx, store))
	back, err := router.LoadProbabilisticScorer(ctx, store, router.ProbabilisticConfig{})
	require.NoError(t, err)
	want, _ := s.MarshalBinary()
	got, _ := back.MarshalBinary()
	require.Equal(t, want, got)
	for c := uint64(1); c <= 5; c++ {
		for d := uint8(0); d < 2; d++ {
			u := router.ChannelUsage{ShortChannelID: scid(c), Dir: d, Amount: 250_000_000, Capacity: 1_000_000_000}
			require.Equal(t, s.Penalty(u), back.Penalty(u))
		}
	}

	entry := func(k, c, lo, hi, at uint64) []byte {
		var e [40]byte
		for i, v := range []uint64{k, c, lo, hi, at} {
			binary.BigEndian.PutUint64(e[8*i:], v)
		}
		return e[:]
	}
	header := func(count uint32) []byte {
		h := []byte{1, 0, 0, 0, 0, 0, 0, 0, 0}
		return binary.BigEndian.AppendUint32(h, count)
	}
	cat := func(parts ...[]byte) []byte { return bytes.Join(parts, nil) }
	for name, bad := range map[string][]byte{
		"short":             {1, 0},
		"version":           append([]byte{2}, header(0)[1:]...),
		"count":             header(1),
		"trailing":          cat(header(0), []byte{0}),
		"out of order":      cat(header(2), entry(5, 10, 1, 1, 0), entry(5, 10, 1, 1, 0)),
		"over capacity":     cat(header(1), entry(5, 10, 6, 5, 0)),
		"empty":             cat(header(1), entry(5, 10, 0, 0, 0)),
		"huge count":        header(math.MaxUint32),
		"min over capacity": cat(header(1), entry(5, 10, 11, 0, 0)),
	} {
		require.NoError(t, store.Write(ctx, scorerNS(), router.ScorerKey, bad))
		_, err := router.LoadProbabilisticScorer(ctx, store, router.ProbabilisticConfig{})
		require.ErrorIs(t, err, router.ErrCorruptScorer, name)
		require.ErrorIs(t, back.UnmarshalBinary(bad), router.ErrCorruptScorer, name)
	}
	got, _ = back.MarshalBinary()
	require.Equal(t, want, got, "a refused value leaves the scorer as it was")
}

// FuzzScorerDecode: no input panics the decoder; an accepted input is
// canonical (it encodes back to itself) and gives penalties.
func FuzzScorerDecode(f *testing.F) {
	s := newScorer(f, router.ProbabilisticConfig{})
	n := diamond(nil)
	r := n.router(f, s)
	rt, err := r.FindRoute(req(n, 0, 3, 300_000_000))
	require.NoError(f, err)
	empty, _ := s.MarshalBinary()
	f.Add(empty)
	s.PaymentPathFailed(rt, scid(3))
	one, _ := s.MarshalBinary()
	f.Add(one)
	s.PaymentPathSucceeded(rt)
	two, _ := s.MarshalBinary()
	f.Add(two)
	f.Add(one[:len(one)-1])
	f.Fuzz(func(t *testing.T, b []byte) {
		s := newScorer(t, router.ProbabilisticConfig{})
		if s.UnmarshalBinary(b) != nil {
			return
		}
		out, err := s.MarshalBinary()
		require.NoError(t, err)
		require.Equal(t, b, out)
		for c := uint64(0); c < 4; c++ {
			_ = s.Penalty(router.ChannelUsage{ShortChannelID: wire.NewShortChannelID(c), Amount: 1 << 20, Capacity: 1 << 30})
		}
		s.TimePassed(time.Unix(0, math.MaxInt64))
	})
}
