package channel

import (
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/lnkit/lnkit/events"
	"github.com/lnkit/lnkit/wire"
)

// TestReconnectResendsChannelReady: a channel_ready lost with the
// connection is sent again after channel_reestablish, and the channel
// becomes ready.
func TestReconnectResendsChannelReady(t *testing.T) {
	tp := newTestPair(t, testUser(1, false), testUser(1, false))
	ch := tp.open(500_000, 0, 0)
	tp.tamper = func(from *testNode, msg wire.Message) wire.Message {
		if _, ok := msg.(*wire.ChannelReady); ok && from == tp.a {
			return nil // lost
		}
		return msg
	}
	tp.mine(1)
	require.Equal(t, StateAwaitingFunding, tp.b.details(t, ch.id).State)
	tp.tamper = nil
	tp.reconnect()
	for _, n := range []*testNode{tp.a, tp.b} {
		require.Equal(t, StateReady, n.details(t, ch.id).State, n.name)
		require.True(t, n.details(t, ch.id).Usable, n.name)
		require.Len(t, eventsOf[*events.ChannelReady](t, n), 1, n.name)
	}
	require.Equal(t, tp.a.details(t, ch.id).OurAlias, tp.b.details(t, ch.id).TheirAlias)
}

// TestReconnectResendsAnnouncementSignatures: announcement_signatures lost
// with the connection are sent again after channel_reestablish (BOLT 7);
// repeats of ones already received change nothing.
func TestReconnectResendsAnnouncementSignatures(t *testing.T) {
	tp, ch := newAnnouncedPair(t)
	tp.mine(5)
	tp.tamper = func(from *testNode, msg wire.Message) wire.Message {
		if _, ok := msg.(*wire.AnnouncementSignatures); ok && from == tp.b {
			return nil // lost
		}
		return msg
	}
	tp.mine(1)
	require.Len(t, tp.b.m.ChannelAnnouncements(), 1)
	require.Empty(t, tp.a.m.ChannelAnnouncements())
	tp.tamper = nil
	tp.reconnect()
	require.Len(t, tp.a.m.ChannelAnnouncements(), 1)
	require.Len(t, tp.b.m.ChannelAnnouncements(), 1)
	require.Len(t, sentOf[*wire.AnnouncementSignatures](tp, tp.a), 2)
	for _, n := range []*testNode{tp.a, tp.b} {
		require.Equal(t, StateReady, n.details(t, ch.id).State, n.name)
		require.Empty(t, eventsOf[*events.ChannelClosed](t, n), n.name)
	}
	// Once more: both have everything; the repeats are ignored.
	tp.reconnect()
	require.Len(t, tp.a.m.ChannelAnnouncements(), 1)
	require.Len(t, sentOf[*wire.AnnouncementSignatures](tp, tp.a), 3)
}
