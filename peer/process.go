package peer

import (
	"errors"

	"github.com/lnkit/lnkit/wire"
)

// ProcessEvents collects the messages the handlers have queued (channel
// handler first, then custom, then routing), encrypts them into their
// peers' send buffers, and hands the buffers to the Descriptors. Messages
// from the RoutingMessageHandler are gossip: they wait in the peer's gossip
// queue, are dropped when it is full, and are encrypted only when the send
// buffer is nearly empty. A peer whose send buffer would exceed
// Config.MaxSendBufferBytes is disconnected.
//
// Calls are coalesced: if ProcessEvents is already running in another
// goroutine, the call returns at once and the running call makes one more
// pass, which sees whatever was queued before this call.
func (m *Manager) ProcessEvents() {
	m.procAgain.Store(true)
	for m.procMu.TryLock() {
		for m.procAgain.Swap(false) {
			m.processOnce()
		}
		m.procMu.Unlock()
		if !m.procAgain.Load() {
			return
		}
	}
}

// processOnce makes one pass over the handlers' queues. procMu is held.
func (m *Manager) processOnce() {
	out := m.cfg.ChannelHandler.PendingMessages(m.outbound[:0])
	out = m.cfg.CustomHandler.PendingMessages(out)
	gossipStart := len(out)
	out = m.cfg.RoutingHandler.PendingMessages(out)

	var drops []Descriptor
	var cur *conn
	for i := range out {
		o := &out[i]
		if cur != nil && cur.id != o.To {
			m.flushLocked(cur)
			cur.mu.Unlock()
			cur = nil
		}
		if cur == nil {
			cur = m.lookupID(o.To)
			if cur == nil {
				m.log.Debug("peer: message for a peer not connected dropped", "node_id", o.To, "type", msgType(o.Msg))
				continue
			}
			cur.mu.Lock()
			if cur.state != stateConnected {
				cur.mu.Unlock()
				cur = nil
				m.log.Debug("peer: message for a peer not connected dropped", "node_id", o.To, "type", msgType(o.Msg))
				continue
			}
		}
		if err := m.sendLocked(cur, o, i >= gossipStart); err != nil {
			m.closeLocked(cur, err, true)
			cur.mu.Unlock()
			m.forget(cur)
			drops = append(drops, cur.desc)
			cur = nil
		}
	}
	if cur != nil {
		m.flushLocked(cur)
		cur.mu.Unlock()
	}
	clear(out)
	m.outbound = out[:0]
	for _, d := range drops {
		d.Disconnect()
	}
}

// sendLocked queues one handler message on c. It returns an error only
// when c must be closed.
func (m *Manager) sendLocked(c *conn, o *Outbound, gossip bool) error {
	if o.Msg != nil {
		var err error
		if gossip {
			var queued bool
			queued, err = c.queueGossip(o.Msg, m.cfg.MaxGossipBytes)
			if err == nil && !queued {
				m.log.Debug("peer: gossip queue full, message dropped", "node_id", c.id, "type", o.Msg.Type())
			}
		} else {
			err = m.queue(c, o.Msg)
		}
		switch {
		case errors.Is(err, ErrSendBufferFull):
			return err
		case err != nil:
			m.log.Error("peer: cannot encode a handler's message, dropped", "node_id", c.id, "type", o.Msg.Type(), "err", err)
		}
	}
	if o.Disconnect {
		return ErrDisconnectRequested
	}
	return nil
}

// msgType returns m's type for logs, or 0 for nil.
func msgType(m wire.Message) wire.MessageType {
	if m == nil {
		return 0
	}
	return m.Type()
}
