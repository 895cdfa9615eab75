package graph

import (
	"github.com/lnkit/lnkit/wire"
	"math/bits"
)

// NodeIdx is the dense index of a node: 0 ≤ NodeIdx < View.NodeSlots().
// An index stays the node's until the node is pruned; pathfinding uses it
// to index its own per-node arrays.
type NodeIdx uint32

// ChanIdx is the dense index of a channel: 0 ≤ ChanIdx < View.ChannelSlots().
type ChanIdx uint32

// PolicyFlags are the facts about one direction of a channel.
type PolicyFlags uint8

const (
	// PolicyKnown: a channel_update for this direction was received.
	PolicyKnown PolicyFlags = 1 << iota
	// PolicyDisabled: the latest update has the disable bit.
	PolicyDisabled
	// PolicyUnusable: htlc_maximum_msat is below htlc_minimum_msat or
	// above the capacity; BOLT 7 says to ignore the direction when
	// routing.
	PolicyUnusable
)

// Policy is one direction of a channel, as its latest channel_update set
// it: the fees and limits for forwarding from the channel's node
// Node[dir] to Node[1-dir]. It is 40 bytes, kept inline in Channel.
type Policy struct {
	// HTLCMinimumMsat and HTLCMaximumMsat bound one HTLC.
	HTLCMinimumMsat wire.MilliSatoshi
	HTLCMaximumMsat wire.MilliSatoshi
	// FeeBaseMsat and FeeProportionalMillionths are the forwarding fee:
	// base + amount*proportional/1e6 (BOLT 7, HTLC Fees).
	FeeBaseMsat               uint32
	FeeProportionalMillionths uint32
	// Timestamp is the update's timestamp (seconds).
	Timestamp uint32
	// CLTVExpiryDelta is the blocks the forwarding node subtracts.
	CLTVExpiryDelta uint16
	// Flags says whether the policy is known, disabled or unusable.
	Flags PolicyFlags
}

// Usable reports whether pathfinding may use this direction: known, not
// disabled, and with sane HTLC limits.
func (p *Policy) Usable() bool {
	return p.Flags&(PolicyKnown|PolicyDisabled|PolicyUnusable) == PolicyKnown
}

// Fee returns the fee for forwarding amt, as BOLT 7 computes it:
// fee_base_msat + amt*fee_proportional_millionths/1_000_000 (rounded down),
// in 128-bit arithmetic. ok is false when the fee does not fit in 64 bits
// (hostile policies can ask for that): such a hop cannot be used.
func (p *Policy) Fee(amt wire.MilliSatoshi) (fee wire.MilliSatoshi, ok bool) {
	hi, lo := bits.Mul64(uint64(amt), uint64(p.FeeProportionalMillionths))
	if hi >= 1_000_000 {
		return 0, false
	}
	q, _ := bits.Div64(hi, lo, 1_000_000)
	f := q + uint64(p.FeeBaseMsat)
	if f < q {
		return 0, false
	}
	return wire.MilliSatoshi(f), true
}

// ChannelFlags are facts about a channel as a whole.
type ChannelFlags uint8

const (
	// ChannelUnknownFeature: the announcement has an unknown even feature
	// bit, so BOLT 7 forbids routing through the channel.
	ChannelUnknownFeature ChannelFlags = 1 << iota
	// ChannelSpent: the funding output was reported spent; the channel is
	// removed once the spend is deep enough (see Graph.FundingSpent).
	ChannelSpent
)

// Channel is one announced channel. Node[0] is node_id_1 (the lesser
// key), Node[1] node_id_2; Policy[d] is the update with direction bit d,
// i.e. forwarding from Node[d] to Node[1-d].
type Channel struct {
	// SCID is the short_channel_id.
	SCID wire.ShortChannelID
	// Node are the two ends.
	Node [2]NodeIdx
	// Capacity is the funding output's value.
	Capacity wire.Satoshi
	// Policy is the two directions.
	Policy [2]Policy
	// Flags are ChannelUnknownFeature and ChannelSpent.
	Flags ChannelFlags
	live  bool
}

// Live reports whether the slot holds a channel (a removed channel's slot
// is dead until it is reused).
func (c *Channel) Live() bool { return c.live }

// NodeFlags are facts about a node.
type NodeFlags uint8

const (
	// NodeUnknownFeature: the node_announcement has an unknown even
	// feature bit: BOLT 7 forbids routing through the node.
	NodeUnknownFeature NodeFlags = 1 << iota
	// NodeAnnounced: a node_announcement was received.
	NodeAnnounced
)

// HalfEdge is one channel as seen from one of its nodes: the entry of the
// adjacency list of View.Edges. Dir is the node's own direction in the
// channel: Policy[Dir] is for forwarding from this node to Peer,
// Policy[1-Dir] from Peer to this node.
type HalfEdge struct {
	// Chan is the channel.
	Chan ChanIdx
	// Peer is the other end.
	Peer NodeIdx
	// Dir is this node's direction bit in the channel (0 for node_id_1).
	Dir uint8
}

// Node is one node of the graph.
type Node struct {
	// ID is the node's public key.
	ID wire.NodeID
	// Flags are NodeUnknownFeature and NodeAnnounced.
	Flags NodeFlags
	live  bool
}

// Live reports whether the slot holds a node.
func (n *Node) Live() bool { return n.live }

// NodeInfo is what a node_announcement says about a node, copied out of
// the graph by View.NodeInfo.
type NodeInfo struct {
	// ID is the node's key.
	ID wire.NodeID
	// Timestamp of the announcement.
	Timestamp uint32
	// Features announced.
	Features wire.FeatureVector
	// Alias and Color as announced.
	Alias wire.NodeAlias
	Color wire.RGBColor
	// Addresses as announced, of every known kind (IPv4, IPv6, Tor v3,
	// DNS); deprecated Tor v2 addresses are left out.
	Addresses []wire.NetAddress
}
