package router_test

import (
	"errors"
	"math"
	"math/rand/v2"
	"runtime"
	"slices"
	"syscall"
	"testing"
	"time"
	"unsafe"

	"github.com/stretchr/testify/require"

	"github.com/lnkit/lnkit/router"
	"github.com/lnkit/lnkit/router/graph"
	"github.com/lnkit/lnkit/router/graph/graphtest"
	"github.com/lnkit/lnkit/wire"
)

// threadCPU is the calling thread's CPU time, from
// clock_gettime(CLOCK_THREAD_CPUTIME_ID) (getrusage's per-thread times
// have only tick resolution); the benchmark locks its goroutine to the
// thread. On a shared machine it says more than the wall clock.
func threadCPU() time.Duration {
	var ts syscall.Timespec
	const clockThreadCPUTimeID = 3
	_, _, _ = syscall.Syscall(syscall.SYS_CLOCK_GETTIME, clockThreadCPUTimeID, uintptr(unsafe.Pointer(&ts)), 0)
	return time.Duration(ts.Nano())
}

// benchPairs returns count deterministic requests between graphtest's
// Pairs (distinct nodes with channels); amounts are log-uniform from
// 1,000 to 1,000,000 sat.
func benchPairs(net *graphtest.Network, count int, seed uint64) []router.Request {
	rng := rand.New(rand.NewPCG(seed, 42))
	var out []router.Request
	for _, pr := range net.Pairs(count, seed) {
		sat := math.Exp(math.Log(1_000) + rng.Float64()*(math.Log(1_000_000)-math.Log(1_000)))
		out = append(out, router.Request{
			Payer: pr[0], Payee: pr[1], Amount: wire.MilliSatoshi(sat * 1000),
			CurrentHeight: 900_000,
		})
	}
	return out
}

func percentile(d []time.Duration, p float64) time.Duration {
	s := slices.Clone(d)
	slices.Sort(s)
	return s[int(float64(len(s)-1)*p)]
}

// BenchmarkFindRoute: route computation on the synthetic mainnet-size
// graph (16,000 nodes, 48,000 channels) over 1,000 deterministic pairs,
// without a scorer (fees only) and with the probabilistic scorer trained
// on 1,000 other payments' outcomes. Reports p50/p99 wall time and
// thread CPU time per route.
func BenchmarkFindRoute(b *testing.B) {
	net := graphtest.Generate(graphtest.Config{})
	g, err := graph.New(graph.Config{})
	require.NoError(b, err)
	net.Populate(g)
	pairs := benchPairs(net, 1000, 1)

	trained, err := router.NewProbabilisticScorer(router.ProbabilisticConfig{})
	require.NoError(b, err)
	trained.TimePassed(graphtest.BaseTime())
	tr, err := router.New(router.Config{Graph: g, Scorer: trained})
	require.NoError(b, err)
	rng := rand.New(rand.NewPCG(2, 2))
	for _, rq := range benchPairs(net, 1000, 2) {
		rt, err := tr.FindRoute(rq)
		if err != nil {
			continue
		}
		if rng.IntN(2) == 0 {
			trained.PaymentPathFailed(rt, rt.Hops[rng.IntN(len(rt.Hops))].ShortChannelID)
		} else {
			trained.PaymentPathSucceeded(rt)
		}
	}

	for _, bc := range []struct {
		name   string
		scorer router.Scorer
	}{{"fees-only", nil}, {"probabilistic", trained}} {
		b.Run(bc.name, func(b *testing.B) {
			r, err := router.New(router.Config{Graph: g, Scorer: bc.scorer})
			require.NoError(b, err)
			b.ReportAllocs()
			runtime.LockOSThread()
			defer runtime.UnlockOSThread()
			wall := make([]time.Duration, len(pairs))
			cpu := make([]time.Duration, len(pairs))
			found := 0
			for b.Loop() {
				found = 0
				for i, rq := range pairs {
					c0, t0 := threadCPU(), time.Now()
					_, err := r.FindRoute(rq)
					wall[i], cpu[i] = time.Since(t0), threadCPU()-c0
					switch {
					case err == nil:
						found++
					case !errors.Is(err, router.ErrNoRoute):
						b.Fatal(err)
					}
				}
			}
			b.ReportMetric(float64(percentile(wall, 0.5).Microseconds())/1000, "p50-ms")
			b.ReportMetric(float64(percentile(wall, 0.99).Microseconds())/1000, "p99-ms")
			b.ReportMetric(float64(percentile(cpu, 0.5).Microseconds())/1000, "p50-cpu-ms")
			b.ReportMetric(float64(percentile(cpu, 0.99).Microseconds())/1000, "p99-cpu-ms")
			b.ReportMetric(float64(found), "found/1000")
		})
	}
}
