package monitor_test

import (
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/lnkit/lnkit/channel/commit"
	"github.com/lnkit/lnkit/channel/monitor"
	"github.com/lnkit/lnkit/persist/persisttest"
	lnwire "github.com/lnkit/lnkit/wire"
)

// TestChainMonitorPreimage: Preimage answers from the channel's monitor:
// a preimage an update gave, not another, not for a channel not watched.
func TestChainMonitorPreimage(t *testing.T) {
	ch := newTestChannel(t, commit.StaticRemoteKey)
	cm := newChainMonitor(t, newKV(t, persisttest.NewCrashStore(), 1000))
	id := ch.b.mon.ChannelID()
	require.Equal(t, monitor.Completed, cm.WatchChannel(id, ch.b.mon))
	_, ok := cm.Preimage(id, preimage(1).Hash())
	require.False(t, ok)
	require.Equal(t, monitor.Completed, cm.UpdateChannel(id, preimageUpdate(ch.b.mon.LatestUpdateID()+1, preimage(1))))
	got, ok := cm.Preimage(id, preimage(1).Hash())
	require.True(t, ok)
	require.Equal(t, preimage(1), got)
	_, ok = cm.Preimage(id, preimage(2).Hash())
	require.False(t, ok)
	_, ok = cm.Preimage(lnwire.ChannelID{9}, preimage(1).Hash())
	require.False(t, ok)
}
