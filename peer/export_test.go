package peer

import (
	"net"

	"github.com/lnkit/lnkit/wire"
)

// ConnCount returns how many connections m tracks by descriptor and by
// node id, for the tests' leak checks.
func ConnCount(m *Manager) (byDesc, byID int) {
	m.mu.RLock()
	defer m.mu.RUnlock()
	return len(m.byDesc), len(m.byID)
}

// RemoteAddr is remoteAddr, for its table test.
func RemoteAddr(a net.Addr) (wire.NetAddress, bool) { return remoteAddr(a) }

// ShrinkCap is shrinkCap, for the buffer release test.
const ShrinkCap = shrinkCap

// PingState returns the ping bookkeeping of m's connection with id.
func PingState(m *Manager, id wire.NodeID) (out bool, idle, waited int) {
	c := m.lookupID(id)
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.pingOut, c.idleTicks, c.pingTicks
}

// SendBufferCap returns the capacity of m's send buffer for id (0 when
// released).
func SendBufferCap(m *Manager, id wire.NodeID) int {
	c := m.lookupID(id)
	c.mu.Lock()
	defer c.mu.Unlock()
	return cap(c.wbuf)
}

// QueueAndFlush encrypts msg for id and hands it to the descriptor, the
// steady-state send path without the handlers.
func QueueAndFlush(m *Manager, id wire.NodeID, msg wire.Message) error {
	c := m.lookupID(id)
	c.mu.Lock()
	defer c.mu.Unlock()
	if err := m.queue(c, msg); err != nil {
		return err
	}
	m.flushLocked(c)
	return nil
}

// KnownFeatures returns the features m accepts a peer to require.
func KnownFeatures(m *Manager) wire.FeatureVector { return m.known }
