package fsstore_test

import (
	"bufio"
	"bytes"
	"context"
	"fmt"
	"io"
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/lnkit/lnkit/persist"
	"github.com/lnkit/lnkit/persist/fsstore"
	"github.com/lnkit/lnkit/persist/persisttest"
)

func openAt(t *testing.T, root string) *fsstore.Store {
	t.Helper()
	s, err := fsstore.Open(fsstore.Config{Root: root})
	require.NoError(t, err)
	t.Cleanup(func() { _ = s.Close() })
	return s
}

func TestConformance(t *testing.T) {
	roots := map[persist.KVStore]string{}
	persisttest.Run(t, persisttest.Factory{
		New: func(t *testing.T) persist.KVStore {
			root := t.TempDir()
			s := openAt(t, root)
			roots[s] = root
			return s
		},
		Reopen: func(t *testing.T, closed persist.KVStore) persist.KVStore {
			return openAt(t, roots[closed])
		},
	})
}

func TestOpenConfig(t *testing.T) {
	_, err := fsstore.Open(fsstore.Config{})
	require.ErrorIs(t, err, fsstore.ErrInvalidConfig)
	var ce *fsstore.ConfigError
	require.ErrorAs(t, err, &ce)
	require.Equal(t, "Root", ce.Field)
	_, err = fsstore.Open(fsstore.Config{Root: t.TempDir(), SyncParallelism: -1})
	require.ErrorIs(t, err, fsstore.ErrInvalidConfig)
	_, err = fsstore.Open(fsstore.Config{Root: t.TempDir(), CheckpointBytes: -1})
	require.ErrorIs(t, err, fsstore.ErrInvalidConfig)
	for _, n := range []int{-4096, 1, 4095, 8<<20 + 1} {
		_, err = fsstore.Open(fsstore.Config{Root: t.TempDir(), SegmentBytes: n})
		require.ErrorIs(t, err, fsstore.ErrInvalidConfig)
		require.ErrorAs(t, err, &ce)
		require.Equal(t, "SegmentBytes", ce.Field)
	}
}

func TestLockRefusesSecondOpen(t *testing.T) {
	root := t.TempDir()
	s := openAt(t, root)
	_, err := fsstore.Open(fsstore.Config{Root: root})
	require.ErrorIs(t, err, persist.ErrLocked)
	require.NoError(t, s.Close())
	openAt(t, root)
}

// TestLockRefusesAnotherProcess holds the store in a child process (this
// test binary, re-run) and opens it here.
func TestLockRefusesAnotherProcess(t *testing.T) {
	if root := os.Getenv("FSSTORE_LOCK_HOLDER"); root != "" {
		s, err := fsstore.Open(fsstore.Config{Root: root})
		if err != nil {
			fmt.Println("open:", err)
			os.Exit(1)
		}
		fmt.Println("holding")
		_, _ = io.Copy(io.Discard, os.Stdin) // until the parent closes stdin
		_ = s.Close()
		os.Exit(0)
	}
	root := t.TempDir()
	cmd := exec.Command(os.Args[0], "-test.run=^TestLockRefusesAnotherProcess$")
	cmd.Env = append(os.Environ(), "FSSTORE_LOCK_HOLDER="+root)
	stdin, err := cmd.StdinPipe()
	require.NoError(t, err)
	stdout, err := cmd.StdoutPipe()
	require.NoError(t, err)
	require.NoError(t, cmd.Start())
	line, err := bufio.NewReader(stdout).ReadString('\n')
	require.NoError(t, err)
	require.Equal(t, "holding\n", line)

	_, err = fsstore.Open(fsstore.Config{Root: root})
	require.ErrorIs(t, err, persist.ErrLocked)

	require.NoError(t, stdin.Close())
	require.NoError(t, cmd.Wait())
	openAt(t, root)
}

func TestPermissions(t *testing.T) {
	root := filepath.Join(t.TempDir(), "store")
	s := openAt(t, root)
	ctx := context.Background()
	require.NoError(t, s.Write(ctx, persist.Namespace{Primary: "p", Secondary: "s"}, "k", []byte("secret")))
	require.NoError(t, s.Apply(ctx, []persist.Op{persist.WriteOp(persist.Namespace{}, "a", nil), persist.WriteOp(persist.Namespace{}, "b", nil)}))
	require.NoError(t, filepath.WalkDir(root, func(path string, d fs.DirEntry, err error) error {
		require.NoError(t, err)
		info, err := d.Info()
		require.NoError(t, err)
		want := fs.FileMode(0o600)
		if d.IsDir() {
			want = 0o700
		}
		require.Equal(t, want, info.Mode().Perm(), path)
		return nil
	}))
}

// TestCorruptFiles opens stores whose key files (of an earlier version)
// are damaged: reading the key gives an error matching persist.ErrCorrupt
// that names it.
func TestCorruptFiles(t *testing.T) {
	ctx := context.Background()
	ns := persist.Namespace{Primary: "p"}
	_, good := fsstore.LegacyKeyFile("", ns, "victim", []byte("a value of some length"))
	_, other := fsstore.LegacyKeyFile("", ns, "other", []byte("another value"))
	flipped := bytes.Clone(good)
	flipped[len(flipped)-1] ^= 1
	badVersion := bytes.Clone(good)
	badVersion[4] = 2
	tests := []struct {
		name string
		data []byte
	}{
		{"empty", nil},
		{"truncated header", good[:10]},
		{"truncated value", good[:len(good)-1]},
		{"longer", append(bytes.Clone(good), 0)},
		{"flipped bit", flipped},
		{"unknown version", badVersion},
		{"foreign", []byte("#!/bin/sh\necho this is not a value file\n")},
		{"another key's file", other},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			root := t.TempDir()
			name, _ := fsstore.LegacyKeyFile(root, ns, "victim", nil)
			require.NoError(t, os.MkdirAll(filepath.Dir(name), 0o700))
			require.NoError(t, os.WriteFile(name, tc.data, 0o600))
			s := openAt(t, root)
			_, err := s.Read(ctx, ns, "victim")
			require.ErrorIs(t, err, persist.ErrCorrupt)
			var perr *persist.Error
			require.ErrorAs(t, err, &perr)
			require.Equal(t, "victim", perr.Key)
			require.Equal(t, ns, perr.NS)
		})
	}
}

func TestOpenCleansAndRefusesCorruptBatch(t *testing.T) {
	root := t.TempDir()
	s := openAt(t, root)
	ns := persist.Namespace{Primary: "p"}
	require.NoError(t, s.Write(context.Background(), ns, "k", []byte("v")))
	require.NoError(t, s.Close())
	dir := filepath.Join(root, "data", "p.p", "s.")
	require.NoError(t, os.MkdirAll(dir, 0o700)) // a directory of an earlier version
	require.NoError(t, os.WriteFile(filepath.Join(dir, "k.tmp"), []byte("torn"), 0o600))
	require.NoError(t, os.WriteFile(filepath.Join(root, "wal", "0000000000000009.batch.tmp"), []byte("torn"), 0o600))

	s = openAt(t, root)
	keys, err := s.List(context.Background(), ns)
	require.NoError(t, err)
	require.Equal(t, []string{"k"}, keys)
	_, err = os.Stat(filepath.Join(dir, "k.tmp"))
	require.ErrorIs(t, err, fs.ErrNotExist)
	require.NoError(t, s.Close())

	require.NoError(t, os.WriteFile(filepath.Join(root, "wal", "0000000000000001.batch"), []byte("LNKB garbage"), 0o600))
	_, err = fsstore.Open(fsstore.Config{Root: root})
	require.ErrorIs(t, err, persist.ErrCorrupt)
}

// TestCloseStopsCommitter: Close completes queued writes and leaves no
// goroutine behind.
func TestCloseStopsCommitter(t *testing.T) {
	before := runtime.NumGoroutine()
	s, err := fsstore.Open(fsstore.Config{Root: t.TempDir()})
	require.NoError(t, err)
	ctx := context.Background()
	ns := persist.Namespace{Primary: "p"}
	var wg sync.WaitGroup
	for i := range 8 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			err := s.Write(ctx, ns, fmt.Sprintf("k%d", i), []byte("v"))
			if err != nil {
				require.ErrorIs(t, err, persist.ErrClosed)
			}
		}()
	}
	require.NoError(t, s.Close())
	wg.Wait()
	deadline := time.Now().Add(5 * time.Second)
	for runtime.NumGoroutine() > before && time.Now().Before(deadline) {
		time.Sleep(10 * time.Millisecond)
	}
	require.LessOrEqual(t, runtime.NumGoroutine(), before, "goroutines left after Close")
}

// TestApplyLargerThanARecord: a batch whose encoding would pass a log
// record's bound is refused before anything is written.
func TestApplyLargerThanARecord(t *testing.T) {
	s := openAt(t, t.TempDir())
	v := make([]byte, persist.MaxValueSize) // shared by every op: 32 MiB in memory
	var ops []persist.Op
	for i := range 33 {
		ops = append(ops, persist.WriteOp(persist.Namespace{}, fmt.Sprintf("k%d", i), v))
	}
	err := s.Apply(context.Background(), ops)
	require.ErrorIs(t, err, persist.ErrBatchTooLarge)
	require.NoError(t, s.Write(context.Background(), persist.Namespace{}, "k0", []byte("small")))
}
