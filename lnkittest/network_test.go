package lnkittest_test

import (
	"fmt"
	"testing"

	"github.com/btcsuite/btcd/btcutil"
	"github.com/stretchr/testify/require"

	"github.com/lnkit/lnkit/lnkittest"
	"github.com/lnkit/lnkit/peer"
	"github.com/lnkit/lnkit/wire"
)

// custom is a custom message handler recording the odd messages it
// receives and, if echo, answering each with the next odd type; it fails the
// even ones.
type custom struct {
	peer.MessageQueue
	echo bool
	got  []*wire.Custom
}

func (*custom) PeerConnected(wire.NodeID, *wire.Init, bool) error { return nil }
func (*custom) PeerDisconnected(wire.NodeID)                      {}
func (c *custom) HandleCustomMessage(from wire.NodeID, msg *wire.Custom) error {
	if !msg.MsgType.IsOdd() {
		return fmt.Errorf("custom: type %d: %w", msg.MsgType, wire.ErrUnknownMessage)
	}
	c.got = append(c.got, msg)
	if c.echo {
		c.Send(from, &wire.Custom{MsgType: msg.MsgType + 2, Payload: msg.Payload})
	}
	return nil
}

// payloads returns the payloads c received, as strings.
func (c *custom) payloads() []string {
	var out []string
	for _, m := range c.got {
		out = append(out, string(m.Payload))
	}
	return out
}

// withCustom returns a network whose nodes have custom handlers (echoing
// on the nodes listed in echo), and the handlers by node index.
func withCustom(t testing.TB, opts lnkittest.Options, echo ...int) (*lnkittest.Network, map[int]*custom) {
	t.Helper()
	hs := make(map[int]*custom)
	opts.Handlers = func(n *lnkittest.Node) lnkittest.Handlers {
		c := &custom{}
		for _, e := range echo {
			c.echo = c.echo || e == n.Index
		}
		hs[n.Index] = c
		return lnkittest.Handlers{Custom: c}
	}
	return lnkittest.NewNetwork(t, opts), hs
}

// msg is a custom message of an odd type carrying s.
func msg(s string) *wire.Custom { return &wire.Custom{MsgType: 32769, Payload: []byte(s)} }

// peerIDs returns the node ids n's peer.Manager lists.
func peerIDs(n *lnkittest.Node) []wire.NodeID {
	var ids []wire.NodeID
	for _, p := range n.Peer.Peers() {
		ids = append(ids, p.NodeID)
	}
	return ids
}

func TestConnect(t *testing.T) {
	for _, nodes := range []int{2, 3} {
		t.Run(fmt.Sprint(nodes), func(t *testing.T) {
			net := lnkittest.NewNetwork(t, lnkittest.Options{Nodes: nodes, Seed: 7})
			all := net.Nodes()
			require.Len(t, all, nodes)
			for i := range all {
				for j := i + 1; j < len(all); j++ {
					net.Connect(all[i], all[j])
				}
			}
			for _, n := range all {
				var want []wire.NodeID
				for _, o := range all {
					if o != n {
						want = append(want, o.ID())
					}
				}
				require.ElementsMatch(t, want, peerIDs(n), "node %d", n.Index)
			}
		})
	}
}

func TestDisconnectReconnect(t *testing.T) {
	net, hs := withCustom(t, lnkittest.Options{Seed: 1})
	a, b := net.Node(0), net.Node(1)
	net.Connect(a, b)
	hs[0].Send(b.ID(), msg("lost"))
	require.Len(t, net.Pending(a, b), 1)

	net.Disconnect(a, b)
	require.Empty(t, peerIDs(a))
	require.Empty(t, peerIDs(b))
	require.Empty(t, net.Pending(a, b))
	net.DeliverAll()
	require.Empty(t, hs[1].got, "in flight when disconnected: lost")

	net.Connect(b, a) // either side may dial
	hs[0].Send(b.ID(), msg("again"))
	net.DeliverAll()
	require.Equal(t, []string{"again"}, hs[1].payloads())
}

func TestDeliverOneInOrder(t *testing.T) {
	net, hs := withCustom(t, lnkittest.Options{Seed: 2}, 1)
	a, b := net.Node(0), net.Node(1)
	net.Connect(a, b)
	hs[0].Send(b.ID(), msg("one"))
	hs[0].Send(b.ID(), msg("two"))
	require.Equal(t, []wire.Message{msg("one"), msg("two")}, net.Pending(a, b))
	require.False(t, net.DeliverOne(b, a), "nothing from b yet")

	require.True(t, net.DeliverOne(a, b))
	require.Equal(t, []string{"one"}, hs[1].payloads())
	require.Equal(t, []wire.Message{msg("two")}, net.Pending(a, b))
	require.Len(t, net.Pending(b, a), 1, "b's echo is in flight, not delivered")
	require.Empty(t, hs[0].got)

	require.True(t, net.DeliverOne(a, b))
	require.Equal(t, []string{"one", "two"}, hs[1].payloads())
	require.False(t, net.DeliverOne(a, b))
	require.True(t, net.DeliverOne(b, a))
	require.True(t, net.DeliverOne(b, a))
	require.False(t, net.DeliverOne(b, a))
	require.Equal(t, []string{"one", "two"}, hs[0].payloads())
	require.Equal(t, wire.MessageType(32771), hs[0].got[0].MsgType)
}

func TestDrop(t *testing.T) {
	net, hs := withCustom(t, lnkittest.Options{Seed: 3})
	a, b := net.Node(0), net.Node(1)
	net.Connect(a, b)
	require.Nil(t, net.Drop(a, b), "nothing in flight")
	hs[0].Send(b.ID(), msg("dropped"))
	hs[0].Send(b.ID(), msg("behind"))
	require.Equal(t, msg("dropped"), net.Drop(a, b))
	require.Empty(t, peerIDs(a), "a lost message breaks the connection")
	require.Empty(t, peerIDs(b))
	net.DeliverAll()
	require.Empty(t, hs[1].got)

	net.Connect(a, b)
	hs[0].Send(b.ID(), msg("after"))
	net.DeliverAll()
	require.Equal(t, []string{"after"}, hs[1].payloads())
}

func TestDeliverAllThreeNodes(t *testing.T) {
	net, hs := withCustom(t, lnkittest.Options{Nodes: 3, Seed: 4}, 1, 2)
	a, b, c := net.Node(0), net.Node(1), net.Node(2)
	net.Connect(a, b)
	net.Connect(a, c)
	hs[0].Send(b.ID(), msg("to b"))
	hs[0].Send(c.ID(), msg("to c"))
	net.DeliverAll()
	require.Equal(t, []string{"to b"}, hs[1].payloads())
	require.Equal(t, []string{"to c"}, hs[2].payloads())
	require.ElementsMatch(t, []string{"to b", "to c"}, hs[0].payloads(), "both echoes back")
}

func TestTicksKeepConnections(t *testing.T) {
	net := lnkittest.NewNetwork(t, lnkittest.Options{Seed: 5})
	a, b := net.Node(0), net.Node(1)
	start := net.Clock.Now()
	net.Connect(a, b)
	for range 20 {
		net.Tick()
		net.DeliverAll() // pings answered
	}
	require.Equal(t, 20*lnkittest.DefaultTickInterval, net.Clock.Now().Sub(start))
	require.Equal(t, []wire.NodeID{b.ID()}, peerIDs(a))

	for range 20 {
		net.Tick() // pings never delivered: the peers time out
	}
	net.DeliverAll()
	require.Empty(t, peerIDs(a))
	require.Empty(t, peerIDs(b))
}

func TestFundWallet(t *testing.T) {
	net := lnkittest.NewNetwork(t, lnkittest.Options{Seed: 6})
	a, b := net.Node(0), net.Node(1)
	net.FundWallet(a, 123_456)
	net.FundWallet(a, 1)
	net.Mine(3)
	require.Equal(t, btcutil.Amount(123_457), a.Wallet.Balance().Confirmed)
	require.Equal(t, btcutil.Amount(123_457), a.Wallet.Balance().Total())
	require.Zero(t, b.Wallet.Balance().Total())
	require.Equal(t, net.Chain.Tip(), b.Wallet.BestBlock())
}

func TestCrashRestart(t *testing.T) {
	net, hs := withCustom(t, lnkittest.Options{Seed: 8})
	a, b := net.Node(0), net.Node(1)
	net.Connect(a, b)
	net.FundWallet(a, 50_000)
	hs[0].Send(b.ID(), msg("in flight"))
	id := a.ID()

	net.Crash(a)
	require.False(t, a.Running())
	require.Nil(t, a.Wallet)
	require.Nil(t, a.ChainMonitor)
	require.Nil(t, a.Events)
	require.Empty(t, peerIDs(b), "b sees the socket close")
	net.FundWallet(b, 7)
	net.Mine(2) // a misses these blocks
	net.DeliverAll()
	require.Empty(t, hs[1].got)

	net.Restart(a)
	require.True(t, a.Running())
	require.NotNil(t, a.ChainMonitor)
	require.NotNil(t, a.Events)
	require.Equal(t, id, a.ID())
	require.Equal(t, btcutil.Amount(50_000), a.Wallet.Balance().Confirmed, "durable wallet state")
	require.Equal(t, net.Chain.Tip(), a.Wallet.BestBlock(), "caught up")
	require.NotSame(t, hs[0], hs[1])
	require.Empty(t, peerIDs(a), "connected to no one")

	net.FundWallet(a, 1)
	require.Equal(t, btcutil.Amount(50_001), a.Wallet.Balance().Confirmed, "follows the chain again")
	net.Connect(a, b)
	hs[0].Send(b.ID(), msg("after restart")) // hs[0] is the new handler
	net.DeliverAll()
	require.Equal(t, []string{"after restart"}, hs[1].payloads())
}

func TestDeterministic(t *testing.T) {
	run := func(seed uint64) ([]wire.NodeID, []byte) {
		net, hs := withCustom(t, lnkittest.Options{Nodes: 3, Seed: seed})
		a, b := net.Node(0), net.Node(1)
		net.Connect(a, b)
		hs[0].Send(b.ID(), msg("same bytes"))
		var ids []wire.NodeID
		for _, n := range net.Nodes() {
			ids = append(ids, n.ID())
		}
		return ids, net.PendingBytes(a, b)
	}
	ids1, wire1 := run(9)
	ids2, wire2 := run(9)
	require.Equal(t, ids1, ids2)
	require.Equal(t, wire1, wire2)
	require.NotEmpty(t, wire1)
	require.Len(t, map[wire.NodeID]bool{ids1[0]: true, ids1[1]: true, ids1[2]: true}, 3, "distinct nodes")

	ids3, wire3 := run(10)
	require.NotEqual(t, ids1, ids3)
	require.NotEqual(t, wire1, wire3)
}
