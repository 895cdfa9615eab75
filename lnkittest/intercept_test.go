package lnkittest_test

import (
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/lnkit/lnkit/channel"
	"github.com/lnkit/lnkit/events"
	"github.com/lnkit/lnkit/lnkittest"
	"github.com/lnkit/lnkit/router/onion"
	"github.com/lnkit/lnkit/wire"
)

// interceptSCID is a short channel id b has no channel for: the onion
// names it, as a payer given an LSP's invoice with it in a route hint
// would.
var interceptSCID = wire.ShortChannelID{BlockHeight: 16_500_000, TxIndex: 7, OutputIndex: 1}

// interceptLine is fwdLine with b holding HTLCs to unknown short channel
// ids (UserConfig.AcceptInterceptHTLCs), and a payment of amount from a
// to c whose onion names interceptSCID for the hop from b to c, sent and
// settled: b holds it.
func interceptLine(t *testing.T, seed uint64, amount wire.MilliSatoshi) (net *lnkittest.Network, a, b, c *lnkittest.Node, ab, bc wire.ChannelID, id channel.PaymentID, ev *events.HTLCIntercepted) {
	t.Helper()
	net = lnkittest.NewNetwork(t, lnkittest.Options{Nodes: 3, Seed: seed, UserConfig: func(n *lnkittest.Node) channel.UserConfig {
		cfg := channel.DefaultUserConfig()
		cfg.AcceptInterceptHTLCs = n.Index == 1
		return cfg
	}})
	a, b, c = net.Node(0), net.Node(1), net.Node(2)
	ab = net.OpenChannel(a, b, payCapacity, lnkittest.Anchors, lnkittest.OpenOptions{Push: payPush})
	bc = net.OpenChannel(b, c, payCapacity, lnkittest.Anchors, lnkittest.OpenOptions{Push: payPush})
	net.Settle()
	inv, err := c.Channels.CreateInvoice(channel.InvoiceRequest{Amount: amount, Description: "lsp"})
	require.NoError(t, err)
	r, err := net.Route([]*lnkittest.Node{a, b, c}, amount, 30)
	require.NoError(t, err)
	r.Hops[1].ShortChannelID = interceptSCID
	id = channel.PaymentID{byte(seed), 0x1c}
	require.NoError(t, a.Channels.SendPaymentRoute(id, inv.PaymentHash, inv.PaymentSecret, r))
	net.Settle()
	got := lnkittest.Logged[*events.HTLCIntercepted](b)
	require.Len(t, got, 1)
	ev = got[0]
	require.Equal(t, interceptSCID, ev.RequestedNextHopSCID)
	require.Equal(t, inv.PaymentHash, ev.PaymentHash)
	require.Equal(t, amount, ev.ExpectedOutboundAmount)
	require.Equal(t, r.TotalAmount, ev.InboundAmount)
	require.Equal(t, ab, ev.PrevChannelID)
	require.Empty(t, lnkittest.Logged[*events.PaymentSent](a))
	require.Empty(t, lnkittest.Logged[*events.PaymentFailed](a))
	return net, a, b, c, ab, bc, id, ev
}

// TestInterceptForward: the application forwards the held HTLC over its
// channel with c (an LSP that just opened it, say): c is paid, b earns the
// difference, a's payment succeeds. A restart of b while it holds the
// HTLC keeps it held.
func TestInterceptForward(t *testing.T) {
	const amount wire.MilliSatoshi = 7_000_000
	net, a, b, c, ab, bc, id, ev := interceptLine(t, 80, amount)
	aStart, bStart := net.Channel(a, ab).OurBalance+ev.InboundAmount, net.Channel(b, bc).OurBalance

	net.Crash(b)
	net.Restart(b)
	net.Connect(a, b)
	net.Connect(b, c)
	net.Settle()
	require.Empty(t, lnkittest.Logged[*events.PaymentFailed](a), "still held after the restart")

	require.ErrorIs(t, b.Channels.ForwardInterceptedHTLC(channel.InterceptID{1}, bc, amount), channel.ErrUnknownIntercept)
	require.Error(t, b.Channels.ForwardInterceptedHTLC(ev.InterceptID, bc, ev.InboundAmount+1), "more out than in")
	require.NoError(t, b.Channels.ForwardInterceptedHTLC(ev.InterceptID, bc, amount))
	net.Settle()
	requireSent(t, a, id)
	fwd := lnkittest.Logged[*events.PaymentForwarded](b)
	require.Len(t, fwd, 1)
	require.Equal(t, ev.InboundAmount-amount, fwd[0].FeeEarned)
	requireCommitted(t, net, a, b, ab, aStart-ev.InboundAmount)
	requireCommitted(t, net, b, c, bc, bStart-amount)
	require.ErrorIs(t, b.Channels.FailInterceptedHTLC(ev.InterceptID), channel.ErrUnknownIntercept, "released already")
}

// TestInterceptFail: the application fails the held HTLC: a's payment
// fails with unknown_next_peer from b, and nothing moved.
func TestInterceptFail(t *testing.T) {
	net, a, b, _, ab, _, id, ev := interceptLine(t, 81, 5_000_000)
	aStart := net.Channel(a, ab).OurBalance + ev.InboundAmount
	require.NoError(t, b.Channels.FailInterceptedHTLC(ev.InterceptID))
	net.Settle()
	requireFailedAt(t, a, id, 0, onion.CodeUnknownNextPeer)
	requireCommitted(t, net, a, b, ab, aStart)
}

// TestInterceptExpires: nobody releases the held HTLC; b fails it back
// channel.HTLCFailBackBuffer blocks before its expiry, before a would go
// on chain, and no channel closes.
func TestInterceptExpires(t *testing.T) {
	net, a, b, _, ab, _, id, ev := interceptLine(t, 82, 5_000_000)
	aStart := net.Channel(a, ab).OurBalance + ev.InboundAmount
	for range 200 {
		net.Mine(1)
		net.Settle()
		if len(lnkittest.Logged[*events.PaymentFailed](a)) > 0 {
			break
		}
	}
	requireFailedAt(t, a, id, 0, onion.CodeTemporaryChannelFailure)
	require.Equal(t, int32(ev.CLTVExpiry)-channel.HTLCFailBackBuffer, b.Channels.BestBlock().Height)
	requireCommitted(t, net, a, b, ab, aStart)
	for _, n := range []*lnkittest.Node{a, b} {
		require.Empty(t, lnkittest.Logged[*events.ChannelClosed](n))
	}
}
