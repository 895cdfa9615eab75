package fsstore_test

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"math/rand/v2"
	"path"
	"strings"
	"sync"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/lnkit/lnkit/persist"
	"github.com/lnkit/lnkit/persist/fsstore"
)

const crashRoot = "/store"

var (
	nsOld = persist.Namespace{Primary: "chan", Secondary: "c1"}
	nsNew = persist.Namespace{Primary: "fresh", Secondary: "n"}
	nsTop = persist.Namespace{}
)

// keyChange is a key's value before and after an operation (nil: absent).
type keyChange struct {
	ns       persist.Namespace
	key      string
	old, new []byte
}

// crashScenario is an operation the crash test interrupts at every call.
type crashScenario struct {
	name    string
	op      func(ctx context.Context, s *fsstore.Store) error
	changes []keyChange
	atomic  bool // every key old, or every key new
}

var big = func() []byte {
	b := make([]byte, 40<<10)
	for i := range b {
		b[i] = byte(i * 7)
	}
	return b
}()

// setupCrashStore writes the old state every scenario starts from.
func setupCrashStore(t *testing.T, s *fsstore.Store) {
	t.Helper()
	ctx := context.Background()
	for _, kv := range oldState {
		require.NoError(t, s.Write(ctx, kv.ns, kv.key, kv.value))
	}
}

// oldState is the state every scenario starts from.
var oldState = []struct {
	ns    persist.Namespace
	key   string
	value []byte
}{
	{nsOld, "state", []byte("old state")},
	{nsOld, "gone", []byte("to be removed")},
	{nsTop, "top", big[:300]},
}

// writeLegacyState writes the old state as the key files an earlier
// version of the store left, durably.
func writeLegacyState(t *testing.T, fsys *crashFS) {
	t.Helper()
	for _, kv := range oldState {
		writeLegacyFile(t, fsys, kv.ns, kv.key, string(kv.value))
	}
}

// writeLegacyFile writes the key file of an earlier version for key in
// ns, durably.
func writeLegacyFile(t *testing.T, fsys *crashFS, ns persist.Namespace, key, value string) {
	t.Helper()
	name, b := fsstore.LegacyKeyFile(crashRoot, ns, key, []byte(value))
	dir := path.Dir(name)
	parts := strings.Split(strings.TrimPrefix(dir, "/"), "/")
	for i := range parts {
		d := "/" + strings.Join(parts[:i+1], "/")
		if err := fsys.Mkdir(d, 0o700); err != nil {
			require.ErrorIs(t, err, fs.ErrExist)
		}
		require.NoError(t, fsys.SyncDir(path.Dir(d)))
	}
	f, err := fsys.Create(name, 0o600)
	require.NoError(t, err)
	_, err = f.Write(b)
	require.NoError(t, err)
	require.NoError(t, f.Sync())
	require.NoError(t, f.Close())
	require.NoError(t, fsys.SyncDir(dir))
}

// crashSetup opens a store holding the old state.
type crashSetup struct {
	name string
	open func(t *testing.T, fsys *crashFS, checkpointBytes int) *fsstore.Store
}

var crashSetups = []crashSetup{
	{"written", func(t *testing.T, fsys *crashFS, checkpointBytes int) *fsstore.Store {
		s, err := openFSCheckpoint(fsys, checkpointBytes)
		require.NoError(t, err)
		setupCrashStore(t, s)
		return s
	}},
	{"legacy-files", func(t *testing.T, fsys *crashFS, checkpointBytes int) *fsstore.Store {
		writeLegacyState(t, fsys)
		s, err := openFSCheckpoint(fsys, checkpointBytes)
		require.NoError(t, err)
		return s
	}},
}

var crashScenarios = []crashScenario{
	{
		name: "overwrite",
		op: func(ctx context.Context, s *fsstore.Store) error {
			return s.Write(ctx, nsOld, "state", []byte("new state, longer than the old one"))
		},
		changes: []keyChange{{nsOld, "state", []byte("old state"), []byte("new state, longer than the old one")}},
	},
	{
		name:    "overwrite-20KiB",
		op:      func(ctx context.Context, s *fsstore.Store) error { return s.Write(ctx, nsTop, "top", big[:20<<10]) },
		changes: []keyChange{{nsTop, "top", big[:300], big[:20<<10]}},
	},
	{
		// Larger than a segment (crashSegmentBytes): a segment of its own.
		name:    "overwrite-40KiB",
		op:      func(ctx context.Context, s *fsstore.Store) error { return s.Write(ctx, nsTop, "top", big) },
		changes: []keyChange{{nsTop, "top", big[:300], big}},
	},
	{
		name:    "new-key",
		op:      func(ctx context.Context, s *fsstore.Store) error { return s.Write(ctx, nsOld, "added", []byte("a")) },
		changes: []keyChange{{nsOld, "added", nil, []byte("a")}},
	},
	{
		name:    "new-namespace",
		op:      func(ctx context.Context, s *fsstore.Store) error { return s.Write(ctx, nsNew, "k", []byte("n")) },
		changes: []keyChange{{nsNew, "k", nil, []byte("n")}},
	},
	{
		name:    "remove",
		op:      func(ctx context.Context, s *fsstore.Store) error { return s.Remove(ctx, nsOld, "gone") },
		changes: []keyChange{{nsOld, "gone", []byte("to be removed"), nil}},
	},
	{
		name: "batch",
		op: func(ctx context.Context, s *fsstore.Store) error {
			return s.Apply(ctx, []persist.Op{
				persist.WriteOp(nsOld, "state", []byte("batched state")),
				persist.WriteOp(nsNew, "k", []byte("batched new")),
				persist.RemoveOp(nsOld, "gone"),
				persist.WriteOp(nsTop, "top", big),
				persist.WriteOp(nsTop, "empty", nil),
			})
		},
		changes: []keyChange{
			{nsOld, "state", []byte("old state"), []byte("batched state")},
			{nsNew, "k", nil, []byte("batched new")},
			{nsOld, "gone", []byte("to be removed"), nil},
			{nsTop, "top", big[:300], big},
			{nsTop, "empty", nil, []byte{}},
		},
		atomic: true,
	},
}

func openFS(fsys fsstore.FS) (*fsstore.Store, error) {
	return openFSCheckpoint(fsys, 0)
}

// crashSegmentBytes is the log segment size of the crash tests: small, so
// that their groups fill segments and need new ones.
const crashSegmentBytes = 32 << 10

func openFSCheckpoint(fsys fsstore.FS, checkpointBytes int) (*fsstore.Store, error) {
	return fsstore.OpenInline(fsstore.Config{Root: crashRoot, FS: fsys, CheckpointBytes: checkpointBytes, SegmentBytes: crashSegmentBytes})
}

// side reports whether got is the old (0) or new (1) value of c, failing
// on anything else: a torn, mixed or unknown value.
func side(t *testing.T, s *fsstore.Store, c keyChange) int {
	t.Helper()
	got, err := s.Read(context.Background(), c.ns, c.key)
	var present bool
	switch {
	case errors.Is(err, persist.ErrNotFound):
	case err == nil:
		present = true
	default:
		require.NoError(t, err, "read %s/%s", c.ns, c.key)
	}
	if present == (c.old != nil) && (!present || string(got) == string(c.old)) {
		return 0
	}
	if present == (c.new != nil) && (!present || string(got) == string(c.new)) {
		return 1
	}
	require.Fail(t, fmt.Sprintf("%s/%s holds neither its old nor its new value (present %v, %d bytes)", c.ns, c.key, present, len(got)))
	return -1
}

// checkSides requires every change to be old or new, all alike when
// atomic, and all new when mustBeNew.
func checkSides(t *testing.T, s *fsstore.Store, sc crashScenario, mustBeNew bool) {
	t.Helper()
	sides := map[int]bool{}
	for _, c := range sc.changes {
		sd := side(t, s, c)
		sides[sd] = true
		if mustBeNew {
			require.Equal(t, 1, sd, "%s/%s: acknowledged, then lost", c.ns, c.key)
		}
		keys, err := s.List(context.Background(), c.ns)
		require.NoError(t, err)
		require.Equal(t, sd == 1 == (c.new != nil) || sd == 0 == (c.old != nil), contains(keys, c.key), "list %s disagrees with read of %s", c.ns, c.key)
	}
	if sc.atomic {
		require.Len(t, sides, 1, "batch applied in part")
	}
}

// checkUntouched requires the old state to survive when sc does not touch
// it.
func checkUntouched(t *testing.T, s *fsstore.Store, sc crashScenario) {
	t.Helper()
	if touches(sc, nsOld, "state") {
		return
	}
	got, err := s.Read(context.Background(), nsOld, "state")
	require.NoError(t, err)
	require.Equal(t, "old state", string(got))
}

func contains(keys []string, k string) bool {
	for _, x := range keys {
		if x == k {
			return true
		}
	}
	return false
}

func touches(sc crashScenario, ns persist.Namespace, key string) bool {
	for _, c := range sc.changes {
		if c.ns == ns && c.key == key {
			return true
		}
	}
	return false
}

// reopenAndCheck opens fsys (crashing in recovery at every call when
// nested), checks the scenario's invariant and that the store works. It
// skips a state seen already (the same files, with the same mustBeNew and
// nested): many crash points leave the same durable state, and checking it
// again proves nothing more.
func reopenAndCheck(t *testing.T, fsys *crashFS, sc crashScenario, mustBeNew, nested bool, rng *rand.Rand, seen map[string]bool) {
	t.Helper()
	state := fmt.Sprintf("%s/%v/%v", fsys.fingerprint(), mustBeNew, nested)
	if seen[state] {
		return
	}
	seen[state] = true
	if nested {
		// A crash during recovery, at every call, must settle too.
		for m := 1; ; m++ {
			again := fsys.afterCrash(keepAll, rng)
			again.crashAfter(m)
			s, err := openFS(again)
			if err == nil {
				cerr := s.Close()
				if !again.didCrash() {
					require.NoError(t, cerr)
				}
			}
			if !again.didCrash() {
				break
			}
			for _, cm := range crashModes {
				reopenAndCheck(t, again.afterCrash(cm.mode, rng), sc, mustBeNew, false, rng, seen)
			}
		}
	}
	s, err := openFS(fsys)
	require.NoError(t, err)
	defer s.Close()
	checkSides(t, s, sc, mustBeNew)
	checkUntouched(t, s, sc)
	ctx := context.Background()
	require.NoError(t, s.Write(ctx, nsNew, "after", []byte("crash")))
	got, err := s.Read(ctx, nsNew, "after")
	require.NoError(t, err)
	require.Equal(t, "crash", string(got))
}

// TestCrashAtEveryCall crashes fsstore between every two file system calls
// of a write, a remove and a batch, in every crash mode, and after
// reopening (also with a crash during recovery) finds each key holding its
// old or its new value, a batch whole or not at all, and no acknowledged
// write lost. The old state is in packs, with checkpoints at Close or
// after every group (with the merges they make), or in the key files of an
// earlier version, with checkpoints at Close (TestCrashPackMerges has key
// files and merges together).
func TestCrashAtEveryCall(t *testing.T) {
	forEachCrashCase(t, false, crashAtEveryCall)
}

// forEachCrashCase runs f for each setup, checkpoint bytes (0 and 1) and
// scenario, but the key files with a checkpoint after every group only if
// all.
func forEachCrashCase(t *testing.T, all bool, f func(t *testing.T, setup crashSetup, checkpointBytes int, sc crashScenario)) {
	for _, setup := range crashSetups {
		for _, ckpt := range []int{0, 1} {
			if setup.name == "legacy-files" && ckpt != 0 && !all {
				continue
			}
			for _, sc := range crashScenarios {
				t.Run(fmt.Sprintf("%s/checkpoint-bytes=%d/%s", setup.name, ckpt, sc.name), func(t *testing.T) { f(t, setup, ckpt, sc) })
			}
		}
	}
}

func crashAtEveryCall(t *testing.T, setup crashSetup, checkpointBytes int, sc crashScenario) {
	t.Helper()
	rng := rand.New(rand.NewPCG(1, uint64(len(sc.name))))
	seen := map[string]bool{}
	points := 0
	for n := 1; ; n++ {
		fsys := newCrashFS()
		s := setup.open(t, fsys, checkpointBytes)
		fsys.crashAfter(n)
		opErr := s.Apply(context.Background(), nil) // a no-op: no calls
		require.NoError(t, opErr)
		opErr = sc.op(context.Background(), s)
		crashedInOp := fsys.didCrash()
		_ = s.Close() // its calls are crash points too
		crashed := fsys.didCrash()
		if crashedInOp && checkpointBytes == 0 {
			// (With a checkpoint after the group, the crash may come
			// in the checkpoint, once the op is durable.)
			require.Error(t, opErr, "crash at call %d, yet the op succeeded", n)
		}
		for _, cm := range crashModes {
			t.Run(fmt.Sprintf("call%d/%s", n, cm.name), func(t *testing.T) {
				reopenAndCheck(t, fsys.afterCrash(cm.mode, rng), sc, opErr == nil, crashed && cm.mode == loseUnsynced, rng, seen)
			})
		}
		if !crashed {
			require.NoError(t, opErr)
			break
		}
		points++
	}
	t.Logf("%s: crashed at each of %d calls", sc.name, points)
	require.Greater(t, points, 1)
}

// TestFailAtEveryCall fails one file system call with an I/O error at
// every position of each scenario: the error reaches the caller, the store
// either keeps working or refuses with ErrFailed, and a reopened store
// holds the old or the new value.
func TestFailAtEveryCall(t *testing.T) {
	// With checkpoints at Close only, and after every batch (so failures
	// hit the checkpoint too).
	forEachCrashCase(t, true, failAtEveryCall)
}

func failAtEveryCall(t *testing.T, setup crashSetup, checkpointBytes int, sc crashScenario) {
	t.Helper()
	rng := rand.New(rand.NewPCG(2, uint64(len(sc.name))))
	seen := map[string]bool{}
	for n := 1; ; n++ {
		fsys := newCrashFS()
		s := setup.open(t, fsys, checkpointBytes)
		fsys.failAfter(n)
		opErr := sc.op(context.Background(), s)
		fsys.failAfter(-1) // no more failures
		ctx := context.Background()
		if opErr != nil {
			require.ErrorIs(t, opErr, errIO)
			var perr *persist.Error
			require.ErrorAs(t, opErr, &perr)
		}
		// The store keeps working, unless it says it failed.
		werr := s.Write(ctx, nsOld, "later", []byte("x"))
		if werr != nil {
			require.ErrorIs(t, werr, fsstore.ErrFailed)
			if opErr != nil {
				require.ErrorIs(t, opErr, fsstore.ErrFailed)
			} // else the op was durable and the checkpoint after it failed
			require.NoError(t, s.Close())
			for _, cm := range crashModes {
				reopenAndCheck(t, fsys.afterCrash(cm.mode, rng), sc, opErr == nil, false, rng, seen)
			}
		} else {
			// Still working: what the failed op left is settled, and
			// later writes to its keys stay (no stale batch replayed
			// over them).
			checkSides(t, s, sc, opErr == nil)
			for _, c := range sc.changes {
				require.NoError(t, s.Write(ctx, c.ns, c.key, []byte("after")))
			}
			require.NoError(t, s.Close())
			for _, cm := range crashModes {
				r, err := openFS(fsys.afterCrash(cm.mode, rng))
				require.NoError(t, err)
				for _, c := range sc.changes {
					got, err := r.Read(ctx, c.ns, c.key)
					require.NoError(t, err)
					require.Equal(t, "after", string(got), "%s: %s/%s", cm.name, c.ns, c.key)
				}
				require.NoError(t, r.Close())
			}
		}
		if opErr == nil {
			break
		}
	}
}

// TestBatchNotReplayedOverLaterWrite crashes at every call of a write that
// follows a batch on the same key (the batch file's removal is made durable
// by that write's group): after reopening, the key holds the batch's value
// or the write's, never the value from before the batch, and once the
// write returned, the write's.
func TestBatchNotReplayedOverLaterWrite(t *testing.T) {
	ctx := context.Background()
	rng := rand.New(rand.NewPCG(3, 3))
	for n := 1; ; n++ {
		fsys := newCrashFS()
		s, err := openFS(fsys)
		require.NoError(t, err)
		setupCrashStore(t, s)
		require.NoError(t, s.Apply(ctx, []persist.Op{
			persist.WriteOp(nsOld, "state", []byte("batched")),
			persist.WriteOp(nsNew, "k", []byte("batched")),
		}))
		fsys.crashAfter(n)
		werr := s.Write(ctx, nsOld, "state", []byte("later"))
		_ = s.Close() // its calls are crash points too
		crashed := fsys.didCrash()
		for _, cm := range crashModes {
			r, err := openFS(fsys.afterCrash(cm.mode, rng))
			require.NoError(t, err)
			got, err := r.Read(ctx, nsOld, "state")
			require.NoError(t, err)
			if werr == nil {
				require.Equal(t, "later", string(got), "call %d, %s", n, cm.name)
			} else {
				require.Contains(t, []string{"batched", "later"}, string(got), "call %d, %s", n, cm.name)
			}
			got, err = r.Read(ctx, nsNew, "k")
			require.NoError(t, err)
			require.Equal(t, "batched", string(got))
			require.NoError(t, r.Close())
		}
		if !crashed {
			require.NoError(t, werr)
			break
		}
	}
}

// TestCrashDuringGroups crashes, at every call, five concurrent requests
// (three writes, a remove and a batch) that the committer groups as they
// come: after reopening every key is old or new, the batch whole or not at
// all, and every acknowledged request is there.
func TestCrashDuringGroups(t *testing.T) {
	ctx := context.Background()
	rng := rand.New(rand.NewPCG(4, 4))
	reqs := []crashScenario{
		crashScenarios[0], // overwrite
		crashScenarios[3], // new key
		crashScenarios[4], // new namespace
		crashScenarios[5], // remove
		{
			name: "batch",
			op: func(ctx context.Context, s *fsstore.Store) error {
				return s.Apply(ctx, []persist.Op{
					persist.WriteOp(nsTop, "top", big),
					persist.WriteOp(nsTop, "b2", []byte("b2")),
					persist.RemoveOp(nsOld, "absent"),
				})
			},
			changes: []keyChange{{nsTop, "top", big[:300], big}, {nsTop, "b2", nil, []byte("b2")}},
			atomic:  true,
		},
	}
	for n := 1; ; n++ {
		fsys := newCrashFS()
		s, err := openFS(fsys)
		require.NoError(t, err)
		setupCrashStore(t, s)
		fsys.crashAfter(n)
		errs := make([]error, len(reqs))
		var wg sync.WaitGroup
		for i, r := range reqs {
			wg.Add(1)
			go func() {
				defer wg.Done()
				errs[i] = r.op(ctx, s)
			}()
		}
		wg.Wait()
		_ = s.Close() // its calls are crash points too
		crashed := fsys.didCrash()
		for _, cm := range crashModes {
			r, err := openFS(fsys.afterCrash(cm.mode, rng))
			require.NoError(t, err)
			for i, sc := range reqs {
				checkSides(t, r, sc, errs[i] == nil)
			}
			require.NoError(t, r.Close())
		}
		if !crashed {
			for _, err := range errs {
				require.NoError(t, err)
			}
			t.Logf("crashed at each of %d calls", n-1)
			break
		}
	}
}

// TestCrashBatchAfterBatch crashes, at every call, a second batch (and the
// Close that checkpoints both) on the keys of a first: after reopening the
// keys hold the first batch's values or the second's, together, and the
// second's once it returned. Each batch is over 20 KiB: the second does not
// fit in the first's segment and needs a new one.
func TestCrashBatchAfterBatch(t *testing.T) {
	// Checkpoints at Close only, and after every batch.
	for _, ckpt := range []int{0, 1} {
		t.Run(fmt.Sprintf("checkpoint-bytes=%d", ckpt), func(t *testing.T) { crashBatchAfterBatch(t, ckpt) })
	}
}

func crashBatchAfterBatch(t *testing.T, checkpointBytes int) {
	t.Helper()
	ctx := context.Background()
	rng := rand.New(rand.NewPCG(5, 5))
	batch := func(v string) []persist.Op {
		return []persist.Op{
			persist.WriteOp(nsOld, "state", []byte(v)),
			persist.WriteOp(nsNew, "k", []byte(v)),
			persist.WriteOp(nsTop, "top", append([]byte(v), big[:20<<10]...)),
		}
	}
	for n := 1; ; n++ {
		fsys := newCrashFS()
		s, err := openFSCheckpoint(fsys, checkpointBytes)
		require.NoError(t, err)
		setupCrashStore(t, s)
		require.NoError(t, s.Apply(ctx, batch("first")))
		fsys.crashAfter(n)
		berr := s.Apply(ctx, batch("second"))
		_ = s.Close()
		crashed := fsys.didCrash()
		for _, cm := range crashModes {
			r, err := openFS(fsys.afterCrash(cm.mode, rng))
			require.NoError(t, err)
			state, err := r.Read(ctx, nsOld, "state")
			require.NoError(t, err)
			if berr == nil {
				require.Equal(t, "second", string(state), "call %d, %s", n, cm.name)
			}
			require.Contains(t, []string{"first", "second"}, string(state))
			got, err := r.Read(ctx, nsNew, "k")
			require.NoError(t, err)
			require.Equal(t, string(state), string(got), "call %d, %s: batches mixed", n, cm.name)
			got, err = r.Read(ctx, nsTop, "top")
			require.NoError(t, err)
			require.Equal(t, append([]byte(state), big[:20<<10]...), got, "call %d, %s: batches mixed", n, cm.name)
			require.NoError(t, r.Close())
		}
		if !crashed {
			require.NoError(t, berr)
			t.Logf("crashed at each of %d calls", n-1)
			break
		}
	}
}
