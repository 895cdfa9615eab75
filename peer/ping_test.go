package peer_test

import (
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/lnkit/lnkit/peer"
	"github.com/lnkit/lnkit/wire"
)

// pingState returns the ping bookkeeping of n's connection with id.
func pingState(n *testNode, id wire.NodeID) (out bool, idle, waited int) {
	return peer.PingState(n.m, id)
}

func TestPingByTicks(t *testing.T) {
	a := newTestNode(t, 1, func(c *peer.Config) { c.PingIntervalTicks, c.PongTimeoutTicks = 2, 2 })
	b := newTestNode(t, 2, nil)
	l := connect(t, a, b)

	a.m.TimerTick() // idle 1
	require.Zero(t, l.DA.Len())
	a.m.TimerTick() // idle 2: ping
	require.NotZero(t, l.DA.Len())
	out, _, _ := pingState(a, b.id)
	require.True(t, out)

	l.Pump() // b answers
	out, _, _ = pingState(a, b.id)
	require.False(t, out)

	a.m.TimerTick() // the pong arrived since the last tick: idle 0
	_, idle, _ := pingState(a, b.id)
	require.Zero(t, idle)
	a.m.TimerTick() // idle 1
	require.Zero(t, l.DA.Len())
	a.m.TimerTick() // idle 2: ping, left undelivered
	require.NotZero(t, l.DA.Len())
	a.m.TimerTick() // waited 1
	_, _, waited := pingState(a, b.id)
	require.Equal(t, 1, waited)
	require.False(t, l.DA.Disconnected())
	a.m.TimerTick() // waited 2: timeout
	require.True(t, l.DA.Disconnected())
	require.Empty(t, a.m.Peers())
	require.Equal(t, "disconnected "+short(b.id), a.ch.Events()[1])

	l.Pump()
	require.Empty(t, b.m.Peers())
	require.Equal(t, "disconnected "+short(a.id), b.ch.Events()[1])
	for _, n := range []*testNode{a, b} {
		byDesc, byID := peer.ConnCount(n.m)
		require.Zero(t, byDesc+byID)
	}
}

func TestPongTimeoutNotCountedWhileTrafficFlows(t *testing.T) {
	n := newTestNode(t, 1, func(c *peer.Config) { c.PingIntervalTicks, c.PongTimeoutTicks = 1, 2 })
	r := connectRaw(t, n)
	n.m.TimerTick() // ping
	msgs := r.recv()
	require.Len(t, msgs, 1)
	require.Equal(t, &wire.Ping{NumPongBytes: 0}, msgs[0])
	for range 5 {
		require.NoError(t, r.send(&wire.Unknown{MsgType: 12345}))
		n.m.TimerTick()
		require.False(t, r.d.Disconnected())
	}
	n.m.TimerTick()
	require.False(t, r.d.Disconnected())
	n.m.TimerTick()
	requireGone(t, n, r.d)
}

func TestPingAnswers(t *testing.T) {
	n := newTestNode(t, 1, nil)
	r := connectRaw(t, n)
	tests := []struct {
		ping wire.Ping
		pong *wire.Pong
	}{
		{wire.Ping{NumPongBytes: 0}, &wire.Pong{}},
		{wire.Ping{NumPongBytes: 10, IgnoredLen: 3}, &wire.Pong{IgnoredLen: 10}},
		{wire.Ping{NumPongBytes: wire.MaxPongBytes}, &wire.Pong{IgnoredLen: wire.MaxPongBytes}},
		{wire.Ping{NumPongBytes: wire.MaxPongBytes + 1}, nil},
		{wire.Ping{NumPongBytes: 65535, IgnoredLen: 100}, nil},
	}
	for _, tc := range tests {
		require.NoError(t, r.send(&tc.ping))
		msgs := r.recv()
		if tc.pong == nil {
			require.Empty(t, msgs)
			continue
		}
		require.Equal(t, []wire.Message{tc.pong}, msgs)
	}
	// An unsolicited pong is ignored.
	require.NoError(t, r.send(&wire.Pong{IgnoredLen: 4}))
	require.Len(t, n.m.Peers(), 1)
}

func TestBadPong(t *testing.T) {
	n := newTestNode(t, 1, func(c *peer.Config) { c.PingIntervalTicks = 1 })
	r := connectRaw(t, n)
	n.m.TimerTick()
	require.Len(t, r.recv(), 1)
	err := r.send(&wire.Pong{IgnoredLen: 5})
	require.ErrorIs(t, err, peer.ErrBadPong)
	msgs := r.recv()
	require.Len(t, msgs, 1)
	require.Contains(t, msgs[0].(*wire.Warning).Text(), "pong has 5 bytes")
	requireGone(t, n, r.d)
	require.Equal(t, []string{"connected " + short(r.key.NodeID()) + " inbound=true", "disconnected " + short(r.key.NodeID())}, n.ch.Events())
}
