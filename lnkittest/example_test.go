package lnkittest_test

import (
	"context"
	"fmt"
	"testing"

	"github.com/lnkit/lnkit/events"
	"github.com/lnkit/lnkit/lnkittest"
	"github.com/lnkit/lnkit/wire"
)

// exampleT stands for the *testing.T a real test passes to NewNetwork.
type exampleT struct{ testing.TB }

func (exampleT) Helper()                           {}
func (exampleT) Fatalf(format string, args ...any) { panic(fmt.Sprintf(format, args...)) }

// A three-node network: a line a–b–c, a funded wallet, a few blocks.
func Example() {
	var t testing.TB = exampleT{} // in a test: the test's t

	net := lnkittest.NewNetwork(t, lnkittest.Options{Nodes: 3, Seed: 1})
	a, b, c := net.Node(0), net.Node(1), net.Node(2)
	net.Connect(a, b) // handshake and init, pumped to completion
	net.Connect(b, c)
	fmt.Println("b's peers:", len(b.Peer.Peers()))

	net.FundWallet(a, 1_000_000) // a coin to a, confirmed in a block of its own
	net.Mine(6)
	fmt.Println("a's balance:", a.Wallet.Balance().Confirmed)
	fmt.Println("c follows the chain:", c.Wallet.BestBlock() == net.Chain.Tip())

	net.Crash(b) // a and c see their sockets close
	fmt.Println("a's peers:", len(a.Peer.Peers()))
	net.Restart(b)
	net.Connect(a, b)
	net.DeliverAll()
	fmt.Println("a's peers after restart:", len(a.Peer.Peers()))
	// Output:
	// b's peers: 2
	// a's balance: 0.01000000 BTC
	// c follows the chain: true
	// a's peers: 0
	// a's peers after restart: 1
}

// Events are durable: one left unhandled at a crash is delivered again
// after the restart.
func ExampleNextEvent() {
	var t testing.TB = exampleT{} // in a test: the test's t

	net := lnkittest.NewNetwork(t, lnkittest.Options{Seed: 2})
	a := net.Node(0)
	// A channel manager appends its events to a.Events; here, by hand.
	_ = a.Events.Append(context.Background(),
		&events.ChannelPending{ChannelID: wire.ChannelID{1}},
		&events.ChannelReady{ChannelID: wire.ChannelID{1}})

	pending := lnkittest.NextEvent[*events.ChannelPending](t, net, a) // handled
	fmt.Println("handled:", pending.Kind())
	net.Crash(a)
	net.Restart(a)
	for _, e := range net.Events(a) {
		fmt.Println("after restart:", e.Kind(), e.EventID())
	}
	// Output:
	// handled: channel-pending
	// after restart: channel-ready 2
}
