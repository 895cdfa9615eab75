package pgstore

import (
	"testing"

	"github.com/lnkit/lnkit/internal/pgtest"
	"github.com/lnkit/lnkit/persist"
	"github.com/lnkit/lnkit/persist/persisttest"
)

// BenchmarkStore runs the standard store benchmarks against the package's
// private server (internal/pgtest: fsync on, on this machine's disk, over
// TCP on 127.0.0.1), with a pool of 40 connections so that 32 writers do
// not queue for one.
func BenchmarkStore(b *testing.B) {
	persisttest.Benchmark(b, func(b *testing.B) persist.KVStore {
		return openCfg(b, Config{ConnString: pgtest.ConnString(b), Table: uniqueTable(b), MaxConns: 40})
	})
}
