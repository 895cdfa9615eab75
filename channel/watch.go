package channel

import (
	"errors"
	"fmt"

	"github.com/lnkit/lnkit/channel/monitor"
	"github.com/lnkit/lnkit/events"
	"github.com/lnkit/lnkit/peer"
	"github.com/lnkit/lnkit/persist"
	"github.com/lnkit/lnkit/wire"
)

// newMonitor builds the first monitor of a funded channel.
func newMonitor(d *chanData) (*monitor.ChannelMonitor, error) {
	holder, cp := cloneState(d.cc.holder), cloneState(d.cc.theirs)
	return monitor.New(monitor.Config{
		Params:            d.params,
		ChannelKeyID:      d.keyID,
		FirstHolder:       &monitor.NewHolderCommitment{State: &holder, CounterpartySig: d.cc.holderSigs.Commitment},
		FirstCounterparty: &monitor.NewCounterpartyCommitment{State: &cp},
	})
}

// watchNew hands a newly funded channel's monitor to Watch (update id 0)
// and reports whether the channel goes on; on Failed it is stopped.
func (m *Manager) watchNew(p *peerState, e *entry, d *chanData) bool {
	mon, err := newMonitor(d)
	if err != nil {
		m.failChannel(p, e, fmt.Errorf("channel: monitor: %w", err))
		return false
	}
	m.registerID(d.id, p.id)
	m.registerWatch(d)
	return m.monitorStatus(p, e, d, 0, m.cfg.Watch.WatchChannel(d.id, mon))
}

// updateMonitor makes the channel's next monitor update of steps: it saves
// the channel's record holding the update (with evs) first, so a crash
// never leaves the monitor ahead of the Manager, then hands the update to
// Watch (ops are written in the same batch). When Watch can hand out the
// update's write (updateWriter), the update is written in that same batch
// and applied after: one durable write instead of two, and still never
// the monitor ahead. It returns the update's id
// and whether the channel goes on; messages that depend on the update are
// queued with sendAfter(id, ...).
func (m *Manager) updateMonitor(p *peerState, e *entry, d *chanData, evs []events.Event, ops []persist.Op, steps ...monitor.Step) (uint64, bool) {
	d.mon.latest++
	u := &monitor.Update{ID: d.mon.latest, Steps: steps}
	d.mon.pending = append(d.mon.pending, u)
	// A Watch whose persister writes to our store hands us the update's
	// write: the channel's record and the update go in one durable write,
	// and the monitor applies it after.
	uw, combined := m.cfg.Watch.(updateWriter)
	if combined {
		var mops []persist.Op
		if mops, combined = uw.UpdateOps(d.id, u, m.cfg.Events.Store()); combined {
			ops = append(append([]persist.Op(nil), ops...), mops...)
		}
	}
	if err := m.saveWith(d, ops, evs...); err != nil {
		d.mon.latest--
		d.mon.pending = d.mon.pending[:len(d.mon.pending)-1]
		if errors.Is(err, ErrPersistence) && m.reloadChannel(p, e, d) {
			return 0, false
		}
		m.failChannel(p, e, err)
		return 0, false
	}
	var st monitor.UpdateStatus
	if combined {
		st = uw.UpdateChannelPersisted(d.id, u)
	} else {
		st = m.cfg.Watch.UpdateChannel(d.id, u)
	}
	if st == monitor.Failed && len(steps) > 1 {
		// The monitor takes an update whole or not at all: its first
		// step (our new commitment, the peer's revocation secret, a
		// preimage) is offered alone before the channel stops, so that
		// what a commitment_signed riding with it broke does not take
		// it down too.
		if again := m.cfg.Watch.UpdateChannel(d.id, &monitor.Update{ID: u.ID, Steps: steps[:1]}); again == monitor.Failed {
			m.cfg.Logger.Error("channel: monitor refused the update's first step too", "channel_id", d.id, "update_id", u.ID)
		}
	}
	return u.ID, m.monitorStatus(p, e, d, u.ID, st)
}

// updateWriter is a Watch that can hand the write of an update to the
// Manager, to go with the channel's record (monitor.ChainMonitor over an
// UpdateWriter persister on the same store).
type updateWriter interface {
	// UpdateOps returns the ops that persist u when written to store, or
	// false (then UpdateChannel).
	UpdateOps(id wire.ChannelID, u *monitor.Update, store persist.KVStore) ([]persist.Op, bool)
	// UpdateChannelPersisted applies u, made durable with those ops.
	UpdateChannelPersisted(id wire.ChannelID, u *monitor.Update) monitor.UpdateStatus
}

// reloadChannel undoes, after our store refused a write, what the
// message being handled changed in channel e: its data goes back to the
// last durable record (the monitor has nothing newer: the record is
// written first), its queued messages are dropped and the peer is
// disconnected, so that the reconnection re-establishes the channel from
// what is durable. The store is not the peer's fault: the channel is
// kept. It reports false when even the record cannot be read back.
func (m *Manager) reloadChannel(p *peerState, e *entry, d *chanData) bool {
	b, err := m.cfg.Store.Read(m.cfg.Context, channelsNS(), channelKey(d.id))
	if err != nil {
		return false
	}
	fresh, err := decodeChanData(b, m.cfg.Signers)
	if err != nil {
		return false
	}
	fresh.takeUnsent()
	if d.mon.completedAll {
		fresh.mon.early = d.mon.early
		fresh.mon.complete(d.mon.completed)
	}
	switch ph := e.phase.(type) {
	case *funded:
		ph.d = fresh
	case *closing:
		ph.d = fresh
	default:
		return false
	}
	e.out.dropMessages()
	m.cfg.Logger.Error("channel: store write failed: channel reloaded from its last record, disconnecting the peer",
		"node_id", p.id, "channel_id", d.id)
	p.out = append(p.out, peer.Outbound{To: p.id, Disconnect: true})
	return true
}

// monitorStatus acts on Watch's answer for update id.
func (m *Manager) monitorStatus(p *peerState, e *entry, d *chanData, id uint64, st monitor.UpdateStatus) bool {
	switch st {
	case monitor.Completed:
		d.mon.completeOne(id)
		return true
	case monitor.InProgress:
		return true
	default:
		d.mon.failed = true
		m.cfg.Logger.Error("channel: monitor persistence failed: channel stopped", "channel_id", d.id, "update_id", id)
		m.failChannel(p, e, fmt.Errorf("%w: update %d of %v", ErrMonitorUpdateFailed, id, d.id))
		return false
	}
}

// complete records that every update up to id is durable (what
// ChainMonitor's completions and a loaded monitor say).
func (u *updates) complete(id uint64) {
	if !u.completedAll || id > u.completed {
		u.completedAll, u.completed = true, id
	}
	n := 0
	for _, x := range u.pending {
		if x.ID > u.completed {
			u.pending[n] = x
			n++
		}
	}
	u.pending = u.pending[:n]
	// Updates answered Completed earlier, out of order, extend the run.
	for next := u.completed + 1; u.early[next]; next++ {
		delete(u.early, next)
		u.complete(next)
		return
	}
	for x := range u.early {
		if x <= u.completed {
			delete(u.early, x)
		}
	}
}

// completeOne records that update id alone is durable: Watch answered
// Completed for it, which says nothing of earlier updates still in
// progress. The gates open only over the contiguous run from the monitor's
// creation, so a message never leaves before every update before its own
// is durable.
func (u *updates) completeOne(id uint64) {
	if u.durable(id) {
		return
	}
	next := uint64(0)
	if u.completedAll {
		next = u.completed + 1
	}
	if id != next {
		if u.early == nil {
			u.early = make(map[uint64]bool)
		}
		u.early[id] = true
		return
	}
	u.complete(id)
}

// MonitorUpdateCompleted tells the Manager that the channel's monitor
// updates up to updateID are durable (a Persister that answered
// InProgress; monitor.ChainMonitor.ReleaseCompletedUpdates lists them):
// the messages and broadcasts they gate are released.
func (m *Manager) MonitorUpdateCompleted(id wire.ChannelID, updateID uint64) {
	m.mu.Lock()
	node, ok := m.ids[id]
	m.mu.Unlock()
	if !ok {
		return
	}
	p := m.lockPeer(node, false)
	if p == nil {
		return // the channel ended meanwhile
	}
	if e := p.byID[id]; e != nil {
		if d := e.data(); d != nil && !d.mon.failed && updateID <= d.mon.latest {
			d.mon.complete(updateID)
		}
	}
	p.mu.Unlock()
	m.processForwards()
	m.flush()
}
