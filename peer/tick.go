package peer

import "github.com/lnkit/lnkit/wire"

// pingPongBytes is the num_pong_bytes of our pings. The ping itself
// carries no ignored bytes.
const pingPongBytes = 0

// TimerTick advances the Manager's clock by one tick (peer/tcp calls it
// every 10 seconds by default). On each tick the Manager:
//
//   - closes connections that have spent Config.HandshakeTimeoutTicks ticks
//     without completing the handshake and the init exchange;
//   - pings a connected peer from which no message has arrived during
//     Config.PingIntervalTicks consecutive ticks;
//   - closes a connection whose ping has gone unanswered for
//     Config.PongTimeoutTicks ticks during which nothing at all arrived
//     (BOLT 1: without failing any channel);
//   - releases send buffers that are empty after having grown large.
func (m *Manager) TimerTick() {
	var drops []Descriptor
	for _, c := range m.snapshot() {
		c.mu.Lock()
		if c.state == stateClosed {
			c.mu.Unlock()
			continue
		}
		if err := m.tickLocked(c); err != nil {
			m.closeLocked(c, err, true)
			c.mu.Unlock()
			m.forget(c)
			drops = append(drops, c.desc)
			continue
		}
		m.flushLocked(c)
		c.shrink()
		c.mu.Unlock()
	}
	for _, d := range drops {
		d.Disconnect()
	}
}

// tickLocked applies one tick to c.
func (m *Manager) tickLocked(c *conn) error {
	if c.state != stateConnected {
		c.setupTicks++
		if c.setupTicks >= m.cfg.HandshakeTimeoutTicks {
			return ErrHandshakeTimeout
		}
		return nil
	}
	recv := c.recvSinceTick
	c.recvSinceTick = false
	if c.pingOut {
		if !recv {
			c.pingTicks++
		}
		if c.pingTicks >= m.cfg.PongTimeoutTicks {
			return ErrPingTimeout
		}
		return nil
	}
	if recv {
		c.idleTicks = 0
		return nil
	}
	c.idleTicks++
	if c.idleTicks < m.cfg.PingIntervalTicks {
		return nil
	}
	c.idleTicks = 0
	if err := m.queue(c, &wire.Ping{NumPongBytes: pingPongBytes}); err != nil {
		return err
	}
	c.pingOut, c.pingTicks, c.pongLen = true, 0, pingPongBytes
	return nil
}
