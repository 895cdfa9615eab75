package main

import (
	"testing"

	"github.com/btcsuite/btcd/chaincfg/chainhash"
	"github.com/stretchr/testify/require"

	"github.com/lnkit/lnkit/channel"
	"github.com/lnkit/lnkit/events"
	"github.com/lnkit/lnkit/wire"
)

// TestClosedList: closures are listed once each, in order, with the
// closing transaction whether the chain showed it before or after the
// event.
func TestClosedList(t *testing.T) {
	var c closedList
	require.Equal(t, listClosedResult{Closed: []closedResult{}}, c.result())
	a, b := wire.ChannelID{1}, wire.ChannelID{2}
	c.setClosingTxid(a, chainhash.Hash{0xaa}) // the spend confirmed before the event was handled
	c.add(&events.ChannelClosed{ChannelID: a, Reason: events.Reason(events.ClosedCooperativelyByUs)})
	c.add(&events.ChannelClosed{ChannelID: b, Reason: events.HolderForceClosed("user", true)})
	c.add(&events.ChannelClosed{ChannelID: a, Reason: events.Reason(events.ClosedCooperativelyByUs)}) // delivered again
	c.setClosingTxid(b, chainhash.Hash{0xbb})
	r := c.result()
	require.Len(t, r.Closed, 2)
	require.Equal(t, a.String(), r.Closed[0].ChannelID)
	require.Equal(t, "cooperative-by-us", r.Closed[0].Reason)
	require.Equal(t, chainhash.Hash{0xaa}.String(), r.Closed[0].ClosingTxid)
	require.Equal(t, "holder-force-closed", r.Closed[1].Reason)
	require.Equal(t, "user", r.Closed[1].Message)
	require.Equal(t, chainhash.Hash{0xbb}.String(), r.Closed[1].ClosingTxid)
}

// TestUserConfig: inbound channels always reach the event handler (which
// accepts or refuses them), and --to-self-delay sets our to_self_delay.
func TestUserConfig(t *testing.T) {
	u := userConfig(config{})
	require.False(t, u.AcceptInboundChannels)
	require.Equal(t, channel.DefaultToSelfDelay, u.Handshake.ToSelfDelay)
	require.NoError(t, u.Validate())
	u = userConfig(config{ToSelfDelay: 10})
	require.EqualValues(t, 10, u.Handshake.ToSelfDelay)
	require.NoError(t, u.Validate())
}
