package peer_test

import (
	"bytes"
	"slices"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/lnkit/lnkit/peer"
	"github.com/lnkit/lnkit/wire"
)

func feeMsg(i int) *wire.UpdateFee { return &wire.UpdateFee{FeeRate: wire.FeeRate(253 + i)} }

func requireFees(t *testing.T, msgs []wire.Message, n int) {
	t.Helper()
	require.Len(t, msgs, n)
	for i, m := range msgs {
		require.Equal(t, feeMsg(i), m, "message %d", i)
	}
}

// TestBackpressureTrickle connects two managers over descriptors that
// accept 7 bytes per call, delivered in 5-byte reads.
func TestBackpressureTrickle(t *testing.T) {
	a := newTestNode(t, 1, nil)
	b := newTestNode(t, 2, nil)
	l := dial(t, a, b)
	l.DA.SetLimits(0, 7)
	l.DB.SetLimits(0, 7)
	l.Chunk = 5
	l.Pump()
	require.NoError(t, l.ErrA)
	require.NoError(t, l.ErrB)
	require.Len(t, a.m.Peers(), 1)
	require.Len(t, b.m.Peers(), 1)

	for i := range 200 {
		a.ch.Send(b.id, feeMsg(i))
		b.ch.Send(a.id, feeMsg(i))
	}
	for range 20 {
		a.rt.Send(b.id, &wire.GossipTimestampFilter{ChainHash: regtest})
	}
	a.cu.Send(b.id, &wire.Custom{MsgType: 33333, Payload: bytes.Repeat([]byte{7}, 60000)})
	l.Pump()
	requireFees(t, b.ch.Msgs(), 200)
	requireFees(t, a.ch.Msgs(), 200)
	require.Len(t, b.rt.Msgs(), 20)
	require.Len(t, b.cu.Msgs(), 1)
	require.Len(t, b.cu.Msgs()[0].(*wire.Custom).Payload, 60000)
	require.Greater(t, l.DA.SendCalls(), 1000)
}

// TestPauseAndResumeReading: a peer that asks for large pongs and does not
// read them is told to pause, and resumed once the buffer drains.
func TestPauseAndResumeReading(t *testing.T) {
	n := newTestNode(t, 1, func(c *peer.Config) { c.PauseReadBytes = 1024 })
	r := connectRaw(t, n)
	r.d.SetLimits(10, 0)
	frame, err := r.cipher.Encrypt(nil, []byte{0, 18, 0x07, 0xd0, 0, 0}) // ping, 2000 pong bytes
	require.NoError(t, err)
	pause, err := n.m.ReadEvent(r.d, frame)
	require.NoError(t, err)
	require.True(t, pause)
	require.Zero(t, r.d.Resumes())
	info, _ := n.m.PeerByNodeID(r.key.NodeID())
	require.Equal(t, 2+2+2000+34-10, info.SendBufferBytes)

	// The reader drains the socket: space is available again.
	got := r.d.Take(0)
	r.d.SetLimits(0, 0)
	require.NoError(t, n.m.WriteBufferSpaceAvailable(r.d))
	require.Equal(t, 1, r.d.Resumes())
	require.Equal(t, []wire.Message{&wire.Pong{IgnoredLen: 2000}}, r.decode(append(got, r.d.Take(0)...)))
	info, _ = n.m.PeerByNodeID(r.key.NodeID())
	require.Zero(t, info.SendBufferBytes)
}

// TestGossipDroppedBeforeChannelMessages blocks a peer's socket, queues
// gossip and channel messages, and checks that channel messages all arrive,
// ahead of gossip, while excess gossip is dropped.
func TestGossipDroppedBeforeChannelMessages(t *testing.T) {
	a := newTestNode(t, 1, func(c *peer.Config) { c.PauseReadBytes, c.MaxGossipBytes = 512, 1000 })
	b := newTestNode(t, 2, nil)
	order := &orderLog{}
	b.ch.order, b.rt.order = order, order
	l := connect(t, a, b)

	l.DA.SetLimits(1, 0) // the socket takes one byte, then nothing
	for range 100 {
		a.rt.Send(b.id, &wire.GossipTimestampFilter{ChainHash: regtest}) // 44 bytes queued each
	}
	for i := range 10 {
		a.ch.Send(b.id, feeMsg(i))
	}
	a.m.ProcessEvents()
	for i := 10; i < 20; i++ {
		a.ch.Send(b.id, feeMsg(i))
	}
	a.m.ProcessEvents()
	info, _ := a.m.PeerByNodeID(b.id)
	queued := 1000 / 44
	require.Equal(t, uint64(100-queued), info.GossipDropped)

	l.DA.SetLimits(0, 0)
	l.Pump()
	requireFees(t, b.ch.Msgs(), 20)
	require.Len(t, b.rt.Msgs(), queued)
	log := order.get()
	require.Equal(t, slices.Repeat([]string{"channel"}, 20), log[:20])
	require.Equal(t, slices.Repeat([]string{"routing"}, queued), log[20:])

	// Once drained, gossip flows again.
	a.rt.Send(b.id, &wire.GossipTimestampFilter{ChainHash: regtest})
	l.Pump()
	require.Len(t, b.rt.Msgs(), queued+1)
}

func TestSendBufferFullDisconnects(t *testing.T) {
	a := newTestNode(t, 1, func(c *peer.Config) { c.PauseReadBytes, c.MaxSendBufferBytes = 1024, 70000 })
	b := newTestNode(t, 2, nil)
	l := connect(t, a, b)
	l.DA.SetLimits(1, 0)
	for i := range 2000 { // 72 bytes of ciphertext each
		a.ch.Send(b.id, feeMsg(i))
	}
	a.m.ProcessEvents()
	require.True(t, l.DA.Disconnected())
	require.Empty(t, a.m.Peers())
	require.Equal(t, "disconnected "+short(b.id), a.ch.Events()[1])
}

func TestUnencodableHandlerMessageDropped(t *testing.T) {
	a := newTestNode(t, 1, nil)
	b := newTestNode(t, 2, nil)
	l := connect(t, a, b)
	a.ch.Send(b.id, &wire.Warning{Data: make([]byte, 70000)})
	a.rt.Send(b.id, &wire.Warning{Data: make([]byte, 70000)})
	a.ch.Send(b.id, feeMsg(0))
	l.Pump()
	requireFees(t, b.ch.Msgs(), 1)
	require.Len(t, a.m.Peers(), 1)
}

// TestSteadyStateSendDoesNotAllocate checks the encryption path reuses its
// buffers.
func TestSteadyStateSendDoesNotAllocate(t *testing.T) {
	a := newTestNode(t, 1, nil)
	b := newTestNode(t, 2, nil)
	l := connect(t, a, b)
	msg := feeMsg(1)
	allocs := testing.AllocsPerRun(100, func() {
		if err := peer.QueueAndFlush(a.m, b.id, msg); err != nil {
			panic(err)
		}
		l.DA.Discard()
	})
	require.Zero(t, allocs)
}

func TestLargeBuffersReleasedWhenIdle(t *testing.T) {
	a := newTestNode(t, 1, nil)
	b := newTestNode(t, 2, nil)
	l := connect(t, a, b)
	l.DA.SetLimits(1, 0)
	for range 10 {
		a.cu.Send(b.id, &wire.Custom{MsgType: 32769, Payload: make([]byte, 30000)})
	}
	a.m.ProcessEvents()
	a.m.TimerTick() // busy: kept
	require.Greater(t, peer.SendBufferCap(a.m, b.id), peer.ShrinkCap)
	l.DA.SetLimits(0, 0)
	l.Pump()
	require.Len(t, b.cu.Msgs(), 10)
	require.Greater(t, peer.SendBufferCap(a.m, b.id), peer.ShrinkCap, "kept for reuse while busy")
	a.m.TimerTick()
	require.Zero(t, peer.SendBufferCap(a.m, b.id))
}

func TestMessageQueueAndIgnoringHandler(t *testing.T) {
	var q peer.MessageQueue
	q.Send(wire.NodeID{1}, feeMsg(0))
	q.Queue(peer.Outbound{To: wire.NodeID{2}, Disconnect: true})
	require.Equal(t, 2, q.Len())
	out := q.PendingMessages([]peer.Outbound{{To: wire.NodeID{9}}})
	require.Len(t, out, 3)
	require.Zero(t, q.Len())
	require.Empty(t, q.PendingMessages(nil))

	var h peer.IgnoringMessageHandler
	require.NoError(t, h.PeerConnected(wire.NodeID{}, &wire.Init{}, true))
	h.PeerDisconnected(wire.NodeID{})
	require.NoError(t, h.HandleChannelMessage(wire.NodeID{}, feeMsg(0)))
	require.NoError(t, h.HandleRoutingMessage(wire.NodeID{}, &wire.GossipTimestampFilter{}))
	require.NoError(t, h.HandleCustomMessage(wire.NodeID{}, &wire.Custom{MsgType: 32769}))
	require.ErrorIs(t, h.HandleCustomMessage(wire.NodeID{}, &wire.Custom{MsgType: 32768}), wire.ErrUnknownMessage)
	require.Empty(t, h.PendingMessages(nil))
}
