package sqlrow

import (
	"context"
	"sync"

	"github.com/lnkit/lnkit/persist"
)

// Gate keeps a store's operations and its Close apart: an operation runs
// between Enter and Leave; Close waits for the running ones and makes every
// later Enter fail with persist.ErrClosed. The zero Gate is open.
type Gate struct {
	mu     sync.RWMutex
	closed bool
}

// Enter admits one operation, or returns persist.ErrClosed, or ctx's error
// when ctx is already done. Call Leave when it returns nil.
func (g *Gate) Enter(ctx context.Context) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	g.mu.RLock()
	if g.closed {
		g.mu.RUnlock()
		return persist.ErrClosed
	}
	return nil
}

// Leave ends an operation Enter admitted.
func (g *Gate) Leave() { g.mu.RUnlock() }

// Close waits for the admitted operations to leave and closes the gate. It
// reports whether this call closed it (false when already closed).
func (g *Gate) Close() bool {
	g.mu.Lock()
	defer g.mu.Unlock()
	if g.closed {
		return false
	}
	g.closed = true
	return true
}
