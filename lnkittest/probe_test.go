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

// balanceKey names one node's side of one channel.
type balanceKey struct {
	node    int
	channel wire.ChannelID
}

// balances returns every node's balance in each of its channels.
func balances(net *lnkittest.Network, nodes ...*lnkittest.Node) map[balanceKey]wire.MilliSatoshi {
	out := make(map[balanceKey]wire.MilliSatoshi)
	for _, n := range nodes {
		for _, d := range n.Channels.ListChannels() {
			out[balanceKey{n.Index, d.ChannelID}] = d.OurBalance
		}
	}
	return out
}

// TestProbe: a probe over a path that carries it ends ProbeSuccessful (the
// payee refused it as unknown), one over a path that cannot (b has nothing
// to send c) ProbeFailed naming b–c; the scorer learns both; no payment
// event is raised, the payee is never asked, and no msat moves anywhere.
func TestProbe(t *testing.T) {
	net, _, sc := diamond(t, 75, nil)
	a, b, c, d := net.Node(0), net.Node(1), net.Node(2), net.Node(3)
	before := balances(net, a, b, c, d)
	const amount wire.MilliSatoshi = 25_000_000

	good, err := net.Route([]*lnkittest.Node{a, d, c}, amount, 40)
	require.NoError(t, err)
	okID, err := a.Channels.SendProbe(good)
	require.NoError(t, err)
	bad, err := net.Route([]*lnkittest.Node{a, b, c}, amount, 40)
	require.NoError(t, err)
	badID, err := a.Channels.SendProbe(bad)
	require.NoError(t, err)
	require.NotEqual(t, okID, badID)
	net.Settle()

	succeeded := lnkittest.Logged[*events.ProbeSuccessful](a)
	require.Len(t, succeeded, 1)
	require.Equal(t, okID, succeeded[0].PaymentID)
	require.Equal(t, []wire.NodeID{d.ID(), c.ID()}, succeeded[0].Path)
	failed := lnkittest.Logged[*events.ProbeFailed](a)
	require.Len(t, failed, 1)
	require.Equal(t, badID, failed[0].PaymentID)
	bc, ok := usableTo(b, c)
	require.True(t, ok)
	require.Equal(t, bc.ShortChannelID, failed[0].ShortChannelID)
	require.Equal(t, uint16(onion.CodeTemporaryChannelFailure), failed[0].Failure.Code)
	require.Equal(t, uint8(0), failed[0].Failure.HopIndex, "b refused it")
	require.Equal(t, []wire.ShortChannelID{bc.ShortChannelID}, sc.failed)
	require.Equal(t, 1, sc.succeeded)

	for _, n := range []*lnkittest.Node{a, b, c, d} {
		require.Empty(t, lnkittest.Logged[*events.PaymentSent](n))
		require.Empty(t, lnkittest.Logged[*events.PaymentFailed](n))
		require.Empty(t, lnkittest.Logged[*events.PaymentPathFailed](n))
		require.Empty(t, lnkittest.Logged[*events.PaymentClaimable](n))
	}
	require.Equal(t, before, balances(net, a, b, c, d), "a probe moves nothing")
	for _, p := range a.Channels.ListPayments() {
		require.True(t, p.Probe)
		require.Equal(t, channel.PaymentFailed, p.Status)
	}

	// Its outcome survives a restart: nothing is raised again.
	net.Crash(a)
	net.Restart(a)
	net.Connect(a, b)
	net.Connect(a, d)
	net.Settle()
	require.Len(t, lnkittest.Logged[*events.ProbeSuccessful](a), 1)
	require.Len(t, lnkittest.Logged[*events.ProbeFailed](a), 1)
}

// TestProbeAcrossPayerRestart: the payer crashes with the probe in
// flight; after its restart the probe ends ProbeSuccessful once.
func TestProbeAcrossPayerRestart(t *testing.T) {
	net, _, _ := diamond(t, 76, nil)
	a, c, d := net.Node(0), net.Node(2), net.Node(3)
	rt, err := net.Route([]*lnkittest.Node{a, d, c}, 5_000_000, 40)
	require.NoError(t, err)
	id, err := a.Channels.SendProbe(rt)
	require.NoError(t, err)
	require.True(t, net.DeliverOne(a, d), "update_add_htlc")
	require.True(t, net.DeliverOne(a, d), "commitment_signed")
	require.Empty(t, lnkittest.Logged[*events.ProbeSuccessful](a))
	net.Crash(a)
	net.Restart(a)
	net.Connect(a, net.Node(1))
	net.Connect(a, d)
	net.Settle()
	succeeded := lnkittest.Logged[*events.ProbeSuccessful](a)
	require.Len(t, succeeded, 1)
	require.Equal(t, id, succeeded[0].PaymentID)
}
