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
	"github.com/lnkit/lnkit/internal/configerr"
	"github.com/lnkit/lnkit/keys"
	"github.com/lnkit/lnkit/lnkittest/simchain"
	"github.com/lnkit/lnkit/peer"
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

// Handlers are the message handlers of one node's peer.Manager. A nil
// handler is peer.IgnoringMessageHandler.
type Handlers struct {
	// Channel receives the channel messages (the channel manager).
	Channel peer.ChannelMessageHandler
	// Custom receives the custom messages (types 32768 and up).
	Custom peer.CustomMessageHandler
}

// Options configure a Network. The zero Options are two nodes of seed 0.
type Options struct {
	// Nodes is the number of nodes; 0 means DefaultNodes.
	Nodes int
	// Seed derives every node's seed and entropy: the same Seed gives the
	// same network.
	Seed uint64
	// Chain configures the simulated chain.
	Chain simchain.Config
	// Handlers, if set, returns the handlers of n's peer.Manager. It is
	// called when the node starts and again at every Restart, after the
	// node's store and wallet are open, so a handler can load its state
	// from n.Store.
	Handlers func(n *Node) Handlers
	// TickInterval is how far Tick advances the clock; 0 means
	// DefaultTickInterval.
	TickInterval time.Duration
	// MaxDeliverRounds bounds DeliverAll; 0 means DefaultMaxDeliverRounds.
	MaxDeliverRounds int
}

// withDefaults validates o and fills in its defaults.
func (o Options) withDefaults() (Options, error) {
	for _, f := range []struct {
		name string
		v    int
	}{{"Nodes", o.Nodes}, {"TickInterval", int(o.TickInterval)}, {"MaxDeliverRounds", o.MaxDeliverRounds}} {
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
			tap:     &tap{},
		}
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

// Tick advances the clock by Options.TickInterval and calls TimerTick on
// every running node's peer.Manager (pings, timeouts). Deliver what it
// sends with DeliverAll.
func (n *Network) Tick() {
	n.Clock.Advance(n.opts.TickInterval)
	for _, node := range n.nodes {
		if node.Peer != nil {
			node.Peer.TimerTick()
		}
	}
	n.collect()
}

// Mine mines n blocks of the mempool's transactions; every running node's
// listeners see them before Mine returns.
func (n *Network) Mine(blocks int) {
	n.Chain.Mine(blocks)
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
