package channel

import (
	"fmt"
	"sync"

	"github.com/lnkit/lnkit/events"
	"github.com/lnkit/lnkit/persist"
	"github.com/lnkit/lnkit/wire"
)

// heldBook holds, per channel, writes that may wait for the channel's next
// durable write instead of costing one of their own: the payment record
// and events (PaymentSent, PaymentPathSuccessful) of an update_fulfill_htlc
// of ours. The peer follows its updates with the commitment_signed that
// covers them, whose monitor update is written before our revoke_and_ack
// may leave, so a burst of fulfills costs one write instead of one each,
// with the peer's lock never held across a disk flush per fulfill. Only
// a payment whose every attempt is on that channel is held: the channel's
// writes, under its peer's lock, are then the only ones of its record,
// and they reach the store in order. Safe for losing: until the HTLC's removal is irrevocable (our revocation,
// gated by that write) the peer must send the fulfill again after a
// reconnection or restart, and a lost PaymentSent comes back with it.
//
// saveWith, save and forget take a channel's held writes into theirs; a
// message other than an update, a disconnection and TimerTick write what
// is left (flushHeld). Its own lock; taken under a peer's lock, never the
// other way round.
type heldBook struct {
	mu     sync.Mutex
	byChan map[wire.ChannelID]*heldWrites
}

// heldWrites are the ops and events one channel holds, in order.
type heldWrites struct {
	ops []persist.Op
	evs []events.Event
}

// hold adds ops and evs to channel id's held writes.
func (b *heldBook) hold(id wire.ChannelID, ops []persist.Op, evs []events.Event) {
	b.mu.Lock()
	defer b.mu.Unlock()
	if b.byChan == nil {
		b.byChan = make(map[wire.ChannelID]*heldWrites)
	}
	h := b.byChan[id]
	if h == nil {
		h = &heldWrites{}
		b.byChan[id] = h
	}
	h.ops = append(h.ops, ops...)
	h.evs = append(h.evs, evs...)
}

// take removes and returns channel id's held writes (nil when none).
func (b *heldBook) take(id wire.ChannelID) *heldWrites {
	b.mu.Lock()
	defer b.mu.Unlock()
	h := b.byChan[id]
	delete(b.byChan, id)
	return h
}

// restore puts h back in front of what channel id held since (a write
// that was to carry it failed).
func (b *heldBook) restore(id wire.ChannelID, h *heldWrites) {
	if h == nil {
		return
	}
	b.mu.Lock()
	defer b.mu.Unlock()
	if b.byChan == nil {
		b.byChan = make(map[wire.ChannelID]*heldWrites)
	}
	if later := b.byChan[id]; later != nil {
		h.ops = append(h.ops, later.ops...)
		h.evs = append(h.evs, later.evs...)
	}
	b.byChan[id] = h
}

// channels returns the channels holding writes.
func (b *heldBook) channels() []wire.ChannelID {
	b.mu.Lock()
	defer b.mu.Unlock()
	ids := make([]wire.ChannelID, 0, len(b.byChan))
	for id := range b.byChan {
		ids = append(ids, id)
	}
	return ids
}

// withHeld returns ops and evs preceded by h's (h may be nil).
func withHeld(h *heldWrites, ops []persist.Op, evs []events.Event) ([]persist.Op, []events.Event) {
	if h == nil {
		return ops, evs
	}
	return append(append([]persist.Op(nil), h.ops...), ops...), append(append([]events.Event(nil), h.evs...), evs...)
}

// flushHeld writes every channel's held writes now, each channel's in one
// write under its peer's lock (so that they reach the store in order with
// the channel's own writes); what fails stays held.
func (m *Manager) flushHeld() {
	for _, id := range m.held.channels() {
		m.mu.Lock()
		node, known := m.ids[id]
		m.mu.Unlock()
		var p *peerState
		if known {
			p = m.lockPeer(node, false)
		}
		h := m.held.take(id)
		if h != nil {
			if err := m.cfg.Events.AppendWith(m.cfg.Context, h.ops, h.evs...); err != nil {
				m.held.restore(id, h)
				m.cfg.Logger.Error("channel: writing held payment records", "channel_id", id, "err", fmt.Errorf("%w: %w", ErrPersistence, err))
			}
		}
		if p != nil {
			p.mu.Unlock()
		}
	}
}

// isUpdate reports whether msg is an update a commitment_signed follows:
// the writes it held wait for that.
func isUpdate(msg wire.Message) bool {
	switch msg.(type) {
	case *wire.UpdateAddHTLC, *wire.UpdateFulfillHTLC, *wire.UpdateFailHTLC, *wire.UpdateFailMalformedHTLC, *wire.UpdateFee:
		return true
	}
	return false
}
