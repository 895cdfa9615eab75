package fsstore

import (
	"context"
	"fmt"
	"testing"

	"github.com/lnkit/lnkit/persist"
)

// BenchmarkCheckpoint1000Keys times one checkpoint of 1000 new keys of
// 300 bytes (the payments benchmark's new records), and reports the files
// it creates and the system CPU it costs.
func BenchmarkCheckpoint1000Keys(b *testing.B) {
	cfs := &countingFS{}
	s, err := Open(Config{Root: b.TempDir(), FS: cfs, CheckpointBytes: 1 << 30})
	if err != nil {
		b.Fatal(err)
	}
	defer s.Close()
	ctx := context.Background()
	ns := persist.Namespace{Primary: "payments", Secondary: "out"}
	v := make([]byte, 300)
	var creates int64
	var sys sysTimer
	for i := 0; i < b.N; i++ {
		b.StopTimer()
		for g := range 10 {
			ops := make([]persist.Op, 100)
			for j := range ops {
				ops[j] = persist.WriteOp(ns, fmt.Sprintf("k%08d", i*1000+g*100+j), v)
			}
			if err := s.Apply(ctx, ops); err != nil {
				b.Fatal(err)
			}
		}
		before := cfs.creates.Load()
		sys.start()
		b.StartTimer()
		// The committer is idle: every Apply returned, and the next one
		// sends on the queue after this returns.
		if err := s.checkpoint(); err != nil {
			b.Fatal(err)
		}
		b.StopTimer()
		sys.stop()
		creates += cfs.creates.Load() - before
	}
	b.ReportMetric(float64(creates)/float64(b.N), "files/op")
	b.ReportMetric(float64(sys.total.Microseconds())/float64(b.N), "sys-µs/op")
}

// BenchmarkReadCheckpointed reads 200-byte values a checkpoint wrote
// (from a pack; from key files before packs).
func BenchmarkReadCheckpointed(b *testing.B) {
	s, err := Open(Config{Root: b.TempDir(), CheckpointBytes: 1 << 30})
	if err != nil {
		b.Fatal(err)
	}
	defer s.Close()
	ctx := context.Background()
	ns := persist.Namespace{Primary: "payments"}
	ops := make([]persist.Op, 1000)
	for i := range ops {
		ops[i] = persist.WriteOp(ns, fmt.Sprintf("k%04d", i), make([]byte, 200))
	}
	if err := s.Apply(ctx, ops); err != nil {
		b.Fatal(err)
	}
	if err := s.checkpoint(); err != nil {
		b.Fatal(err)
	}
	b.SetBytes(200)
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		if _, err := s.Read(ctx, ns, fmt.Sprintf("k%04d", i*7%1000)); err != nil {
			b.Fatal(err)
		}
	}
}
