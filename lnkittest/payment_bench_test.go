package lnkittest_test

import (
	"testing"

	"github.com/lnkit/lnkit/channel"
	"github.com/lnkit/lnkit/events"
	"github.com/lnkit/lnkit/lnkittest"
	"github.com/lnkit/lnkit/wire"
)

// BenchmarkHarnessPaymentRoundTrip measures one payment per op between two
// nodes of the harness, each a channel.Manager behind a peer.Manager: the
// messages go through BOLT 8 encryption and the peer's framing, events
// through each node's durable queue, monitor updates through a
// KVPersister on the node's CrashStore. The payee makes an invoice, the
// payer pays it, the payee claims it, until the payer has PaymentSent;
// payments alternate direction so that balances stay put.
func BenchmarkHarnessPaymentRoundTrip(b *testing.B) {
	for _, c := range []struct {
		name string
		typ  lnkittest.ChannelType
	}{{"static_remote_key", lnkittest.StaticRemoteKey}, {"anchors", lnkittest.Anchors}} {
		b.Run(c.name, func(b *testing.B) {
			net := lnkittest.NewNetwork(b, lnkittest.Options{Seed: 7})
			x, y := net.Node(0), net.Node(1)
			net.OpenChannel(x, y, 1_000_000, c.typ, lnkittest.OpenOptions{Push: 500_000_000})
			net.Tick() // the Managers' time, for invoices
			net.Events(x)
			net.Events(y)
			b.ReportAllocs()
			var paid uint32
			for b.Loop() {
				payer, payee := x, y
				if paid%2 == 1 {
					payer, payee = y, x
				}
				paid++
				harnessPay(b, net, payer, payee, paid, 5_000_000)
			}
		})
	}
}

// harnessPay makes payment number id of amount from payer to payee and
// fails b unless it succeeds.
func harnessPay(b *testing.B, net *lnkittest.Network, payer, payee *lnkittest.Node, id uint32, amount wire.MilliSatoshi) {
	b.Helper()
	inv, err := payee.Channels.CreateInvoice(channel.InvoiceRequest{Amount: amount})
	if err != nil {
		b.Fatal(err)
	}
	pid := channel.PaymentID{byte(id), byte(id >> 8), byte(id >> 16), byte(id >> 24)}
	if err := payer.Channels.SendPayment(pid, inv.Invoice, 0); err != nil {
		b.Fatal(err)
	}
	net.DeliverAll()
	claimed := false
	for _, e := range net.Events(payee) {
		if c, ok := e.(*events.PaymentClaimable); ok {
			pre, _ := c.Purpose.Preimage.Get()
			if err := payee.Channels.ClaimFunds(pre); err != nil {
				b.Fatal(err)
			}
			claimed = true
		}
	}
	if !claimed {
		b.Fatal("no PaymentClaimable")
	}
	net.DeliverAll()
	sent := false
	for _, e := range net.Events(payer) {
		if _, ok := e.(*events.PaymentSent); ok {
			sent = true
		}
	}
	if !sent {
		b.Fatal("no PaymentSent")
	}
	net.Events(payee)
}

// BenchmarkHarnessPayOverRouter measures one payment per op over the
// network with the real router (Options.Gossip): a finds the route to e
// in its gossip graph (a router.Router search with the
// ProbabilisticScorer), the HTLC goes over b, e claims, a gets
// PaymentSent and the scorer learns (Settle).
func BenchmarkHarnessPayOverRouter(b *testing.B) {
	net := gossipNet(b, 8)
	a, e := net.Node(gA), net.Node(gE)
	b.ReportAllocs()
	for b.Loop() {
		if _, err := net.Pay(a, e, 100_000); err != nil {
			b.Fatal(err)
		}
		net.Settle()
	}
	b.StopTimer()
	if got, want := len(lnkittest.Logged[*events.PaymentSent](a)), len(lnkittest.Logged[*events.PaymentClaimed](e)); got != want || got == 0 {
		b.Fatalf("%d PaymentSent, %d PaymentClaimed", got, want)
	}
}
