package graph

import (
	"sync"
	"time"

	"github.com/btcsuite/btcd/btcec/v2"

	"github.com/lnkit/lnkit/wire"
)

// Graph is the network graph: every announced channel with its two
// policies and every node with a channel. It is safe for concurrent use:
// writers (gossip ingest, pruning, loading) take a lock that excludes the
// readers of View.
type Graph struct {
	cfg Config

	mu sync.RWMutex
	// Hot data, read by pathfinding.
	nodes []Node
	adj   [][]HalfEdge
	chans []Channel
	// Indexes.
	nodeByID   map[wire.NodeID]NodeIdx
	chanBySCID map[uint64]ChanIdx
	freeNodes  []NodeIdx
	freeChans  []ChanIdx
	// Cold data, per slot: the signed messages (for replies, broadcast and
	// persistence), parsed node keys, rate-limit buckets, spend heights.
	ann      []*wire.ChannelAnnouncement
	upd      [][2]*wire.ChannelUpdate
	nodeAnn  []*wire.NodeAnnouncement
	nodeKey  []*btcec.PublicKey
	buckets  [][2]bucket
	spentAt  map[ChanIdx]uint32
	added    []uint32 // unix time the channel was added (0: before the first Tick or loaded)
	liveChan int
	liveNode int

	// height is the tip of the last BlockConnected; recheckAt the next
	// slot RecheckFunding looks at.
	height    uint32
	recheckAt int

	// now is the time of the last Tick; the zero time until the first.
	now time.Time

	funding *fundingChecker
	sync    *syncer
}

// New returns an empty Graph.
func New(cfg Config) (*Graph, error) {
	cfg, err := cfg.withDefaults()
	if err != nil {
		return nil, err
	}
	g := &Graph{
		cfg:        cfg,
		nodeByID:   make(map[wire.NodeID]NodeIdx),
		chanBySCID: make(map[uint64]ChanIdx),
		spentAt:    make(map[ChanIdx]uint32),
	}
	g.funding = newFundingChecker(cfg)
	g.sync = newSyncer(g)
	return g, nil
}

// Tick advances the graph's clock: staleness, rate limits, funding lookup
// budget, staggered broadcast and query backlogs all run on ticks. Call it
// every second or so with the current time; the graph reads no clock.
func (g *Graph) Tick(now time.Time) {
	g.mu.Lock()
	g.now = now
	g.mu.Unlock()
	g.funding.tick()
	g.sync.tick(now)
}

func (g *Graph) clock() time.Time {
	g.mu.RLock()
	defer g.mu.RUnlock()
	return g.now
}

// nodeFor returns the index of id, adding the node if new. Caller holds mu.
func (g *Graph) nodeFor(id wire.NodeID) NodeIdx {
	if i, ok := g.nodeByID[id]; ok {
		return i
	}
	var i NodeIdx
	if n := len(g.freeNodes); n > 0 {
		i = g.freeNodes[n-1]
		g.freeNodes = g.freeNodes[:n-1]
	} else {
		i = NodeIdx(len(g.nodes))
		g.nodes = append(g.nodes, Node{})
		g.adj = append(g.adj, nil)
		g.nodeAnn = append(g.nodeAnn, nil)
		g.nodeKey = append(g.nodeKey, nil)
	}
	g.nodes[i] = Node{ID: id, live: true}
	g.adj[i] = g.adj[i][:0]
	g.nodeAnn[i] = nil
	g.nodeKey[i] = nil
	g.nodeByID[id] = i
	g.liveNode++
	return i
}

// addChannel inserts a verified announcement. Caller holds mu and has
// checked that the scid is new.
func (g *Graph) addChannel(m *wire.ChannelAnnouncement, capacity wire.Satoshi, unknownFeature bool) ChanIdx {
	n1, n2 := g.nodeFor(m.NodeID1), g.nodeFor(m.NodeID2)
	var c ChanIdx
	if n := len(g.freeChans); n > 0 {
		c = g.freeChans[n-1]
		g.freeChans = g.freeChans[:n-1]
	} else {
		c = ChanIdx(len(g.chans))
		g.chans = append(g.chans, Channel{})
		g.ann = append(g.ann, nil)
		g.upd = append(g.upd, [2]*wire.ChannelUpdate{})
		g.buckets = append(g.buckets, [2]bucket{})
		g.added = append(g.added, 0)
	}
	ch := Channel{SCID: m.ShortChannelID, Node: [2]NodeIdx{n1, n2}, Capacity: capacity, live: true}
	if unknownFeature {
		ch.Flags |= ChannelUnknownFeature
	}
	g.chans[c] = ch
	g.ann[c] = m
	g.upd[c] = [2]*wire.ChannelUpdate{}
	g.buckets[c] = [2]bucket{}
	g.added[c] = 0
	if !g.now.IsZero() {
		g.added[c] = uint32(g.now.Unix())
	}
	g.chanBySCID[m.ShortChannelID.ToUint64()] = c
	g.adj[n1] = append(g.adj[n1], HalfEdge{Chan: c, Peer: n2, Dir: 0})
	g.adj[n2] = append(g.adj[n2], HalfEdge{Chan: c, Peer: n1, Dir: 1})
	g.liveChan++
	return c
}

// removeChannel forgets channel c and any node left without a channel.
// Caller holds mu.
func (g *Graph) removeChannel(c ChanIdx) {
	ch := &g.chans[c]
	if !ch.live {
		return
	}
	for _, n := range ch.Node {
		g.unlink(n, c)
		if len(g.adj[n]) == 0 {
			g.removeNode(n)
		}
	}
	delete(g.chanBySCID, ch.SCID.ToUint64())
	delete(g.spentAt, c)
	*ch = Channel{}
	g.ann[c] = nil
	g.upd[c] = [2]*wire.ChannelUpdate{}
	g.freeChans = append(g.freeChans, c)
	g.liveChan--
}

func (g *Graph) unlink(n NodeIdx, c ChanIdx) {
	a := g.adj[n]
	for i := range a {
		if a[i].Chan == c {
			a[i] = a[len(a)-1]
			g.adj[n] = a[:len(a)-1]
			return
		}
	}
}

func (g *Graph) removeNode(n NodeIdx) {
	delete(g.nodeByID, g.nodes[n].ID)
	g.nodes[n] = Node{}
	g.nodeAnn[n] = nil
	g.nodeKey[n] = nil
	g.freeNodes = append(g.freeNodes, n)
	g.liveNode--
}

// applyUpdate stores a verified update. Caller holds mu.
func (g *Graph) applyUpdate(c ChanIdx, m *wire.ChannelUpdate) {
	d := m.ChannelFlags.Direction()
	p := Policy{
		HTLCMinimumMsat:           m.HTLCMinimumMsat,
		HTLCMaximumMsat:           m.HTLCMaximumMsat,
		FeeBaseMsat:               m.FeeBaseMsat,
		FeeProportionalMillionths: m.FeeProportionalMillionths,
		Timestamp:                 m.Timestamp,
		CLTVExpiryDelta:           m.CLTVExpiryDelta,
		Flags:                     PolicyKnown,
	}
	if m.ChannelFlags.IsDisabled() {
		p.Flags |= PolicyDisabled
	}
	capMsat := g.chans[c].Capacity.ToMilliSatoshi()
	if m.HTLCMaximumMsat < m.HTLCMinimumMsat || (capMsat > 0 && m.HTLCMaximumMsat > capMsat) {
		p.Flags |= PolicyUnusable
	}
	g.chans[c].Policy[d] = p
	g.upd[c][d] = m
}

// applyNodeAnnouncement stores a verified node_announcement. Caller holds mu.
func (g *Graph) applyNodeAnnouncement(n NodeIdx, m *wire.NodeAnnouncement) {
	flags := NodeAnnounced
	if len(m.Features.UnknownRequiredFeatures(*g.cfg.KnownFeatures)) > 0 || m.Features.CheckRequired(*g.cfg.KnownFeatures) != nil {
		flags |= NodeUnknownFeature
	}
	g.nodes[n].Flags = flags
	g.nodeAnn[n] = m
}
