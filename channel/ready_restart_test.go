package channel_test

import (
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/lnkit/lnkit/channel"
	"github.com/lnkit/lnkit/events"
	"github.com/lnkit/lnkit/lnkittest"
	"github.com/lnkit/lnkit/wire"
)

// readyEvents returns the ChannelReady events node raised so far.
func readyEvents(node *lnkittest.Node) []*events.ChannelReady {
	var out []*events.ChannelReady
	for _, e := range node.EventLog {
		if r, ok := e.(*events.ChannelReady); ok {
			out = append(out, r)
		}
	}
	return out
}

// TestRestartAroundReady: an acceptor that crashes while the funding
// confirms is caught up from its durable best block after a restart,
// sends channel_ready, and the channel becomes ready once on each side;
// an opener that crashes after the announcement rebuilds it, and sends
// its announcement_signatures again after the reestablishment.
func TestRestartAroundReady(t *testing.T) {
	net := lnkittest.NewNetwork(t, lnkittest.Options{Nodes: 2, Seed: 4, UserConfig: func(*lnkittest.Node) channel.UserConfig {
		u := channel.DefaultUserConfig()
		u.Handshake.MinimumDepth = 3
		return u
	}})
	a, b := net.Node(0), net.Node(1)
	tmp := net.StartOpen(a, b, 1_000_000, lnkittest.Anchors, lnkittest.OpenOptions{Public: true})
	for range 3 {
		net.DeliverAll()
		for _, n := range []*lnkittest.Node{a, b} {
			_, err := net.ProcessEvents(n)
			require.NoError(t, err)
		}
	}
	var id wire.ChannelID
	for _, d := range a.Channels.ListChannels() {
		if d.TemporaryChannelID == tmp {
			id = d.ChannelID
		}
	}
	require.Equal(t, channel.StateAwaitingFunding, net.Channel(b, id).State)

	net.Mine(1)
	net.Crash(b)
	net.Mine(2) // a sends channel_ready to no one
	require.Equal(t, channel.StateAwaitingFunding, net.Channel(a, id).State)
	net.Restart(b)
	net.Connect(a, b)
	net.DeliverAll()
	for _, n := range []*lnkittest.Node{a, b} {
		_, err := net.ProcessEvents(n)
		require.NoError(t, err)
		d := net.Channel(n, id)
		require.Equal(t, channel.StateReady, d.State)
		require.True(t, d.Usable)
		require.Equal(t, uint32(3), d.Confirmations)
		require.Len(t, readyEvents(n), 1)
	}

	net.Mine(3)
	net.DeliverAll()
	before := a.Channels.ChannelAnnouncements()
	require.Len(t, before, 1)
	require.Len(t, b.Channels.ChannelAnnouncements(), 1)
	net.Crash(a)
	net.Restart(a)
	after := a.Channels.ChannelAnnouncements()
	require.Len(t, after, 1)
	require.Equal(t, before[0].ChannelAnnouncement, after[0].ChannelAnnouncement)
	net.Connect(a, b)
	net.DeliverAll()
	require.Equal(t, channel.StateReady, net.Channel(a, id).State)
	require.Len(t, b.Channels.ChannelAnnouncements(), 1)
}
