package fsstore_test

import (
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/lnkit/lnkit/persist"
	"github.com/lnkit/lnkit/persist/fsstore"
)

// TestCrashPackMerges crashes, at every call, a run of writes and removes
// on five keys (three of them starting in the key files of an earlier
// version), after a larger value, with a checkpoint every second group, so
// that checkpoints write packs with values and tombstones, remove the key
// files, and merge packs (the newest without the larger first, keeping
// tombstones; all of them, dropping tombstones), then closes the store:
// after reopening in every crash mode (also with a crash during recovery,
// at every call, from each state a power loss left), each key holds its
// last acknowledged state (its value, or absent), or the state of the op
// the crash interrupted.
func TestCrashPackMerges(t *testing.T) {
	ctx := context.Background()
	rng := rand.New(rand.NewPCG(7, 7))
	const keys, ops = 5, 18
	key := func(i int) string { return fmt.Sprintf("k%d", i%keys) }
	// state is a key's value, "" for absent.
	opState := func(i int) string {
		if i%3 == 2 {
			return ""
		}
		return fmt.Sprintf("value %d of %s", i, key(i))
	}
	open := func(fsys fsstore.FS) (*fsstore.Store, error) {
		return fsstore.OpenInline(fsstore.Config{Root: crashRoot, FS: fsys, CheckpointBytes: 100, SegmentBytes: crashSegmentBytes})
	}
	seen := map[string]bool{}
	for n := 1; ; n++ {
		fsys := newCrashFS()
		acked := map[string]string{}
		for i := range keys {
			acked[key(i)] = ""
		}
		writeLegacyState(t, fsys) // not these keys: other namespaces
		for i := range 3 {
			writeLegacyFile(t, fsys, nsOld, key(i), "legacy "+key(i))
			acked[key(i)] = "legacy " + key(i)
		}
		s, err := open(fsys)
		require.NoError(t, err)
		// A large first pack: the small ones after it merge without it
		// (keeping their tombstones) until they add up to its size.
		require.NoError(t, s.Write(ctx, nsTop, "large", big[:2<<10]))
		fsys.crashAfter(n)
		interrupted := -1
		for i := range ops {
			var err error
			if st := opState(i); st == "" {
				err = s.Remove(ctx, nsOld, key(i))
			} else {
				err = s.Write(ctx, nsOld, key(i), []byte(st))
			}
			if err != nil {
				interrupted = i
				break
			}
			acked[key(i)] = opState(i)
		}
		_ = s.Close() // its calls are crash points too
		crashed := fsys.didCrash()
		check := func(fsys *crashFS, mode string) {
			state := fmt.Sprint(fsys.fingerprint(), acked, interrupted)
			if seen[state] {
				return
			}
			seen[state] = true
			r, err := open(fsys)
			require.NoError(t, err, "call %d, %s", n, mode)
			defer r.Close()
			listed, err := r.List(ctx, nsOld)
			require.NoError(t, err)
			for k := range keys {
				want := []string{acked[key(k)]}
				if interrupted >= 0 && key(interrupted) == key(k) {
					want = append(want, opState(interrupted))
				}
				got, err := r.Read(ctx, nsOld, key(k))
				if errors.Is(err, persist.ErrNotFound) {
					err = nil
				}
				require.NoError(t, err, "call %d, %s, %s", n, mode, key(k))
				require.Contains(t, want, string(got), "call %d, %s, %s: neither acknowledged nor interrupted", n, mode, key(k))
				require.Equal(t, len(got) > 0, contains(listed, key(k)), "call %d, %s: list disagrees with read of %s", n, mode, key(k))
			}
			got, err := r.Read(ctx, nsTop, "large")
			require.NoError(t, err)
			require.Equal(t, big[:2<<10], got)
			for _, kv := range oldState {
				got, err := r.Read(ctx, kv.ns, kv.key)
				require.NoError(t, err)
				require.Equal(t, kv.value, got)
			}
		}
		for _, cm := range crashModes {
			after := fsys.afterCrash(cm.mode, rng)
			if cm.mode == loseUnsynced && crashed && !seen["recovery/"+after.fingerprint()] {
				seen["recovery/"+after.fingerprint()] = true
				// A crash during recovery, at every call, must settle too.
				for m := 1; ; m++ {
					again := after.afterCrash(keepAll, rng)
					again.crashAfter(m)
					if r, err := open(again); err == nil {
						_ = r.Close()
					}
					if !again.didCrash() {
						break
					}
					for _, cm2 := range crashModes {
						check(again.afterCrash(cm2.mode, rng), cm.name+"/recovery/"+cm2.name)
					}
				}
			}
			check(after, cm.name)
		}
		if !crashed {
			require.Equal(t, -1, interrupted)
			t.Logf("crashed at each of %d calls", n-1)
			break
		}
	}
}
