//go:build !unix

package fsstore

import (
	"errors"
	"io"
)

// Lock implements FS; without flock(2) it is not supported, and the store
// refuses to open rather than risk two processes writing one root.
func (OSFS) Lock(name string) (io.Closer, error) {
	return nil, errors.New("fsstore: file locking is not supported on this platform")
}
