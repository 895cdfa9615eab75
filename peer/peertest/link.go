package peertest

import (
	"errors"
	"fmt"
	"net"
	"net/netip"

	"github.com/lnkit/lnkit/peer"
)

// Addresses a Link gives its two ends (RFC 5737 documentation addresses:
// public, so each Manager reports the other's in init's remote_addr).
const (
	// DialerAddr is the address B sees A, the dialer, at.
	DialerAddr = "192.0.2.1:50000"
	// ListenerAddr is the address A dials B at.
	ListenerAddr = "192.0.2.2:9735"
)

// maxSteps bounds Pump, so that two Managers that never stop talking fail
// instead of hanging the test.
const maxSteps = 1_000_000

// ErrNotConnected means Connect's handshake and init exchange did not end
// with each Manager listing the other as a peer.
var ErrNotConnected = errors.New("peertest: managers did not connect")

// Link is an in-memory connection from A (which dialed) to B. DA carries
// A's outgoing bytes to B, DB B's to A. Step and Pump deliver them by
// calling the Managers' ReadEvent, SocketDisconnected,
// WriteBufferSpaceAvailable and ProcessEvents.
type Link struct {
	// A dialed B.
	A, B *peer.Manager
	// DA is A's descriptor (what A sends), DB is B's.
	DA, DB *Descriptor
	// Chunk is how many bytes each delivery carries at most; 0 means all
	// that is pending.
	Chunk int
	// ErrA and ErrB are the last errors of ReadEvent on A's and B's side.
	ErrA, ErrB error
	// GoneA and GoneB report that SocketDisconnected was delivered to A
	// and B.
	GoneA, GoneB bool
}

// Dial registers an outbound connection from a to b and the matching
// inbound connection on b, with act one waiting in DA. Nothing is
// delivered yet: call Step or Pump.
func Dial(a, b *peer.Manager) (*Link, error) {
	l := &Link{A: a, B: b, DA: &Descriptor{}, DB: &Descriptor{}}
	act1, err := a.NewOutboundConnection(b.NodeID(), l.DA, tcpAddr(ListenerAddr))
	if err != nil {
		return nil, fmt.Errorf("peertest: dial: %w", err)
	}
	l.DA.out = append(l.DA.out, act1...)
	if err := b.NewInboundConnection(l.DB, tcpAddr(DialerAddr)); err != nil {
		return nil, fmt.Errorf("peertest: accept: %w", err)
	}
	return l, nil
}

// Connect dials and pumps until the handshake and init exchange are done.
// It fails if either side's ReadEvent failed or the Managers do not list
// each other as peers.
func Connect(a, b *peer.Manager) (*Link, error) {
	l, err := Dial(a, b)
	if err != nil {
		return nil, err
	}
	l.Pump()
	if l.ErrA != nil || l.ErrB != nil {
		return l, fmt.Errorf("%w: %w", ErrNotConnected, errors.Join(l.ErrA, l.ErrB))
	}
	if _, ok := a.PeerByNodeID(b.NodeID()); !ok {
		return l, fmt.Errorf("%w: A does not list B", ErrNotConnected)
	}
	if _, ok := b.PeerByNodeID(a.NodeID()); !ok {
		return l, fmt.Errorf("%w: B does not list A", ErrNotConnected)
	}
	return l, nil
}

// Step delivers pending bytes once in each direction (at most Chunk bytes),
// a closed socket once its bytes are delivered, and room to write; then
// runs both Managers' ProcessEvents. It reports whether anything happened.
func (l *Link) Step() bool {
	progress := l.move(l.DA, l.DB, l.B, &l.ErrB, &l.GoneB)
	progress = l.move(l.DB, l.DA, l.A, &l.ErrA, &l.GoneA) || progress
	for _, side := range []struct {
		d *Descriptor
		m *peer.Manager
	}{{l.DA, l.A}, {l.DB, l.B}} {
		if side.d.Writable() {
			progress = true
			_ = side.m.WriteBufferSpaceAvailable(side.d)
		}
	}
	before := l.DA.Len() + l.DB.Len()
	l.A.ProcessEvents()
	l.B.ProcessEvents()
	return progress || l.DA.Len()+l.DB.Len() != before
}

// move delivers from's bytes to dst (whose descriptor is to), then tells
// dst the socket closed once from is disconnected and drained.
func (l *Link) move(from, to *Descriptor, dst *peer.Manager, errp *error, gone *bool) bool {
	progress := false
	if !to.ReadPaused() && !to.Disconnected() {
		if data := from.Take(l.Chunk); len(data) > 0 {
			progress = true
			pause, err := dst.ReadEvent(to, data)
			if err != nil {
				*errp = err
			}
			if pause {
				to.PauseRead()
			}
		}
	}
	if !*gone && from.Disconnected() && from.Len() == 0 {
		*gone = true
		progress = true
		dst.SocketDisconnected(to)
		to.Disconnect()
	}
	return progress
}

// Pump steps until nothing moves (or a million steps, which means the
// Managers never go quiet).
func (l *Link) Pump() {
	for i := 0; i < maxSteps && l.Step(); i++ {
	}
}

// tcpAddr parses one of the constant addresses above.
func tcpAddr(s string) net.Addr { return net.TCPAddrFromAddrPort(netip.MustParseAddrPort(s)) }
