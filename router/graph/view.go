package graph

import (
	"slices"

	"github.com/lnkit/lnkit/wire"
)

// View is a read view of the graph for pathfinding: it holds the graph's
// read lock from Graph.View until Release, so a whole search sees one
// consistent graph and every accessor is a slice index (no map lookup, no
// allocation, no lock per edge). Writers (gossip, pruning) wait until it is
// released: keep a View for one search, not longer.
//
// A View is not safe for concurrent use by several goroutines; take one
// View per goroutine (several Views can be held at once).
type View struct {
	g *Graph
}

// View takes the read lock and returns a view; call Release when done.
func (g *Graph) View() View {
	g.mu.RLock()
	return View{g: g}
}

// Release drops the read lock. The View must not be used afterwards.
func (v View) Release() { v.g.mu.RUnlock() }

// NodeSlots is the length of the node index space: every NodeIdx is below
// it. Some slots may be dead (Node.Live false) and have no edges.
func (v View) NodeSlots() int { return len(v.g.nodes) }

// ChannelSlots is the length of the channel index space.
func (v View) ChannelSlots() int { return len(v.g.chans) }

// NumNodes is the number of live nodes.
func (v View) NumNodes() int { return v.g.liveNode }

// NumChannels is the number of live channels.
func (v View) NumChannels() int { return v.g.liveChan }

// NodeIndex returns the index of a node by key.
func (v View) NodeIndex(id wire.NodeID) (NodeIdx, bool) {
	i, ok := v.g.nodeByID[id]
	return i, ok
}

// ChannelIndex returns the index of a channel by short_channel_id.
func (v View) ChannelIndex(scid wire.ShortChannelID) (ChanIdx, bool) {
	i, ok := v.g.chanBySCID[scid.ToUint64()]
	return i, ok
}

// Node returns node n. The pointer is into the graph: read only, and only
// until Release.
func (v View) Node(n NodeIdx) *Node { return &v.g.nodes[n] }

// Edges returns the adjacency list of node n: one HalfEdge per live
// channel. The slice is the graph's own: read only, until Release.
func (v View) Edges(n NodeIdx) []HalfEdge { return v.g.adj[n] }

// Channel returns channel c (read only, until Release).
func (v View) Channel(c ChanIdx) *Channel { return &v.g.chans[c] }

// Policy returns direction d (0 or 1) of channel c: forwarding from
// Channel(c).Node[d] to Node[1-d]. For a HalfEdge e of node n,
// Policy(e.Chan, e.Dir) is the policy n charges to forward to e.Peer and
// Policy(e.Chan, 1-e.Dir) the one e.Peer charges to forward to n.
func (v View) Policy(c ChanIdx, d uint8) *Policy { return &v.g.chans[c].Policy[d] }

// NodeInfo copies out what node n's announcement says; ok is false when
// the node has not announced itself.
func (v View) NodeInfo(n NodeIdx) (NodeInfo, bool) {
	m := v.g.nodeAnn[n]
	if m == nil {
		return NodeInfo{}, false
	}
	return nodeInfo(m), true
}

// nodeInfo copies the routing-relevant content of m: addresses of known
// kinds, Tor v2 left out, and only the first DNS name (BOLT 7).
func nodeInfo(m *wire.NodeAnnouncement) NodeInfo {
	info := NodeInfo{
		ID:        m.NodeID,
		Timestamp: m.Timestamp,
		Features:  m.Features.Clone(),
		Alias:     m.Alias,
		Color:     m.RGBColor,
	}
	dns := false
	for _, a := range m.Addresses {
		switch {
		case a.Type == wire.AddressTorV2:
			continue
		case a.Type == wire.AddressDNS && dns:
			continue
		case a.Validate() != nil:
			continue
		}
		if a.Type == wire.AddressDNS {
			dns = true
		}
		info.Addresses = append(info.Addresses, wire.NetAddress{Type: a.Type, Addr: append([]byte(nil), a.Addr...), Port: a.Port})
	}
	return info
}

// forwardable reports whether a node_announcement may be relayed: BOLT 7
// forbids relaying one with more than one DNS address.
func forwardable(m *wire.NodeAnnouncement) bool {
	dns := 0
	for _, a := range m.Addresses {
		if a.Type == wire.AddressDNS {
			dns++
		}
	}
	return dns <= 1
}

// ChannelInfo is a copy of one channel's announcement facts, for callers
// outside pathfinding.
type ChannelInfo struct {
	Channel
	// NodeID are the two ends' keys (node_id_1, node_id_2).
	NodeID [2]wire.NodeID
	// BitcoinKey are the funding keys.
	BitcoinKey [2]wire.Point
	// Features of the announcement.
	Features wire.FeatureVector
}

// ChannelInfo returns a copy of the channel with this short_channel_id.
func (g *Graph) ChannelInfo(scid wire.ShortChannelID) (ChannelInfo, bool) {
	g.mu.RLock()
	defer g.mu.RUnlock()
	c, ok := g.chanBySCID[scid.ToUint64()]
	if !ok {
		return ChannelInfo{}, false
	}
	ch := g.chans[c]
	a := g.ann[c]
	return ChannelInfo{
		Channel:    ch,
		NodeID:     [2]wire.NodeID{a.NodeID1, a.NodeID2},
		BitcoinKey: [2]wire.Point{a.BitcoinKey1, a.BitcoinKey2},
		Features:   a.Features.Clone(),
	}, true
}

// Channels returns the short_channel_ids of every live channel, sorted.
func (g *Graph) Channels() []wire.ShortChannelID {
	g.mu.RLock()
	ids := make([]uint64, 0, len(g.chanBySCID))
	for id := range g.chanBySCID {
		ids = append(ids, id)
	}
	g.mu.RUnlock()
	slices.Sort(ids)
	out := make([]wire.ShortChannelID, len(ids))
	for i, id := range ids {
		out[i] = wire.NewShortChannelID(id)
	}
	return out
}

// Node returns the announcement facts of a node, if it announced itself.
func (g *Graph) Node(id wire.NodeID) (NodeInfo, bool) {
	v := g.View()
	defer v.Release()
	n, ok := v.NodeIndex(id)
	if !ok {
		return NodeInfo{}, false
	}
	return v.NodeInfo(n)
}

// Size returns the number of live nodes and channels.
func (g *Graph) Size() (nodes, channels int) {
	g.mu.RLock()
	defer g.mu.RUnlock()
	return g.liveNode, g.liveChan
}
