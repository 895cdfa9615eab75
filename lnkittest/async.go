package lnkittest

import (
	"slices"

	"github.com/lnkit/lnkit/channel/monitor"
	"github.com/lnkit/lnkit/persist"
	"github.com/lnkit/lnkit/wire"
)

// MonitorUpdate names one monitor update of a node's channel that the
// node's asynchronous persistence holds (Node.AsyncMonitorUpdates).
type MonitorUpdate struct {
	// ChannelID is the channel.
	ChannelID wire.ChannelID
	// UpdateID is the update's id.
	UpdateID uint64
}

// asyncPersister is the node's monitor.Persister: the KVPersister on its
// store, answering Completed; or, while Node.AsyncMonitorUpdates is set,
// answering InProgress for every update and holding it, unwritten, until
// the test completes it.
//
// The store only ever holds a prefix of a channel's updates (a crash loses
// the unwritten ones, and a reload never meets a gap): completing an
// update writes every held update of its channel up to it, in order, and
// any other write of the channel (a synchronous update, the
// ChainMonitor's full write after a block) first writes its held ones.
// Only the completed update is reported to the ChainMonitor; the ones
// written on the way are reported when the test completes them, so
// completions are reported in the order the test chooses.
type asyncPersister struct {
	n     *Node
	inner *monitor.KVPersister
	held  []heldUpdate
}

// heldUpdate is an update answered InProgress and not reported yet.
type heldUpdate struct {
	ch      wire.ChannelID
	u       *monitor.Update
	m       *monitor.ChannelMonitor
	written bool
}

// PersistNewChannel implements monitor.Persister: a new channel's monitor
// is written at once, also in asynchronous mode.
func (p *asyncPersister) PersistNewChannel(id wire.ChannelID, m *monitor.ChannelMonitor) monitor.UpdateStatus {
	p.n.recordHolder(id, nil, m)
	return p.inner.PersistNewChannel(id, m)
}

// UpdatePersistedChannel implements monitor.Persister.
func (p *asyncPersister) UpdatePersistedChannel(id wire.ChannelID, u *monitor.Update, m *monitor.ChannelMonitor) monitor.UpdateStatus {
	if u != nil && p.n.FailMonitorUpdates {
		return monitor.Failed
	}
	if u != nil {
		p.n.recordHolder(id, u, m)
	}
	if u != nil && p.n.AsyncMonitorUpdates {
		p.held = append(p.held, heldUpdate{ch: id, u: u, m: m})
		return monitor.InProgress
	}
	if st := p.writeUpTo(id, ^uint64(0)); st != monitor.Completed {
		return st
	}
	return p.inner.UpdatePersistedChannel(id, u, m)
}

// UpdateOps implements monitor.UpdateWriter: while the node persists
// synchronously, with nothing held for the channel and no commitment to
// record, the channel manager writes the update with its channel's record
// (the KVPersister's ops).
func (p *asyncPersister) UpdateOps(id wire.ChannelID, u *monitor.Update, store persist.KVStore) ([]persist.Op, bool) {
	if p.n.AsyncMonitorUpdates || p.n.FailMonitorUpdates || p.n.RecordHolderCommitments {
		return nil, false
	}
	for _, h := range p.held {
		if h.ch == id && !h.written {
			return nil, false
		}
	}
	return p.inner.UpdateOps(id, u, store)
}

// DiscardUpdate implements monitor.UpdateWriter.
func (p *asyncPersister) DiscardUpdate(id wire.ChannelID, uid uint64) error {
	return p.inner.DiscardUpdate(id, uid)
}

// writeUpTo writes, in order, the held updates of channel id up to
// update upTo not written yet.
func (p *asyncPersister) writeUpTo(id wire.ChannelID, upTo uint64) monitor.UpdateStatus {
	for i := range p.held {
		h := &p.held[i]
		if h.ch != id || h.written || h.u.ID > upTo {
			continue
		}
		if st := p.inner.UpdatePersistedChannel(h.ch, h.u, h.m); st != monitor.Completed {
			return st
		}
		h.written = true
	}
	return monitor.Completed
}

// pending lists the held updates, in the order they were made.
func (p *asyncPersister) pending() []MonitorUpdate {
	out := make([]MonitorUpdate, 0, len(p.held))
	for _, h := range p.held {
		out = append(out, MonitorUpdate{ChannelID: h.ch, UpdateID: h.u.ID})
	}
	return out
}

// complete writes u (and the updates of its channel before it) and
// forgets it; it reports whether u was held and written.
func (p *asyncPersister) complete(u MonitorUpdate) bool {
	i := slices.IndexFunc(p.held, func(h heldUpdate) bool { return h.ch == u.ChannelID && h.u.ID == u.UpdateID })
	if i < 0 || p.writeUpTo(u.ChannelID, u.UpdateID) != monitor.Completed {
		return false
	}
	p.held = slices.Delete(p.held, i, i+1)
	return true
}

// HeldMonitorUpdates returns the monitor updates node's asynchronous
// persistence holds (answered InProgress, not completed yet), in the order
// they were made. A crash loses them (the ones not written yet are not
// durable); the channel manager hands them out again after the restart.
func (n *Node) HeldMonitorUpdates() []MonitorUpdate {
	if n.persister == nil {
		return nil
	}
	return n.persister.pending()
}

// CompleteMonitorUpdate completes one held monitor update of node, in
// whatever order the test chooses: the update is written to the store
// (with the held updates of its channel before it, so the store never
// skips one) and reported to the ChainMonitor, which reports completions
// to the channel manager in order per channel; the messages the
// completed updates gated are then pulled onto the wire. It fails the
// test when u is not held or cannot be written.
func (n *Network) CompleteMonitorUpdate(node *Node, u MonitorUpdate) {
	n.t.Helper()
	node.mustRun("CompleteMonitorUpdate")
	if !node.persister.complete(u) {
		n.t.Fatalf("lnkittest: node %d: monitor update %d of %v is not held, or its write failed", node.Index, u.UpdateID, u.ChannelID)
	}
	if err := node.ChainMonitor.ChannelMonitorUpdated(u.ChannelID, u.UpdateID); err != nil {
		n.t.Fatalf("lnkittest: node %d: %v", node.Index, err)
	}
	n.process()
}

// CompleteMonitorUpdates completes every monitor update node holds, in
// order (see CompleteMonitorUpdate).
func (n *Network) CompleteMonitorUpdates(node *Node) {
	n.t.Helper()
	for _, u := range node.HeldMonitorUpdates() {
		n.CompleteMonitorUpdate(node, u)
	}
}
