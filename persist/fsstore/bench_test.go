package fsstore_test

import (
	"testing"

	"github.com/lnkit/lnkit/persist"
	"github.com/lnkit/lnkit/persist/fsstore"
	"github.com/lnkit/lnkit/persist/persisttest"
)

func BenchmarkStore(b *testing.B) {
	persisttest.Benchmark(b, func(b *testing.B) persist.KVStore {
		s, err := fsstore.Open(fsstore.Config{Root: b.TempDir()})
		if err != nil {
			b.Fatal(err)
		}
		return s
	})
}
