package peer_test

import (
	"testing"

	"github.com/lnkit/lnkit/peer"
	"github.com/lnkit/lnkit/wire"
	"github.com/stretchr/testify/require"
)

// countingHandler counts messages without keeping them.
type countingHandler struct {
	peer.IgnoringMessageHandler
	peer.MessageQueue
	n int
}

func (h *countingHandler) HandleChannelMessage(wire.NodeID, wire.Message) error {
	h.n++
	return nil
}

func (h *countingHandler) HandleCustomMessage(wire.NodeID, *wire.Custom) error {
	h.n++
	return nil
}

// PendingMessages resolves the ambiguity between the embedded types.
func (h *countingHandler) PendingMessages(dst []peer.Outbound) []peer.Outbound {
	return h.MessageQueue.PendingMessages(dst)
}

// benchPair connects two managers in memory with counting handlers.
func benchPair(b *testing.B) (sender, receiver *countingHandler, a, z *testNode, l *link) {
	b.Helper()
	sender, receiver = &countingHandler{}, &countingHandler{}
	a = newTestNode(b, 1, func(c *peer.Config) { c.ChannelHandler, c.CustomHandler = sender, sender })
	z = newTestNode(b, 2, func(c *peer.Config) { c.ChannelHandler, c.CustomHandler = receiver, receiver })
	l = dial(b, a, z)
	l.Pump()
	require.Len(b, a.m.Peers(), 1, "not connected")
	return sender, receiver, a, z, l
}

// benchInMemory sends b.N copies of msg from one manager to another through
// ProcessEvents, SendData and ReadEvent, batch messages per ProcessEvents.
func benchInMemory(b *testing.B, msg wire.Message, batch int) {
	b.Helper()
	sender, receiver, a, z, l := benchPair(b)
	enc, _ := wire.Encode(nil, msg)
	b.SetBytes(int64(len(enc)))
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		sender.Send(z.id, msg)
		if i%batch == batch-1 || i == b.N-1 {
			a.m.ProcessEvents()
			if _, err := z.m.ReadEvent(l.DB, l.DA.Bytes()); err != nil {
				b.Fatal(err)
			}
			l.DA.Discard()
		}
	}
	b.StopTimer()
	require.Equal(b, b.N, receiver.n, "received %d of %d", receiver.n, b.N)
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "msgs/s")
}

func BenchmarkInMemoryUpdateFee(b *testing.B) {
	benchInMemory(b, &wire.UpdateFee{FeeRate: 253}, 64)
}

func BenchmarkInMemoryUpdateFeeOneByOne(b *testing.B) {
	benchInMemory(b, &wire.UpdateFee{FeeRate: 253}, 1)
}

func BenchmarkInMemoryCustom1KiB(b *testing.B) {
	benchInMemory(b, &wire.Custom{MsgType: 32769, Payload: make([]byte, 1024)}, 64)
}

// BenchmarkHandshake measures a whole connection setup in memory: the
// three acts, both inits, and PeerConnected on both sides.
func BenchmarkHandshake(b *testing.B) {
	a := newTestNode(b, 1, nil)
	z := newTestNode(b, 2, nil)
	b.ReportAllocs()
	for b.Loop() {
		l := dial(b, a, z)
		l.Pump()
		a.m.DisconnectAll()
		l.Pump()
	}
}
