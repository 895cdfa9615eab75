package peer

import (
	"net"
	"time"

	"github.com/lnkit/lnkit/wire"
)

// PeerInfo describes a connected peer: one that completed the handshake and
// the init exchange.
type PeerInfo struct {
	// NodeID is the peer's node id.
	NodeID wire.NodeID
	// Addr is the remote address given when the connection was registered
	// (nil if none was).
	Addr net.Addr
	// Inbound reports that the peer opened the connection.
	Inbound bool
	// Features are the features of the peer's init (globalfeatures and
	// features combined).
	Features wire.FeatureVector
	// ConnectedSince is when the init exchange completed (Config.Now).
	ConnectedSince time.Time
	// SendBufferBytes is how many bytes wait to be handed to the
	// Descriptor: ciphertext plus queued gossip.
	SendBufferBytes int
	// GossipDropped counts the gossip messages dropped because the peer's
	// gossip queue was full.
	GossipDropped uint64
}

// Peers returns the connected peers, ordered by node id.
func (m *Manager) Peers() []PeerInfo {
	m.mu.RLock()
	cs := make([]*conn, 0, len(m.byID))
	for _, c := range m.byID {
		cs = append(cs, c)
	}
	m.mu.RUnlock()
	sortConns(cs)
	out := make([]PeerInfo, 0, len(cs))
	for _, c := range cs {
		if info, ok := c.info(); ok {
			out = append(out, info)
		}
	}
	return out
}

// PeerByNodeID returns the connected peer with node id, if any.
func (m *Manager) PeerByNodeID(id wire.NodeID) (PeerInfo, bool) {
	c := m.lookupID(id)
	if c == nil {
		return PeerInfo{}, false
	}
	return c.info()
}

// info returns c's PeerInfo if it is connected.
func (c *conn) info() (PeerInfo, bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.state != stateConnected {
		return PeerInfo{}, false
	}
	return PeerInfo{
		NodeID:          c.id,
		Addr:            c.addr,
		Inbound:         c.inbound,
		Features:        c.theirFeatures.Clone(),
		ConnectedSince:  c.since,
		SendBufferBytes: c.pending() + c.gossipPending(),
		GossipDropped:   c.gossipDropped,
	}, true
}
