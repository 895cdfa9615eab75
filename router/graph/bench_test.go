package graph_test

import (
	"context"
	"runtime"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/lnkit/lnkit/persist/persisttest"
	"github.com/lnkit/lnkit/router/graph"
	"github.com/lnkit/lnkit/router/graph/graphtest"
	"github.com/lnkit/lnkit/wire"
)

// mainnetOnce caches the signed mainnet-size gossip across benchmarks of
// one run (signing it takes seconds).
type mainnetCache struct {
	once sync.Once
	net  *graphtest.Network
	msgs []wire.Message
}

func (c *mainnetCache) get(signed bool) (*graphtest.Network, []wire.Message) {
	c.once.Do(func() {
		c.net = graphtest.Generate(graphtest.Config{})
		if signed {
			c.msgs = c.net.Messages(true)
		}
	})
	return c.net, c.msgs
}

// cpuTime is the process's user+system CPU time: with the machine shared,
// it says more than the wall clock.
func cpuTime() time.Duration {
	var ru syscall.Rusage
	_ = syscall.Getrusage(syscall.RUSAGE_SELF, &ru)
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

func heapInUse() uint64 {
	runtime.GC()
	runtime.GC()
	var m runtime.MemStats
	runtime.ReadMemStats(&m)
	return m.HeapAlloc
}

// BenchmarkGraphMemory reports the heap a mainnet-size graph holds (all
// signed messages kept for replies, plus the pathfinding arrays).
func BenchmarkGraphMemory(b *testing.B) {
	n := graphtest.Generate(graphtest.Config{})
	for b.Loop() {
		before := heapInUse()
		g, err := graph.New(graph.Config{})
		require.NoError(b, err)
		n.Populate(g)
		after := heapInUse()
		b.ReportMetric(float64(after-before)/(1<<20), "MiB")
		runtime.KeepAlive(g)
	}
}

// BenchmarkIngestMainnet ingests the whole synthetic graph's gossip
// (48,000 announcements with four signatures each, 96,000 updates, the
// node announcements), every signature checked, in batches of 1,000 on
// two verification workers.
func BenchmarkIngestMainnet(b *testing.B) {
	var cache mainnetCache
	n, msgs := cache.get(true)
	utxos := n.UTXOs()
	b.ResetTimer()
	for b.Loop() {
		g, err := graph.New(graph.Config{UTXOSource: utxos, VerifyWorkers: 2, LookupBurst: 100_000})
		require.NoError(b, err)
		g.Tick(graphtest.BaseTime())
		start, cpu := time.Now(), cpuTime()
		for at := 0; at < len(msgs); at += 1000 {
			if err := firstErr(g.AddBatch(context.Background(), msgs[at:min(at+1000, len(msgs))])); err != nil {
				b.Fatal(err)
			}
		}
		el := time.Since(start)
		b.ReportMetric(float64(len(msgs))/el.Seconds(), "msgs/s")
		b.ReportMetric(el.Seconds(), "s/graph")
		b.ReportMetric((cpuTime() - cpu).Seconds(), "cpu-s/graph")
	}
}

// BenchmarkColdLoad loads a saved mainnet-size graph from a store.
func BenchmarkColdLoad(b *testing.B) {
	n := graphtest.Generate(graphtest.Config{})
	g, err := graph.New(graph.Config{})
	require.NoError(b, err)
	n.Populate(g)
	store := persisttest.NewCrashStore()
	require.NoError(b, g.Save(context.Background(), store))
	g = nil
	b.ResetTimer()
	cpu := cpuTime()
	defer func() { b.ReportMetric((cpuTime()-cpu).Seconds()/float64(b.N), "cpu-s/op") }()
	for b.Loop() {
		back, err := graph.Load(context.Background(), store, graph.Config{})
		require.NoError(b, err)
		_, chans := back.Size()
		require.Equal(b, graphtest.MainnetChannels, chans)
	}
}

// BenchmarkViewScan walks every edge of the mainnet-size graph through the
// read view, reading both policies: what a Dijkstra does per relaxation.
func BenchmarkViewScan(b *testing.B) {
	n := graphtest.Generate(graphtest.Config{})
	g, err := graph.New(graph.Config{})
	require.NoError(b, err)
	n.Populate(g)
	b.ReportAllocs()
	var sink uint64
	edges := 0
	for b.Loop() {
		v := g.View()
		edges = 0
		for i := range v.NodeSlots() {
			for _, e := range v.Edges(graph.NodeIdx(i)) {
				p := v.Policy(e.Chan, 1-e.Dir)
				if p.Usable() {
					f, _ := p.Fee(100_000_000)
					sink += uint64(f)
				}
				edges++
			}
		}
		v.Release()
	}
	b.ReportMetric(float64(edges), "edges")
	_ = sink
}

// BenchmarkVerifySignature is one signature check as the ingest does it
// (a cached key): the unit the whole-graph ingest is made of (about
// 304,000 of them for the mainnet-size graph), for comparing runs on a
// busy machine.
func BenchmarkVerifySignature(b *testing.B) {
	n := graphtest.Generate(graphtest.Config{Nodes: 2, Channels: 1})
	u := n.Update(0, 0, true)
	h, _ := u.SignedDataHash()
	key, err := n.NodeIDs[n.Channels[0].Node[0]].PublicKey()
	require.NoError(b, err)
	for b.Loop() {
		if !u.Signature.Verify(h[:], key) {
			b.Fatal("does not verify")
		}
	}
}
