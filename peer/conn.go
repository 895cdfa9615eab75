package peer

import (
	"net"
	"sync"
	"time"

	"github.com/lnkit/lnkit/peer/noise"
	"github.com/lnkit/lnkit/wire"
)

// connState is where a connection is in its life.
type connState uint8

const (
	stateActOne    connState = iota // inbound: waiting for act one
	stateActTwo                     // outbound: waiting for act two
	stateActThree                   // inbound: waiting for act three
	stateInit                       // transport up: waiting for the peer's init
	stateConnected                  // init exchanged: handlers know the peer
	stateClosed                     // forgotten: every later event is ignored
)

// handlerSet records which handlers accepted PeerConnected.
type handlerSet uint8

const (
	handlerChannel handlerSet = 1 << iota
	handlerRouting
	handlerCustom
)

// conn is the state of one connection. Every field is guarded by mu, except
// desc, inbound and addr, which never change, and id, which is set before
// the connection is visible in Manager.byID and never changes after.
type conn struct {
	mu      sync.Mutex
	desc    Descriptor
	inbound bool
	addr    net.Addr

	state     connState
	initiator *noise.Initiator
	responder *noise.Responder
	act       [noise.ActThreeSize]byte // the act being received
	actN      int
	cipher    *noise.Cipher
	dec       *noise.Decoder
	id        wire.NodeID // known up front when outbound, after act three when inbound

	theirInit     *wire.Init
	theirFeatures wire.FeatureVector
	since         time.Time
	handlers      handlerSet

	sendBuffer

	// liveness, counted in TimerTick calls
	setupTicks    int  // ticks before reaching stateConnected
	idleTicks     int  // consecutive ticks without a received message
	recvSinceTick bool // a message arrived since the last tick
	pingOut       bool // a ping is awaiting its pong
	pingTicks     int  // ticks without any message since the ping
	pongLen       uint16
}

// actSize returns the size of the act expected in state s.
func actSize(s connState) int {
	if s == stateActThree {
		return noise.ActThreeSize
	}
	return noise.ActOneSize // == noise.ActTwoSize
}

// wipeCrypto drops the connection's handshake and cipher state.
func (c *conn) wipeCrypto() {
	c.initiator, c.responder, c.cipher, c.dec = nil, nil, nil, nil
	clear(c.act[:])
	c.actN = 0
}
