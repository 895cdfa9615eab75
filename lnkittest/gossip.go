package lnkittest

import (
	"bytes"
	"errors"
	"fmt"
	"time"

	"github.com/btcsuite/btcd/chaincfg"
	btcwire "github.com/btcsuite/btcd/wire"

	"github.com/lnkit/lnkit/chain"
	"github.com/lnkit/lnkit/router"
	"github.com/lnkit/lnkit/router/graph"
	"github.com/lnkit/lnkit/wire"
)

// DefaultMaxGossipRounds bounds SyncGossip: gossip still moving after that
// many Ticks does not settle.
const DefaultMaxGossipRounds = 100

// recheckPerBlock is how many channels a node's graph asks the chain about
// after each block (graph.RecheckFunding): every channel of a test
// network, so a closed channel is pruned graph.DefaultSpendDelay blocks
// after its funding is spent.
const recheckPerBlock = 10_000

// gossip is a node's part of the network's gossip (Options.Gossip): what
// it has broadcast of its own announcements, and its scorer as last saved.
type gossip struct {
	// sent are the timestamps of our channel_updates broadcast, by
	// short_channel_id.
	sent map[wire.ShortChannelID]uint32
	// nodeAnnounced is len(sent) when our node_announcement went out.
	nodeAnnounced int
	// saved is the scorer's encoding last written to the store.
	saved []byte
}

// openGossip builds the node's graph (on the chain's UTXOs, its time the
// Clock's), its scorer (loaded from the store: what it learnt before a
// restart) and its router. The graph starts empty at each start and is
// filled by the gossip of the peers it connects to.
func (n *Node) openGossip() error {
	g, err := graph.New(graph.Config{
		ChainHash:         *chaincfg.RegressionNetParams.GenesisHash,
		UTXOSource:        ChainUTXOSource{Chain: n.net.Chain},
		BroadcastInterval: n.net.opts.TickInterval,
	})
	if err != nil {
		return fmt.Errorf("lnkittest: node %d: graph: %w", n.Index, err)
	}
	scorer, err := router.LoadProbabilisticScorer(n.net.ctx, n.Store, router.ProbabilisticConfig{})
	if err != nil {
		return fmt.Errorf("lnkittest: node %d: scorer: %w", n.Index, err)
	}
	rt, err := router.New(router.Config{Graph: g, Scorer: scorer})
	if err != nil {
		return fmt.Errorf("lnkittest: node %d: router: %w", n.Index, err)
	}
	saved, err := scorer.MarshalBinary()
	if err != nil {
		return fmt.Errorf("lnkittest: node %d: scorer: %w", n.Index, err)
	}
	now := n.net.Clock.Now()
	g.Tick(now)
	scorer.TimePassed(now)
	n.Graph, n.Router, n.Scorer = g, rt, scorer
	n.gossip = &gossip{sent: make(map[wire.ShortChannelID]uint32), saved: saved}
	return nil
}

// gossipTick is the node's part of Network.Tick with Options.Gossip: it
// broadcasts the channel manager's new announcements and channel_updates
// (and our node_announcement with each newly announced channel), ticks
// the graph (it applies the gossip received, relays it, paces its
// answers) and the scorer, and saves the scorer when it changed.
func (n *Node) gossipTick(now time.Time) error {
	if n.gossip == nil {
		return nil
	}
	if err := n.announce(now); err != nil {
		return err
	}
	n.Graph.Tick(now)
	n.Scorer.TimePassed(now)
	b, err := n.Scorer.MarshalBinary()
	if err != nil {
		return fmt.Errorf("lnkittest: node %d: scorer: %w", n.Index, err)
	}
	if bytes.Equal(b, n.gossip.saved) {
		return nil
	}
	if err := n.Scorer.Save(n.net.ctx, n.Store); err != nil {
		return fmt.Errorf("lnkittest: node %d: %w", n.Index, err)
	}
	n.gossip.saved = b
	return nil
}

// announce broadcasts, through the graph, the announcements of our public
// channels whose channel_update is new since the last one sent (a
// channel_announcement the graph has already, from the peer, is not sent
// again), then our node_announcement when a channel was announced since
// the last one. A refusal by our own graph fails: the harness's gossip
// is ours.
func (n *Node) announce(now time.Time) error {
	if n.Channels == nil {
		return nil
	}
	ctx, g := n.net.ctx, n.gossip
	for _, a := range n.Channels.ChannelAnnouncements() {
		if a.ChannelUpdate == nil {
			continue
		}
		scid := a.ChannelAnnouncement.ShortChannelID
		if ts, ok := g.sent[scid]; ok && ts == a.ChannelUpdate.Timestamp {
			continue
		}
		if err := n.Graph.Broadcast(ctx, a.ChannelAnnouncement); err != nil && !errors.Is(err, graph.ErrDuplicate) {
			return fmt.Errorf("lnkittest: node %d: announcing channel %v: %w", n.Index, scid, err)
		}
		if err := n.Graph.Broadcast(ctx, a.ChannelUpdate); err != nil && !errors.Is(err, graph.ErrOutdated) {
			return fmt.Errorf("lnkittest: node %d: channel_update of %v: %w", n.Index, scid, err)
		}
		g.sent[scid] = a.ChannelUpdate.Timestamp
	}
	if len(g.sent) <= g.nodeAnnounced {
		return nil
	}
	id := n.ID()
	ann := &wire.NodeAnnouncement{
		Features:  n.Peer.Features(),
		Timestamp: uint32(now.Unix()),
		NodeID:    id,
		RGBColor:  wire.RGBColor{id[1], id[2], id[3]},
	}
	copy(ann.Alias[:], fmt.Sprintf("lnkittest-%d", n.Index))
	hash, err := ann.SignedDataHash()
	if err != nil {
		return fmt.Errorf("lnkittest: node %d: node_announcement: %w", n.Index, err)
	}
	if ann.Signature, err = n.Keys.SignHash(wire.Digest(hash)); err != nil {
		return fmt.Errorf("lnkittest: node %d: node_announcement: %w", n.Index, err)
	}
	if err := n.Graph.Broadcast(ctx, ann); err != nil && !errors.Is(err, graph.ErrOutdated) {
		return fmt.Errorf("lnkittest: node %d: node_announcement: %w", n.Index, err)
	}
	g.nodeAnnounced = len(g.sent)
	return nil
}

// gossipFeed is the node's graph as a chain listener: after each block it
// asks the chain about every channel it holds (within the graph's lookup
// budget, refilled by Ticks: what the budget leaves out is asked after a
// later block) and forgets those whose funding was spent
// graph.DefaultSpendDelay blocks ago. The graph starts afresh at each
// start, so it follows the chain from the tip.
type gossipFeed struct{ n *Node }

// BestBlock implements BestBlocker: a fresh graph is at the tip.
func (f gossipFeed) BestBlock() chain.BestBlock { return f.n.net.Chain.Tip() }

// BlockConnected implements chain.Listen.
func (f gossipFeed) BlockConnected(_ *btcwire.MsgBlock, height int32) {
	g := f.n.Graph
	g.BlockConnected(uint32(height))
	if _, err := g.RecheckFunding(f.n.net.ctx, recheckPerBlock); err != nil && !errors.Is(err, graph.ErrRateLimited) {
		f.n.net.t.Errorf("lnkittest: node %d: graph: funding recheck: %v", f.n.Index, err)
	}
}

// BlockDisconnected implements chain.Listen: the graph keeps its
// channels (a funding moved by a reorganisation is rechecked at the next
// block: one no longer there is forgotten).
func (gossipFeed) BlockDisconnected(*btcwire.BlockHeader, int32) {}

// SyncGossip lets the network's gossip settle (Options.Gossip): it Ticks
// (each node broadcasts its new announcements, applies the gossip it
// received, relays it) and delivers every message (DeliverAll), again and
// again until a round moves no gossip message (none sent, none received). Each round advances the
// Clock by Options.TickInterval. It fails the test when gossip still moves
// after DefaultMaxGossipRounds rounds. Events are not processed (Settle
// does).
func (n *Network) SyncGossip() {
	n.t.Helper()
	if !n.opts.Gossip {
		n.t.Fatalf("lnkittest: SyncGossip: the network has no gossip (Options.Gossip)")
	}
	for range DefaultMaxGossipRounds {
		before := n.gossipMoved()
		n.Tick()
		n.DeliverAll()
		if n.gossipMoved() == before {
			return
		}
	}
	n.t.Fatalf("lnkittest: SyncGossip: gossip still moving after %d rounds", DefaultMaxGossipRounds)
}

// gossipMoved counts the gossip messages every node's routing handler has
// sent or received so far.
func (n *Network) gossipMoved() uint64 {
	var c uint64
	for _, node := range n.nodes {
		c += node.tap.gossip
	}
	return c
}
