package lnkittest

import (
	"github.com/btcsuite/btcd/chaincfg"
	"github.com/btcsuite/btcd/chaincfg/chainhash"

	"github.com/lnkit/lnkit/chain"
	"github.com/lnkit/lnkit/chain/wallet"
	"github.com/lnkit/lnkit/keys"
	"github.com/lnkit/lnkit/peer"
	"github.com/lnkit/lnkit/persist/persisttest"
	"github.com/lnkit/lnkit/wire"
)

// Node is one node of a Network. Its Wallet and Peer are nil while it is
// crashed.
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
	// Peer is the node's peer manager.
	Peer *peer.Manager
	// Handlers are the handlers given to Peer at the last start.
	Handlers Handlers

	net      *Network
	seed     keys.Seed
	entropy  *keys.DeterministicEntropy
	birthday chain.BestBlock
	tap      *tap
	unlisten func()
}

// ID returns the node's id.
func (n *Node) ID() wire.NodeID { return n.Keys.NodeID() }

// Running reports whether the node is up (not crashed).
func (n *Node) Running() bool { return n.Peer != nil }

// start opens the node's wallet on its store, catches it up with the
// chain, connects it to the chain and builds its peer.Manager.
func (n *Node) start() {
	t := n.net.t
	t.Helper()
	ctx := n.net.ctx
	w, err := wallet.Open(ctx, wallet.Config{
		Seed:        n.seed,
		Params:      &chaincfg.RegressionNetParams,
		Store:       n.Store,
		Birthday:    n.birthday,
		Fees:        n.net.Fees,
		Broadcaster: n.net.Chain,
		Entropy:     n.entropy,
	})
	if err != nil {
		t.Fatalf("lnkittest: node %d: open wallet: %v", n.Index, err)
	}
	if w.BestBlock() != n.net.Chain.Tip() {
		poller, err := chain.NewPoller(chain.PollerConfig{Source: n.net.Chain})
		if err != nil {
			t.Fatalf("lnkittest: node %d: poller: %v", n.Index, err)
		}
		poller.AddListener(w, w.BestBlock())
		if err := poller.PollOnce(ctx); err != nil {
			t.Fatalf("lnkittest: node %d: catch up with the chain: %v", n.Index, err)
		}
	}
	n.Wallet = w
	n.unlisten = n.net.Chain.Connect(w)

	if n.net.opts.Handlers != nil {
		n.Handlers = n.net.opts.Handlers(n)
	}
	n.tap.reset(n.Handlers)
	m, err := peer.New(peer.Config{
		NodeKey:        n.Keys,
		Entropy:        n.entropy,
		Chains:         []chainhash.Hash{*chaincfg.RegressionNetParams.GenesisHash},
		ChannelHandler: n.tap.channel(),
		CustomHandler:  n.tap.custom(),
		Now:            n.net.Clock.Now,
	})
	if err != nil {
		t.Fatalf("lnkittest: node %d: peer manager: %v", n.Index, err)
	}
	n.Peer = m
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
// only what was durable and its in-memory state (Wallet, Peer, handlers)
// is dropped. Restart brings it back.
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
	node.Wallet, node.Peer, node.Handlers, node.unlisten = nil, nil, Handlers{}, nil
	node.tap.reset(Handlers{})
	n.collect()
}

// Restart starts a crashed node again from its store: the wallet is
// reopened and caught up with the chain, Options.Handlers is called again
// and a new peer.Manager is built. It is connected to no one. Its entropy
// stream goes on where it was (a restarted node repeats no nonce).
func (n *Network) Restart(node *Node) {
	n.t.Helper()
	if node.Running() {
		n.t.Fatalf("lnkittest: Restart: node %d is running (Crash it first)", node.Index)
	}
	node.start()
}
