package lnkittest_test

import (
	"errors"
	"fmt"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/lnkit/lnkit/channel"
	"github.com/lnkit/lnkit/events"
	"github.com/lnkit/lnkit/lnkittest"
	"github.com/lnkit/lnkit/router/onion"
	"github.com/lnkit/lnkit/wire"
)

// fwdLine is a -> b -> c: a channel from a to b and one from b to c, both
// of payCapacity with payPush pushed.
func fwdLine(t *testing.T, seed uint64) (net *lnkittest.Network, a, b, c *lnkittest.Node, ab, bc wire.ChannelID) {
	t.Helper()
	return fwdLineWith(t, seed, payPush, 0)
}

// fwdLineWith is fwdLine with push given to c on the channel from b, and
// c's htlc_minimum_msat (0: the default).
func fwdLineWith(t *testing.T, seed uint64, push, cMinimum wire.MilliSatoshi) (net *lnkittest.Network, a, b, c *lnkittest.Node, ab, bc wire.ChannelID) {
	t.Helper()
	net = lnkittest.NewNetwork(t, lnkittest.Options{Nodes: 3, Seed: seed, UserConfig: func(n *lnkittest.Node) channel.UserConfig {
		cfg := channel.DefaultUserConfig()
		if n.Index == 2 && cMinimum != 0 {
			cfg.Handshake.HTLCMinimum = cMinimum
		}
		return cfg
	}})
	a, b, c = net.Node(0), net.Node(1), net.Node(2)
	ab = net.OpenChannel(a, b, payCapacity, lnkittest.Anchors, lnkittest.OpenOptions{Push: payPush})
	bc = net.OpenChannel(b, c, payCapacity, lnkittest.Anchors, lnkittest.OpenOptions{Push: push})
	net.Settle()
	return net, a, b, c, ab, bc
}

// requireCommitted checks that both sides of channel id agree, hold no
// HTLC (balances sum to the capacity) and that from owns fromMsat.
func requireCommitted(t *testing.T, net *lnkittest.Network, from, to *lnkittest.Node, id wire.ChannelID, fromMsat wire.MilliSatoshi) {
	t.Helper()
	requireBalances(t, net, from, to, id, fromMsat)
}

func TestForwardPaysOverTwoHops(t *testing.T) {
	net, a, b, c, ab, bc := fwdLine(t, 41)
	aStart, bStart := net.Channel(a, ab).OurBalance, net.Channel(b, bc).OurBalance
	const amount wire.MilliSatoshi = 10_000_000
	route, err := net.Route([]*lnkittest.Node{a, b, c}, amount, 30)
	require.NoError(t, err)
	policy := net.Channel(b, bc).Config
	fee := wire.MilliSatoshi(policy.ForwardingFeeBaseMsat) + amount*wire.MilliSatoshi(policy.ForwardingFeeProportionalMillionths)/1_000_000
	require.Equal(t, fee, route.TotalFee)
	require.NotZero(t, fee)

	id, inv, err := net.PayRoute([]*lnkittest.Node{a, b, c}, amount)
	require.NoError(t, err)
	net.Settle()

	sent := requireSent(t, a, id)
	require.Equal(t, inv.PaymentHash, sent.PaymentHash)
	require.Equal(t, fee, sent.FeePaid)
	claimed := lnkittest.Logged[*events.PaymentClaimed](c)
	require.Len(t, claimed, 1)
	require.Equal(t, amount, claimed[0].Amount)
	require.Empty(t, lnkittest.Logged[*events.PaymentClaimed](b), "b forwarded: it claimed no payment")
	fwd := lnkittest.Logged[*events.PaymentForwarded](b)
	require.Len(t, fwd, 1)
	require.Equal(t, events.PaymentForwarded{
		Meta: fwd[0].Meta, PrevChannelID: ab, NextChannelID: bc, PaymentHash: inv.PaymentHash,
		IncomingAmount: amount + fee, OutgoingAmount: amount, FeeEarned: fee,
	}, *fwd[0])

	// To the msat: a paid amount+fee, b earned fee, c got amount.
	requireCommitted(t, net, a, b, ab, aStart-amount-fee)
	requireCommitted(t, net, b, c, bc, bStart-amount)
	bTotal := net.Channel(b, ab).OurBalance + net.Channel(b, bc).OurBalance
	require.Equal(t, (wire.MilliSatoshi(payCapacity)*1000-aStart)+bStart+fee, bTotal, "b's funds grew by its fee exactly")
}

// requireFailedAt checks that a's payment id failed with code, sent by
// the hop at index hop of the route.
func requireFailedAt(t *testing.T, a *lnkittest.Node, id channel.PaymentID, hop uint8, code onion.FailureCode) events.HTLCFailure {
	t.Helper()
	var got []*events.PaymentFailed
	for _, e := range lnkittest.Logged[*events.PaymentFailed](a) {
		if e.PaymentID == id {
			got = append(got, e)
		}
	}
	require.Len(t, got, 1)
	f, ok := got[0].Failure.Get()
	require.True(t, ok, "a decoded failure")
	require.Equal(t, hop, f.HopIndex, "erring hop")
	require.Equal(t, uint16(code), f.Code, "failure code %v", onion.FailureCode(f.Code))
	return f
}

func TestForwardFailureAtPayeeComesBackDecoded(t *testing.T) {
	net, a, b, c, ab, bc := fwdLine(t, 42)
	c.Claims = lnkittest.FailPayments
	aStart, bStart := net.Channel(a, ab).OurBalance, net.Channel(b, bc).OurBalance
	id, _, err := net.PayRoute([]*lnkittest.Node{a, b, c}, 5_000_000)
	require.NoError(t, err)
	net.Settle()
	f := requireFailedAt(t, a, id, 1, onion.CodeIncorrectOrUnknownPaymentDetails)
	require.Equal(t, c.ID(), f.ErringNode)
	require.Empty(t, lnkittest.Logged[*events.PaymentForwarded](b))
	requireCommitted(t, net, a, b, ab, aStart)
	requireCommitted(t, net, b, c, bc, bStart)
}

func TestForwardRefusedByPolicy(t *testing.T) {
	cases := []struct {
		name string
		edit func(r *routeEdit)
		code onion.FailureCode
		// push to c and c's htlc_minimum_msat on the channel from b.
		push, cMinimum wire.MilliSatoshi
	}{
		{"fee too low", func(r *routeEdit) { r.feeCut = 1 }, onion.CodeFeeInsufficient, 0, 0},
		{"cltv delta too small", func(r *routeEdit) { r.cltvCut = 1 }, onion.CodeIncorrectCLTVExpiry, 0, 0},
		{"unknown next channel", func(r *routeEdit) { r.scid = wire.ShortChannelID{BlockHeight: 7, TxIndex: 7} }, onion.CodeUnknownNextPeer, 0, 0},
		{"amount below the minimum", func(r *routeEdit) { r.amount = 1_000 }, onion.CodeAmountBelowMinimum, payPush, 2_000},
		{"expiry too soon", func(r *routeEdit) { r.finalDelta = 1 }, onion.CodeExpiryTooSoon, 0, 0},
		{"more than the channel can carry", func(r *routeEdit) {}, onion.CodeTemporaryChannelFailure, 988_000_000, 0},
	}
	for i, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			push := tc.push
			if push == 0 {
				push = payPush
			}
			net, a, b, c, ab, bc := fwdLineWith(t, 50+uint64(i), push, tc.cMinimum)
			aStart, bStart := net.Channel(a, ab).OurBalance, net.Channel(b, bc).OurBalance
			e := routeEdit{amount: 4_000_000, finalDelta: 30}
			tc.edit(&e)
			inv, err := c.Channels.CreateInvoice(channel.InvoiceRequest{Description: "x"})
			require.NoError(t, err)
			r, err := net.Route([]*lnkittest.Node{a, b, c}, e.amount, e.finalDelta)
			require.NoError(t, err)
			r.TotalAmount -= e.feeCut
			r.TotalFee -= e.feeCut
			r.Hops[0].Fee -= e.feeCut
			r.TotalCLTV -= e.cltvCut
			if e.scid != (wire.ShortChannelID{}) {
				r.Hops[1].ShortChannelID = e.scid
			}
			id := channel.PaymentID{byte(i), 1}
			require.NoError(t, a.Channels.SendPaymentRoute(id, inv.PaymentHash, inv.PaymentSecret, r))
			net.Settle()
			f := requireFailedAt(t, a, id, 0, tc.code)
			require.Equal(t, b.ID(), f.ErringNode)
			if tc.code.IsUpdate() {
				// Our channel_update of the outgoing channel, with its
				// message type, signed by b.
				require.Greater(t, len(f.ChannelUpdate), 2, "our channel_update comes with %v", tc.code)
				require.Equal(t, []byte{0x01, 0x02}, f.ChannelUpdate[:2])
				var u wire.ChannelUpdate
				require.NoError(t, u.Decode(f.ChannelUpdate[2:]))
				require.Equal(t, net.Channel(b, bc).ShortChannelID, u.ShortChannelID)
				policy := net.Channel(b, bc).Config
				require.Equal(t, policy.CLTVExpiryDelta, u.CLTVExpiryDelta)
				require.Equal(t, policy.ForwardingFeeBaseMsat, u.FeeBaseMsat)
				require.Equal(t, net.Channel(b, bc).HTLCMinimum, u.HTLCMinimumMsat)
			}
			requireCommitted(t, net, a, b, ab, aStart)
			requireCommitted(t, net, b, c, bc, bStart)
		})
	}
}

// routeEdit spoils a route for TestForwardRefusedByPolicy.
type routeEdit struct {
	amount     wire.MilliSatoshi
	finalDelta uint32
	feeCut     wire.MilliSatoshi
	cltvCut    uint32
	scid       wire.ShortChannelID
}

// fwdStep delivers one message on the first of a→b, b→c, c→b, b→a that
// has one, then lets every running node's application handle its events;
// false when no message was waiting.
func fwdStep(t *testing.T, net *lnkittest.Network, a, b, c *lnkittest.Node) bool {
	t.Helper()
	for _, l := range [][2]*lnkittest.Node{{a, b}, {b, c}, {c, b}, {b, a}} {
		if net.DeliverOne(l[0], l[1]) {
			for _, n := range []*lnkittest.Node{a, b, c} {
				if n.Running() {
					_, err := net.ProcessEvents(n)
					require.NoError(t, err)
				}
			}
			return true
		}
	}
	return false
}

// TestForwardCrashAtEveryStep crashes the forwarding node b, or the payee
// c, after each step of a payment a → b → c (every message delivered one
// at a time), restarts it and lets the network settle: the payment ends
// exactly once at a, every balance is exact to the msat (a paid the
// amount and b's fee, b earned the fee, c got the amount, or nobody moved
// a msat), and no channel closes.
func TestForwardCrashAtEveryStep(t *testing.T) {
	const amount wire.MilliSatoshi = 3_000_000
	count := func() int {
		net, a, b, c, _, _ := fwdLine(t, 60)
		_, _, err := net.PayRoute([]*lnkittest.Node{a, b, c}, amount)
		require.NoError(t, err)
		n := 0
		for fwdStep(t, net, a, b, c) {
			n++
		}
		return n
	}()
	require.Greater(t, count, 10)
	type fault struct {
		victim int
		// failWrites: the victim's store refuses every write of step k
		// (a full disk), then the victim crashes, or (noCrash) its
		// store recovers and it goes on.
		failWrites, noCrash bool
	}
	faults := []fault{{1, false, false}, {2, false, false}, {1, true, false}, {1, true, true}}
	if testing.Short() {
		faults = faults[:1] // the forwarder's crash; the others without -short
	}
	for _, fa := range faults {
		for k := 0; k <= count; k++ {
			net, a, b, c, ab, bc := fwdLine(t, 60)
			aStart, bStart := net.Channel(a, ab).OurBalance, net.Channel(b, bc).OurBalance
			id, _, err := net.PayRoute([]*lnkittest.Node{a, b, c}, amount)
			require.NoError(t, err)
			for range k {
				fwdStep(t, net, a, b, c)
			}
			node := net.Node(fa.victim)
			if fa.failWrites {
				node.Store.FailWrites(errors.New("test: disk full"))
				fwdStep(t, net, a, b, c)
				node.Store.FailWrites(nil)
			}
			if !fa.noCrash {
				net.Crash(node)
				net.Restart(node)
			}
			for _, l := range [][2]*lnkittest.Node{{a, b}, {b, c}} {
				if !net.Connected(l[0], l[1]) {
					// A refused write had the node drop the connection:
					// close what is left of it.
					net.Disconnect(l[0], l[1])
					net.Connect(l[0], l[1])
				}
			}
			net.Settle()
			net.Tick()
			net.Settle()
			what := fmt.Sprintf("%+v at step %d", fa, k)

			sent, failed := 0, 0
			for _, e := range lnkittest.Logged[*events.PaymentSent](a) {
				if e.PaymentID == id {
					sent++
				}
			}
			for _, e := range lnkittest.Logged[*events.PaymentFailed](a) {
				if e.PaymentID == id {
					failed++
				}
			}
			require.Equal(t, 1, sent+failed, what)
			t.Logf("%s: sent %d", what, sent)
			policy := net.Channel(b, bc).Config
			fee := wire.MilliSatoshi(policy.ForwardingFeeBaseMsat) + amount*wire.MilliSatoshi(policy.ForwardingFeeProportionalMillionths)/1_000_000
			if sent == 1 {
				requireCommitted(t, net, a, b, ab, aStart-amount-fee)
				requireCommitted(t, net, b, c, bc, bStart-amount)
			} else {
				requireCommitted(t, net, a, b, ab, aStart)
				requireCommitted(t, net, b, c, bc, bStart)
			}
			for _, n := range []*lnkittest.Node{a, b, c} {
				require.Empty(t, lnkittest.Logged[*events.ChannelClosed](n), what)
			}
			if t.Failed() {
				return
			}
		}
	}
}

// heldForward is a payment a → b → c that c's application holds (not
// claimed), with both HTLCs committed.
func heldForward(t *testing.T, seed uint64) (net *lnkittest.Network, a, b, c *lnkittest.Node, ab, bc wire.ChannelID, id channel.PaymentID, inv *channel.CreatedInvoice) {
	t.Helper()
	net, a, b, c, ab, bc = fwdLine(t, seed)
	c.Claims = lnkittest.HoldPayments
	id, inv, err := net.PayRoute([]*lnkittest.Node{a, b, c}, 20_000_000)
	require.NoError(t, err)
	net.Settle()
	require.Len(t, c.Claimable(), 1)
	return net, a, b, c, ab, bc, id, inv
}

// TestForwardClaimedOnChainDownstream: c claims the payment but its
// fulfill never reaches b (disconnected); b force-closes its channel with
// c. c's monitor claims the HTLC on chain with the preimage, b's monitor
// learns it from that spend, and b claims the incoming HTLC from a at once
// (off chain): a's payment succeeds, b's PaymentForwarded says the
// preimage came from the chain, and the a–b channel settles to the msat.
func TestForwardClaimedOnChainDownstream(t *testing.T) {
	net, a, b, c, ab, bc, id, inv := heldForward(t, 71)
	aStart := net.Channel(a, ab).OurBalance + 20_000_000 + requireFee(t, net, b, bc, 20_000_000)
	pre, ok := c.Claimable()[0].Purpose.Preimage.Get()
	require.True(t, ok)
	net.Disconnect(b, c)
	require.NoError(t, net.Claim(c, pre))
	process(t, net, c)
	require.NoError(t, b.Channels.ForceCloseChannel(bc, c.ID(), "test: c does not answer"))
	process(t, net, b)
	for range 6 {
		net.Mine(1)
		process(t, net, b, c)
		net.Settle()
	}
	sent := requireSent(t, a, id)
	require.Equal(t, pre, sent.Preimage)
	require.Equal(t, inv.PaymentHash, sent.PaymentHash)
	fwd := lnkittest.Logged[*events.PaymentForwarded](b)
	require.Len(t, fwd, 1)
	require.True(t, fwd[0].ClaimedOnChain)
	require.Equal(t, fwd[0].IncomingAmount-fwd[0].OutgoingAmount, fwd[0].FeeEarned)
	fee := requireFee(t, net, b, bc, 20_000_000)
	require.Equal(t, fee, fwd[0].FeeEarned)
	requireCommitted(t, net, a, b, ab, aStart-20_000_000-fee)
	require.Empty(t, lnkittest.Logged[*events.ChannelClosed](a))
}

// TestForwardTimedOutOnChainDownstream: c never answers; b force-closes
// its channel with c and times the HTLC out on chain; once that is deep,
// b fails the incoming HTLC back to a (permanent_channel_failure from
// hop 0) long before a's HTLC would expire, and the a–b channel is back
// where it started.
func TestForwardTimedOutOnChainDownstream(t *testing.T) {
	net, a, b, c, ab, bc, id, _ := heldForward(t, 72)
	aStart := net.Channel(a, ab).OurBalance + 20_000_000 + requireFee(t, net, b, bc, 20_000_000)
	net.Disconnect(b, c)
	require.NoError(t, b.Channels.ForceCloseChannel(bc, c.ID(), "test: c does not answer"))
	process(t, net, b)
	start := b.Channels.BestBlock().Height
	for range 300 {
		net.Mine(1)
		process(t, net, b)
		net.Settle()
		if len(lnkittest.Logged[*events.PaymentFailed](a)) > 0 {
			break
		}
	}
	// Failed once the timeout is deep: after the outgoing HTLC's expiry,
	// before the incoming one's.
	mined := b.Channels.BestBlock().Height - start
	require.Greater(t, mined, int32(channel.DefaultInvoiceMinFinalCLTVExpiryDelta))
	require.Less(t, mined, int32(channel.DefaultInvoiceMinFinalCLTVExpiryDelta+channel.FinalCLTVShadow+channel.DefaultCLTVExpiryDelta-channel.HTLCClaimBuffer))
	t.Logf("failed back %d blocks after the force close", mined)
	requireFailedAt(t, a, id, 0, onion.CodePermanentChannelFailure)
	require.Empty(t, lnkittest.Logged[*events.PaymentForwarded](b))
	requireCommitted(t, net, a, b, ab, aStart)
	require.Empty(t, lnkittest.Logged[*events.ChannelClosed](a))
}

// requireFee is b's fee for forwarding amount over bc.
func requireFee(t *testing.T, net *lnkittest.Network, b *lnkittest.Node, bc wire.ChannelID, amount wire.MilliSatoshi) wire.MilliSatoshi {
	t.Helper()
	var cfg channel.ChannelConfig
	for _, d := range b.Channels.ListChannels() {
		if d.ChannelID == bc {
			cfg = d.Config
		}
	}
	if cfg.CLTVExpiryDelta == 0 {
		cfg = channel.DefaultUserConfig().Channel // closed: the defaults it had
	}
	return wire.MilliSatoshi(cfg.ForwardingFeeBaseMsat) + amount*wire.MilliSatoshi(cfg.ForwardingFeeProportionalMillionths)/1_000_000
}

// TestForwardNonStrict: the onion names b's channel with c that cannot
// carry the HTLC (b's balance there is spent); b forwards over its other
// channel with c instead.
func TestForwardNonStrict(t *testing.T) {
	net, a, b, c, ab, full := fwdLineWith(t, 73, 988_000_000, 0)
	other := net.OpenChannel(b, c, payCapacity, lnkittest.Anchors, lnkittest.OpenOptions{Push: payPush})
	net.Settle()
	inv, err := c.Channels.CreateInvoice(channel.InvoiceRequest{Description: "non-strict"})
	require.NoError(t, err)
	r, err := net.Route([]*lnkittest.Node{a, b, c}, 4_000_000, 30)
	require.NoError(t, err)
	r.Hops[1].ShortChannelID = net.Channel(b, full).ShortChannelID
	id := channel.PaymentID{0x73}
	require.NoError(t, a.Channels.SendPaymentRoute(id, inv.PaymentHash, inv.PaymentSecret, r))
	net.Settle()
	requireSent(t, a, id)
	fwd := lnkittest.Logged[*events.PaymentForwarded](b)
	require.Len(t, fwd, 1)
	require.Equal(t, ab, fwd[0].PrevChannelID)
	require.Equal(t, other, fwd[0].NextChannelID)
}

// TestForwardToDisconnectedPeer: c is away; b refuses the forward with
// temporary_channel_failure and its channel_update, and nothing moves.
func TestForwardToDisconnectedPeer(t *testing.T) {
	net, a, b, c, ab, _ := fwdLine(t, 74)
	aStart := net.Channel(a, ab).OurBalance
	r, err := net.Route([]*lnkittest.Node{a, b, c}, 4_000_000, 30)
	require.NoError(t, err)
	inv, err := c.Channels.CreateInvoice(channel.InvoiceRequest{Description: "away"})
	require.NoError(t, err)
	net.Disconnect(b, c)
	id := channel.PaymentID{0x74}
	require.NoError(t, a.Channels.SendPaymentRoute(id, inv.PaymentHash, inv.PaymentSecret, r))
	net.Settle()
	f := requireFailedAt(t, a, id, 0, onion.CodeTemporaryChannelFailure)
	require.NotEmpty(t, f.ChannelUpdate)
	requireCommitted(t, net, a, b, ab, aStart)
}

// TestForwardFulfilledAfterUpstreamClosed: b's channel with a is force
// closed (by b) while the forwarded HTLC waits at c; c then claims it.
// The incoming channel is gone from b's channel manager, so the preimage
// goes to that channel's monitor, which claims the incoming HTLC on
// chain: a's payment succeeds (its monitor learns the preimage from b's
// claim) and b raises PaymentForwarded once.
func TestForwardFulfilledAfterUpstreamClosed(t *testing.T) {
	net, a, b, c, ab, _, id, _ := heldForward(t, 75)
	pre, ok := c.Claimable()[0].Purpose.Preimage.Get()
	require.True(t, ok)
	net.Disconnect(a, b)
	require.NoError(t, b.Channels.ForceCloseChannel(ab, a.ID(), "test: a does not answer"))
	process(t, net, b)
	net.Mine(1)
	process(t, net, a, b)
	require.NoError(t, net.Claim(c, pre))
	net.Settle()
	fwd := lnkittest.Logged[*events.PaymentForwarded](b)
	require.Len(t, fwd, 1)
	for range 8 {
		net.Mine(1)
		process(t, net, a, b)
	}
	sent := requireSent(t, a, id)
	require.Equal(t, pre, sent.Preimage)
	require.Len(t, lnkittest.Logged[*events.PaymentForwarded](b), 1)
}

// BenchmarkHarnessForwardRoundTrip measures one payment per op from a to
// c over b (the harness's full stack on each node, as
// BenchmarkHarnessPaymentRoundTrip), until a has PaymentSent and b its
// PaymentForwarded.
func BenchmarkHarnessForwardRoundTrip(bm *testing.B) {
	net := lnkittest.NewNetwork(bm, lnkittest.Options{Nodes: 3, Seed: 8})
	a, b, c := net.Node(0), net.Node(1), net.Node(2)
	net.OpenChannel(a, b, 10_000_000, lnkittest.Anchors)
	net.OpenChannel(b, c, 10_000_000, lnkittest.Anchors)
	net.Settle()
	bm.ReportAllocs()
	n := 0
	for bm.Loop() {
		id, _, err := net.PayRoute([]*lnkittest.Node{a, b, c}, 10_000)
		if err != nil {
			bm.Fatal(err)
		}
		net.Settle()
		n++
		if got := len(lnkittest.Logged[*events.PaymentForwarded](b)); got != n {
			bm.Fatalf("%d forwards for %d payments (%x)", got, n, id[:4])
		}
	}
}

// TestForwardWaitsForDurableRevocation: the HTLC from a is irrevocably
// b's once a's revoke_and_ack arrives, but b forwards it only once the
// monitor update holding a's revocation secret is durable (CHANNELS.md
// §5): with b's monitor updates held (asynchronous persistence) nothing
// goes to c; once they complete, the add leaves and the payment completes
// to the msat.
func TestForwardWaitsForDurableRevocation(t *testing.T) {
	net, a, b, c, ab, bc := fwdLine(t, 76)
	aStart, bStart := net.Channel(a, ab).OurBalance, net.Channel(b, bc).OurBalance
	id, _, err := net.PayRoute([]*lnkittest.Node{a, b, c}, 2_500_000)
	require.NoError(t, err)
	for net.DeliverOne(a, b) { // update_add_htlc, commitment_signed
	}
	for net.DeliverOne(b, a) { // revoke_and_ack, commitment_signed
	}
	b.AsyncMonitorUpdates = true
	require.True(t, net.DeliverOne(a, b), "a's revoke_and_ack")
	require.NotEmpty(t, b.HeldMonitorUpdates())
	require.False(t, net.DeliverOne(b, c), "forwarded before a's revocation is durable")
	b.AsyncMonitorUpdates = false
	net.CompleteMonitorUpdates(b)
	require.True(t, net.DeliverOne(b, c), "forwarded once it is")
	net.Settle()
	requireSent(t, a, id)
	fee := requireFee(t, net, b, bc, 2_500_000)
	requireCommitted(t, net, a, b, ab, aStart-2_500_000-fee)
	requireCommitted(t, net, b, c, bc, bStart-2_500_000)
}

// TestForwardClaimWhenUpstreamMonitorFails: b learns the preimage from c
// but its monitor refuses the update holding it for the a–b channel (a
// broken backup): PaymentForwarded was raised with the fulfill, the a–b
// channel stops, and once the disk is back the preimage reaches the
// closed channel's monitor, which claims the HTLC on chain: a's payment
// succeeds and b's PaymentForwarded is not raised a second time.
func TestForwardClaimWhenUpstreamMonitorFails(t *testing.T) {
	net, a, b, c, ab, _, id, _ := heldForward(t, 79)
	pre, ok := c.Claimable()[0].Purpose.Preimage.Get()
	require.True(t, ok)
	b.FailMonitorUpdates = true
	require.NoError(t, net.Claim(c, pre))
	net.Settle()
	stopped := false
	for _, e := range lnkittest.Logged[*events.ChannelClosed](b) {
		stopped = stopped || e.ChannelID == ab
	}
	require.True(t, stopped, "the a–b channel stopped")
	b.FailMonitorUpdates = false
	for range 12 {
		net.Mine(1)
		net.Settle()
	}
	sent := requireSent(t, a, id)
	require.Equal(t, pre, sent.Preimage)
	require.Len(t, lnkittest.Logged[*events.PaymentForwarded](b), 1, "raised once")
}
