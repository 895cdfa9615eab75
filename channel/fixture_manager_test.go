package channel

import (
	"context"
	"crypto/sha256"
	"log/slog"
	"sync"
	"testing"

	"github.com/btcsuite/btcd/btcutil"
	"github.com/btcsuite/btcd/chaincfg/chainhash"
	btcwire "github.com/btcsuite/btcd/wire"
	"github.com/stretchr/testify/require"

	"github.com/lnkit/lnkit/chain"
	"github.com/lnkit/lnkit/channel/monitor"
	"github.com/lnkit/lnkit/events"
	"github.com/lnkit/lnkit/keys"
	"github.com/lnkit/lnkit/lnkittest/simchain"
	"github.com/lnkit/lnkit/persist/persisttest"
	"github.com/lnkit/lnkit/wire"
)

// The manager-level fixture: two Managers with real keys, real chain
// monitors over crash-simulating stores, durable event queues, and one
// simulated chain that validates every transaction. Messages go from one
// Manager to the other through the wire codec (deliver), blocks reach both
// Managers and both monitors as simchain mines them.
//
//	tp := newTestPair(t, testUser(3, true), testUser(3, false))
//	ch := tp.open(1_000_000, 0, 7) // A opens to B; the funding is broadcast
//	tp.mine(3)                     // mined; channel_ready both ways at minimum_depth
//	tp.a.details(t, ch.id)         // A's ChannelDetails
//	eventsOf[*events.ChannelReady](t, tp.b)
//
// tp.tamper rewrites or drops messages in flight, tp.hold and tp.catchUp
// keep a node behind the chain, tp.reconnect runs a reestablishment, and
// each node's testBroadcaster can hold its broadcasts (a funding that never
// reaches the chain).

// testNode is one node: its keys, store, event queue, chain monitor and
// Manager.
type testNode struct {
	name  string
	keys  *keys.Manager
	id    wire.NodeID
	store *persisttest.CrashStore
	queue *events.Queue
	mon   *monitor.ChainMonitor
	m     *Manager
	bcast *testBroadcaster
	// fees is the node's fee estimator.
	fees *simchain.FeeEstimator
	// events are every event the node raised, in order (drained from the
	// queue by events()).
	events []events.Event
	// unfollow stops the node following the chain (see testPair.hold).
	unfollow func()
}

// testPair is two nodes, A and B, on one chain.
type testPair struct {
	t     testing.TB
	chain *simchain.Chain
	a, b  *testNode
	// sent records every message delivered, in order.
	sent []sentMessage
	// tamper, when set, may replace (or drop, returning nil) each message
	// before it is delivered.
	tamper func(from *testNode, msg wire.Message) wire.Message
	// viaConfirm makes the nodes built from then on follow the chain as a
	// chain.Confirm behind a chain.Watcher (its Filter), not as a
	// chain.Listen.
	viaConfirm bool
	// disconnects counts the disconnections a Manager asked for.
	disconnects int
	// asyncPersist makes the nodes built from then on persist their
	// monitors through an asyncPersister (answering InProgress).
	asyncPersist bool
	// wrapPersister, when set, wraps the persister of the nodes built
	// from then on (after asyncPersist).
	wrapPersister func(name string, p monitor.Persister) monitor.Persister
}

// asyncPersister writes through a KVPersister at once but answers
// InProgress: the test reports completion when it chooses, as an
// asynchronous persister (a remote backup) would.
type asyncPersister struct{ inner *monitor.KVPersister }

func (a asyncPersister) PersistNewChannel(id wire.ChannelID, m *monitor.ChannelMonitor) monitor.UpdateStatus {
	if st := a.inner.PersistNewChannel(id, m); st != monitor.Completed {
		return st
	}
	return monitor.InProgress
}

func (a asyncPersister) UpdatePersistedChannel(id wire.ChannelID, u *monitor.Update, m *monitor.ChannelMonitor) monitor.UpdateStatus {
	if st := a.inner.UpdatePersistedChannel(id, u, m); st != monitor.Completed {
		return st
	}
	return monitor.InProgress
}

// forwardFilter is a chain.Filter whose target is set after the Manager
// that registers through it is built (the Watcher needs the Manager).
type forwardFilter struct{ w *chain.Watcher }

func (f *forwardFilter) RegisterTx(txid chainhash.Hash, pkScript []byte) {
	f.w.RegisterTx(txid, pkScript)
}

func (f *forwardFilter) RegisterOutput(out chain.WatchedOutput) { f.w.RegisterOutput(out) }

// sentMessage is one delivered message.
type sentMessage struct {
	from, to *testNode
	msg      wire.Message
	// disconnect is the Outbound's Disconnect: the sender closes the
	// connection after this message.
	disconnect bool
}

// testBroadcaster records broadcasts and passes them to the chain unless
// held (a funding transaction that never reaches the network).
type testBroadcaster struct {
	chain *simchain.Chain
	mu    sync.Mutex
	hold  bool
	txs   []*btcwire.MsgTx
}

// BroadcastTransactions implements chain.Broadcaster.
func (b *testBroadcaster) BroadcastTransactions(ctx context.Context, txs ...*btcwire.MsgTx) error {
	b.mu.Lock()
	b.txs = append(b.txs, txs...)
	hold := b.hold
	b.mu.Unlock()
	if hold {
		return nil
	}
	return b.chain.BroadcastTransactions(ctx, txs...)
}

// broadcasts returns what was broadcast so far.
func (b *testBroadcaster) broadcasts() []*btcwire.MsgTx {
	b.mu.Lock()
	defer b.mu.Unlock()
	return append([]*btcwire.MsgTx(nil), b.txs...)
}

// testUser is the policy of the fixture's nodes: the defaults with
// minimum_depth depth and announce_channel public.
func testUser(depth uint32, public bool) UserConfig {
	u := DefaultUserConfig()
	u.Handshake.MinimumDepth = depth
	u.Handshake.AnnounceChannel = public
	return u
}

// newTestPair builds nodes A and B with policies ua and ub, following one
// new chain, connected to each other.
func newTestPair(t testing.TB, ua, ub UserConfig) *testPair {
	t.Helper()
	c, err := simchain.New(simchain.Config{})
	require.NoError(t, err)
	c.Mine(1)
	tp := &testPair{t: t, chain: c}
	tp.a = tp.newNode("A", 1, ua)
	tp.b = tp.newNode("B", 2, ub)
	tp.connect()
	return tp
}

// newNode builds a node from seed byte s with policy user, following the
// chain from its tip.
func (tp *testPair) newNode(name string, s byte, user UserConfig) *testNode {
	t := tp.t
	t.Helper()
	ctx := context.Background()
	var seed keys.Seed
	seed[0] = s
	km := keys.NewManager(seed, keys.Config{Entropy: keys.NewDeterministicEntropy([32]byte{s, 1})})
	store := persisttest.NewCrashStore()
	q, err := events.Open(ctx, events.Config{Store: store, Logger: slog.New(slog.DiscardHandler)})
	require.NoError(t, err)
	pers, err := monitor.NewKVPersister(monitor.KVPersisterConfig{Store: store})
	require.NoError(t, err)
	var persister monitor.Persister = pers
	if tp.asyncPersist {
		persister = asyncPersister{pers}
	}
	if tp.wrapPersister != nil {
		persister = tp.wrapPersister(name, persister)
	}
	_, writer := persister.(monitor.UpdateWriter)
	mon, err := monitor.NewChainMonitor(monitor.ChainMonitorConfig{Persister: persister, OmitChannelClosed: true, UpdatesWithChannel: writer})
	require.NoError(t, err)
	bc := &testBroadcaster{chain: tp.chain}
	fees := &simchain.FeeEstimator{}
	var filter *forwardFilter
	var chainFilter chain.Filter
	if tp.viaConfirm {
		filter = &forwardFilter{}
		chainFilter = filter
	}
	m, err := New(Config{
		Filter:    chainFilter,
		ChainHash: testChain, Features: testFeatures(), Node: km, Signers: KeysSigners(km),
		Entropy: keys.NewDeterministicEntropy([32]byte{s, 2}), Watch: mon, Broadcaster: bc,
		Fees: fees, Store: store, Events: q, BestBlock: tp.chain.Tip(), User: user,
		Destinations: ShutdownScriptFunc(func(context.Context) ([]byte, error) { return p2wpkh(s), nil }),
	})
	require.NoError(t, err)
	n := &testNode{name: name, keys: km, id: km.NodeID(), store: store, queue: q, mon: mon, m: m, bcast: bc, fees: fees}
	if filter == nil {
		n.unfollow = tp.chain.Connect(mon, m)
		return n
	}
	w, err := chain.NewWatcher(chain.WatcherConfig{Confirm: m})
	require.NoError(t, err)
	filter.w = w
	n.unfollow = tp.chain.Connect(mon, w)
	return n
}

// connect tells each Manager the other connected, with the node's
// features in its init.
func (tp *testPair) connect() {
	tp.t.Helper()
	init := &wire.Init{Features: testFeatures()}
	require.NoError(tp.t, tp.a.m.PeerConnected(tp.b.id, init, false))
	require.NoError(tp.t, tp.b.m.PeerConnected(tp.a.id, init, true))
}

// other returns the other node of the pair.
func (tp *testPair) other(n *testNode) *testNode {
	if n == tp.a {
		return tp.b
	}
	return tp.a
}

// deliver passes the pending messages both ways, each through the wire
// codec, until neither Manager has one left.
func (tp *testPair) deliver() {
	tp.t.Helper()
	for range 100 {
		moved := false
		for _, from := range []*testNode{tp.a, tp.b} {
			to := tp.other(from)
			for _, o := range from.m.PendingMessages(nil) {
				require.Equal(tp.t, to.id, o.To, "%s sends to an unknown peer", from.name)
				moved = true
				if o.Msg == nil {
					// A disconnection alone: both sides see it.
					tp.disconnects++
					from.m.PeerDisconnected(to.id)
					to.m.PeerDisconnected(from.id)
					continue
				}
				msg := roundTrip(tp.t, o.Msg)
				if tp.tamper != nil {
					if msg = tp.tamper(from, msg); msg == nil {
						continue
					}
				}
				tp.sent = append(tp.sent, sentMessage{from: from, to: to, msg: msg, disconnect: o.Disconnect})
				require.NoError(tp.t, to.m.HandleChannelMessage(from.id, msg))
			}
		}
		if !moved {
			return
		}
	}
	tp.t.Fatal("the Managers never stop talking")
}

// roundTrip encodes and decodes msg, as the transport would.
func roundTrip(t testing.TB, msg wire.Message) wire.Message {
	t.Helper()
	b, err := wire.Encode(nil, msg)
	require.NoError(t, err, "encode %v", msg.Type())
	out, err := wire.Decode(b)
	require.NoError(t, err, "decode %v", msg.Type())
	return out
}

// sentOf returns the messages of type T from node from delivered so far.
func sentOf[T wire.Message](tp *testPair, from *testNode) []T {
	var out []T
	for _, s := range tp.sent {
		if m, ok := s.msg.(T); ok && s.from == from {
			out = append(out, m)
		}
	}
	return out
}

// drainEvents moves the node's queued events to n.events and returns the
// new ones.
func (n *testNode) drainEvents(t testing.TB) []events.Event {
	t.Helper()
	var got []events.Event
	require.NoError(t, n.queue.Process(context.Background(), events.HandlerFunc(func(_ context.Context, e events.Event) error {
		got = append(got, e)
		return nil
	})))
	n.events = append(n.events, got...)
	return got
}

// eventsOf returns the events of type T the node raised so far.
func eventsOf[T events.Event](t testing.TB, n *testNode) []T {
	t.Helper()
	n.drainEvents(t)
	var out []T
	for _, e := range n.events {
		if x, ok := e.(T); ok {
			out = append(out, x)
		}
	}
	return out
}

// testChannel is a channel the fixture opened from A to B.
type testChannel struct {
	tmp, id   wire.ChannelID
	fundingTx *btcwire.MsgTx
	// coin is the chain output the funding transaction spends.
	coin btcwire.OutPoint
}

// anyoneScript is the witness script of the fixture's coins: OP_TRUE, so
// that a test can spend a coin twice (a double spend) without keys.
var anyoneScript = []byte{0x51}

// anyonePkScript is the P2WSH output script of anyoneScript.
func anyonePkScript() []byte {
	h := sha256.Sum256(anyoneScript)
	return append([]byte{0x00, 0x20}, h[:]...)
}

// fundingFee is what the fixture's funding transactions pay in fees.
const fundingFee = 2_000

// spendCoin returns a transaction spending coin (an anyoneScript output)
// to outs.
func spendCoin(coin btcwire.OutPoint, outs ...*btcwire.TxOut) *btcwire.MsgTx {
	tx := btcwire.NewMsgTx(2)
	tx.AddTxIn(&btcwire.TxIn{PreviousOutPoint: coin, Witness: btcwire.TxWitness{anyoneScript}, Sequence: btcwire.MaxTxInSequenceNum})
	for _, o := range outs {
		tx.AddTxOut(o)
	}
	return tx
}

// open opens a channel of amount sat from A to B, pushing push, up to the
// funding broadcast: open_channel, accept_channel, FundingGenerationReady,
// a funding transaction spending a new chain coin, funding_created,
// funding_signed. The funding is in the mempool (unless A's broadcasts
// are held), not mined.
func (tp *testPair) open(amount wire.Satoshi, push wire.MilliSatoshi, userChannelID uint64) *testChannel {
	t := tp.t
	t.Helper()
	tmp, err := tp.a.m.CreateChannel(tp.b.id, amount, push, userChannelID, nil)
	require.NoError(t, err)
	tp.deliver()
	ready := eventsOf[*events.FundingGenerationReady](t, tp.a)
	require.NotEmpty(t, ready)
	ev := ready[len(ready)-1]
	require.Equal(t, tmp, ev.TemporaryChannelID)
	coin, err := tp.chain.Fund(anyonePkScript(), btcutil.Amount(amount)+fundingFee)
	require.NoError(t, err)
	tx := spendCoin(coin, btcwire.NewTxOut(int64(amount), ev.OutputScript))
	require.NoError(t, tp.a.m.FundingTransactionGenerated(tmp, tp.b.id, tx))
	tp.deliver()
	id := wire.NewChannelID(btcwire.OutPoint{Hash: tx.TxHash(), Index: 0})
	require.Len(t, eventsOf[*events.ChannelPending](t, tp.a), len(ready))
	return &testChannel{tmp: tmp, id: id, fundingTx: tx, coin: coin}
}

// mine mines n blocks (the mempool goes into the first) and delivers the
// messages they raised.
func (tp *testPair) mine(n int) {
	tp.t.Helper()
	tp.chain.Mine(n)
	tp.deliver()
}

// details returns node n's ChannelDetails of channel id.
func (n *testNode) details(t testing.TB, id wire.ChannelID) ChannelDetails {
	t.Helper()
	for _, cd := range n.m.ListChannels() {
		if cd.ChannelID == id {
			return cd
		}
	}
	t.Fatalf("%s has no channel %v", n.name, id)
	return ChannelDetails{}
}

// hasChannel reports whether node n lists channel id.
func (n *testNode) hasChannel(id wire.ChannelID) bool {
	for _, cd := range n.m.ListChannels() {
		if cd.ChannelID == id {
			return true
		}
	}
	return false
}

// hold stops node n following the chain (it falls behind).
func (tp *testPair) hold(n *testNode) { n.unfollow() }

// catchUp feeds node n the blocks it missed since hold (there must have
// been no reorganisation meanwhile) and makes it follow the chain again.
func (tp *testPair) catchUp(n *testNode) {
	tp.t.Helper()
	for h := n.m.BestBlock().Height + 1; h <= tp.chain.Tip().Height; h++ {
		b, ok := tp.chain.BlockAt(h)
		require.True(tp.t, ok)
		n.mon.BlockConnected(b, h)
		n.m.BlockConnected(b, h)
	}
	n.unfollow = tp.chain.Connect(n.mon, n.m)
	tp.deliver()
}

// reconnect disconnects A and B and connects them again, delivering the
// reestablishment.
func (tp *testPair) reconnect() {
	tp.t.Helper()
	tp.a.m.PeerDisconnected(tp.b.id)
	tp.b.m.PeerDisconnected(tp.a.id)
	tp.connect()
	tp.deliver()
}

// step delivers the messages from has pending now, once, to the other node.
func (tp *testPair) step(from *testNode) {
	tp.t.Helper()
	to := tp.other(from)
	for _, o := range from.m.PendingMessages(nil) {
		msg := roundTrip(tp.t, o.Msg)
		tp.sent = append(tp.sent, sentMessage{from: from, to: to, msg: msg, disconnect: o.Disconnect})
		require.NoError(tp.t, to.m.HandleChannelMessage(from.id, msg))
	}
}
