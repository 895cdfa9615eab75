package fsstore_test

import (
	"context"
	"fmt"
	"testing"

	"github.com/lnkit/lnkit/persist"
	"github.com/lnkit/lnkit/persist/fsstore"
	"github.com/lnkit/lnkit/persist/persisttest"
	"github.com/stretchr/testify/require"
)

func BenchmarkStore(b *testing.B) {
	persisttest.Benchmark(b, func(b *testing.B) persist.KVStore {
		s, err := fsstore.Open(fsstore.Config{Root: b.TempDir()})
		require.NoError(b, err)
		return s
	})
}

// BenchmarkApplyCheckpointEveryBatch is the worst case of batches: a
// checkpoint (every key file fsynced) after each one.
func BenchmarkApplyCheckpointEveryBatch(b *testing.B) {
	for _, n := range []int{10, 100} {
		b.Run(fmt.Sprintf("ops=%d", n), func(b *testing.B) {
			s, err := fsstore.Open(fsstore.Config{Root: b.TempDir(), CheckpointBytes: 1})
			if err != nil {
				b.Fatal(err)
			}
			defer s.Close()
			ns := persist.Namespace{Primary: "bench"}
			ops := make([]persist.Op, n)
			v := make([]byte, 200)
			b.ResetTimer()
			for i := 0; i < b.N; i++ {
				for j := range ops {
					ops[j] = persist.WriteOp(ns, fmt.Sprintf("k%04d", (i*n+j)%256), v)
				}
				if err := s.Apply(context.Background(), ops); err != nil {
					b.Fatal(err)
				}
			}
			b.StopTimer()
			b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "batches/s")
		})
	}
}
