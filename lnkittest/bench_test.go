package lnkittest_test

import (
	"testing"

	"github.com/lnkit/lnkit/chain/chaintest"
	"github.com/lnkit/lnkit/lnkittest"
)

// BenchmarkNewNetwork measures building a three-node network and
// connecting it in a line.
func BenchmarkNewNetwork(b *testing.B) {
	for b.Loop() {
		net := lnkittest.NewNetwork(b, lnkittest.Options{Nodes: 3})
		net.Connect(net.Node(0), net.Node(1))
		net.Connect(net.Node(1), net.Node(2))
	}
}

// BenchmarkDeliverOne measures one message and its echo through the
// harness: two DeliverOne calls.
func BenchmarkDeliverOne(b *testing.B) {
	net, hs := withCustom(b, lnkittest.Options{}, 1)
	a, c := net.Node(0), net.Node(1)
	net.Connect(a, c)
	m := msg("benchmark payload")
	for b.Loop() {
		hs[0].Send(c.ID(), m)
		net.DeliverOne(a, c)
		net.DeliverOne(c, a)
		if len(hs[0].got) != 1 {
			b.Fatal("no echo")
		}
		hs[0].got, hs[1].got = hs[0].got[:0], hs[1].got[:0]
	}
}

// BenchmarkMine measures one block reaching a three-node network: each
// node's ChainMonitor (with its checkpoint and event drain), wallet and
// a checkpointed Handlers.Listen.
func BenchmarkMine(b *testing.B) {
	net := lnkittest.NewNetwork(b, lnkittest.Options{Nodes: 3, Handlers: func(n *lnkittest.Node) lnkittest.Handlers {
		return lnkittest.Handlers{Listen: chaintest.NewRecorder(b, n.Network().Chain.Tip())}
	}})
	for b.Loop() {
		net.Mine(1)
	}
}
