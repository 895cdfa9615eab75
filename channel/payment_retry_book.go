package channel

import (
	"bytes"
	"slices"
	"sync"
	"time"

	"github.com/lnkit/lnkit/persist"
	"github.com/lnkit/lnkit/router"
	"github.com/lnkit/lnkit/wire"
)

// The retry state of the payments sent over the network: each payment's
// routing (what to ask the router again, the budget left, what to avoid),
// the payments waiting for a retry or for a usable channel, and which
// routings changed since they were last written (payment_retry_record.go
// encodes them).

// routing is the retry state of a payment sent over the network.
type routing struct {
	req      router.Request
	left     int
	deadline time.Time
	exclude  []wire.ShortChannelID
	// excludeNodes are the intermediate nodes that failed an attempt
	// with a NODE failure: BOLT 4 has the payer avoid all their channels.
	excludeNodes []wire.NodeID
}

// retryBook holds the routings (its own lock, taken under the payment
// book's, never the other way round) and the payments waiting for a retry.
type retryBook struct {
	mu    sync.Mutex
	state map[PaymentID]*routing
	queue []PaymentID
	// parked wait for a usable channel (retried at the next
	// processRetries).
	parked []PaymentID
	// dirty are the payments whose routing changed (or ended) since it
	// was last written.
	dirty map[PaymentID]bool
}

// touch marks id's routing to write (b.mu held).
func (b *retryBook) touch(id PaymentID) {
	if b.dirty == nil {
		b.dirty = make(map[PaymentID]bool)
	}
	b.dirty[id] = true
}

// changes returns the writes of the routings changed since the last call
// (a removal for those that ended), and marks them written.
func (b *retryBook) changes() ([]persist.Op, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	if len(b.dirty) == 0 {
		return nil, nil
	}
	ids := make([]PaymentID, 0, len(b.dirty))
	for id := range b.dirty {
		ids = append(ids, id)
	}
	slices.SortFunc(ids, func(x, y PaymentID) int { return bytes.Compare(x[:], y[:]) })
	ops := make([]persist.Op, 0, len(ids))
	for _, id := range ids {
		rt := b.state[id]
		if rt == nil {
			ops = append(ops, routingRemoveOp(id))
			continue
		}
		op, err := routingOp(id, rt)
		if err != nil {
			return nil, err
		}
		ops = append(ops, op)
	}
	clear(b.dirty)
	return ops, nil
}

// persistRetries writes the routings that changed; a failed write leaves
// them to the next call (logged: the retries go on from memory).
func (m *Manager) persistRetries() {
	ops, err := m.retries.changes()
	if err == nil && len(ops) > 0 {
		err = m.cfg.Store.Apply(m.cfg.Context, ops)
	}
	if err != nil {
		m.cfg.Logger.Warn("channel: payment retry state not written", "err", err)
	}
}

// put starts the routing of id.
func (b *retryBook) put(id PaymentID, r *routing) {
	b.mu.Lock()
	defer b.mu.Unlock()
	if b.state == nil {
		b.state = make(map[PaymentID]*routing)
	}
	b.state[id] = r
}

// routed reports whether id is a payment over the network still retried.
func (b *retryBook) routed(id PaymentID) bool {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.state[id] != nil
}

// failed records that an attempt of id failed at channel scid (zero for
// none) and queues a retry.
func (b *retryBook) failed(id PaymentID, scid wire.ShortChannelID, node wire.NodeID) {
	b.mu.Lock()
	defer b.mu.Unlock()
	r := b.state[id]
	if r == nil {
		return
	}
	if scid != (wire.ShortChannelID{}) && !slices.Contains(r.exclude, scid) && len(r.exclude) < maxRoutingExcluded {
		r.exclude = append(r.exclude, scid)
		b.touch(id)
	}
	if node != (wire.NodeID{}) && !slices.Contains(r.excludeNodes, node) && len(r.excludeNodes) < maxRoutingExcluded {
		r.excludeNodes = append(r.excludeNodes, node)
		b.touch(id)
	}
	if !slices.Contains(b.queue, id) {
		b.queue = append(b.queue, id)
	}
}

// take empties the queue and returns the payments it held that are
// still retried, with their routings (copies).
func (b *retryBook) take() ([]PaymentID, []routing) {
	b.mu.Lock()
	defer b.mu.Unlock()
	var ids []PaymentID
	var rts []routing
	for _, id := range b.queue {
		if r := b.state[id]; r != nil {
			c := *r
			c.exclude = slices.Clone(r.exclude)
			ids, rts = append(ids, id), append(rts, c)
		}
	}
	b.queue = nil
	return ids, rts
}

// park sets id aside until the next processRetries.
func (b *retryBook) park(id PaymentID) {
	b.mu.Lock()
	defer b.mu.Unlock()
	if !slices.Contains(b.parked, id) {
		b.parked = append(b.parked, id)
	}
}

// unpark queues the payments set aside.
func (b *retryBook) unpark() {
	b.mu.Lock()
	defer b.mu.Unlock()
	for _, id := range b.parked {
		if !slices.Contains(b.queue, id) {
			b.queue = append(b.queue, id)
		}
	}
	b.parked = nil
}

// spend counts one round of new routes for id.
func (b *retryBook) spend(id PaymentID) {
	b.mu.Lock()
	defer b.mu.Unlock()
	if r := b.state[id]; r != nil {
		r.left--
		b.touch(id)
	}
}

// done forgets id's routing.
func (b *retryBook) done(id PaymentID) {
	b.mu.Lock()
	defer b.mu.Unlock()
	if b.state[id] != nil {
		delete(b.state, id)
		b.touch(id)
	}
}
