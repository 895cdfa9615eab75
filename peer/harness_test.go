package peer_test

import (
	"crypto/sha256"
	"encoding/binary"
	"fmt"
	"net"
	"net/netip"
	"sync"
	"testing"
	"time"

	"github.com/btcsuite/btcd/btcec/v2"
	"github.com/btcsuite/btcd/chaincfg"
	"github.com/btcsuite/btcd/chaincfg/chainhash"
	"github.com/stretchr/testify/require"

	"github.com/lnkit/lnkit/peer"
	"github.com/lnkit/lnkit/peer/noise"
	"github.com/lnkit/lnkit/peer/peertest"
	"github.com/lnkit/lnkit/wire"
)

// regtest is the chain of the test managers.
var regtest = *chaincfg.RegressionNetParams.GenesisHash

// fixedEntropy returns its values in turn, then a counter-derived stream.
type fixedEntropy struct {
	mu   sync.Mutex
	vals [][32]byte
	n    uint64
}

func (e *fixedEntropy) GetSecureRandomBytes() [32]byte {
	e.mu.Lock()
	defer e.mu.Unlock()
	if len(e.vals) > 0 {
		v := e.vals[0]
		e.vals = e.vals[1:]
		return v
	}
	e.n++
	var b [8]byte
	binary.BigEndian.PutUint64(b[:], e.n)
	return sha256.Sum256(append([]byte("test entropy"), b[:]...))
}

// testKey returns a node key from a one-byte seed.
func testKey(t testing.TB, seed byte) *noise.LocalKey {
	t.Helper()
	var b [32]byte
	for i := range b {
		b[i] = seed
	}
	priv, _ := btcec.PrivKeyFromBytes(b[:])
	k, err := noise.NewLocalKey(priv)
	require.NoError(t, err)
	return k
}

// recorder is a handler of any kind that records what it sees.
type recorder struct {
	peer.MessageQueue
	name string

	mu         sync.Mutex
	events     []string
	msgs       []wire.Message
	from       []wire.NodeID
	inits      []*wire.Init
	connected  map[wire.NodeID]bool
	connectErr error
	handleErr  error
	order      *orderLog // shared arrival log, if set
}

// orderLog records which handler received each message, across handlers.
type orderLog struct {
	mu  sync.Mutex
	log []string
}

func (o *orderLog) add(s string) {
	o.mu.Lock()
	o.log = append(o.log, s)
	o.mu.Unlock()
}

func (o *orderLog) get() []string {
	o.mu.Lock()
	defer o.mu.Unlock()
	return append([]string(nil), o.log...)
}

func newRecorder(name string) *recorder {
	return &recorder{name: name, connected: make(map[wire.NodeID]bool)}
}

func short(id wire.NodeID) string { return id.String()[:6] }

func (r *recorder) PeerConnected(id wire.NodeID, init *wire.Init, inbound bool) error {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.connected[id] {
		panic(r.name + ": PeerConnected twice for " + short(id))
	}
	if r.connectErr != nil {
		r.events = append(r.events, "connect-failed "+short(id))
		return r.connectErr
	}
	r.connected[id] = true
	r.inits = append(r.inits, init)
	r.events = append(r.events, fmt.Sprintf("connected %s inbound=%v", short(id), inbound))
	return nil
}

func (r *recorder) PeerDisconnected(id wire.NodeID) {
	r.mu.Lock()
	defer r.mu.Unlock()
	if !r.connected[id] {
		panic(r.name + ": PeerDisconnected without PeerConnected for " + short(id))
	}
	delete(r.connected, id)
	r.events = append(r.events, "disconnected "+short(id))
}

func (r *recorder) handle(id wire.NodeID, msg wire.Message) error {
	r.mu.Lock()
	defer r.mu.Unlock()
	if !r.connected[id] {
		panic(r.name + ": message from a peer not connected")
	}
	r.msgs = append(r.msgs, msg)
	r.from = append(r.from, id)
	if r.order != nil {
		r.order.add(r.name)
	}
	return r.handleErr
}

func (r *recorder) HandleChannelMessage(id wire.NodeID, msg wire.Message) error {
	return r.handle(id, msg)
}

func (r *recorder) HandleRoutingMessage(id wire.NodeID, msg wire.Message) error {
	return r.handle(id, msg)
}

func (r *recorder) HandleCustomMessage(id wire.NodeID, msg *wire.Custom) error {
	return r.handle(id, msg)
}

func (r *recorder) Events() []string {
	r.mu.Lock()
	defer r.mu.Unlock()
	return append([]string(nil), r.events...)
}

func (r *recorder) Msgs() []wire.Message {
	r.mu.Lock()
	defer r.mu.Unlock()
	return append([]wire.Message(nil), r.msgs...)
}

// MsgsFrom returns the messages received from id.
func (r *recorder) MsgsFrom(id wire.NodeID) []wire.Message {
	r.mu.Lock()
	defer r.mu.Unlock()
	var out []wire.Message
	for i, m := range r.msgs {
		if r.from[i] == id {
			out = append(out, m)
		}
	}
	return out
}

// testNode is a peer.Manager with recording handlers.
type testNode struct {
	m          *peer.Manager
	key        *noise.LocalKey
	id         wire.NodeID
	ch, rt, cu *recorder
	now        time.Time
}

func newTestNode(t testing.TB, seed byte, mod func(*peer.Config)) *testNode {
	t.Helper()
	n := &testNode{
		key: testKey(t, seed),
		ch:  newRecorder("channel"), rt: newRecorder("routing"), cu: newRecorder("custom"),
		now: time.Date(2025, 1, 2, 3, 4, 5, 0, time.UTC),
	}
	n.id = n.key.NodeID()
	cfg := peer.Config{
		NodeKey:        n.key,
		Entropy:        &fixedEntropy{n: uint64(seed) << 32},
		Chains:         []chainhash.Hash{regtest},
		ChannelHandler: n.ch,
		RoutingHandler: n.rt,
		CustomHandler:  n.cu,
		Now:            func() time.Time { return n.now },
	}
	if mod != nil {
		mod(&cfg)
	}
	m, err := peer.New(cfg)
	require.NoError(t, err)
	n.m = m
	return n
}

// link is an in-memory connection: a dialed b.
type link = peertest.Link

var tcpAddr = func(s string) net.Addr { return net.TCPAddrFromAddrPort(netip.MustParseAddrPort(s)) }

// dial registers a connection from a to b without delivering anything.
func dial(t testing.TB, a, b *testNode) *link {
	t.Helper()
	l, err := peertest.Dial(a.m, b.m)
	require.NoError(t, err)
	return l
}

// connect dials and completes the handshake and the init exchange.
func connect(t testing.TB, a, b *testNode) *link {
	t.Helper()
	l, err := peertest.Connect(a.m, b.m)
	require.NoError(t, err)
	return l
}
