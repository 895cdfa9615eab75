package onion

import (
	"context"
	"errors"
	"math/rand"
	"sync"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/lnkit/lnkit/persist"
)

// testExpiry is the cltv_expiry the tests give Process.
const testExpiry uint32 = 800_144

// forgetfulReplayLog never remembers: benchmarks process one packet again
// and again.
type forgetfulReplayLog struct{}

func (forgetfulReplayLog) CheckAndAdd(SharedSecret, uint32) (bool, error) { return false, nil }
func (forgetfulReplayLog) Prune(uint32) (int, error)                      { return 0, nil }

// replayLogKind makes a log of one implementation with maxEntries.
type replayLogKind struct {
	name string
	open func(t testing.TB, maxEntries int) ReplayLog
}

func replayLogKinds() []replayLogKind {
	return []replayLogKind{
		{"memory", func(t testing.TB, max int) ReplayLog {
			t.Helper()
			l, err := NewMemoryReplayLog(MemoryReplayLogConfig{MaxEntries: max})
			require.NoError(t, err)
			return l
		}},
		{"persistent", func(t testing.TB, max int) ReplayLog {
			t.Helper()
			l, err := OpenPersistentReplayLog(context.Background(), PersistentReplayLogConfig{Store: newMemStore(), MaxEntries: max})
			require.NoError(t, err)
			return l
		}},
	}
}

func secretN(i int) SharedSecret { return SharedSecret{byte(i), byte(i >> 8), byte(i >> 16), 0xaa} }

// TestReplayLogExpiry checks both logs: a secret is seen until Prune
// passes its expiry, and only then forgotten.
func TestReplayLogExpiry(t *testing.T) {
	for _, kind := range replayLogKinds() {
		t.Run(kind.name, func(t *testing.T) {
			log := kind.open(t, 0)
			for i, exp := range []uint32{100, 101, 101, 200} {
				seen, err := log.CheckAndAdd(secretN(i), exp)
				require.NoError(t, err)
				require.False(t, seen)
			}
			// A replay is seen whatever expiry its new HTLC claims.
			seen, err := log.CheckAndAdd(secretN(0), 5000)
			require.NoError(t, err)
			require.True(t, seen)

			n, err := log.Prune(99)
			require.NoError(t, err)
			require.Zero(t, n)
			n, err = log.Prune(101)
			require.NoError(t, err)
			require.Equal(t, 3, n)
			for i, want := range []bool{false, false, false, true} {
				seen, err := log.CheckAndAdd(secretN(i), 300)
				require.NoError(t, err)
				require.Equal(t, want, seen, "secret %d", i)
			}
			n, err = log.Prune(1000)
			require.NoError(t, err)
			require.Equal(t, 4, n)
		})
	}
}

// TestReplayLogFullRefuses checks that a full log refuses new secrets
// (the Processor then fails the HTLC as temporary) instead of forgetting
// old ones, and takes them again once Prune frees room.
func TestReplayLogFullRefuses(t *testing.T) {
	for _, kind := range replayLogKinds() {
		t.Run(kind.name, func(t *testing.T) {
			log := kind.open(t, 3)
			for i := range 3 {
				_, err := log.CheckAndAdd(secretN(i), uint32(10+i))
				require.NoError(t, err)
			}
			_, err := log.CheckAndAdd(secretN(3), 20)
			require.ErrorIs(t, err, ErrReplayLogFull)
			for i := range 3 {
				seen, err := log.CheckAndAdd(secretN(i), 50)
				require.NoError(t, err)
				require.True(t, seen, "nothing is forgotten when full")
			}
			_, err = log.Prune(10)
			require.NoError(t, err)
			seen, err := log.CheckAndAdd(secretN(3), 20)
			require.NoError(t, err)
			require.False(t, seen)
		})
	}
}

// TestReplayLogConcurrent checks that each secret is admitted once when
// many goroutines offer the same secrets.
func TestReplayLogConcurrent(t *testing.T) {
	for _, kind := range replayLogKinds() {
		t.Run(kind.name, func(t *testing.T) {
			log := kind.open(t, 0)
			admitted := make([]int, 200)
			var mu sync.Mutex
			var wg sync.WaitGroup
			for g := range 8 {
				wg.Add(1)
				go func() {
					defer wg.Done()
					for i := range admitted {
						seen, err := log.CheckAndAdd(secretN(i), uint32(1+i%7+g%2))
						if err != nil {
							panic(err)
						}
						if !seen {
							mu.Lock()
							admitted[i]++
							mu.Unlock()
						}
						if i%50 == 0 {
							_, _ = log.Prune(0) // nothing expires at 0: races Prune with the writes
						}
					}
				}()
			}
			wg.Wait()
			for i, n := range admitted {
				require.Equal(t, 1, n, "secret %d", i)
			}
		})
	}
}

// TestPersistentReplayLogReload checks write-through and reload: an entry
// is in the store when CheckAndAdd returns, a reopened log still sees it,
// and Prune removes expired entries (and their height) from the store.
func TestPersistentReplayLogReload(t *testing.T) {
	ctx := context.Background()
	store := newMemStore()
	open := func() *PersistentReplayLog {
		t.Helper()

		l, err := OpenPersistentReplayLog(ctx, PersistentReplayLogConfig{Store: store})
		require.NoError(t, err)
		return l
	}
	log := open()
	_, err := log.CheckAndAdd(secretN(1), 840_000)
	require.NoError(t, err)
	// Durable before return: the marker and the entry are in the store.
	heights, err := store.List(ctx, persist.Namespace{Primary: DefaultReplayLogNamespace, Secondary: "heights"})
	require.NoError(t, err)
	require.Equal(t, []string{"h0000840000"}, heights)
	k := newReplayKey(&SharedSecret{1, 0, 0, 0xaa})
	entries, err := store.List(ctx, persist.Namespace{Primary: DefaultReplayLogNamespace, Secondary: "h0000840000"})
	require.NoError(t, err)
	require.Equal(t, []string{replayEntryName(k)}, entries)

	_, err = log.CheckAndAdd(secretN(2), 840_010)
	require.NoError(t, err)
	_, err = log.CheckAndAdd(secretN(3), 840_000)
	require.NoError(t, err)
	require.Equal(t, 5, store.keyCount())

	log = open()
	require.Equal(t, 3, log.Len())
	for i := 1; i <= 3; i++ {
		seen, err := log.CheckAndAdd(secretN(i), 1)
		require.NoError(t, err)
		require.True(t, seen, "secret %d after reopening", i)
	}

	n, err := log.Prune(840_005)
	require.NoError(t, err)
	require.Equal(t, 2, n)
	require.Equal(t, 2, store.keyCount(), "one entry and its height remain")
	log = open()
	require.Equal(t, 1, log.Len())
	seen, err := log.CheckAndAdd(secretN(1), 840_020)
	require.NoError(t, err)
	require.False(t, seen, "a pruned entry stays forgotten after reopening")
}

// TestPersistentReplayLogStoreFailure checks that a secret whose write
// failed is not recorded (the packet is refused) and that the next
// attempt, with the store back, records it.
func TestPersistentReplayLogStoreFailure(t *testing.T) {
	store := newMemStore()
	log, err := OpenPersistentReplayLog(context.Background(), PersistentReplayLogConfig{Store: store})
	require.NoError(t, err)
	disk := errors.New("disk full")
	store.setFail(disk)
	_, err = log.CheckAndAdd(secretN(1), 10)
	require.ErrorIs(t, err, disk)
	require.Zero(t, log.Len())
	_, err = log.Prune(10)
	require.NoError(t, err, "nothing to prune: the failed height was forgotten")

	_, err = log.CheckAndAdd(secretN(2), 10)
	require.ErrorIs(t, err, disk)
	store.setFail(nil)
	seen, err := log.CheckAndAdd(secretN(1), 10)
	require.NoError(t, err)
	require.False(t, seen)
	_, err = log.CheckAndAdd(secretN(2), 10)
	require.NoError(t, err)

	// A failing prune keeps the entries.
	store.setFail(disk)
	_, err = log.Prune(10)
	require.ErrorIs(t, err, disk)
	require.Equal(t, 2, log.Len())
	store.setFail(nil)
	n, err := log.Prune(10)
	require.NoError(t, err)
	require.Equal(t, 2, n)
	require.Zero(t, store.keyCount())
}

// TestPersistentReplayLogPruneBatches prunes a height holding more entries
// than one Apply may carry.
func TestPersistentReplayLogPruneBatches(t *testing.T) {
	store := newMemStore()
	log, err := OpenPersistentReplayLog(context.Background(), PersistentReplayLogConfig{Store: store, Namespace: "replay"})
	require.NoError(t, err)
	for _, count := range []int{persist.MaxBatchOps - 1, persist.MaxBatchOps, 2*persist.MaxBatchOps + 3} {
		for i := range count {
			_, err := log.CheckAndAdd(secretN(i), 7)
			require.NoError(t, err)
		}
		n, err := log.Prune(7)
		require.NoError(t, err)
		require.Equal(t, count, n)
		require.Zero(t, store.keyCount())
	}
}

// TestPersistentReplayLogCorrupt checks that keys the log did not write
// fail Open with ErrReplayLogCorrupt.
func TestPersistentReplayLogCorrupt(t *testing.T) {
	ctx := context.Background()
	heights := persist.Namespace{Primary: DefaultReplayLogNamespace, Secondary: "heights"}
	tests := []struct {
		name string
		ns   persist.Namespace
		key  string
	}{
		{"height not a number", heights, "h00000000x0"},
		{"height too short", heights, "h123"},
		{"height above 32 bits", heights, "h9999999999"},
		{"entry too short", persist.Namespace{Primary: DefaultReplayLogNamespace, Secondary: "h0000000005"}, "abcd"},
		{"entry upper case", persist.Namespace{Primary: DefaultReplayLogNamespace, Secondary: "h0000000005"}, "ABCDEF0123456789abcdef0123456789"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			store := newMemStore()
			require.NoError(t, store.Write(ctx, heights, "h0000000005", []byte{1}))
			require.NoError(t, store.Write(ctx, tc.ns, tc.key, []byte{1}))
			_, err := OpenPersistentReplayLog(ctx, PersistentReplayLogConfig{Store: store})
			require.ErrorIs(t, err, ErrReplayLogCorrupt)
			require.ErrorIs(t, err, persist.ErrCorrupt)
		})
	}
}

// TestReplayLogConfig checks the constructor rule: bad fields are named,
// and the zero config means the defaults.
func TestReplayLogConfig(t *testing.T) {
	ctx := context.Background()
	tests := []struct {
		name  string
		open  func() error
		field string
	}{
		{"memory negative max", func() error {
			_, err := NewMemoryReplayLog(MemoryReplayLogConfig{MaxEntries: -1})
			return err
		}, "MaxEntries"},
		{"persistent without store", func() error {
			_, err := OpenPersistentReplayLog(ctx, PersistentReplayLogConfig{})
			return err
		}, "Store"},
		{"persistent bad namespace", func() error {
			_, err := OpenPersistentReplayLog(ctx, PersistentReplayLogConfig{Store: newMemStore(), Namespace: "a/b"})
			return err
		}, "Namespace"},
		{"persistent negative max", func() error {
			_, err := OpenPersistentReplayLog(ctx, PersistentReplayLogConfig{Store: newMemStore(), MaxEntries: -5})
			return err
		}, "MaxEntries"},
		{"processor without ECDH", func() error {
			_, err := NewProcessor(ProcessorConfig{})
			return err
		}, "ECDH"},
		{"processor custom type below the range", func() error {
			_, err := NewProcessor(ProcessorConfig{ECDH: PrivateKeyECDH{Key: mustPriv(t, "01")}, KnownCustomTypes: []uint64{65538, 16}})
			return err
		}, "KnownCustomTypes"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			err := tc.open()
			require.ErrorIs(t, err, ErrInvalidConfig)
			var ce *ConfigError
			require.ErrorAs(t, err, &ce)
			require.Equal(t, tc.field, ce.Field)
			require.Contains(t, err.Error(), "onion: invalid config: "+tc.field)
		})
	}

	mem, err := NewMemoryReplayLog(MemoryReplayLogConfig{})
	require.NoError(t, err)
	require.Equal(t, DefaultReplayLogMaxEntries, mem.idx.max)
	pers, err := OpenPersistentReplayLog(ctx, PersistentReplayLogConfig{Store: newMemStore()})
	require.NoError(t, err)
	require.Equal(t, DefaultReplayLogMaxEntries, pers.idx.max)
	require.Equal(t, DefaultReplayLogNamespace, pers.ns)
	proc, err := NewProcessor(ProcessorConfig{ECDH: PrivateKeyECDH{Key: mustPriv(t, "01")}})
	require.NoError(t, err)
	require.IsType(t, &MemoryReplayLog{}, proc.replay)
}

// TestProcessReplayAcrossRestart checks the Processor with a persistent
// log: a packet replayed after the node reopens its log is refused, and
// accepted again once the log was pruned past the HTLC's expiry.
func TestProcessReplayAcrossRestart(t *testing.T) {
	ctx := context.Background()
	r := rand.New(rand.NewSource(81))
	node := randPrivKey(t, r)
	ad := make([]byte, 32)
	pkt := rawPacket(t, randPrivKey(t, r), node.PubKey(), framed(mustHex(t, "02020100040132"), 0), ad)
	store := newMemStore()
	processor := func() (*Processor, *PersistentReplayLog) {
		t.Helper()

		log, err := OpenPersistentReplayLog(ctx, PersistentReplayLogConfig{Store: store})
		require.NoError(t, err)
		proc, err := NewProcessor(ProcessorConfig{ECDH: PrivateKeyECDH{Key: node}, ReplayLog: log})
		require.NoError(t, err)
		return proc, log
	}
	proc, _ := processor()
	_, err := proc.Process(pkt, ad, 1000)
	require.NoError(t, err)

	proc, log := processor()
	_, err = proc.Process(pkt, ad, 1000)
	require.ErrorIs(t, err, ErrReplayed)
	var pe *ProcessError
	require.ErrorAs(t, err, &pe)
	require.Equal(t, CodeTemporaryNodeFailure, pe.Code)

	_, err = log.Prune(1000)
	require.NoError(t, err)
	_, err = proc.Process(pkt, ad, 2000)
	require.NoError(t, err)
}

// TestProcessReplayLogFull checks that a full log fails the HTLC as
// temporary_node_failure.
func TestProcessReplayLogFull(t *testing.T) {
	r := rand.New(rand.NewSource(82))
	node := randPrivKey(t, r)
	ad := make([]byte, 32)
	log, err := NewMemoryReplayLog(MemoryReplayLogConfig{MaxEntries: 1})
	require.NoError(t, err)
	proc, err := NewProcessor(ProcessorConfig{ECDH: PrivateKeyECDH{Key: node}, ReplayLog: log})
	require.NoError(t, err)
	for i, want := range []error{nil, ErrReplayLogFull} {
		pkt := rawPacket(t, randPrivKey(t, r), node.PubKey(), framed(mustHex(t, "02020100040132"), 0), ad)
		_, err := proc.Process(pkt, ad, testExpiry)
		if want == nil {
			require.NoError(t, err, "packet %d", i)
			continue
		}
		require.ErrorIs(t, err, want)
		var pe *ProcessError
		require.ErrorAs(t, err, &pe)
		require.Equal(t, CodeTemporaryNodeFailure, pe.Code)
	}
}

// TestPersistentReplayLogPruneDuringWrite checks that Prune leaves a
// height whose first entry is still being written (it would otherwise
// remove the height's marker under the new entry) and prunes it next time.
func TestPersistentReplayLogPruneDuringWrite(t *testing.T) {
	store := newMemStore()
	log, err := OpenPersistentReplayLog(context.Background(), PersistentReplayLogConfig{Store: store})
	require.NoError(t, err)
	entered, release := store.hold()
	done := make(chan error)
	go func() {
		_, err := log.CheckAndAdd(secretN(1), 10)
		done <- err
	}()
	<-entered
	n, err := log.Prune(10)
	require.NoError(t, err)
	require.Zero(t, n, "the height being written is left alone")
	close(release)
	require.NoError(t, <-done)
	seen, err := log.CheckAndAdd(secretN(1), 10)
	require.NoError(t, err)
	require.True(t, seen)
	n, err = log.Prune(10)
	require.NoError(t, err)
	require.Equal(t, 1, n)
	require.Zero(t, store.keyCount())
}
