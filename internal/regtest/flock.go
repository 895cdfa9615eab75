package regtest

import (
	"context"
	"errors"
	"fmt"
	"os"
	"syscall"
	"time"
)

// fileLock is an exclusive advisory lock (flock(2)) on a file. It serializes
// installers across processes: parallel `go test` packages share one cache
// and only one of them builds.
type fileLock struct {
	f *os.File
}

// lockFile takes an exclusive flock on path, creating the file if needed. It
// polls so that it can give up when ctx ends (a blocking flock cannot be
// interrupted).
func lockFile(ctx context.Context, path string) (*fileLock, error) {
	f, err := os.OpenFile(path, os.O_RDWR|os.O_CREATE, 0o644)
	if err != nil {
		return nil, fmt.Errorf("regtest: open lock file: %w", err)
	}
	for {
		err := syscall.Flock(int(f.Fd()), syscall.LOCK_EX|syscall.LOCK_NB)
		if err == nil {
			return &fileLock{f: f}, nil
		}
		if !errors.Is(err, syscall.EWOULDBLOCK) && !errors.Is(err, syscall.EINTR) {
			f.Close()
			return nil, fmt.Errorf("regtest: lock %s: %w", path, err)
		}
		select {
		case <-ctx.Done():
			f.Close()
			return nil, fmt.Errorf("regtest: waiting for lock %s (another process is installing the peers): %w", path, ctx.Err())
		case <-time.After(250 * time.Millisecond):
		}
	}
}

// unlock releases the lock. Closing the descriptor drops the flock.
func (l *fileLock) unlock() error {
	return l.f.Close()
}
