//go:build unix

package fsstore

import (
	"errors"
	"fmt"
	"io"
	"os"
	"syscall"

	"github.com/lnkit/lnkit/persist"
)

// Lock implements FS with flock(2): the lock dies with the process, so a
// crashed process never leaves the store locked. flock is per open file,
// so a second Open in the same process is refused too.
func (OSFS) Lock(name string) (io.Closer, error) {
	f, err := os.OpenFile(name, os.O_RDWR|os.O_CREATE, 0o600)
	if err != nil {
		return nil, err
	}
	if err := syscall.Flock(int(f.Fd()), syscall.LOCK_EX|syscall.LOCK_NB); err != nil {
		f.Close()
		if errors.Is(err, syscall.EWOULDBLOCK) {
			return nil, fmt.Errorf("fsstore: %s: %w", name, persist.ErrLocked)
		}
		return nil, fmt.Errorf("fsstore: lock %s: %w", name, err)
	}
	return f, nil
}
