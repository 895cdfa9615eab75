package lnkittest_test

import (
	"fmt"
	"testing"

	"github.com/lnkit/lnkit/channel"
	"github.com/lnkit/lnkit/events"
	"github.com/lnkit/lnkit/lnkittest"
)

// Two nodes open a channel and close it cooperatively.
func ExampleNetwork_OpenChannel() {
	var t testing.TB = exampleT{} // in a test: the test's t

	net := lnkittest.NewNetwork(t, lnkittest.Options{Seed: 3})
	a, b := net.Node(0), net.Node(1)
	// Connects, funds a's wallet, opens, confirms, exchanges channel_ready.
	id := net.OpenChannel(a, b, 1_000_000, lnkittest.Anchors, lnkittest.OpenOptions{Push: 200_000_000})
	ch := net.Channel(b, id)
	fmt.Println(ch.State, ch.OurBalance, ch.Capacity)

	if err := a.Channels.CloseChannel(id, b.ID(), channel.CloseOptions{}); err != nil {
		panic(err)
	}
	net.DeliverAll() // shutdown both ways, closing_signed until they agree
	net.Mine(1)      // the closing transaction confirms
	fmt.Println(len(a.Channels.ListChannels()), len(b.Channels.ListChannels()))
	fmt.Println("b's wallet:", b.Wallet.Balance().Confirmed)
	// Output:
	// ready 200000000 msat 1000000 sat
	// 0 0
	// b's wallet: 0.00200000 BTC
}

// a pays b's invoice over their channel, then they close it: b's share
// reaches its wallet.
func ExampleNetwork_Pay() {
	var t testing.TB = exampleT{} // in a test: the test's t

	net := lnkittest.NewNetwork(t, lnkittest.Options{Seed: 4})
	a, b := net.Node(0), net.Node(1)
	id := net.OpenChannel(a, b, 1_000_000, lnkittest.Anchors)
	if _, err := net.Pay(a, b, 50_000_000); err != nil { // b's invoice, paid by a
		panic(err)
	}
	net.Settle() // delivers, and b's application claims (ProcessEvents)
	sent := lnkittest.Logged[*events.PaymentSent](a)
	fmt.Println("paid:", len(sent), sent[0].Amount)
	fmt.Println("b owns:", net.Channel(b, id).OurBalance)

	if err := b.Channels.CloseChannel(id, a.ID(), channel.CloseOptions{}); err != nil {
		panic(err)
	}
	net.DeliverAll()
	net.Mine(1)
	fmt.Println("b's wallet:", b.Wallet.Balance().Confirmed)
	// Output:
	// paid: 1 50000000 msat
	// b owns: 50000000 msat
	// b's wallet: 0.00050000 BTC
}
