package graph_test

import (
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/lnkit/lnkit/peer"
	"github.com/lnkit/lnkit/router/graph"
	"github.com/lnkit/lnkit/router/graph/graphtest"
	"github.com/lnkit/lnkit/wire"
)

func byPeer(out []peer.Outbound) map[wire.NodeID][]wire.MessageType {
	m := make(map[wire.NodeID][]wire.MessageType)
	for _, o := range out {
		m[o.To] = append(m[o.To], o.Msg.Type())
	}
	return m
}

// TestStaggeredBroadcast: relayed gossip waits for the broadcast tick,
// goes only to peers whose filter matches and never back to its origin,
// a channel_announcement goes before its update and node announcements
// last, and a newer update replaces an older one in the same period.
func TestStaggeredBroadcast(t *testing.T) {
	n, g := small(t, graph.Config{BroadcastInterval: time.Minute})
	h := g.Handler()
	origin, wants, silent := wire.NodeID{2, 1}, wire.NodeID{2, 2}, wire.NodeID{2, 3}
	for _, id := range []wire.NodeID{origin, wants, silent} {
		require.NoError(t, h.PeerConnected(id, queriesInit(), true))
	}
	all := &wire.GossipTimestampFilter{ChainHash: n.ChainHash, TimestampRange: 0xFFFFFFFF}
	require.NoError(t, h.HandleRoutingMessage(origin, all))
	require.NoError(t, h.HandleRoutingMessage(wants, all))
	t0 := graphtest.BaseTime()
	g.Tick(t0) // the first tick flushes (nothing yet)
	h.PendingMessages(nil)

	older := n.Update(0, 0, true)
	newer := n.Update(0, 0, false)
	newer.Timestamp++
	hh, _ := newer.SignedDataHash()
	newer.Signature = signWith(n.Keys[n.Channels[0].Node[0]], hh)
	for _, m := range []wire.Message{n.NodeAnnouncement(n.Channels[0].Node[0], false), n.Announcement(0, true), older, newer} {
		require.NoError(t, h.HandleRoutingMessage(origin, m))
	}
	g.Tick(t0.Add(time.Second))
	require.Empty(t, byPeer(h.PendingMessages(nil)), "nothing before the broadcast tick")

	g.Tick(t0.Add(time.Minute))
	got := byPeer(h.PendingMessages(nil))
	// the node announcement came before its channel and was refused; the
	// rest: announcement, then only the newer update.
	require.Equal(t, []wire.MessageType{wire.MsgChannelAnnouncement, wire.MsgChannelUpdate}, got[wants])
	require.Empty(t, got[origin])
	require.Empty(t, got[silent])

	require.NoError(t, h.HandleRoutingMessage(origin, n.NodeAnnouncement(n.Channels[0].Node[0], true)))
	upd := n.Update(0, 1, true)
	require.NoError(t, h.HandleRoutingMessage(origin, upd))
	g.Tick(t0.Add(2 * time.Minute))
	got = byPeer(h.PendingMessages(nil))
	require.Equal(t, []wire.MessageType{wire.MsgChannelUpdate, wire.MsgNodeAnnouncement}, got[wants])
	info, _ := g.ChannelInfo(newer.ShortChannelID)
	require.Equal(t, newer.Timestamp, info.Policy[0].Timestamp)
}

// TestUpdateBeforeAnnouncement: an update that comes before its channel's
// announcement is parked (boundedly) and applied when the announcement
// arrives.
func TestUpdateBeforeAnnouncement(t *testing.T) {
	n, g := small(t, graph.Config{MaxPendingUpdates: 1})
	h := g.Handler()
	id := wire.NodeID{2, 7}
	require.NoError(t, h.PeerConnected(id, queriesInit(), true))
	require.NoError(t, h.HandleRoutingMessage(id, n.Update(0, 1, true)))
	require.NoError(t, h.HandleRoutingMessage(id, n.Update(1, 1, true))) // set full: dropped
	g.Tick(graphtest.BaseTime())
	require.NoError(t, h.HandleRoutingMessage(id, n.Announcement(0, true)))
	require.NoError(t, h.HandleRoutingMessage(id, n.Announcement(1, true)))
	g.Tick(graphtest.BaseTime())
	info, ok := g.ChannelInfo(n.Channels[0].SCID)
	require.True(t, ok)
	require.Equal(t, n.Channels[0].Policy[1], info.Policy[1])
	info, ok = g.ChannelInfo(n.Channels[1].SCID)
	require.True(t, ok)
	require.Zero(t, info.Policy[1].Flags&graph.PolicyKnown)
}

// TestParkedUpdatesExpire: an update parked for a channel whose
// announcement never comes is forgotten after ten minutes, freeing the
// bounded set for others.
func TestParkedUpdatesExpire(t *testing.T) {
	n, g := small(t, graph.Config{MaxPendingUpdates: 1})
	h := g.Handler()
	id := wire.NodeID{2, 7}
	require.NoError(t, h.PeerConnected(id, queriesInit(), true))
	g.Tick(graphtest.BaseTime())
	require.NoError(t, h.HandleRoutingMessage(id, n.Update(0, 1, true)))
	g.Tick(graphtest.BaseTime().Add(11 * time.Minute)) // parked update expires
	require.NoError(t, h.HandleRoutingMessage(id, n.Update(1, 1, true)))
	g.Tick(graphtest.BaseTime().Add(11 * time.Minute))
	require.NoError(t, h.HandleRoutingMessage(id, n.Announcement(0, true)))
	require.NoError(t, h.HandleRoutingMessage(id, n.Announcement(1, true)))
	g.Tick(graphtest.BaseTime().Add(11 * time.Minute))
	info, ok := g.ChannelInfo(n.Channels[0].SCID)
	require.True(t, ok)
	require.Zero(t, info.Policy[1].Flags&graph.PolicyKnown, "the expired update was forgotten")
	info, ok = g.ChannelInfo(n.Channels[1].SCID)
	require.True(t, ok)
	require.Equal(t, n.Channels[1].Policy[1], info.Policy[1], "the later update took the freed place")
}
