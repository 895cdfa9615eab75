package lnkittest_test

import (
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/lnkit/lnkit/channel"
	"github.com/lnkit/lnkit/events"
	"github.com/lnkit/lnkit/lnkittest"
	"github.com/lnkit/lnkit/router"
	"github.com/lnkit/lnkit/router/onion"
	"github.com/lnkit/lnkit/wire"
)

// TestPolicyChange: b raises its fee on b–c (UpdateChannelConfig). A
// payment routed with the old fee is still forwarded during PolicyGrace
// (b earns the old fee); after it, the same route is refused with
// fee_insufficient carrying b's new channel_update, and a route paying the
// new fee goes through (b earns exactly it). The new policy survives b's
// restart.
func TestPolicyChange(t *testing.T) {
	net, a, b, c, _, bc := fwdLine(t, 80)
	const amount wire.MilliSatoshi = 10_000_000
	path := []*lnkittest.Node{a, b, c}
	oldRoute := func() channel.PaymentID {
		t.Helper()
		inv, err := c.Channels.CreateInvoice(channel.InvoiceRequest{Amount: amount, Description: "old fee"})
		require.NoError(t, err)
		r, err := net.Route(path, amount, uint32(inv.Invoice.MinFinalCLTVExpiryDelta()))
		require.NoError(t, err)
		return routeAt(t, net, a, inv, r)
	}
	details, ok := usableTo(b, c)
	require.True(t, ok)
	oldFee := wire.MilliSatoshi(details.Config.ForwardingFeeBaseMsat) + amount*wire.MilliSatoshi(details.Config.ForwardingFeeProportionalMillionths)/1_000_000
	// Routes computed before the change.
	inv1, err := c.Channels.CreateInvoice(channel.InvoiceRequest{Amount: amount, Description: "in the grace"})
	require.NoError(t, err)
	r1, err := net.Route(path, amount, uint32(inv1.Invoice.MinFinalCLTVExpiryDelta()))
	require.NoError(t, err)
	inv2, err := c.Channels.CreateInvoice(channel.InvoiceRequest{Amount: amount, Description: "after the grace"})
	require.NoError(t, err)
	r2, err := net.Route(path, amount, uint32(inv2.Invoice.MinFinalCLTVExpiryDelta()))
	require.NoError(t, err)

	cfg := details.Config
	cfg.ForwardingFeeBaseMsat += 4_000
	cfg.ForwardingFeeProportionalMillionths += 100
	require.NoError(t, b.Channels.UpdateChannelConfig(bc, c.ID(), cfg))
	require.ErrorIs(t, b.Channels.UpdateChannelConfig(bc, c.ID(), channel.ChannelConfig{CLTVExpiryDelta: 10}), channel.ErrInvalidConfig)
	newFee := wire.MilliSatoshi(cfg.ForwardingFeeBaseMsat) + amount*wire.MilliSatoshi(cfg.ForwardingFeeProportionalMillionths)/1_000_000

	id1 := routeAt(t, net, a, inv1, r1)
	net.Settle()
	requireSent(t, a, id1)
	fwd := lnkittest.Logged[*events.PaymentForwarded](b)
	require.Len(t, fwd, 1)
	require.Equal(t, oldFee, fwd[0].FeeEarned, "the old fee, within the grace")

	net.Clock.Advance(channel.PolicyGrace + time.Second)
	net.Tick()
	net.Settle()
	id2 := routeAt(t, net, a, inv2, r2)
	net.Settle()
	f := requireFailedAt(t, a, id2, 0, onion.CodeFeeInsufficient)
	require.Greater(t, len(f.ChannelUpdate), 2)
	var u wire.ChannelUpdate
	require.NoError(t, u.Decode(f.ChannelUpdate[2:]))
	require.Equal(t, cfg.ForwardingFeeBaseMsat, u.FeeBaseMsat, "the failure carries the new policy")
	require.Equal(t, cfg.ForwardingFeeProportionalMillionths, u.FeeProportionalMillionths)

	id3 := oldRoute() // computed now: the new policy
	net.Settle()
	requireSent(t, a, id3)
	fwd = lnkittest.Logged[*events.PaymentForwarded](b)
	require.Len(t, fwd, 2)
	require.Equal(t, newFee, fwd[1].FeeEarned)

	net.Crash(b)
	net.Restart(b)
	net.Connect(a, b)
	net.Connect(b, c)
	net.Settle()
	details, ok = usableTo(b, c)
	require.True(t, ok)
	require.Equal(t, cfg.ForwardingFeeBaseMsat, details.Config.ForwardingFeeBaseMsat)
	require.Equal(t, cfg.ForwardingFeeProportionalMillionths, details.Config.ForwardingFeeProportionalMillionths)
}

// routeAt has a pay inv over route r.
func routeAt(t *testing.T, _ *lnkittest.Network, a *lnkittest.Node, inv *channel.CreatedInvoice, r router.Route) channel.PaymentID {
	t.Helper()
	id := channel.PaymentID(inv.PaymentHash)
	require.NoError(t, a.Channels.SendPaymentRoute(id, inv.PaymentHash, inv.PaymentSecret, r))
	return id
}
