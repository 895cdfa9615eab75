package onion

import (
	"context"
	"encoding/binary"
	"testing"

	"github.com/stretchr/testify/require"
)

// BenchmarkReplayLogCheckAndAdd records a new secret per iteration,
// spread over 2016 expiry heights, in each log (the persistent one over
// the in-memory test store, so it measures the log, not a disk).
func BenchmarkReplayLogCheckAndAdd(b *testing.B) {
	for _, kind := range []struct {
		name string
		open func() ReplayLog
	}{
		{"memory", func() ReplayLog {
			l, _ := NewMemoryReplayLog(MemoryReplayLogConfig{MaxEntries: 1 << 30})
			return l
		}},
		{"persistent-memstore", func() ReplayLog {
			l, _ := OpenPersistentReplayLog(context.Background(), PersistentReplayLogConfig{Store: newMemStore(), MaxEntries: 1 << 30})
			return l
		}},
	} {
		b.Run(kind.name, func(b *testing.B) {
			log := kind.open()
			b.ReportAllocs()
			var s SharedSecret
			for i := 0; b.Loop(); i++ {
				binary.LittleEndian.PutUint64(s[:], uint64(i))
				seen, err := log.CheckAndAdd(s, 800_000+uint32(i%2016))
				if err != nil || seen {
					b.Fatal(seen, err)
				}
			}
		})
	}
}

// BenchmarkReplayLogSeen checks a secret already recorded (the replay
// path, and the lookup every new secret pays).
func BenchmarkReplayLogSeen(b *testing.B) {
	log, _ := NewMemoryReplayLog(MemoryReplayLogConfig{})
	s := SharedSecret{1}
	_, err := log.CheckAndAdd(s, 1)
	require.NoError(b, err)
	b.ReportAllocs()
	for b.Loop() {
		if seen, _ := log.CheckAndAdd(s, 1); !seen {
			b.Fatal("not seen")
		}
	}
}
