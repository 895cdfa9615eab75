// Package persisttest proves KVStores: Run is the conformance suite every
// persist.KVStore (lnkit's stores or a user's) must pass, Benchmark the
// benchmarks every store reports, and CrashStore an in-memory store that
// keeps only what it acknowledged as durable, for tests that must survive a
// crash (persist before send).
//
// A store's own test runs the suite with a Factory:
//
//	func TestConformance(t *testing.T) {
//		persisttest.Run(t, persisttest.Factory{
//			New:    func(t *testing.T) persist.KVStore { ... a new, empty store ... },
//			Reopen: func(t *testing.T, closed persist.KVStore) persist.KVStore { ... the same data, opened again ... },
//		})
//	}
//
//	func BenchmarkStore(b *testing.B) {
//		persisttest.Benchmark(b, func(b *testing.B) persist.KVStore { ... a new, empty store ... })
//	}
package persisttest
