package lnkittest_test

import (
	"context"
	"fmt"
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
func gossipNet(t testing.TB, seed uint64) *lnkittest.Network {
	t.Helper()
	return gossipNetWith(t, seed, false)
}

// gossipNetWith is gossipNet, with b–e opened by e when drained is set:
// b has nothing to forward to e, which no gossip tells.
func gossipNetWith(t testing.TB, seed uint64, drained bool) *lnkittest.Network {
	t.Helper()
	net := lnkittest.NewNetwork(t, lnkittest.Options{Nodes: 5, Seed: seed, Gossip: true, WalletGapLimit: 5,
		UserConfig: func(n *lnkittest.Node) channel.UserConfig {
			u := channel.DefaultUserConfig()
			u.Channel.ForwardingFeeBaseMsat, u.Channel.ForwardingFeeProportionalMillionths = gossipFee(n.Index)
			u.Handshake.MinimumDepth = 2 // OpenChannel mines to the announcement depth
			return u
		}})
	be := [2]int{gB, gE}
	if drained {
		be = [2]int{gE, gB}
	}
	for _, c := range [][2]int{{gA, gB}, be, {gA, gC}, {gC, gD}, {gD, gE}} {
		net.OpenChannel(net.Node(c[0]), net.Node(c[1]), payCapacity, lnkittest.Anchors, lnkittest.OpenOptions{Public: true})
	}
	net.Settle()
	// The first Tick puts a's announcements on the wire, as gossip.
	net.Tick()
	var anns int
	for _, m := range net.Pending(net.Node(gA), net.Node(gB)) {
		if _, ok := m.(*wire.ChannelAnnouncement); ok {
			anns++
		}
	}
	require.Equal(t, 2, anns, "a's two channels announced to b")
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

// TestGossipRestartAndClose: a restarted node's graph starts empty and
// fills again from its peers (gossip_queries); a channel closed on chain
// leaves every graph graph.DefaultSpendDelay blocks after its funding is
// spent.
func TestGossipRestartAndClose(t *testing.T) {
	net := gossipNet(t, 88)
	a, b, c, d := net.Node(gA), net.Node(gB), net.Node(gC), net.Node(gD)
	net.Crash(a)
	net.Restart(a)
	v := a.Graph.View()
	require.Zero(t, v.NumChannels())
	v.Release()
	net.Connect(a, b)
	net.Connect(a, c)
	net.Settle()
	net.SyncGossip()
	requireGraph(t, net)

	var cd wire.ChannelID
	for _, ch := range c.Channels.ListChannels() {
		if ch.CounterpartyNodeID == d.ID() {
			cd = ch.ChannelID
		}
	}
	require.NoError(t, c.Channels.CloseChannel(cd, d.ID(), channel.CloseOptions{}))
	net.Settle()
	net.Mine(1)
	net.Settle()
	for _, n := range net.Nodes() {
		v := n.Graph.View()
		require.Equal(t, 5, v.NumChannels(), "node %d forgets the channel only after the spend delay", n.Index)
		v.Release()
	}
	net.Mine(graph.DefaultSpendDelay)
	for _, n := range net.Nodes() {
		v := n.Graph.View()
		require.Equal(t, 4, v.NumChannels(), "node %d's graph", n.Index)
		v.Release()
	}
}

// TestChainUTXOSource: the funding output a short_channel_id names, and
// graph.ErrOutputNotFound for every other case.
func TestChainUTXOSource(t *testing.T) {
	net := lnkittest.NewNetwork(t, lnkittest.Options{Seed: 89, WalletGapLimit: 5})
	a, b := net.Node(0), net.Node(1)
	id := net.OpenChannel(a, b, payCapacity, lnkittest.Anchors, lnkittest.OpenOptions{})
	scid := net.Channel(a, id).ShortChannelID
	src := lnkittest.ChainUTXOSource{Chain: net.Chain}

	out, err := src.FundingOutput(context.Background(), scid)
	require.NoError(t, err)
	require.Equal(t, wire.Satoshi(payCapacity), out.Value)
	require.Len(t, out.PkScript, 34)

	tip := uint32(net.Chain.Tip().Height)
	for _, tc := range []struct {
		name string
		scid wire.ShortChannelID
	}{
		{"above the tip", wire.ShortChannelID{BlockHeight: tip + 1}},
		{"beyond int32", wire.ShortChannelID{BlockHeight: 1 << 31}},
		{"no such transaction", wire.ShortChannelID{BlockHeight: scid.BlockHeight, TxIndex: 100}},
		{"no such output", wire.ShortChannelID{BlockHeight: scid.BlockHeight, TxIndex: scid.TxIndex, OutputIndex: 100}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := src.FundingOutput(context.Background(), tc.scid)
			require.ErrorIs(t, err, graph.ErrOutputNotFound)
		})
	}

	require.NoError(t, a.Channels.CloseChannel(id, b.ID(), channel.CloseOptions{}))
	net.Settle()
	_, err = src.FundingOutput(context.Background(), scid)
	require.NoError(t, err, "spent in the mempool only: still unspent on chain")
	net.Mine(1)
	_, err = src.FundingOutput(context.Background(), scid)
	require.ErrorIs(t, err, graph.ErrOutputNotFound, "spent")
}

// TestGossipDeterministic: the same Seed gives the same gossip, routes
// and payments: every node's events and scorer are the same in two runs.
func TestGossipDeterministic(t *testing.T) {
	run := func() ([]string, [][]byte) {
		net := gossipNet(t, 90)
		a, b, e := net.Node(gA), net.Node(gB), net.Node(gE)
		net.Disconnect(b, e)
		_, err := net.Pay(a, e, 20_000_000)
		require.NoError(t, err)
		net.Settle()
		net.Tick()
		var log []string
		var scorers [][]byte
		for _, n := range net.Nodes() {
			for _, ev := range n.EventLog {
				log = append(log, fmt.Sprintf("%d %v", n.Index, ev))
			}
			s, err := n.Scorer.MarshalBinary()
			require.NoError(t, err)
			scorers = append(scorers, s)
		}
		return log, scorers
	}
	log1, s1 := run()
	log2, s2 := run()
	require.Equal(t, log1, log2)
	require.Equal(t, s1, s2)
}

// TestGossipDeliverOne: gossip frames are tracked like channel messages:
// Pending lists them in order and DeliverOne moves them one at a time.
func TestGossipDeliverOne(t *testing.T) {
	net := lnkittest.NewNetwork(t, lnkittest.Options{Seed: 91, Gossip: true, WalletGapLimit: 5})
	a, b := net.Node(0), net.Node(1)
	net.OpenChannel(a, b, payCapacity, lnkittest.Anchors, lnkittest.OpenOptions{Public: true})
	net.Settle()
	net.Tick()
	pending := net.Pending(a, b)
	var types []wire.MessageType
	for _, m := range pending {
		types = append(types, m.Type())
	}
	require.Equal(t, []wire.MessageType{wire.MsgChannelAnnouncement, wire.MsgChannelUpdate, wire.MsgNodeAnnouncement}, types)
	for i := range pending {
		require.True(t, net.DeliverOne(a, b))
		require.Len(t, net.Pending(a, b), len(pending)-i-1)
	}
	require.False(t, net.DeliverOne(a, b))
	net.SyncGossip()
	for _, n := range []*lnkittest.Node{a, b} {
		v := n.Graph.View()
		require.Equal(t, 1, v.NumChannels())
		require.Equal(t, 2, v.NumNodes())
		v.Release()
	}
}
