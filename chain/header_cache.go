package chain

import (
	"container/list"

	"github.com/btcsuite/btcd/chaincfg/chainhash"
)

// headerCache is a bounded least-recently-used cache of headers by hash. It
// keeps headers of blocks that left the main chain too, so listeners on a
// stale branch can be walked back even if the source forgets it.
type headerCache struct {
	max     int
	entries map[chainhash.Hash]*list.Element
	order   list.List // front = most recently used; values are *HeaderData
}

// newHeaderCache returns a cache holding at most max headers (max >= 1).
func newHeaderCache(max int) *headerCache {
	return &headerCache{max: max, entries: make(map[chainhash.Hash]*list.Element, max)}
}

// get returns the cached header for hash, marking it recently used.
func (c *headerCache) get(hash chainhash.Hash) (*HeaderData, bool) {
	e, ok := c.entries[hash]
	if !ok {
		return nil, false
	}
	c.order.MoveToFront(e)
	return e.Value.(*HeaderData), true
}

// put stores h, evicting the least recently used header when full.
func (c *headerCache) put(h *HeaderData) {
	if e, ok := c.entries[h.Hash]; ok {
		e.Value = h
		c.order.MoveToFront(e)
		return
	}
	for c.order.Len() >= c.max {
		oldest := c.order.Back()
		c.order.Remove(oldest)
		delete(c.entries, oldest.Value.(*HeaderData).Hash)
	}
	c.entries[h.Hash] = c.order.PushFront(h)
}

// len returns the number of cached headers.
func (c *headerCache) len() int { return c.order.Len() }
