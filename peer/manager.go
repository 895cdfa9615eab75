package peer

import (
	"bytes"
	"fmt"
	"log/slog"
	"net"
	"reflect"
	"slices"
	"sync"
	"sync/atomic"

	"github.com/btcsuite/btcd/btcec/v2"

	"github.com/lnkit/lnkit/internal/configerr"
	"github.com/lnkit/lnkit/peer/noise"
	"github.com/lnkit/lnkit/wire"
)

// Manager runs the Lightning peer protocol over connections whose bytes the
// caller moves (see the package documentation). Create it with New. All
// methods are safe for concurrent use.
type Manager struct {
	cfg   Config
	log   *slog.Logger
	ourID wire.NodeID
	known wire.FeatureVector // features whose required bit a peer may set

	mu     sync.RWMutex // guards byDesc and byID; never held while taking a conn's mu
	byDesc map[Descriptor]*conn
	byID   map[wire.NodeID]*conn // connections past the handshake

	procMu    sync.Mutex  // held by the goroutine running ProcessEvents
	procAgain atomic.Bool // ProcessEvents was called while another call ran
	outbound  []Outbound  // ProcessEvents scratch, guarded by procMu
}

// New returns a Manager configured by cfg (see Config for the defaults).
func New(cfg Config) (*Manager, error) {
	cfg, err := cfg.withDefaults()
	if err != nil {
		return nil, err
	}
	m := &Manager{
		cfg:    cfg,
		log:    cfg.Logger,
		ourID:  cfg.NodeKey.NodeID(),
		known:  cfg.Features.Clone(),
		byDesc: make(map[Descriptor]*conn),
		byID:   make(map[wire.NodeID]*conn),
	}
	for _, f := range wire.KnownFeatures() {
		if f.Assumed {
			m.known.Set(f.Optional())
		}
	}
	return m, nil
}

// NodeID returns our node id.
func (m *Manager) NodeID() wire.NodeID { return m.ourID }

// Features returns the features we send in init.
func (m *Manager) Features() wire.FeatureVector { return m.cfg.Features.Clone() }

// NewOutboundConnection registers a connection we opened to the node
// theirID over d and starts the handshake. It returns act one, which the
// caller must send before anything else; later bytes go through
// d.SendData. remoteAddr is the address dialed (nil if unknown); a public
// IP address is sent back to the peer in init's remote_addr.
func (m *Manager) NewOutboundConnection(theirID wire.NodeID, d Descriptor, remoteAddr net.Addr) ([]byte, error) {
	if theirID == m.ourID {
		d.Disconnect()
		return nil, ErrSelfConnection
	}
	pub, err := theirID.PublicKey()
	if err != nil {
		d.Disconnect()
		return nil, fmt.Errorf("%w: %w", ErrInvalidNodeID, err)
	}
	eph, err := m.ephemeralKey()
	if err != nil {
		d.Disconnect()
		return nil, err
	}
	hs, err := noise.NewInitiator(m.cfg.NodeKey, pub, eph)
	eph.Key.Zero()
	if err != nil {
		d.Disconnect()
		return nil, fmt.Errorf("%w: %w", ErrHandshake, err)
	}
	act1, err := hs.ActOne()
	if err != nil {
		d.Disconnect()
		return nil, fmt.Errorf("%w: %w", ErrHandshake, err)
	}
	c := &conn{desc: d, addr: remoteAddr, state: stateActTwo, initiator: hs, id: theirID}
	if err := m.register(c); err != nil {
		d.Disconnect()
		return nil, err
	}
	m.log.Debug("peer: connecting", "node_id", theirID, "addr", addrString(remoteAddr))
	return act1[:], nil
}

// NewInboundConnection registers a connection a peer opened to us over d.
// Nothing is sent until the peer's act one arrives through ReadEvent.
// remoteAddr is the peer's address (nil if unknown); a public IP address is
// sent back to the peer in init's remote_addr.
func (m *Manager) NewInboundConnection(d Descriptor, remoteAddr net.Addr) error {
	eph, err := m.ephemeralKey()
	if err != nil {
		d.Disconnect()
		return err
	}
	hs, err := noise.NewResponder(m.cfg.NodeKey, eph)
	eph.Key.Zero()
	if err != nil {
		d.Disconnect()
		return fmt.Errorf("%w: %w", ErrHandshake, err)
	}
	c := &conn{desc: d, inbound: true, addr: remoteAddr, state: stateActOne, responder: hs}
	if err := m.register(c); err != nil {
		d.Disconnect()
		return err
	}
	m.log.Debug("peer: inbound connection", "addr", addrString(remoteAddr))
	return nil
}

// ephemeralKey draws a handshake's ephemeral key from the entropy source.
func (m *Manager) ephemeralKey() (*btcec.PrivateKey, error) {
	b := m.cfg.Entropy.GetSecureRandomBytes()
	var k btcec.ModNScalar
	overflow := k.SetBytes(&b)
	clear(b[:])
	if overflow != 0 || k.IsZero() {
		return nil, configerr.New("peer", "Entropy", "gave an invalid ephemeral key (zero or not below the curve order)")
	}
	return btcec.PrivKeyFromScalar(&k), nil
}

// register adds a new connection.
func (m *Manager) register(c *conn) error {
	if d := c.desc; d == nil || !reflect.TypeOf(d).Comparable() {
		return ErrInvalidDescriptor
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	if _, ok := m.byDesc[c.desc]; ok {
		return ErrDuplicateDescriptor
	}
	m.byDesc[c.desc] = c
	return nil
}

// lookup returns the connection of d, or nil.
func (m *Manager) lookup(d Descriptor) *conn {
	m.mu.RLock()
	defer m.mu.RUnlock()
	return m.byDesc[d]
}

// lookupID returns the connection past the handshake with node id, or nil.
func (m *Manager) lookupID(id wire.NodeID) *conn {
	m.mu.RLock()
	defer m.mu.RUnlock()
	return m.byID[id]
}

// forget removes a closed connection from the maps.
func (m *Manager) forget(c *conn) {
	m.mu.Lock()
	defer m.mu.Unlock()
	if m.byDesc[c.desc] == c {
		delete(m.byDesc, c.desc)
	}
	if m.byID[c.id] == c {
		delete(m.byID, c.id)
	}
}

// snapshot returns every connection.
func (m *Manager) snapshot() []*conn {
	m.mu.RLock()
	defer m.mu.RUnlock()
	out := make([]*conn, 0, len(m.byDesc))
	for _, c := range m.byDesc {
		out = append(out, c)
	}
	return out
}

// claimNodeID makes c the connection of its node id once the handshake has
// authenticated it. If another connection with that node exists, one of
// them must go. When both have the same direction the newer one stays (a
// peer that reconnects has usually lost the old connection). Otherwise the
// connection opened by the node with the smaller node id stays, so that two
// nodes that dial each other at once make the same choice. A displaced
// connection is closed here (c's lock is held; the displaced connection,
// having completed its handshake earlier, never takes another connection's
// lock, so this cannot deadlock) and its Descriptor is added to drops.
func (m *Manager) claimNodeID(c *conn, drops *[]Descriptor) error {
	if c.id == m.ourID {
		return ErrSelfConnection
	}
	m.mu.Lock()
	old := m.byID[c.id]
	if old != nil && old.inbound != c.inbound {
		// The winner is the connection opened by the smaller node id.
		weAreSmaller := bytes.Compare(m.ourID[:], c.id[:]) < 0
		newOpenedBySmaller := c.inbound != weAreSmaller
		if !newOpenedBySmaller {
			m.mu.Unlock()
			return ErrDuplicateConnection
		}
	}
	m.byID[c.id] = c
	if old != nil && m.byDesc[old.desc] == old {
		delete(m.byDesc, old.desc)
	}
	m.mu.Unlock()
	if old != nil {
		old.mu.Lock()
		m.closeLocked(old, ErrDuplicateConnection, true)
		old.mu.Unlock()
		*drops = append(*drops, old.desc)
	}
	return nil
}

// closeLocked closes c for reason: it hands what it can of the pending
// ciphertext to the Descriptor (when flush is set: a warning explaining the
// disconnection), tells the handlers, and wipes the connection's state. The
// caller then calls forget and, without locks, Descriptor.Disconnect.
func (m *Manager) closeLocked(c *conn, reason error, flush bool) {
	if c.state == stateClosed {
		return
	}
	if flush && !c.blocked && c.pending() > 0 {
		c.desc.SendData(c.wbuf[c.woff:], false)
	}
	connected := c.state == stateConnected
	c.state = stateClosed
	if c.handlers&handlerChannel != 0 {
		m.cfg.ChannelHandler.PeerDisconnected(c.id)
	}
	if c.handlers&handlerRouting != 0 {
		m.cfg.RoutingHandler.PeerDisconnected(c.id)
	}
	if c.handlers&handlerCustom != 0 {
		m.cfg.CustomHandler.PeerDisconnected(c.id)
	}
	c.handlers = 0
	c.wipeCrypto()
	c.release()
	c.theirInit = nil
	if connected {
		m.log.Info("peer: disconnected", "node_id", c.id, "addr", addrString(c.addr), "reason", reason)
	} else {
		m.log.Debug("peer: connection closed during setup", "inbound", c.inbound, "addr", addrString(c.addr), "reason", reason)
	}
}

// drop closes c (taking its lock), forgets it and disconnects its socket.
// It reports whether c was still open.
func (m *Manager) drop(c *conn, reason error) bool {
	c.mu.Lock()
	open := c.state != stateClosed
	m.closeLocked(c, reason, true)
	c.mu.Unlock()
	m.forget(c)
	if open {
		c.desc.Disconnect()
	}
	return open
}

// SocketDisconnected tells the Manager that d's socket closed. Handlers see
// PeerDisconnected if they had seen PeerConnected. It is a no-op for an
// unknown Descriptor, including one the Manager disconnected itself.
func (m *Manager) SocketDisconnected(d Descriptor) {
	c := m.lookup(d)
	if c == nil {
		return
	}
	c.mu.Lock()
	m.closeLocked(c, ErrSocketClosed, false)
	c.mu.Unlock()
	m.forget(c)
}

// DisconnectByNodeID closes the connection with node id, if any, and
// reports whether there was one. Connections still in the handshake are
// found only when outbound.
func (m *Manager) DisconnectByNodeID(id wire.NodeID) bool {
	if c := m.lookupID(id); c != nil {
		return m.drop(c, ErrDisconnectRequested)
	}
	for _, c := range m.snapshot() {
		if !c.inbound && c.id == id {
			return m.drop(c, ErrDisconnectRequested)
		}
	}
	return false
}

// DisconnectAll closes every connection.
func (m *Manager) DisconnectAll() {
	for _, c := range m.snapshot() {
		m.drop(c, ErrDisconnectRequested)
	}
}

// addrString formats an optional address for logs.
func addrString(a net.Addr) string {
	if a == nil {
		return ""
	}
	return a.String()
}

// sortConns orders connections by node id, for deterministic output.
func sortConns(cs []*conn) {
	slices.SortFunc(cs, func(a, b *conn) int { return bytes.Compare(a.id[:], b.id[:]) })
}
