package peer

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

	"github.com/lnkit/lnkit/peer/noise"
	"github.com/lnkit/lnkit/wire"
)

// regtest is the chain of the test managers.
var regtest = *chaincfg.RegressionNetParams.GenesisHash

// memDesc is an in-memory Descriptor: what the Manager sends piles up in
// out until the test delivers it.
type memDesc struct {
	mu           sync.Mutex
	out          []byte
	capacity     int // max bytes held in out; 0 = unlimited
	perCall      int // max bytes accepted per SendData; 0 = unlimited
	wantSpace    bool
	disconnected bool
	paused       bool // ReadEvent on this side's manager asked to pause
	resumes      int
	sendCalls    int
}

func (d *memDesc) SendData(data []byte, resume bool) int {
	d.mu.Lock()
	defer d.mu.Unlock()
	d.sendCalls++
	if resume {
		d.resumes++
		d.paused = false
	}
	if d.disconnected {
		return 0
	}
	n := len(data)
	if d.perCall > 0 {
		n = min(n, d.perCall)
	}
	if d.capacity > 0 {
		n = min(n, d.capacity-len(d.out))
	}
	d.out = append(d.out, data[:n]...)
	if n < len(data) {
		d.wantSpace = true
	}
	return n
}

func (d *memDesc) Disconnect() {
	d.mu.Lock()
	d.disconnected = true
	d.mu.Unlock()
}

// take removes up to n bytes (all if n <= 0) of out.
func (d *memDesc) take(n int) []byte {
	d.mu.Lock()
	defer d.mu.Unlock()
	if n <= 0 || n > len(d.out) {
		n = len(d.out)
	}
	b := append([]byte(nil), d.out[:n]...)
	d.out = d.out[n:]
	return b
}

func (d *memDesc) size() int {
	d.mu.Lock()
	defer d.mu.Unlock()
	return len(d.out)
}

func (d *memDesc) isDisconnected() bool {
	d.mu.Lock()
	defer d.mu.Unlock()
	return d.disconnected
}

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
	MessageQueue
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

// testNode is a Manager with recording handlers.
type testNode struct {
	m          *Manager
	key        *noise.LocalKey
	id         wire.NodeID
	ch, rt, cu *recorder
	now        time.Time
}

func newTestNode(t testing.TB, seed byte, mod func(*Config)) *testNode {
	t.Helper()
	n := &testNode{
		key: testKey(t, seed),
		ch:  newRecorder("channel"), rt: newRecorder("routing"), cu: newRecorder("custom"),
		now: time.Date(2025, 1, 2, 3, 4, 5, 0, time.UTC),
	}
	n.id = n.key.NodeID()
	cfg := Config{
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
	m, err := New(cfg)
	require.NoError(t, err)
	n.m = m
	return n
}

// connCount returns the number of connections the manager tracks.
func (n *testNode) connCount() (byDesc, byID int) {
	n.m.mu.RLock()
	defer n.m.mu.RUnlock()
	return len(n.m.byDesc), len(n.m.byID)
}

// link is an in-memory connection between two managers: a dialed b.
type link struct {
	a, b   *testNode
	da, db *memDesc // da carries a's outgoing bytes, db b's
	chunk  int      // delivery chunk size; 0 = everything at once
	errA   error    // last ReadEvent error on a's side
	errB   error
	goneA  bool // SocketDisconnected delivered to a
	goneB  bool
}

var tcpAddr = func(s string) net.Addr { return net.TCPAddrFromAddrPort(netip.MustParseAddrPort(s)) }

func dial(t testing.TB, a, b *testNode) *link {
	t.Helper()
	l := &link{a: a, b: b, da: &memDesc{}, db: &memDesc{}}
	act1, err := a.m.NewOutboundConnection(b.id, l.da, tcpAddr("192.0.2.2:9735"))
	require.NoError(t, err)
	l.da.out = append(l.da.out, act1...)
	require.NoError(t, b.m.NewInboundConnection(l.db, tcpAddr("192.0.2.1:50000")))
	return l
}

func connect(t testing.TB, a, b *testNode) *link {
	t.Helper()
	l := dial(t, a, b)
	l.pump()
	require.NoError(t, l.errA)
	require.NoError(t, l.errB)
	_, ok := a.m.PeerByNodeID(b.id)
	require.True(t, ok, "a does not see b")
	_, ok = b.m.PeerByNodeID(a.id)
	require.True(t, ok, "b does not see a")
	return l
}

// step moves bytes and events once; it reports whether anything happened.
func (l *link) step() bool {
	progress := false
	move := func(from, to *memDesc, dst *testNode, errp *error, gone *bool) {
		to.mu.Lock()
		paused := to.paused
		to.mu.Unlock()
		if !paused && !to.isDisconnected() {
			if data := from.take(l.chunk); len(data) > 0 {
				progress = true
				pause, err := dst.m.ReadEvent(to, data)
				if err != nil {
					*errp = err
				}
				if pause {
					to.mu.Lock()
					to.paused = true
					to.mu.Unlock()
				}
			}
		}
		from.mu.Lock()
		drained, disc := len(from.out) == 0, from.disconnected
		from.mu.Unlock()
		if drained && disc && !*gone {
			*gone = true
			progress = true
			dst.m.SocketDisconnected(to)
			to.Disconnect()
		}
	}
	move(l.da, l.db, l.b, &l.errB, &l.goneB)
	move(l.db, l.da, l.a, &l.errA, &l.goneA)
	for _, side := range []struct {
		d *memDesc
		n *testNode
	}{{l.da, l.a}, {l.db, l.b}} {
		side.d.mu.Lock()
		space := side.d.wantSpace && (side.d.capacity == 0 || len(side.d.out) < side.d.capacity)
		if space {
			side.d.wantSpace = false
		}
		side.d.mu.Unlock()
		if space {
			progress = true
			_ = side.n.m.WriteBufferSpaceAvailable(side.d)
		}
	}
	before := l.da.size() + l.db.size()
	l.a.m.ProcessEvents()
	l.b.m.ProcessEvents()
	return progress || l.da.size()+l.db.size() != before
}

// pump steps until nothing moves.
func (l *link) pump() {
	for i := 0; i < 1_000_000 && l.step(); i++ {
	}
}
