package lnkittest_test

import (
	"context"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/lnkit/lnkit/events"
	"github.com/lnkit/lnkit/lnkittest"
	"github.com/lnkit/lnkit/wire"
)

// appendEvents appends evs to node's queue by hand, as a state machine
// would.
func appendEvents(t *testing.T, node *lnkittest.Node, evs ...events.Event) {
	t.Helper()
	require.NoError(t, node.Events.Append(context.Background(), evs...))
}

func TestEventsInOrder(t *testing.T) {
	net := lnkittest.NewNetwork(t, lnkittest.Options{Seed: 14})
	a, b := net.Node(0), net.Node(1)
	require.Empty(t, net.Events(a))
	ready := &events.ChannelReady{ChannelID: wire.ChannelID{1}}
	pending := &events.ChannelPending{ChannelID: wire.ChannelID{2}}
	appendEvents(t, a, pending, ready)
	require.Equal(t, []events.Event{pending, ready}, net.Events(a))
	require.Empty(t, net.Events(a), "handled: removed")
	require.Empty(t, net.Events(b), "each node has its own queue")

	appendEvents(t, b, &events.ChannelReady{ChannelID: wire.ChannelID{3}}, &events.ChannelClosed{ChannelID: wire.ChannelID{3}, Reason: events.Reason(events.ClosedCooperativelyByUs)})
	require.Equal(t, wire.ChannelID{3}, lnkittest.NextEvent[*events.ChannelReady](t, net, b).ChannelID)
	require.Equal(t, wire.ChannelID{3}, lnkittest.NextEvent[*events.ChannelClosed](t, net, b).ChannelID)
	require.Empty(t, net.Events(b))
}

// TestEventsRedeliveredAfterCrash: the queue's at-least-once guarantee
// through the harness: an event not handled before a crash is delivered
// after the restart, with the same ID; one handled is not.
func TestEventsRedeliveredAfterCrash(t *testing.T) {
	net := lnkittest.NewNetwork(t, lnkittest.Options{Seed: 15})
	a := net.Node(0)
	handled := &events.ChannelPending{ChannelID: wire.ChannelID{1}}
	left := &events.ChannelReady{ChannelID: wire.ChannelID{2}, UserChannelID: 42}
	appendEvents(t, a, handled, left)
	require.Equal(t, handled, lnkittest.NextEvent[*events.ChannelPending](t, net, a))

	net.Crash(a)
	require.Nil(t, a.Events)
	net.Restart(a)
	got := lnkittest.NextEvent[*events.ChannelReady](t, net, a)
	require.Equal(t, left.ID, got.ID, "the same event, delivered again")
	require.Equal(t, left.ChannelID, got.ChannelID)
	require.Equal(t, uint64(42), got.UserChannelID)
	require.Empty(t, net.Events(a))

	net.Crash(a)
	net.Restart(a)
	require.Empty(t, net.Events(a), "handled before the crash: not delivered again")
	next := &events.ChannelClosed{Reason: events.Reason(events.ClosedFundingTimedOut)}
	appendEvents(t, a, next)
	require.Greater(t, next.ID, left.ID, "ids never reused across restarts")
}

func TestNextEventFailures(t *testing.T) {
	net := lnkittest.NewNetwork(t, lnkittest.Options{Seed: 16})
	a := net.Node(0)
	tb := recordingTB{t}
	require.Contains(t, failure(func() { lnkittest.NextEvent[*events.ChannelReady](tb, net, a) }),
		"no event, want a *events.ChannelReady")

	wrong := &events.ChannelPending{ChannelID: wire.ChannelID{7}}
	later := &events.ChannelReady{}
	appendEvents(t, a, wrong, later)
	require.Contains(t, failure(func() { lnkittest.NextEvent[*events.ChannelReady](tb, net, a) }),
		"next event is channel-pending")
	require.Equal(t, []events.Event{wrong, later}, net.Events(a), "both stay queued")

	net.Crash(a)
	require.Contains(t, failure(func() { lnkittest.NextEvent[*events.ChannelReady](tb, net, a) }), "node 0 is crashed")
}
