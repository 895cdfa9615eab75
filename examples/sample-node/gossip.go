package main

import (
	"context"
	"fmt"
	"time"

	"github.com/lnkit/lnkit/router/graph"
	"github.com/lnkit/lnkit/wire"
)

// gossipTickInterval is the period of the network graph's Tick (staggered
// broadcast, query pacing) and of the announcement of our public channels.
const gossipTickInterval = time.Second

// openGraph builds the network graph (BOLT 7 gossip): it is the peer
// manager's routing handler, checks gossip against the chain through the
// RPC client, and relays our own announcements. It is rebuilt from the
// peers' gossip at each start.
func (n *node) openGraph() error {
	src, err := graph.NewRPCUTXOSource(n.chain)
	if err != nil {
		return fmt.Errorf("sample-node: gossip funding lookups: %w", err)
	}
	n.graph, err = graph.New(graph.Config{
		ChainHash:  *n.cfg.Params.GenesisHash,
		UTXOSource: src,
		// The staggered broadcast: our own announcements and the
		// gossip we relay go out this often (--gossip-interval; 0
		// means the graph's default of 60 s).
		BroadcastInterval: n.cfg.GossipInterval,
		Logger:            n.log.With("component", "gossip"),
	})
	if err != nil {
		return fmt.Errorf("sample-node: network graph: %w", err)
	}
	return nil
}

// gossipLoop ticks the graph and announces our public channels (the
// channel manager's signed channel_announcement and our channel_update)
// and, once we have one, our node_announcement, as ldk-sample broadcasts
// its node announcement.
func (n *node) gossipLoop(ctx context.Context) {
	t := time.NewTicker(gossipTickInterval)
	defer t.Stop()
	sent := map[wire.ShortChannelID]uint32{} // channel_update timestamps sent
	var nodeAnnounced int
	for {
		now := time.Now()
		for _, a := range n.channels.ChannelAnnouncements() {
			if a.ChannelUpdate == nil {
				continue // stamped at the next TimerTick
			}
			scid := a.ChannelAnnouncement.ShortChannelID
			if ts, ok := sent[scid]; ok && ts == a.ChannelUpdate.Timestamp {
				continue
			}
			if err := n.graph.Broadcast(ctx, a.ChannelAnnouncement, a.ChannelUpdate); err != nil {
				n.log.Warn("sample-node: announcing a channel", "scid", scid, "err", err)
				continue
			}
			sent[scid] = a.ChannelUpdate.Timestamp
			n.notice("channel_announced short_channel_id=%s", scid)
		}
		// A node_announcement is relayed only for a node with an
		// announced channel: sent once we have one, and again with each
		// new one.
		if len(sent) > nodeAnnounced {
			if err := n.announceNode(ctx, now); err != nil {
				n.log.Warn("sample-node: announcing the node", "err", err)
			} else {
				nodeAnnounced = len(sent)
			}
		}
		n.graph.Tick(now)
		n.tcp.Notify()
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
	}
}

// announceNode signs and broadcasts our node_announcement: features,
// alias, a color from the node id, and the announce addresses.
func (n *node) announceNode(ctx context.Context, now time.Time) error {
	id := n.keys.NodeID()
	ann := &wire.NodeAnnouncement{
		Features:  n.peers.Features(),
		Timestamp: uint32(now.Unix()),
		NodeID:    id,
		RGBColor:  wire.RGBColor{id[1], id[2], id[3]},
	}
	copy(ann.Alias[:], n.cfg.Alias)
	for _, s := range n.cfg.AnnounceAddrs {
		a, err := wire.ParseNetAddress(s)
		if err != nil {
			return fmt.Errorf("announce address %q: %w", s, err)
		}
		ann.Addresses = append(ann.Addresses, a)
	}
	hash, err := ann.SignedDataHash()
	if err != nil {
		return err
	}
	if ann.Signature, err = n.keys.SignHash(wire.Digest(hash)); err != nil {
		return err
	}
	return n.graph.Broadcast(ctx, ann)
}
