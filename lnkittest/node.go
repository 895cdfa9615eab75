package lnkittest

import (
	"log/slog"

	btcwire "github.com/btcsuite/btcd/wire"

	"github.com/btcsuite/btcd/chaincfg"
	"github.com/btcsuite/btcd/chaincfg/chainhash"

	"github.com/lnkit/lnkit/chain"
	"github.com/lnkit/lnkit/chain/wallet"
	"github.com/lnkit/lnkit/chain/wallet/spendable"
	"github.com/lnkit/lnkit/channel"
	"github.com/lnkit/lnkit/channel/monitor"
	"github.com/lnkit/lnkit/events"
	"github.com/lnkit/lnkit/keys"
	"github.com/lnkit/lnkit/peer"
	"github.com/lnkit/lnkit/persist/persisttest"
	"github.com/lnkit/lnkit/router"
	"github.com/lnkit/lnkit/router/graph"
	"github.com/lnkit/lnkit/wire"
)

// Node is one node of a Network. What is built on its store (Wallet,
// ChainMonitor, Events, Handlers, Peer) is nil while it is crashed and
// rebuilt from the store at Restart.
type Node struct {
	// Index is the node's position in the Network (0-based).
	Index int
	// Keys is the node's key manager.
	Keys *keys.Manager
	// Store is the node's crash-simulating store; Crash replaces it with
	// its durable content.
	Store *persisttest.CrashStore
	// Wallet is the node's on-chain wallet, following the chain.
	Wallet *wallet.Wallet
	// ChainMonitor holds the node's channel monitors (persisted by a
	// monitor.KVPersister on Store) and follows the chain; the events it
	// releases are appended to Events after each block and on every
	// pumping method.
	ChainMonitor *monitor.ChainMonitor
	// Events is the node's durable event queue (on Store). Drain it with
	// Network.Events or NextEvent.
	Events *events.Queue
	// Peer is the node's peer manager.
	Peer *peer.Manager
	// Handlers are the handlers given to Peer at the last start.
	Handlers Handlers
	// Channels is the node's channel manager (nil when Options.Handlers
	// replaces it, and while the node is crashed).
	Channels *channel.Manager
	// Graph is the node's network graph, fed by the gossip of its peers
	// (Options.Gossip; nil without, and while the node is crashed). It
	// starts empty at every start.
	Graph *graph.Graph
	// Router finds routes in Graph (Options.Gossip).
	Router *router.Router
	// Scorer is Router's scorer, which the channel manager teaches
	// (Options.Gossip). It is saved to the node's store at every Tick
	// where it changed and loaded at every start.
	Scorer *router.ProbabilisticScorer
	// EventLog lists every event ProcessEvents handled for the node, in
	// order, across restarts.
	EventLog []events.Event
	// BumpFailures are the errors of the anchor bumps ProcessEvents asked
	// the wallet for and the mempool refused.
	BumpFailures []error
	// SweepFailures are the errors of the sweeps of SpendableOutputs that
	// ProcessEvents gave up because an output was spent already (see
	// ProcessEvents).
	SweepFailures []error
	// Claims is what ProcessEvents does with a PaymentClaimable (default
	// ClaimPayments).
	Claims ClaimPolicy
	// WithholdClaims makes the node's ChainMonitor broadcast none of its
	// claims (justice, HTLC claims, our HTLC transactions): a node that
	// runs someone else's code, e.g. a cheater's whose transactions the
	// test broadcasts or mines itself.
	WithholdClaims bool
	// AsyncMonitorUpdates, while set, makes the node's monitor
	// persistence asynchronous: every monitor update (not a new channel's
	// monitor) is answered InProgress and held, unwritten, until the test
	// completes it (HeldMonitorUpdates, Network.CompleteMonitorUpdate), in
	// any order; the channel manager keeps the messages it gates until
	// then. Held updates are lost at a crash. It may be switched at any
	// time and lasts across restarts.
	AsyncMonitorUpdates bool
	// FailMonitorUpdates, while set, makes the node's monitor persistence
	// fail (a broken backup): every monitor update is answered Failed,
	// unwritten. The channel stops and goes on chain from the monitor's
	// last durable state.
	FailMonitorUpdates bool
	// RecordHolderCommitments, while set, makes the node keep each of its
	// commitments as it becomes current, signed for broadcast with its
	// HTLC transactions (HolderCommitments): the cheater's tool. Set it
	// before the channel opens to keep the first commitment.
	RecordHolderCommitments bool
	// Rewrite, while set, is applied to every channel message the node
	// sends (to is the peer) before it goes on the wire, and what it
	// returns is sent instead: a node that misbehaves on the wire (one
	// that alters a failure on its way back, say). The node itself keeps
	// what it meant to send (a retransmission is rewritten again).
	Rewrite func(to wire.NodeID, msg wire.Message) wire.Message

	net      *Network
	seed     keys.Seed
	entropy  *keys.DeterministicEntropy
	birthday chain.BestBlock
	tap      *tap
	unlisten func()
	// monitorEvents are ChainMonitor events the queue has not taken yet
	// (a failing store); resolutions are its HTLC resolutions the
	// channel manager has not taken yet.
	monitorEvents []events.Event
	resolutions   []monitor.HTLCResolution
	// persister is the ChainMonitor's persister (its held updates).
	persister *asyncPersister
	// held are the PaymentClaimable events ProcessEvents held (Claims
	// HoldPayments) that the test has not claimed or failed yet.
	held []*events.PaymentClaimable
	// holderCommitments are the recorded commitments, in order
	// (RecordHolderCommitments).
	holderCommitments []*HolderCommitment
	// withheld are the claims the ChainMonitor handed out while
	// WithholdClaims was set (WithheldClaims).
	withheld []*btcwire.MsgTx
	// pendingSweeps are the SpendableOutputs not worth their fee yet.
	pendingSweeps []*events.SpendableOutputs
	// gossip is the node's part of the network's gossip (Options.Gossip).
	gossip *gossip
}

// ID returns the node's id.
func (n *Node) ID() wire.NodeID { return n.Keys.NodeID() }

// Network returns the node's Network: its Chain (a chain.Broadcaster and
// chain.BlockSource), Fees and Clock, for Options.Handlers to build a
// handler with (the Network is not returned yet when NewNetwork starts the
// nodes).
func (n *Node) Network() *Network { return n.net }

// Entropy returns the node's entropy source, shared by everything the node
// builds (its stream goes on across restarts): give it to a handler that
// draws randomness, so the same Seed gives the same run.
func (n *Node) Entropy() keys.EntropySource { return n.entropy }

// Running reports whether the node is up (not crashed).
func (n *Node) Running() bool { return n.Peer != nil }

// start opens what the node builds on its store (events queue,
// ChainMonitor, wallet, handlers), builds its peer.Manager, then catches
// each chain listener up with the chain and connects it.
func (n *Node) start() {
	t := n.net.t
	t.Helper()
	ctx := n.net.ctx
	q, err := events.Open(ctx, events.Config{Store: n.Store, Logger: slog.New(slog.DiscardHandler)})
	if err != nil {
		t.Fatalf("lnkittest: node %d: open events: %v", n.Index, err)
	}
	cm, err := n.openChainMonitor()
	if err != nil {
		t.Fatalf("lnkittest: node %d: chain monitor: %v", n.Index, err)
	}
	w, err := wallet.Open(ctx, wallet.Config{
		Seed:        n.seed,
		Params:      &chaincfg.RegressionNetParams,
		Store:       n.Store,
		Birthday:    n.birthday,
		Fees:        n.net.Fees,
		Broadcaster: n.net.Chain,
		Entropy:     n.entropy,
		GapLimit:    n.net.opts.WalletGapLimit,
		Signers: func(keyID [32]byte) (spendable.Signer, error) {
			return n.Keys.ChannelKeys(keyID), nil
		},
	})
	if err != nil {
		t.Fatalf("lnkittest: node %d: open wallet: %v", n.Index, err)
	}
	n.Events, n.ChainMonitor, n.Wallet = q, cm, w
	if n.net.opts.Gossip {
		if err := n.openGossip(); err != nil {
			t.Fatalf("%v", err)
		}
	}

	features := peer.DefaultFeatures()
	if n.net.opts.Handlers != nil {
		n.Handlers = n.net.opts.Handlers(n)
	} else {
		n.Handlers = n.channelHandlers()
		features = channel.Features()
	}
	if n.Graph != nil {
		features.Set(wire.GossipQueriesOptional)
		if n.Handlers.Routing == nil {
			n.Handlers.Routing = n.Graph.Handler()
		}
	}
	n.tap.reset(n.Handlers)
	m, err := peer.New(peer.Config{
		NodeKey:           n.Keys,
		Entropy:           n.entropy,
		Chains:            []chainhash.Hash{*chaincfg.RegressionNetParams.GenesisHash},
		ChannelHandler:    n.tap.channel(),
		CustomHandler:     n.tap.custom(),
		RoutingHandler:    n.tap.routing(),
		Features:          features,
		Now:               n.net.Clock.Now,
		PingIntervalTicks: n.net.opts.PingIntervalTicks,
	})
	if err != nil {
		t.Fatalf("lnkittest: node %d: peer manager: %v", n.Index, err)
	}
	n.Peer = m

	var graphFeed chain.Listen
	if n.Graph != nil {
		graphFeed = gossipFeed{n}
	}
	fs := make([]follower, 0, 4)
	for _, l := range []struct {
		l   chain.Listen
		key string
	}{{monitorFeed{n}, monitorCheckpoint}, {w, ""}, {n.Handlers.Listen, listenCheckpoint}, {graphFeed, ""}} {
		if l.l == nil {
			continue
		}
		f, err := n.follower(l.l, l.key)
		if err != nil {
			t.Fatalf("%v", err)
		}
		fs = append(fs, f)
	}
	if err := n.follow(fs...); err != nil {
		t.Fatalf("%v", err)
	}
	n.drainMonitor()
}

// mustRun fails the test when n is crashed.
func (n *Node) mustRun(op string) {
	n.net.t.Helper()
	if !n.Running() {
		n.net.t.Fatalf("lnkittest: %s: node %d is crashed", op, n.Index)
	}
}

// Crash simulates a crash of node: its connections are gone (each peer
// sees its socket close), it stops following the chain, its store keeps
// only what was durable and everything built on it (Wallet, ChainMonitor,
// Events, Handlers, Peer) is dropped, with the monitor events not yet
// queued. Restart brings it back.
func (n *Network) Crash(node *Node) {
	n.t.Helper()
	node.mustRun("Crash")
	for _, p := range n.sortedPairs() {
		if p.has(node.Index) {
			n.cut(p, node)
		}
	}
	node.unlisten()
	node.Store = node.Store.Crash()
	node.Wallet, node.ChainMonitor, node.Events, node.monitorEvents, node.persister = nil, nil, nil, nil, nil
	node.resolutions = nil
	node.Peer, node.Handlers, node.unlisten, node.Channels = nil, Handlers{}, nil, nil
	node.Graph, node.Router, node.Scorer, node.gossip = nil, nil, nil, nil
	node.tap.reset(Handlers{})
	n.collect()
}

// Restart starts a crashed node again from its store: the events queue
// (with the events left unhandled), the ChainMonitor (with the stored
// monitors) and the wallet are reopened, Options.Handlers is called again,
// every chain listener is caught up with the chain from the block it had
// processed (see Handlers.Listen) and a new peer.Manager is built. It is connected to no one. Its entropy
// stream goes on where it was (a restarted node repeats no nonce).
func (n *Network) Restart(node *Node) {
	n.t.Helper()
	if node.Running() {
		n.t.Fatalf("lnkittest: Restart: node %d is running (Crash it first)", node.Index)
	}
	node.start()
}
