package fsstore

import (
	"context"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/lnkit/lnkit/persist"
)

// TestCheckpointWritesOnePack: a checkpoint of 1000 new keys creates one
// file; one that removes half of them and rewrites a quarter creates one
// more, and a merge of the two (more than half of the bytes garbage) one
// more, dropping the tombstones. Reads and lists are the same before,
// after and once reopened.
func TestCheckpointWritesOnePack(t *testing.T) {
	ctx := context.Background()
	root := t.TempDir()
	cfs := &countingFS{}
	s, err := OpenInline(Config{Root: root, FS: cfs, CheckpointBytes: 1 << 30})
	require.NoError(t, err)
	ns := persist.Namespace{Primary: "payments"}
	want := map[string]string{}
	key := func(i int) string { return fmt.Sprintf("k%04d", i) }
	for g := range 10 {
		var ops []persist.Op
		for i := g * 100; i < (g+1)*100; i++ {
			want[key(i)] = fmt.Sprint("value ", i)
			ops = append(ops, persist.WriteOp(ns, key(i), []byte(want[key(i)])))
		}
		require.NoError(t, s.Apply(ctx, ops))
	}
	check := func(s *Store) {
		t.Helper()
		keys, err := s.List(ctx, ns)
		require.NoError(t, err)
		require.Len(t, keys, len(want))
		for i, k := range keys {
			got, err := s.Read(ctx, ns, k)
			require.NoError(t, err)
			require.Equal(t, want[k], string(got))
			if i > 0 {
				require.Less(t, keys[i-1], k)
			}
		}
	}
	check(s)
	cfs.creates.Store(0)
	require.NoError(t, s.checkpoint())
	require.Equal(t, int64(1), cfs.creates.Load())
	require.Len(t, s.packs, 1)
	check(s)

	var ops []persist.Op
	for i := range 1000 {
		switch i % 4 {
		case 0, 1:
			delete(want, key(i))
			ops = append(ops, persist.RemoveOp(ns, key(i)))
		case 2:
			want[key(i)] = fmt.Sprint("new value ", i)
			ops = append(ops, persist.WriteOp(ns, key(i), []byte(want[key(i)])))
		}
	}
	require.NoError(t, s.Apply(ctx, ops))
	check(s)
	cfs.creates.Store(0)
	require.NoError(t, s.checkpoint())
	require.Equal(t, int64(2), cfs.creates.Load(), "the pack, then the merge's")
	require.Len(t, s.packs, 1)
	require.Zero(t, s.packs[0].tombs, "a merge of every pack keeps no tombstone")
	require.Len(t, s.index[ns], len(want))
	check(s)
	require.NoError(t, s.Close())

	s, err = OpenInline(Config{Root: root})
	require.NoError(t, err)
	defer s.Close()
	check(s)
	entries, err := os.ReadDir(filepath.Join(root, packsDir))
	require.NoError(t, err)
	require.Len(t, entries, 1)
	require.Equal(t, packName(1, 2), entries[0].Name())
}

// TestOpenPacks opens stores whose packs directory holds packs written
// directly (what checkpoints, merges and crashes leave).
func TestOpenPacks(t *testing.T) {
	ns := persist.Namespace{Primary: "p"}
	w := func(k, v string) persist.Op { return persist.WriteOp(ns, k, []byte(v)) }
	rm := func(k string) persist.Op { return persist.RemoveOp(ns, k) }
	type pack struct {
		base, top uint64
		ops       []persist.Op
		damage    func(b []byte)
		name      string // its file name, when not packName's
	}
	tests := []struct {
		name    string
		packs   []pack
		want    map[string]string // "" for absent
		left    []string          // the pack files left
		corrupt string            // the pack the error names
	}{
		{
			name:  "a later pack wins, a tombstone hides",
			packs: []pack{{base: 1, top: 1, ops: []persist.Op{w("j", "1"), w("k", "1")}}, {base: 2, top: 2, ops: []persist.Op{w("k", "2")}}, {base: 3, top: 3, ops: []persist.Op{rm("j")}}},
			want:  map[string]string{"k": "2", "j": ""},
			left:  []string{packName(1, 1), packName(2, 2), packName(3, 3)},
		},
		{
			name: "a merge's inputs that a crash left are removed, unread",
			packs: []pack{
				{base: 1, top: 1, ops: []persist.Op{w("j", "stale"), w("k", "stale")}, damage: func(b []byte) { b[30] ^= 1 }},
				{base: 2, top: 2, ops: []persist.Op{rm("j")}},
				{base: 1, top: 2, ops: []persist.Op{w("k", "merged")}},
				{base: 3, top: 3, ops: []persist.Op{w("i", "3")}},
			},
			want: map[string]string{"k": "merged", "j": "", "i": "3"},
			left: []string{packName(1, 2), packName(3, 3)},
		},
		{
			name:  "an unfinished pack is removed",
			packs: []pack{{base: 1, top: 1, ops: []persist.Op{w("k", "1")}}, {base: 2, top: 2, ops: []persist.Op{w("k", "torn")}, damage: func(b []byte) { clear(b[40:]) }, name: packName(2, 2) + tmpSuffix}},
			want:  map[string]string{"k": "1"},
			left:  []string{packName(1, 1)},
		},
		{
			name:    "a damaged pack is corruption",
			packs:   []pack{{base: 1, top: 1, ops: []persist.Op{w("k", "1")}}, {base: 2, top: 2, ops: []persist.Op{w("k", "2")}, damage: func(b []byte) { b[len(b)-20] ^= 1 }}},
			corrupt: packName(2, 2),
		},
		{
			name:    "a pack cut short is corruption",
			packs:   []pack{{base: 1, top: 1, ops: []persist.Op{w("k", "1"), w("l", "1")}, damage: func(b []byte) { clear(b[len(b)-12:]) }}},
			corrupt: packName(1, 1),
		},
		{
			name:    "a pack under another range's name",
			packs:   []pack{{base: 1, top: 1, ops: []persist.Op{w("k", "1")}, name: packName(1, 4)}},
			corrupt: packName(1, 4),
		},
		{
			name:    "overlapping packs",
			packs:   []pack{{base: 1, top: 2, ops: []persist.Op{w("k", "1")}}, {base: 2, top: 3, ops: []persist.Op{w("k", "2")}}},
			corrupt: packName(2, 3),
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			root := t.TempDir()
			require.NoError(t, os.MkdirAll(filepath.Join(root, packsDir), 0o700))
			for _, p := range tc.packs {
				b := encodePack(t, p.base, p.top, p.ops...)
				if p.damage != nil {
					p.damage(b)
				}
				name := p.name
				if name == "" {
					name = packName(p.base, p.top)
				}
				require.NoError(t, os.WriteFile(filepath.Join(root, packsDir, name), b, 0o600))
			}
			s := openWant(t, root, tc.corrupt, ns, tc.want)
			if s == nil {
				return
			}
			defer s.Close()
			entries, err := os.ReadDir(filepath.Join(root, packsDir))
			require.NoError(t, err)
			var left []string
			for _, e := range entries {
				left = append(left, e.Name())
			}
			require.Equal(t, tc.left, left)
			// The next checkpoint's pack comes after every range seen.
			var top uint64
			for _, p := range tc.packs {
				if p.name == "" {
					top = max(top, p.top)
				}
			}
			require.Equal(t, top+1, s.nextPack)
		})
	}
}

// TestReadDamagedPack: a record damaged on disk after Open reads as an
// error matching persist.ErrCorrupt naming the key; the other keys read.
func TestReadDamagedPack(t *testing.T) {
	ctx := context.Background()
	root := t.TempDir()
	ns := persist.Namespace{Primary: "p"}
	s, err := Open(Config{Root: root})
	require.NoError(t, err)
	require.NoError(t, s.Write(ctx, ns, "a", []byte("first value")))
	require.NoError(t, s.Write(ctx, ns, "b", []byte("second value")))
	require.NoError(t, s.Close())
	s, err = Open(Config{Root: root})
	require.NoError(t, err)
	defer s.Close()
	ref, ok := s.index.get(ns, "b")
	require.True(t, ok)
	f, err := os.OpenFile(ref.p.path, os.O_WRONLY, 0)
	require.NoError(t, err)
	_, err = f.WriteAt([]byte("X"), ref.off+int64(ref.n)-6)
	require.NoError(t, err)
	require.NoError(t, f.Close())
	_, err = s.Read(ctx, ns, "b")
	require.ErrorIs(t, err, persist.ErrCorrupt)
	var perr *persist.Error
	require.ErrorAs(t, err, &perr)
	require.Equal(t, "b", perr.Key)
	got, err := s.Read(ctx, ns, "a")
	require.NoError(t, err)
	require.Equal(t, "first value", string(got))
}

func TestPickMerge(t *testing.T) {
	type p struct{ size, garbage, tombs int64 }
	tests := []struct {
		name  string
		packs []p
		want  int
	}{
		{"none", nil, -1},
		{"one, even all garbage", []p{{100, 90, 0}}, -1},
		{"older larger", []p{{400, 0, 0}, {100, 0, 0}}, -1},
		{"older no larger", []p{{100, 0, 0}, {100, 0, 0}}, 0},
		{"the newest while they add up", []p{{1000, 0, 0}, {200, 0, 0}, {100, 0, 0}, {100, 0, 0}}, 1},
		{"then all", []p{{400, 0, 0}, {200, 0, 0}, {100, 0, 0}, {100, 0, 0}}, 0},
		{"garbage in a suffix", []p{{1000, 0, 0}, {300, 250, 0}, {100, 0, 0}}, 1},
		{"tombstones count only with every pack", []p{{1000, 0, 0}, {300, 0, 200}, {100, 0, 0}}, -1},
		{"tombstones with every pack", []p{{1000, 500, 0}, {300, 0, 300}, {100, 0, 0}}, 0},
		{"too many", func() []p {
			var ps []p
			for i := range maxPacks + 1 {
				ps = append(ps, p{int64(1) << (40 - i), 0, 0})
			}
			return ps
		}(), 0},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			var packs []*packFile
			for _, x := range tc.packs {
				packs = append(packs, &packFile{size: x.size, garbage: x.garbage, tombs: x.tombs})
			}
			require.Equal(t, tc.want, pickMerge(packs))
		})
	}
}

// requireValues requires s to hold want in ns ("" for absent).
func requireValues(t *testing.T, s *Store, ns persist.Namespace, want map[string]string) {
	t.Helper()
	for k, v := range want {
		got, err := s.Read(context.Background(), ns, k)
		if v == "" {
			require.ErrorIs(t, err, persist.ErrNotFound, k)
			continue
		}
		require.NoError(t, err)
		require.Equal(t, v, string(got), k)
	}
}

// openWant opens the store at root: it must fail naming corrupt when that
// is set (openWant then returns nil), else hold want in ns.
func openWant(t *testing.T, root, corrupt string, ns persist.Namespace, want map[string]string) *Store {
	t.Helper()
	s, err := Open(Config{Root: root})
	if corrupt != "" {
		require.ErrorIs(t, err, persist.ErrCorrupt)
		require.ErrorContains(t, err, corrupt)
		return nil
	}
	require.NoError(t, err)
	requireValues(t, s, ns, want)
	return s
}

// TestReadDuringMerges reads and lists while a writer's every group is
// checkpointed (and packs merged): a reader sees each key's versions in
// order, never a missing key once written, never a damaged record.
func TestReadDuringMerges(t *testing.T) {
	ctx := context.Background()
	s, err := Open(Config{Root: t.TempDir(), CheckpointBytes: 1})
	require.NoError(t, err)
	defer s.Close()
	ns := persist.Namespace{Primary: "p"}
	const keys, versions = 8, 60
	for k := range keys {
		require.NoError(t, s.Write(ctx, ns, fmt.Sprint("k", k), []byte("0")))
	}
	done := make(chan struct{})
	errs := make(chan error, 2)
	for range 2 {
		go func() {
			last := make([]int, keys)
			for {
				select {
				case <-done:
					errs <- nil
					return
				default:
				}
				for k := range keys {
					v, err := s.Read(ctx, ns, fmt.Sprint("k", k))
					if err != nil {
						errs <- err
						return
					}
					var n int
					if _, err := fmt.Sscan(string(v), &n); err != nil || n < last[k] {
						errs <- fmt.Errorf("k%d: %q after version %d", k, v, last[k])
						return
					}
					last[k] = n
				}
				if l, err := s.List(ctx, ns); err != nil || len(l) != keys {
					errs <- fmt.Errorf("list: %v, %v", l, err)
					return
				}
			}
		}()
	}
	for v := 1; v <= versions; v++ {
		require.NoError(t, s.Write(ctx, ns, fmt.Sprint("k", v%keys), []byte(fmt.Sprint(v))))
	}
	close(done)
	for range 2 {
		require.NoError(t, <-errs)
	}
}

// gatedCreateFS stops the creation of the file named gated until release
// is closed, having closed reached.
type gatedCreateFS struct {
	OSFS
	gated            string
	reached, release chan struct{}
}

func (g *gatedCreateFS) Create(name string, perm fs.FileMode) (File, error) {
	if filepath.Base(name) == g.gated {
		close(g.reached)
		<-g.release
	}
	return g.OSFS.Create(name, perm)
}

// TestMergeInBackground holds a merge (of packs 1 and 2) at the creation
// of its pack while writes commit and checkpoint newer packs (3, 4) over
// its keys: once it is done, each key reads from the newest pack that has
// it, before and after reopening.
func TestMergeInBackground(t *testing.T) {
	ctx := context.Background()
	root := t.TempDir()
	gfs := &gatedCreateFS{gated: packName(1, 2) + tmpSuffix, reached: make(chan struct{}), release: make(chan struct{})}
	s, err := Open(Config{Root: root, FS: gfs, CheckpointBytes: 1})
	require.NoError(t, err)
	ns := persist.Namespace{Primary: "p"}
	require.NoError(t, s.Write(ctx, ns, "k0", []byte("a")))
	require.NoError(t, s.Write(ctx, ns, "k1", []byte("b"))) // pack 2: packs 1 and 2 merge
	<-gfs.reached
	require.NoError(t, s.Write(ctx, ns, "k0", []byte("new"))) // pack 3
	require.NoError(t, s.Remove(ctx, ns, "k1"))               // pack 4
	want := map[string]string{"k0": "new", "k1": ""}
	requireValues(t, s, ns, want)
	close(gfs.release)
	require.NoError(t, s.Close())
	entries, err := os.ReadDir(filepath.Join(root, packsDir))
	require.NoError(t, err)
	var names []string
	for _, e := range entries {
		names = append(names, e.Name())
	}
	require.Equal(t, []string{packName(1, 2), packName(3, 3), packName(4, 4)}, names)
	s, err = Open(Config{Root: root})
	require.NoError(t, err)
	defer s.Close()
	requireValues(t, s, ns, want)
	keys, err := s.List(ctx, ns)
	require.NoError(t, err)
	require.Equal(t, []string{"k0"}, keys)
}
