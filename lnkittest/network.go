package lnkittest

import (
	"context"
	"crypto/sha256"
	"encoding/binary"
	"testing"
	"time"

	"github.com/btcsuite/btcd/btcutil"
	"github.com/btcsuite/btcd/txscript"
	btcwire "github.com/btcsuite/btcd/wire"

	"github.com/lnkit/lnkit/chain/wallet"
	"github.com/lnkit/lnkit/channel"
	"github.com/lnkit/lnkit/internal/configerr"
	"github.com/lnkit/lnkit/keys"
	"github.com/lnkit/lnkit/lnkittest/simchain"
	"github.com/lnkit/lnkit/persist/persisttest"
)

// ErrInvalidConfig is wrapped by the error NewNetwork fails the test with
// when its Options are unusable.
var ErrInvalidConfig = configerr.ErrInvalidConfig

// ConfigError is the error naming the unusable Options field.
type ConfigError = configerr.Error

const (
	// DefaultNodes is the number of nodes of a zero Options.Nodes.
	DefaultNodes = 2
	// DefaultTickInterval is how far Network.Tick advances the clock of a
	// zero Options.TickInterval.
	DefaultTickInterval = 10 * time.Second
	// DefaultMaxDeliverRounds bounds DeliverAll for a zero
	// Options.MaxDeliverRounds: a network still moving after that many
	// rounds over every link is livelocked.
	DefaultMaxDeliverRounds = 100_000
)

// Options configure a Network. The zero Options are two nodes of seed 0.
type Options struct {
	// Nodes is the number of nodes; 0 means DefaultNodes.
	Nodes int
	// Seed derives every node's seed and entropy: the same Seed gives the
	// same network.
	Seed uint64
	// Chain configures the simulated chain.
	Chain simchain.Config
	// Handlers, if set, returns the node's handlers: those of its
	// peer.Manager, and what else follows the chain and the clock (the
	// channel manager plugs in there). It is called when the node starts
	// and again at every Restart, after the node's store, wallet,
	// ChainMonitor and Events are open (not yet caught up with the chain),
	// so a handler can load its state from n.Store and use them;
	// n.Network() and n.Entropy() give it the chain, fees, clock and
	// randomness.
	Handlers func(n *Node) Handlers
	// UserConfig, if set, returns the channel policy of n's channel
	// manager (when Handlers is nil). Default: channel.DefaultUserConfig.
	UserConfig func(n *Node) channel.UserConfig
	// PaymentRouter, if set, returns the router of n's channel manager
	// (channel.Config.Router: payments over the network). Default: none,
	// or n.Router with Gossip.
	PaymentRouter func(n *Node) channel.PaymentRouter
	// PaymentScorer, if set, returns the scorer of n's channel manager
	// (channel.Config.Scorer). Default: none, or n.Scorer with Gossip.
	PaymentScorer func(n *Node) channel.PaymentScorer
	// Gossip gives every node the network's gossip and the real router:
	// a router/graph.Graph (Node.Graph) as its peer.Manager's routing
	// handler, checking channels against the simulated chain
	// (ChainUTXOSource), and over it a router.Router (Node.Router) with a
	// router.ProbabilisticScorer (Node.Scorer), its channel manager's
	// Config.Router and Config.Scorer unless PaymentRouter and
	// PaymentScorer say otherwise. Every node offers gossip_queries. See
	// the package doc, "Gossip and routing".
	Gossip bool
	// TickInterval is how far Tick advances the clock; 0 means
	// DefaultTickInterval.
	TickInterval time.Duration
	// MaxDeliverRounds bounds DeliverAll; 0 means DefaultMaxDeliverRounds.
	MaxDeliverRounds int
	// WalletGapLimit is every wallet's wallet.Config.GapLimit; 0 means
	// the wallet's default. A small one makes starting a node (and every
	// Restart) cheaper: each unit derives four keys.
	WalletGapLimit int
	// PingIntervalTicks is every node's peer.Config.PingIntervalTicks: how
	// many Ticks without a message from a peer before it is pinged (a
	// ping in flight makes DeliverOne fail: use DeliverAll); 0 means
	// peer.DefaultPingIntervalTicks.
	PingIntervalTicks int
}

// withDefaults validates o and fills in its defaults.
func (o Options) withDefaults() (Options, error) {
	for _, f := range []struct {
		name string
		v    int
	}{{"Nodes", o.Nodes}, {"TickInterval", int(o.TickInterval)}, {"MaxDeliverRounds", o.MaxDeliverRounds}, {"WalletGapLimit", o.WalletGapLimit}, {"PingIntervalTicks", o.PingIntervalTicks}} {
		if f.v < 0 {
			return o, configerr.New("lnkittest", f.name, "is negative (0 means the default)")
		}
	}
	if o.Nodes == 0 {
		o.Nodes = DefaultNodes
	}
	if o.TickInterval == 0 {
		o.TickInterval = DefaultTickInterval
	}
	if o.MaxDeliverRounds == 0 {
		o.MaxDeliverRounds = DefaultMaxDeliverRounds
	}
	return o, nil
}

// Network is N nodes on one simulated chain, pumped by the test.
type Network struct {
	t     testing.TB
	opts  Options
	ctx   context.Context
	Chain *simchain.Chain
	// Fees is the fee estimator every wallet uses; set its rates.
	Fees *simchain.FeeEstimator
	// Clock is the clock of every node, advanced by Tick.
	Clock *Clock
	nodes []*Node
	links map[pair]*link
	// payments counts the payment ids Pay and Keysend made.
	payments uint64
}

// NewNetwork builds a Network of opts.Nodes started nodes, none connected,
// on a fresh simulated chain. It fails t on a bad Options or a node that
// cannot start.
func NewNetwork(t testing.TB, opts Options) *Network {
	t.Helper()
	opts, err := opts.withDefaults()
	if err != nil {
		t.Fatalf("%v", err)
	}
	c, err := simchain.New(opts.Chain)
	if err != nil {
		t.Fatalf("lnkittest: %v", err)
	}
	n := &Network{
		t:     t,
		opts:  opts,
		ctx:   context.Background(),
		Chain: c,
		Fees:  &simchain.FeeEstimator{},
		Clock: NewClock(c.BlockTime(c.Tip().Height)),
		links: make(map[pair]*link),
	}
	for i := range opts.Nodes {
		node := &Node{
			Index:   i,
			net:     n,
			seed:    derive("lnkittest node seed", opts.Seed, i),
			entropy: keys.NewDeterministicEntropy(derive("lnkittest node entropy", opts.Seed, i)),
		}
		node.tap = &tap{node: node}
		node.Keys = keys.NewManager(node.seed, keys.Config{Entropy: node.entropy})
		node.Store = persisttest.NewCrashStore()
		node.birthday = c.Tip()
		n.nodes = append(n.nodes, node)
		node.start()
	}
	return n
}

// derive returns SHA256(tag || seed || index): a node's seed or entropy.
func derive(tag string, seed uint64, index int) [32]byte {
	b := binary.BigEndian.AppendUint64([]byte(tag), seed)
	return sha256.Sum256(binary.BigEndian.AppendUint32(b, uint32(index)))
}

// Node returns node i (0-based); it fails the test when there is none.
func (n *Network) Node(i int) *Node {
	n.t.Helper()
	if i < 0 || i >= len(n.nodes) {
		n.t.Fatalf("lnkittest: no node %d (network of %d)", i, len(n.nodes))
	}
	return n.nodes[i]
}

// Nodes returns every node, in index order.
func (n *Network) Nodes() []*Node { return append([]*Node(nil), n.nodes...) }

// Tick advances the clock by Options.TickInterval and, on every running
// node, calls its Handlers.Ticker with the clock's time, then (with
// Options.Gossip) broadcasts its new announcements and ticks its graph and
// scorer, then TimerTick on its peer.Manager (pings, timeouts). Deliver
// what they send with DeliverAll.
func (n *Network) Tick() {
	n.Clock.Advance(n.opts.TickInterval)
	now := n.Clock.Now()
	for _, node := range n.nodes {
		if !node.Running() {
			continue
		}
		if node.Handlers.Ticker != nil {
			node.Handlers.Ticker.TimerTick(now)
		}
		if err := node.gossipTick(now); err != nil {
			n.t.Fatalf("%v", err)
		}
		node.Peer.TimerTick()
	}
	n.collect()
}

// Mine mines n blocks of the mempool's transactions; every running node's
// listeners (ChainMonitor, Wallet, Handlers.Listen, in that order) see
// them before Mine returns, and the events its ChainMonitor released are
// in its Events. Mining with Chain.Mine directly does the same.
func (n *Network) Mine(blocks int) {
	n.Chain.Mine(blocks)
}

// Reorg replaces the top depth blocks of the chain by n empty ones
// (simchain.Chain.Reorg): every running node's listeners see the
// disconnections, then the new blocks, before Reorg returns. Their
// transactions go back to the mempool when still valid. It fails the test
// when depth reaches genesis.
func (n *Network) Reorg(depth, blocks int) {
	n.t.Helper()
	if _, err := n.Chain.Reorg(depth, blocks); err != nil {
		n.t.Fatalf("lnkittest: Reorg: %v", err)
	}
}

// FundWallet pays sats to a new address of node's wallet, confirmed in a
// block of its own (simchain.Fund), and returns the coin.
func (n *Network) FundWallet(node *Node, sats btcutil.Amount) btcwire.OutPoint {
	n.t.Helper()
	node.mustRun("FundWallet")
	addr, err := node.Wallet.NewAddress(n.ctx, wallet.P2WPKH)
	if err != nil {
		n.t.Fatalf("lnkittest: node %d: new address: %v", node.Index, err)
	}
	script, err := txscript.PayToAddrScript(addr)
	if err != nil {
		n.t.Fatalf("lnkittest: node %d: address script: %v", node.Index, err)
	}
	op, err := n.Chain.Fund(script, sats)
	if err != nil {
		n.t.Fatalf("lnkittest: node %d: fund: %v", node.Index, err)
	}
	return op
}
