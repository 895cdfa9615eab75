package sqlitestore

import (
	"testing"

	"github.com/lnkit/lnkit/persist"
	"github.com/lnkit/lnkit/persist/persisttest"
)

func BenchmarkStore(b *testing.B) {
	persisttest.Benchmark(b, func(b *testing.B) persist.KVStore { return newStore(b) })
}
