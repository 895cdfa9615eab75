package lnkittest_test

import (
	"context"
	"errors"
	"sync"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/lnkit/lnkit/channel"
	"github.com/lnkit/lnkit/events"
	"github.com/lnkit/lnkit/lnkittest"
	"github.com/lnkit/lnkit/persist"
	"github.com/lnkit/lnkit/router"
	"github.com/lnkit/lnkit/router/onion"
	"github.com/lnkit/lnkit/wire"
)

// scriptedRouter answers the n-th FindRoutes with the routes along
// paths[n] (each path a list of node indexes, split evenly when several),
// built from the forwarders' policies (Network.Route), and records the
// requests; past the script it finds no route.
type scriptedRouter struct {
	net   *lnkittest.Network
	paths [][][]int
	// alter, when set, changes the routes of the n-th answer.
	alter func(n int, r *router.Route)
	mu    sync.Mutex
	reqs  []router.Request
}

func (s *scriptedRouter) FindRoutes(req router.Request) ([]*router.Route, error) {
	s.mu.Lock()
	n := len(s.reqs)
	s.reqs = append(s.reqs, req)
	s.mu.Unlock()
	if n >= len(s.paths) {
		return nil, router.ErrNoRoute
	}
	var out []*router.Route
	part := req.Amount / wire.MilliSatoshi(len(s.paths[n]))
	for i, p := range s.paths[n] {
		amt := part
		if i == len(s.paths[n])-1 {
			amt = req.Amount - part*wire.MilliSatoshi(len(s.paths[n])-1)
		}
		path := make([]*lnkittest.Node, len(p))
		for k, x := range p {
			path[k] = s.net.Node(x)
		}
		r, err := s.net.Route(path, amt, uint32(req.FinalCLTVDelta))
		if err != nil {
			return nil, err
		}
		if s.alter != nil {
			s.alter(n, &r)
		}
		out = append(out, &r)
	}
	return out, nil
}

// recordingScorer records what the Manager teaches it.
type recordingScorer struct {
	mu        sync.Mutex
	failed    []wire.ShortChannelID
	permanent []wire.ShortChannelID
	succeeded int
}

func (s *recordingScorer) PaymentPathFailedPermanently(_ *router.Route, failed wire.ShortChannelID) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.permanent = append(s.permanent, failed)
}

func (s *recordingScorer) PaymentPathFailed(_ *router.Route, failed wire.ShortChannelID) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.failed = append(s.failed, failed)
}

func (s *recordingScorer) PaymentPathSucceeded(*router.Route) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.succeeded++
}

// diamond is a (0) with channels to b (1) and d (3), each with a channel
// to c (2): b–c opened by c (b has nothing to send c: it cannot forward),
// d–c opened by d.
func diamond(t *testing.T, seed uint64, paths [][][]int) (*lnkittest.Network, *scriptedRouter, *recordingScorer) {
	t.Helper()
	sr, sc := &scriptedRouter{paths: paths}, &recordingScorer{}
	net := lnkittest.NewNetwork(t, lnkittest.Options{Nodes: 4, Seed: seed, PaymentRouter: func(n *lnkittest.Node) channel.PaymentRouter {
		if n.Index != 0 {
			return nil
		}
		return sr
	}, PaymentScorer: func(n *lnkittest.Node) channel.PaymentScorer {
		if n.Index != 0 {
			return nil
		}
		return sc
	}})
	sr.net = net
	a, b, c, d := net.Node(0), net.Node(1), net.Node(2), net.Node(3)
	net.OpenChannel(a, b, payCapacity, lnkittest.Anchors, lnkittest.OpenOptions{})
	net.OpenChannel(c, b, payCapacity, lnkittest.Anchors, lnkittest.OpenOptions{})
	net.OpenChannel(a, d, payCapacity, lnkittest.Anchors, lnkittest.OpenOptions{})
	net.OpenChannel(d, c, payCapacity, lnkittest.Anchors, lnkittest.OpenOptions{})
	net.Settle()
	return net, sr, sc
}

// payOverNetwork has a pay c's invoice of amount with SendPayment (c is
// not a's peer: the router is asked) and settles.
func payOverNetwork(t *testing.T, net *lnkittest.Network, amount wire.MilliSatoshi) (channel.PaymentID, *channel.CreatedInvoice, error) {
	t.Helper()
	a, c := net.Node(0), net.Node(2)
	inv, err := c.Channels.CreateInvoice(channel.InvoiceRequest{Amount: amount, Description: "over the network"})
	require.NoError(t, err)
	id := channel.PaymentID{0xaa, byte(amount)}
	err = a.Channels.SendPayment(id, inv.Invoice, 0)
	net.Settle()
	return id, inv, err
}

// TestPayOverNetworkRetries: a's first route (over b, which cannot
// forward to c) fails at b's channel; a raises PaymentPathFailed
// (retryable, naming b–c), asks the router again with b–c excluded and
// pays over d: one PaymentSent with d's fee, c claims the amount once.
func TestPayOverNetworkRetries(t *testing.T) {
	net, sr, sc := diamond(t, 71, [][][]int{{{0, 1, 2}}, {{0, 3, 2}}})
	const amount wire.MilliSatoshi = 20_000_000
	id, inv, err := payOverNetwork(t, net, amount)
	require.NoError(t, err)
	a, b, c, d := net.Node(0), net.Node(1), net.Node(2), net.Node(3)

	failed := lnkittest.Logged[*events.PaymentPathFailed](a)
	require.Len(t, failed, 1)
	require.True(t, failed[0].Retryable)
	require.Equal(t, []wire.NodeID{b.ID(), c.ID()}, failed[0].Path)
	bc, ok := usableTo(b, c)
	require.True(t, ok)
	require.Equal(t, bc.ShortChannelID, failed[0].ShortChannelID)
	require.Len(t, sr.reqs, 2)
	require.Contains(t, sr.reqs[1].ExcludeChannels, bc.ShortChannelID)
	require.Equal(t, amount, sr.reqs[1].Amount)

	sent := requireSent(t, a, id)
	require.Equal(t, inv.PaymentHash, sent.PaymentHash)
	dc, ok := usableTo(d, c)
	require.True(t, ok)
	fee := wire.MilliSatoshi(dc.Config.ForwardingFeeBaseMsat) + amount*wire.MilliSatoshi(dc.Config.ForwardingFeeProportionalMillionths)/1_000_000
	require.Equal(t, fee, sent.FeePaid)
	require.Empty(t, lnkittest.Logged[*events.PaymentFailed](a))
	claimed := lnkittest.Logged[*events.PaymentClaimed](c)
	require.Len(t, claimed, 1)
	require.Equal(t, amount, claimed[0].Amount)
	require.Len(t, lnkittest.Logged[*events.PaymentForwarded](d), 1)
	require.Equal(t, []wire.ShortChannelID{bc.ShortChannelID}, sc.failed, "the scorer learnt where it failed")
	require.Equal(t, 1, sc.succeeded)
}

// TestPayOverNetworkPermanentChannelFailure: a's first route names a
// channel out of b that b does not have; b answers unknown_next_peer (a
// permanent channel failure): a's scorer learns the channel forwards
// nothing (PaymentPathFailedPermanently, not a liquidity bound), the
// retry excludes it and pays over d.
func TestPayOverNetworkPermanentChannelFailure(t *testing.T) {
	net, sr, sc := diamond(t, 78, [][][]int{{{0, 1, 2}}, {{0, 3, 2}}})
	bogus := wire.NewShortChannelID(999_999<<40 | 9<<16 | 9)
	sr.alter = func(n int, r *router.Route) {
		if n == 0 {
			r.Hops[1].ShortChannelID = bogus
		}
	}
	const amount wire.MilliSatoshi = 20_000_000
	id, _, err := payOverNetwork(t, net, amount)
	require.NoError(t, err)
	a := net.Node(0)

	failed := lnkittest.Logged[*events.PaymentPathFailed](a)
	require.Len(t, failed, 1)
	require.Equal(t, bogus, failed[0].ShortChannelID)
	require.Equal(t, uint16(onion.CodeUnknownNextPeer), failed[0].Failure.Code)
	require.True(t, failed[0].Retryable)
	require.Len(t, sr.reqs, 2)
	require.Contains(t, sr.reqs[1].ExcludeChannels, bogus)
	require.Empty(t, sr.reqs[1].ExcludeNodes, "a channel failure excludes no node")
	require.Equal(t, []wire.ShortChannelID{bogus}, sc.permanent)
	require.Empty(t, sc.failed)
	requireSent(t, a, id)
	require.Equal(t, 1, sc.succeeded)
}

// TestPayOverNetworkGivesUp: every route fails and the router finds no
// other: one PaymentPathFailed per attempt, then one PaymentFailed
// (route not found); nothing moved.
func TestPayOverNetworkGivesUp(t *testing.T) {
	net, sr, _ := diamond(t, 72, [][][]int{{{0, 1, 2}}})
	id, _, err := payOverNetwork(t, net, 20_000_000)
	require.NoError(t, err)
	a := net.Node(0)
	require.Len(t, lnkittest.Logged[*events.PaymentPathFailed](a), 1)
	failed := lnkittest.Logged[*events.PaymentFailed](a)
	require.Len(t, failed, 1)
	require.Equal(t, id, failed[0].PaymentID)
	require.Equal(t, events.FailureRouteNotFound, failed[0].Reason)
	require.Empty(t, lnkittest.Logged[*events.PaymentSent](a))
	require.Len(t, sr.reqs, 2)
}

// TestPayOverNetworkMultiPath: the router splits the payment over both
// paths at once (b's fails, so d–c carries the first part only after a
// retry sends the missing part over d again): c holds the parts until
// they reach the total, then claims once; a gets one PaymentSent.
func TestPayOverNetworkMultiPath(t *testing.T) {
	net, _, _ := diamond(t, 73, [][][]int{{{0, 3, 2}, {0, 1, 2}}, {{0, 3, 2}}})
	const amount wire.MilliSatoshi = 30_000_000
	id, _, err := payOverNetwork(t, net, amount)
	require.NoError(t, err)
	a, c, d := net.Node(0), net.Node(2), net.Node(3)
	sent := requireSent(t, a, id)
	require.Len(t, lnkittest.Logged[*events.PaymentPathFailed](a), 1)
	// Both parts went over d: PaymentSent's fee counts both, each part's
	// path success carries its own.
	dc, ok := usableTo(d, c)
	require.True(t, ok)
	part := amount / 2
	partFee := wire.MilliSatoshi(dc.Config.ForwardingFeeBaseMsat) + part*wire.MilliSatoshi(dc.Config.ForwardingFeeProportionalMillionths)/1_000_000
	require.Equal(t, 2*partFee, sent.FeePaid)
	paths := lnkittest.Logged[*events.PaymentPathSuccessful](a)
	require.Len(t, paths, 2)
	for _, p := range paths {
		require.Equal(t, id, p.PaymentID)
		require.Equal(t, part, p.Amount)
		require.Equal(t, partFee, p.FeePaid)
		require.Equal(t, []wire.NodeID{d.ID(), c.ID()}, p.Path)
	}
	var earned wire.MilliSatoshi
	for _, f := range lnkittest.Logged[*events.PaymentForwarded](d) {
		earned += f.FeeEarned
	}
	require.Equal(t, 2*partFee, earned, "d earned what a paid")
	claimed := lnkittest.Logged[*events.PaymentClaimed](c)
	require.Len(t, claimed, 1)
	require.Equal(t, amount, claimed[0].Amount)
	require.Equal(t, uint32(2), claimed[0].HTLCCount)
}

// TestPayNoRouter: without a router, a payee that is not a peer is
// refused at once (ErrNoRoute), as before.
func TestPayNoRouter(t *testing.T) {
	net, a, _, c, _, _ := fwdLine(t, 74)
	inv, err := c.Channels.CreateInvoice(channel.InvoiceRequest{Amount: 1_000_000, Description: "x"})
	require.NoError(t, err)
	err = a.Channels.SendPayment(channel.PaymentID{9}, inv.Invoice, 0)
	require.True(t, errors.Is(err, channel.ErrNoRoute), "%v", err)
	net.Settle()
}

// usableTo returns n's usable channel to peer.
func usableTo(n, peer *lnkittest.Node) (channel.ChannelDetails, bool) {
	for _, d := range n.Channels.ListChannels() {
		if d.CounterpartyNodeID == peer.ID() && d.Usable {
			return d, true
		}
	}
	return channel.ChannelDetails{}, false
}

// TestKeysendOverNetwork: a keysend to a node that is not a's peer goes
// over the router's route in one part: c receives it as spontaneous, d
// earns its fee, a pays amount plus that fee.
func TestKeysendOverNetwork(t *testing.T) {
	net, sr, _ := diamond(t, 77, [][][]int{{{0, 3, 2}}})
	a, c, d := net.Node(0), net.Node(2), net.Node(3)
	ad, ok := usableTo(a, d)
	require.True(t, ok)
	before := ad.OurBalance
	const amount wire.MilliSatoshi = 7_000_000
	id, hash, err := net.Keysend(a, c, amount)
	require.NoError(t, err)
	net.Settle()
	require.Len(t, sr.reqs, 1)
	require.Equal(t, 1, sr.reqs[0].MaxParts)
	sent := requireSent(t, a, id)
	require.Equal(t, hash, sent.PaymentHash)
	dc, ok := usableTo(d, c)
	require.True(t, ok)
	fee := wire.MilliSatoshi(dc.Config.ForwardingFeeBaseMsat) + amount*wire.MilliSatoshi(dc.Config.ForwardingFeeProportionalMillionths)/1_000_000
	require.Equal(t, fee, sent.FeePaid)
	claimed := lnkittest.Logged[*events.PaymentClaimed](c)
	require.Len(t, claimed, 1)
	require.Equal(t, amount, claimed[0].Amount)
	require.Equal(t, events.PurposeSpontaneous, claimed[0].Purpose.Kind)
	ad, ok = usableTo(a, d)
	require.True(t, ok)
	require.Equal(t, before-amount-fee, ad.OurBalance)
}

// TestPayOverNetworkRetryAcrossRestart: a crashes while its first route's
// HTLC is in flight (or, second case, right after it retried, before the
// retry left); after the restart the failure of the first route is still
// retried over d with b–c excluded (the retry state is durable): one
// PaymentSent with d's fee, c paid once.
func TestPayOverNetworkRetryAcrossRestart(t *testing.T) {
	for _, tc := range []struct {
		name string
		// steps delivers up to the crash.
		steps func(net *lnkittest.Network, a, b *lnkittest.Node)
	}{
		{"first route in flight", func(net *lnkittest.Network, a, b *lnkittest.Node) {
			require.True(t, net.DeliverOne(a, b), "update_add_htlc")
			require.True(t, net.DeliverOne(a, b), "commitment_signed")
		}},
		{"retry not yet sent", func(net *lnkittest.Network, a, b *lnkittest.Node) {
			// Deliver everything but what a sends d: b fails the first
			// route back, a retries over d, and crashes before d hears.
			for net.DeliverOne(a, b) || net.DeliverOne(b, a) {
			}
		}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			net, sr, _ := diamond(t, 78, [][][]int{{{0, 1, 2}}, {{0, 3, 2}}, {{0, 3, 2}}})
			a, b, c, d := net.Node(0), net.Node(1), net.Node(2), net.Node(3)
			inv, err := c.Channels.CreateInvoice(channel.InvoiceRequest{Amount: 20_000_000, Description: "across a crash"})
			require.NoError(t, err)
			id := channel.PaymentID{0xab}
			require.NoError(t, a.Channels.SendPayment(id, inv.Invoice, 0))
			tc.steps(net, a, b)
			net.Crash(a)
			net.Restart(a)
			net.Connect(a, b)
			net.Connect(a, d)
			net.Settle()

			sent := requireSent(t, a, id)
			require.Equal(t, inv.PaymentHash, sent.PaymentHash)
			require.Empty(t, lnkittest.Logged[*events.PaymentFailed](a))
			claimed := lnkittest.Logged[*events.PaymentClaimed](c)
			require.Len(t, claimed, 1)
			require.Equal(t, wire.MilliSatoshi(20_000_000), claimed[0].Amount)
			bc, ok := usableTo(b, c)
			require.True(t, ok)
			last := sr.reqs[len(sr.reqs)-1]
			require.Contains(t, last.ExcludeChannels, bc.ShortChannelID, "the exclusion survived")
			left, err := a.Store.List(context.Background(), persist.Namespace{Primary: channel.PaymentRoutesNamespace})
			require.NoError(t, err)
			require.Empty(t, left, "the retry state is gone with the payment")
		})
	}
}
