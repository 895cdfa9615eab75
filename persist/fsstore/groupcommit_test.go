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

// countingFS counts fsyncs, fdatasyncs and file creations, and can stop
// the first fdatasync at a gate.
type countingFS struct {
	OSFS
	fileSyncs, dataSyncs, dirSyncs, creates atomic.Int64
	gated                                   atomic.Bool
	reached, release                        chan struct{}
}

func (c *countingFS) Create(name string, perm fs.FileMode) (File, error) {
	c.creates.Add(1)
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
	return f.File.Sync()
}

func (f *countingFile) Datasync() error {
	f.fs.dataSyncs.Add(1)
	if f.fs.gated.CompareAndSwap(true, false) {
		close(f.fs.reached)
		<-f.fs.release
	}
	return f.File.Datasync()
}

// TestGroupCommitSharesFsyncs holds the first writer's fdatasync until 31
// more writers wait in the queue: they commit as one group, one record
// sharing one fdatasync, and every writer returns only after its group is
// durable. No commit creates a file or fsyncs a directory.
func TestGroupCommitSharesFsyncs(t *testing.T) {
	cfs := &countingFS{reached: make(chan struct{}), release: make(chan struct{})}
	s, err := OpenInline(Config{Root: t.TempDir(), FS: cfs})
	require.NoError(t, err)
	defer s.Close()
	ctx := context.Background()
	ns := persist.Namespace{Primary: "p"}
	require.NoError(t, s.Write(ctx, ns, "warm-up", nil)) // makes the first segment

	cfs.fileSyncs.Store(0)
	cfs.dataSyncs.Store(0)
	cfs.dirSyncs.Store(0)
	cfs.creates.Store(0)
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
	require.Equal(t, int64(2), cfs.dataSyncs.Load(), "the first writer's record, then one for the other 31")
	require.Zero(t, cfs.fileSyncs.Load())
	require.Zero(t, cfs.dirSyncs.Load())
	require.Zero(t, cfs.creates.Load())
	keys, err := s.List(ctx, ns)
	require.NoError(t, err)
	require.Len(t, keys, writers+1)
}
