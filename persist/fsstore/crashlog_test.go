package fsstore_test

import (
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"path"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/lnkit/lnkit/persist"
	"github.com/lnkit/lnkit/persist/fsstore"
)

// logValue is the value of the i-th write of TestCrashLogSequence, of
// size bytes.
func logValue(i, size int) []byte {
	v := make([]byte, size)
	for j := range v {
		v[j] = byte(i + j)
	}
	return v
}

// TestCrashLogSequence crashes, at every call, a run of writes that fills
// log segments (prepared ahead in the background, as in production),
// retires them and checkpoints them (CheckpointBytes is under two
// records), then closes the store: after reopening in every crash mode,
// each key holds the value of its last acknowledged write, or that of the
// write the crash interrupted. With 9-KiB values in 32-KiB segments, and
// with a first write larger than the small first segment an open store
// makes (which it then replaces by a standard one).
func TestCrashLogSequence(t *testing.T) {
	tests := []struct {
		name     string
		writes   int
		segBytes int
		size     func(i int) int
	}{
		{"9KiB-in-32KiB", 12, crashSegmentBytes, func(int) int { return 9 << 10 }},
		{"first-260KiB-in-320KiB", 6, 320 << 10, func(i int) int {
			if i == 0 {
				return 260 << 10
			}
			return 30 << 10
		}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) { crashLogSequence(t, tc.writes, tc.segBytes, tc.size) })
	}
}

func crashLogSequence(t *testing.T, writes, segBytes int, size func(i int) int) {
	t.Helper()
	ctx := context.Background()
	rng := rand.New(rand.NewPCG(6, 6))
	key := func(i int) string { return fmt.Sprintf("k%d", i%4) }
	seen := map[string]bool{}
	open := func(fsys fsstore.FS) (*fsstore.Store, error) {
		return fsstore.Open(fsstore.Config{Root: crashRoot, FS: fsys, CheckpointBytes: 5 * size(1) / 3, SegmentBytes: segBytes})
	}
	for n := 1; ; n++ {
		fsys := newCrashFS()
		s, err := open(fsys)
		require.NoError(t, err)
		fsys.crashAfter(n)
		acked := map[string]int{} // key → its last acknowledged write
		interrupted := -1
		for i := range writes {
			if err := s.Write(ctx, nsOld, key(i), logValue(i, size(i))); err != nil {
				interrupted = i
				break
			}
			acked[key(i)] = i
		}
		_ = s.Close() // its calls are crash points too
		crashed := fsys.didCrash()
		for _, cm := range crashModes {
			after := fsys.afterCrash(cm.mode, rng)
			state := fmt.Sprint(after.fingerprint(), acked, interrupted)
			if seen[state] {
				continue // checked already, from another crash point
			}
			seen[state] = true
			r, err := open(after)
			require.NoError(t, err, "call %d, %s", n, cm.name)
			for k := range 4 {
				got, err := r.Read(ctx, nsOld, key(k))
				var want []string
				if i, ok := acked[key(k)]; ok {
					want = append(want, string(logValue(i, size(i))))
				}
				if interrupted >= 0 && key(interrupted) == key(k) {
					want = append(want, string(logValue(interrupted, size(interrupted))))
				}
				if _, ok := acked[key(k)]; !ok && errors.Is(err, persist.ErrNotFound) {
					continue // never acknowledged: absent, or the interrupted write's
				}
				require.NoError(t, err, "call %d, %s, %s", n, cm.name, key(k))
				require.Contains(t, want, string(got), "call %d, %s, %s: neither acknowledged nor interrupted", n, cm.name, key(k))
			}
			require.NoError(t, r.Close())
		}
		if !crashed {
			require.Equal(t, -1, interrupted)
			t.Logf("crashed at each of %d calls", n-1)
			break
		}
	}
}

// segmentFiles lists the log segments under crashRoot.
func segmentFiles(t *testing.T, fsys *crashFS) []string {
	t.Helper()
	entries, err := fsys.ReadDir(path.Join(crashRoot, "wal"))
	require.NoError(t, err)
	var out []string
	for _, e := range entries {
		if strings.HasSuffix(e.Name, ".log") {
			out = append(out, path.Join(crashRoot, "wal", e.Name))
		}
	}
	return out
}

// TestOpenDamagedLog damages the log a crashed store left (three
// acknowledged records in one segment): a damaged last record is a torn
// one, ignored, as its write was never acknowledged; a damaged record
// before a valid one is corruption, naming the segment.
func TestOpenDamagedLog(t *testing.T) {
	ctx := context.Background()
	tests := []struct {
		name    string
		damage  func(b []byte, offs []int)
		corrupt bool
		last    string // the value of "c" after reopening
	}{
		{name: "none", damage: func([]byte, []int) {}, last: "new c"},
		{name: "last record torn", damage: func(b []byte, offs []int) { b[offs[2]+30] ^= 1 }, last: "old c"},
		{name: "last record's header lost", damage: func(b []byte, offs []int) { clear(b[offs[2] : offs[2]+24]) }, last: "old c"},
		{name: "middle record damaged", damage: func(b []byte, offs []int) { b[offs[1]+30] ^= 1 }, corrupt: true},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			fsys := newCrashFS()
			s, err := openFS(fsys)
			require.NoError(t, err)
			require.NoError(t, s.Write(ctx, nsOld, "c", []byte("old c")))
			require.NoError(t, s.Close()) // checkpoints "c"
			s, err = openFS(fsys)
			require.NoError(t, err)
			for _, k := range []string{"a", "b", "c"} {
				require.NoError(t, s.Write(ctx, nsOld, k, []byte("new "+k)))
			}
			crashed := fsys.afterCrash(loseUnsynced, nil)
			_ = s.Close()
			segs := segmentFiles(t, crashed)
			require.Len(t, segs, 1)
			// Each record is 32 bytes of header and padding and its ops:
			// the three are the same size.
			require.NoError(t, crashed.mutateFile(segs[0], func(b []byte) {
				n := len(b)
				for n > 0 && b[n-1] == 0 {
					n--
				}
				rec := (n + 31) / 32 * 32 / 3
				tc.damage(b, []int{0, rec, 2 * rec})
			}))
			r, err := openFS(crashed)
			if tc.corrupt {
				require.ErrorIs(t, err, persist.ErrCorrupt)
				require.ErrorContains(t, err, segs[0])
				return
			}
			require.NoError(t, err)
			defer r.Close()
			for k, want := range map[string]string{"a": "new a", "b": "new b", "c": tc.last} {
				got, err := r.Read(ctx, nsOld, k)
				require.NoError(t, err)
				require.Equal(t, want, string(got))
			}
		})
	}
}
