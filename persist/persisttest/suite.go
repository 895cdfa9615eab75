package persisttest

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"strings"
	"sync"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/lnkit/lnkit/persist"
)

// Factory makes the stores the conformance suite runs on.
type Factory struct {
	// New returns a new, empty store. It registers its own clean-up
	// (t.Cleanup); the suite closes the stores it gets, and Close may be
	// called again by that clean-up. Required.
	New func(t *testing.T) persist.KVStore
	// Reopen returns a store over the same data as closed, which the suite
	// has closed: what a process sees after a restart. Required.
	Reopen func(t *testing.T, closed persist.KVStore) persist.KVStore
	// SkipMaxValue leaves out the MaxValueSize round trip (32 MiB), for a
	// quick run; a store claiming conformance runs it.
	SkipMaxValue bool
}

// Run runs the conformance suite against the stores f makes, one subtest
// per property. Every lnkit store passes it; so must a user's store before
// lnkit's parts are given it.
func Run(t *testing.T, f Factory) {
	t.Helper()
	require.NotNil(t, f.New, "persisttest: Factory.New is required")
	require.NotNil(t, f.Reopen, "persisttest: Factory.Reopen is required")
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) { c.run(t, f) })
	}
}

type suiteCase struct {
	name string
	run  func(t *testing.T, f Factory)
}

var (
	nsA    = persist.Namespace{Primary: "alpha"}
	nsAB   = persist.Namespace{Primary: "alpha", Secondary: "beta"}
	nsB    = persist.Namespace{Primary: "beta"}
	nsTop  = persist.Namespace{}
	allNSs = []persist.Namespace{nsTop, nsA, nsAB, nsB}
)

var cases = []suiteCase{
	{"RoundTrip", testRoundTrip},
	{"ValuesNotAliased", testValuesNotAliased},
	{"NotFound", testNotFound},
	{"NamespacesApart", testNamespacesApart},
	{"ListSorted", testListSorted},
	{"Overwrite", testOverwrite},
	{"Remove", testRemove},
	{"RemoveMissing", testRemoveMissing},
	{"EmptyValue", testEmptyValue},
	{"MaxValue", testMaxValue},
	{"InvalidKeys", testInvalidKeys},
	{"BatchApplies", testBatchApplies},
	{"BatchInvalidOpAppliesNothing", testBatchInvalidOp},
	{"BatchTooLarge", testBatchTooLarge},
	{"BatchEmpty", testBatchEmpty},
	{"ConcurrentWriters", testConcurrentWriters},
	{"ReopenKeepsEverything", testReopen},
	{"CancelledContext", testCancelledContext},
	{"ClosedStore", testClosed},
}

func open(t *testing.T, f Factory) persist.KVStore {
	t.Helper()
	s := f.New(t)
	require.NotNil(t, s, "persisttest: Factory.New returned nil")
	t.Cleanup(func() { _ = s.Close() })
	return s
}

// mustRead reads key and requires want.
func mustRead(t *testing.T, s persist.KVStore, ns persist.Namespace, key string, want []byte) {
	t.Helper()
	got, err := s.Read(context.Background(), ns, key)
	require.NoError(t, err, "read %s/%s", ns, key)
	require.True(t, bytes.Equal(want, got), "read %s/%s: got %d bytes, want %d", ns, key, len(got), len(want))
}

// mustMiss requires key to be absent.
func mustMiss(t *testing.T, s persist.KVStore, ns persist.Namespace, key string) {
	t.Helper()
	_, err := s.Read(context.Background(), ns, key)
	require.ErrorIs(t, err, persist.ErrNotFound, "read %s/%s", ns, key)
}

func mustList(t *testing.T, s persist.KVStore, ns persist.Namespace, want ...string) {
	t.Helper()
	got, err := s.List(context.Background(), ns)
	require.NoError(t, err, "list %s", ns)
	if len(want) == 0 {
		require.Empty(t, got, "list %s", ns)
		return
	}
	require.Equal(t, want, got, "list %s", ns)
}

func value(i int, size int) []byte {
	v := make([]byte, size)
	for j := range v {
		v[j] = byte(i*131 + j*7 + 1)
	}
	return v
}

func testRoundTrip(t *testing.T, f Factory) {
	s := open(t, f)
	ctx := context.Background()
	for i, ns := range allNSs {
		for _, size := range []int{1, 200, 20 << 10} {
			key := fmt.Sprintf("k-%d_%d", i, size)
			v := value(i, size)
			require.NoError(t, s.Write(ctx, ns, key, v))
			mustRead(t, s, ns, key, v)
		}
	}
	long := strings.Repeat("Z", persist.MaxNameLen)
	ns := persist.Namespace{Primary: long, Secondary: long}
	require.NoError(t, s.Write(ctx, ns, long, []byte("longest names")))
	mustRead(t, s, ns, long, []byte("longest names"))
	mustList(t, s, ns, long)
}

func testValuesNotAliased(t *testing.T, f Factory) {
	s := open(t, f)
	ctx := context.Background()
	v := []byte("original")
	require.NoError(t, s.Write(ctx, nsA, "k", v))
	copy(v, "MUTATED!")
	mustRead(t, s, nsA, "k", []byte("original"))
	got, err := s.Read(ctx, nsA, "k")
	require.NoError(t, err)
	copy(got, "MUTATED!")
	mustRead(t, s, nsA, "k", []byte("original"))
}

func testNotFound(t *testing.T, f Factory) {
	s := open(t, f)
	mustMiss(t, s, nsA, "missing")
	mustMiss(t, s, persist.Namespace{Primary: "never-used", Secondary: "x"}, "missing")
	mustList(t, s, persist.Namespace{Primary: "never-used"})
}

func testNamespacesApart(t *testing.T, f Factory) {
	s := open(t, f)
	ctx := context.Background()
	// The same key in every namespace, and keys named like the namespaces.
	for i, ns := range allNSs {
		require.NoError(t, s.Write(ctx, ns, "same", []byte{byte(i)}))
	}
	require.NoError(t, s.Write(ctx, nsA, "beta", []byte("key named like a secondary")))
	require.NoError(t, s.Write(ctx, nsTop, "alpha", []byte("key named like a primary")))
	for i, ns := range allNSs {
		mustRead(t, s, ns, "same", []byte{byte(i)})
	}
	mustList(t, s, nsTop, "alpha", "same")
	mustList(t, s, nsA, "beta", "same")
	mustList(t, s, nsAB, "same")
	mustList(t, s, nsB, "same")
	mustRead(t, s, nsA, "beta", []byte("key named like a secondary"))

	require.NoError(t, s.Remove(ctx, nsA, "same"))
	mustMiss(t, s, nsA, "same")
	mustRead(t, s, nsAB, "same", []byte{2})
	mustRead(t, s, nsTop, "same", []byte{0})
}

func testListSorted(t *testing.T, f Factory) {
	s := open(t, f)
	ctx := context.Background()
	keys := []string{"b", "a", "_", "Z", "0", "a-", "aa", "-", "9z", "z"}
	for _, k := range keys {
		require.NoError(t, s.Write(ctx, nsAB, k, []byte(k)))
	}
	// Byte order: '-' < '0'..'9' < 'A'..'Z' < '_' < 'a'..'z'.
	mustList(t, s, nsAB, "-", "0", "9z", "Z", "_", "a", "a-", "aa", "b", "z")
	mustList(t, s, nsA)
}

func testOverwrite(t *testing.T, f Factory) {
	s := open(t, f)
	ctx := context.Background()
	require.NoError(t, s.Write(ctx, nsA, "k", value(1, 20<<10)))
	require.NoError(t, s.Write(ctx, nsA, "k", []byte("short")))
	mustRead(t, s, nsA, "k", []byte("short"))
	require.NoError(t, s.Write(ctx, nsA, "k", value(2, 300)))
	mustRead(t, s, nsA, "k", value(2, 300))
	mustList(t, s, nsA, "k")
}

func testRemove(t *testing.T, f Factory) {
	s := open(t, f)
	ctx := context.Background()
	require.NoError(t, s.Write(ctx, nsB, "k1", []byte("1")))
	require.NoError(t, s.Write(ctx, nsB, "k2", []byte("2")))
	require.NoError(t, s.Remove(ctx, nsB, "k1"))
	mustMiss(t, s, nsB, "k1")
	mustList(t, s, nsB, "k2")
	require.NoError(t, s.Write(ctx, nsB, "k1", []byte("again")))
	mustRead(t, s, nsB, "k1", []byte("again"))
}

func testRemoveMissing(t *testing.T, f Factory) {
	s := open(t, f)
	ctx := context.Background()
	require.NoError(t, s.Remove(ctx, nsA, "never-written"))
	require.NoError(t, s.Remove(ctx, persist.Namespace{Primary: "no-such", Secondary: "ns"}, "k"))
	require.NoError(t, s.Write(ctx, nsA, "k", []byte("v")))
	require.NoError(t, s.Remove(ctx, nsA, "k"))
	require.NoError(t, s.Remove(ctx, nsA, "k"))
	mustMiss(t, s, nsA, "k")
}

func testEmptyValue(t *testing.T, f Factory) {
	s := open(t, f)
	ctx := context.Background()
	require.NoError(t, s.Write(ctx, nsA, "empty", nil))
	require.NoError(t, s.Write(ctx, nsA, "empty2", []byte{}))
	for _, k := range []string{"empty", "empty2"} {
		got, err := s.Read(ctx, nsA, k)
		require.NoError(t, err)
		require.Empty(t, got)
	}
	mustList(t, s, nsA, "empty", "empty2")
}

func testMaxValue(t *testing.T, f Factory) {
	if f.SkipMaxValue {
		t.Skip("persisttest: Factory.SkipMaxValue set")
	}
	s := open(t, f)
	ctx := context.Background()
	big := value(3, persist.MaxValueSize)
	require.NoError(t, s.Write(ctx, nsA, "big", big))
	mustRead(t, s, nsA, "big", big)
	err := s.Write(ctx, nsA, "too-big", make([]byte, persist.MaxValueSize+1))
	require.ErrorIs(t, err, persist.ErrInvalidKey)
	mustMiss(t, s, nsA, "too-big")
}

// invalidKeys are namespace/key pairs every store refuses.
var invalidKeys = []struct {
	ns  persist.Namespace
	key string
}{
	{nsA, ""},
	{nsA, "a/b"},
	{nsA, ".."},
	{nsA, "."},
	{nsA, "a.b"},
	{nsA, "sp ace"},
	{nsA, "nul\x00"},
	{nsA, "é"},
	{nsA, strings.Repeat("k", persist.MaxNameLen+1)},
	{persist.Namespace{Secondary: "s"}, "k"},
	{persist.Namespace{Primary: ".."}, "k"},
	{persist.Namespace{Primary: "a/b"}, "k"},
	{persist.Namespace{Primary: "p", Secondary: "../x"}, "k"},
	{persist.Namespace{Primary: strings.Repeat("p", persist.MaxNameLen+1)}, "k"},
}

func testInvalidKeys(t *testing.T, f Factory) {
	s := open(t, f)
	ctx := context.Background()
	for _, tc := range invalidKeys {
		require.ErrorIs(t, s.Write(ctx, tc.ns, tc.key, []byte("v")), persist.ErrInvalidKey, "write %q/%q", tc.ns, tc.key)
		_, err := s.Read(ctx, tc.ns, tc.key)
		require.ErrorIs(t, err, persist.ErrInvalidKey, "read %q/%q", tc.ns, tc.key)
		require.ErrorIs(t, s.Remove(ctx, tc.ns, tc.key), persist.ErrInvalidKey, "remove %q/%q", tc.ns, tc.key)
		require.ErrorIs(t, s.Apply(ctx, []persist.Op{persist.WriteOp(tc.ns, tc.key, nil)}), persist.ErrInvalidKey, "apply %q/%q", tc.ns, tc.key)
		if tc.key != "" && persist.ValidateNamespace(tc.ns) != nil {
			_, err := s.List(ctx, tc.ns)
			require.ErrorIs(t, err, persist.ErrInvalidKey, "list %q", tc.ns)
		}
	}
	mustList(t, s, nsA)
	mustList(t, s, nsTop)
}

func testBatchApplies(t *testing.T, f Factory) {
	s := open(t, f)
	ctx := context.Background()
	require.NoError(t, s.Write(ctx, nsA, "gone", []byte("x")))
	require.NoError(t, s.Write(ctx, nsB, "old", []byte("old")))
	ops := []persist.Op{
		persist.WriteOp(nsA, "one", []byte("1")),
		persist.WriteOp(nsAB, "two", value(5, 20<<10)),
		persist.RemoveOp(nsA, "gone"),
		persist.RemoveOp(nsA, "never-there"),
		persist.WriteOp(nsB, "old", []byte("new")),
		persist.WriteOp(nsTop, "twice", []byte("first")),
		persist.WriteOp(nsTop, "twice", []byte("second")),
		persist.WriteOp(nsTop, "written-then-removed", []byte("x")),
		persist.RemoveOp(nsTop, "written-then-removed"),
	}
	require.NoError(t, s.Apply(ctx, ops))
	mustRead(t, s, nsA, "one", []byte("1"))
	mustRead(t, s, nsAB, "two", value(5, 20<<10))
	mustMiss(t, s, nsA, "gone")
	mustRead(t, s, nsB, "old", []byte("new"))
	mustRead(t, s, nsTop, "twice", []byte("second"))
	mustMiss(t, s, nsTop, "written-then-removed")
	mustList(t, s, nsA, "one")
	mustList(t, s, nsTop, "twice")
}

func testBatchInvalidOp(t *testing.T, f Factory) {
	s := open(t, f)
	ctx := context.Background()
	require.NoError(t, s.Write(ctx, nsA, "keep", []byte("kept")))
	bad := [][]persist.Op{
		{persist.WriteOp(nsA, "new", []byte("n")), persist.RemoveOp(nsA, "keep"), persist.WriteOp(nsA, "bad/key", nil)},
		{persist.RemoveOp(nsA, "keep"), persist.WriteOp(persist.Namespace{Secondary: "s"}, "k", nil)},
		{persist.WriteOp(nsA, "new", nil), persist.WriteOp(nsA, "huge", make([]byte, persist.MaxValueSize+1))},
	}
	for i, ops := range bad {
		require.ErrorIs(t, s.Apply(ctx, ops), persist.ErrInvalidKey, "batch %d", i)
		mustRead(t, s, nsA, "keep", []byte("kept"))
		mustMiss(t, s, nsA, "new")
	}
	mustList(t, s, nsA, "keep")
}

func testBatchTooLarge(t *testing.T, f Factory) {
	s := open(t, f)
	ops := make([]persist.Op, persist.MaxBatchOps+1)
	for i := range ops {
		ops[i] = persist.WriteOp(nsA, fmt.Sprintf("k%d", i), nil)
	}
	require.ErrorIs(t, s.Apply(context.Background(), ops), persist.ErrBatchTooLarge)
	mustList(t, s, nsA)
}

func testBatchEmpty(t *testing.T, f Factory) {
	s := open(t, f)
	require.NoError(t, s.Apply(context.Background(), nil))
	require.NoError(t, s.Apply(context.Background(), []persist.Op{}))
	mustList(t, s, nsTop)
}

func testConcurrentWriters(t *testing.T, f Factory) {
	s := open(t, f)
	ctx := context.Background()
	const writers, perWriter = 8, 16
	var wg sync.WaitGroup
	errs := make(chan error, writers*perWriter*2)
	for w := range writers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			ns := nsA
			if w%2 == 1 {
				ns = nsAB
			}
			for i := range perWriter {
				key := fmt.Sprintf("w%d-k%02d", w, i)
				if err := s.Write(ctx, ns, key, value(w*100+i, 100+i)); err != nil {
					errs <- err
				}
				if i%4 == 3 {
					if err := s.Apply(ctx, []persist.Op{
						persist.WriteOp(ns, key+"-b", []byte(key)),
						persist.RemoveOp(ns, fmt.Sprintf("w%d-k%02d", w, i-1)),
					}); err != nil {
						errs <- err
					}
				}
			}
		}()
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		require.NoError(t, err)
	}
	for w := range writers {
		ns := nsA
		if w%2 == 1 {
			ns = nsAB
		}
		for i := range perWriter {
			key := fmt.Sprintf("w%d-k%02d", w, i)
			if i%4 == 2 {
				mustMiss(t, s, ns, key)
				continue
			}
			mustRead(t, s, ns, key, value(w*100+i, 100+i))
			if i%4 == 3 {
				mustRead(t, s, ns, key+"-b", []byte(key))
			}
		}
	}
	for _, ns := range []persist.Namespace{nsA, nsAB} {
		keys, err := s.List(ctx, ns)
		require.NoError(t, err)
		require.Len(t, keys, writers/2*(perWriter-perWriter/4+perWriter/4))
	}
}

func testReopen(t *testing.T, f Factory) {
	s := open(t, f)
	ctx := context.Background()
	want := map[persist.Namespace]map[string][]byte{}
	put := func(ns persist.Namespace, k string, v []byte) {
		if want[ns] == nil {
			want[ns] = map[string][]byte{}
		}
		want[ns][k] = v
	}
	for i, ns := range allNSs {
		for j := range 5 {
			k := fmt.Sprintf("key%d", j)
			v := value(i*10+j, 10+j*50)
			require.NoError(t, s.Write(ctx, ns, k, v))
			put(ns, k, v)
		}
	}
	require.NoError(t, s.Write(ctx, nsA, "empty", nil))
	put(nsA, "empty", []byte{})
	require.NoError(t, s.Remove(ctx, nsB, "key1"))
	delete(want[nsB], "key1")
	require.NoError(t, s.Apply(ctx, []persist.Op{
		persist.WriteOp(nsAB, "batched", []byte("b")),
		persist.RemoveOp(nsTop, "key0"),
	}))
	put(nsAB, "batched", []byte("b"))
	delete(want[nsTop], "key0")

	require.NoError(t, s.Close())
	r := f.Reopen(t, s)
	require.NotNil(t, r, "persisttest: Factory.Reopen returned nil")
	t.Cleanup(func() { _ = r.Close() })
	for _, ns := range allNSs {
		var keys []string
		for k, v := range want[ns] {
			keys = append(keys, k)
			mustRead(t, r, ns, k, v)
		}
		got, err := r.List(ctx, ns)
		require.NoError(t, err)
		require.ElementsMatch(t, keys, got, "list %s after reopen", ns)
	}
	// The reopened store is fully usable.
	require.NoError(t, r.Write(ctx, nsB, "after", []byte("reopen")))
	mustRead(t, r, nsB, "after", []byte("reopen"))
}

func testCancelledContext(t *testing.T, f Factory) {
	s := open(t, f)
	require.NoError(t, s.Write(context.Background(), nsA, "k", []byte("before")))
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	_, err := s.Read(ctx, nsA, "k")
	require.ErrorIs(t, err, context.Canceled, "read")
	require.ErrorIs(t, s.Write(ctx, nsA, "k", []byte("after")), context.Canceled, "write")
	require.ErrorIs(t, s.Write(ctx, nsA, "new", []byte("after")), context.Canceled, "write new")
	require.ErrorIs(t, s.Remove(ctx, nsA, "k"), context.Canceled, "remove")
	_, err = s.List(ctx, nsA)
	require.ErrorIs(t, err, context.Canceled, "list")
	require.ErrorIs(t, s.Apply(ctx, []persist.Op{persist.WriteOp(nsA, "k", []byte("after")), persist.WriteOp(nsA, "new", nil)}), context.Canceled, "apply")
	mustRead(t, s, nsA, "k", []byte("before"))
	mustMiss(t, s, nsA, "new")
	mustList(t, s, nsA, "k")
}

func testClosed(t *testing.T, f Factory) {
	s := open(t, f)
	ctx := context.Background()
	require.NoError(t, s.Write(ctx, nsA, "k", []byte("v")))
	require.NoError(t, s.Close())
	require.NoError(t, s.Close(), "a second Close")
	_, err := s.Read(ctx, nsA, "k")
	require.ErrorIs(t, err, persist.ErrClosed, "read")
	require.ErrorIs(t, s.Write(ctx, nsA, "k", nil), persist.ErrClosed, "write")
	require.ErrorIs(t, s.Remove(ctx, nsA, "k"), persist.ErrClosed, "remove")
	_, err = s.List(ctx, nsA)
	require.ErrorIs(t, err, persist.ErrClosed, "list")
	require.ErrorIs(t, s.Apply(ctx, []persist.Op{persist.RemoveOp(nsA, "k")}), persist.ErrClosed, "apply")
	require.False(t, errors.Is(err, persist.ErrNotFound))
}
