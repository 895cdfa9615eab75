package fsstore

import (
	"context"
	"fmt"
	"io/fs"
	"runtime"
	"sync"
	"sync/atomic"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/lnkit/lnkit/persist"
)

// countingFS counts fsyncs and can stop the first file fsync at a gate.
type countingFS struct {
	OSFS
	fileSyncs, dirSyncs atomic.Int64
	gated               atomic.Bool
	reached, release    chan struct{}
}

func (c *countingFS) Create(name string, perm fs.FileMode) (File, error) {
	f, err := c.OSFS.Create(name, perm)
	if err != nil {
		return nil, err
	}
	return &countingFile{File: f, fs: c}, nil
}

func (c *countingFS) SyncDir(name string) error {
	c.dirSyncs.Add(1)
	return c.OSFS.SyncDir(name)
}

type countingFile struct {
	File
	fs *countingFS
}

func (f *countingFile) Sync() error {
	f.fs.fileSyncs.Add(1)
	if f.fs.gated.CompareAndSwap(true, false) {
		close(f.fs.reached)
		<-f.fs.release
	}
	return f.File.Sync()
}

// TestGroupCommitSharesFsyncs holds the first writer's fsync until 31 more
// writers wait in the queue: they commit as one group through one batch
// file, sharing its two fsyncs, and every writer returns only after its
// group is durable.
func TestGroupCommitSharesFsyncs(t *testing.T) {
	cfs := &countingFS{reached: make(chan struct{}), release: make(chan struct{})}
	s, err := Open(Config{Root: t.TempDir(), FS: cfs})
	require.NoError(t, err)
	defer s.Close()
	ctx := context.Background()
	ns := persist.Namespace{Primary: "p"}
	require.NoError(t, s.Write(ctx, ns, "warm-up", nil)) // makes the directories

	cfs.fileSyncs.Store(0)
	cfs.dirSyncs.Store(0)
	cfs.gated.Store(true)
	const writers = 32
	var wg sync.WaitGroup
	errs := make([]error, writers)
	write := func(i int) {
		defer wg.Done()
		errs[i] = s.Write(ctx, ns, fmt.Sprintf("k%02d", i), []byte{byte(i)})
	}
	wg.Add(1)
	go write(0)
	<-cfs.reached
	for i := 1; i < writers; i++ {
		wg.Add(1)
		go write(i)
	}
	for len(s.queue) < writers-1 {
		runtime.Gosched()
	}
	close(cfs.release)
	wg.Wait()
	for _, err := range errs {
		require.NoError(t, err)
	}
	require.Equal(t, int64(2), cfs.fileSyncs.Load(), "the first writer's file, then one batch file for the other 31")
	require.Equal(t, int64(2), cfs.dirSyncs.Load(), "the first writer's directory, then wal for the other 31")
	keys, err := s.List(ctx, ns)
	require.NoError(t, err)
	require.Len(t, keys, writers+1)
}
