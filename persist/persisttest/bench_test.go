package persisttest_test

import (
	"testing"

	"github.com/lnkit/lnkit/persist"
	"github.com/lnkit/lnkit/persist/persisttest"
)

// BenchmarkCrashStore is the in-memory baseline of the standard benchmarks.
func BenchmarkCrashStore(b *testing.B) {
	persisttest.Benchmark(b, func(b *testing.B) persist.KVStore { return persisttest.NewCrashStore() })
}
