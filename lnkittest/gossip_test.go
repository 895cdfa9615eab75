package lnkittest_test

import (
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/lnkit/lnkit/channel"
	"github.com/lnkit/lnkit/lnkittest"
	"github.com/lnkit/lnkit/router/graph"
	"github.com/lnkit/lnkit/wire"
)

// Node indexes of gossipNet.
const (
	gA = iota // the payer
	gB
	gC
	gD
	gE // the payee
)

// gossipFee is node i's forwarding policy: every node charges its own,
// so a fee paid names the nodes that took it.
func gossipFee(i int) (base, prop uint32) {
	return 1000 * uint32(i+1), 100 * uint32(i+1)
}

// gossipNet is five nodes with the network's gossip and the real router
// (Options.Gossip) and public channels a–b, b–e, a–c, c–d, d–e, each of
// payCapacity opened by the first named: a (0) pays e (4) over b, or over
// c and d. The gossip has settled: every node's graph holds every channel
// with both policies.
func gossipNet(t *testing.T, seed uint64) *lnkittest.Network {
	t.Helper()
	net := lnkittest.NewNetwork(t, lnkittest.Options{Nodes: 5, Seed: seed, Gossip: true, WalletGapLimit: 5,
		UserConfig: func(n *lnkittest.Node) channel.UserConfig {
			u := channel.DefaultUserConfig()
			u.Channel.ForwardingFeeBaseMsat, u.Channel.ForwardingFeeProportionalMillionths = gossipFee(n.Index)
			return u
		}})
	for _, c := range [][2]int{{gA, gB}, {gB, gE}, {gA, gC}, {gC, gD}, {gD, gE}} {
		net.OpenChannel(net.Node(c[0]), net.Node(c[1]), payCapacity, lnkittest.Anchors, lnkittest.OpenOptions{Public: true})
	}
	net.Mine(int(channel.AnnouncementDepth))
	net.Settle()
	net.SyncGossip()
	net.Settle()
	return net
}

// requireGraph checks that every node's graph holds the five channels,
// each with both policies, and the five nodes announced.
func requireGraph(t *testing.T, net *lnkittest.Network) {
	t.Helper()
	for _, n := range net.Nodes() {
		v := n.Graph.View()
		require.Equal(t, 5, v.NumChannels(), "node %d's graph", n.Index)
		require.Equal(t, 5, v.NumNodes(), "node %d's graph", n.Index)
		for c := range v.ChannelSlots() {
			ch := v.Channel(graph.ChanIdx(c))
			for d := range uint8(2) {
				require.NotZero(t, v.Policy(graph.ChanIdx(c), d).Flags&graph.PolicyKnown, "node %d: %v direction %d", n.Index, ch.SCID, d)
			}
			require.Equal(t, wire.Satoshi(payCapacity), ch.Capacity)
		}
		for _, m := range net.Nodes() {
			i, ok := v.NodeIndex(m.ID())
			require.True(t, ok)
			_, ok = v.NodeInfo(i)
			require.True(t, ok, "node %d knows node %d's announcement", n.Index, m.Index)
		}
		v.Release()
	}
}

func TestGossipFillsEveryGraph(t *testing.T) {
	net := gossipNet(t, 81)
	requireGraph(t, net)
}
