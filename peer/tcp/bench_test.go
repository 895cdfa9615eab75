package tcp

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/lnkit/lnkit/wire"
	"github.com/stretchr/testify/require"
)

// benchTCP sends b.N copies of msg from one Manager to another over
// loopback TCP, keeping at most window messages in flight.
func benchTCP(b *testing.B, msg wire.Message) {
	b.Helper()
	a := newNode(b, 1, Config{}, nil)
	z := newNode(b, 2, Config{}, nil)
	a.run(b)
	z.run(b)
	addr, err := z.t.Listen(context.Background(), "127.0.0.1:0")
	require.NoError(b, err)
	require.NoError(b, a.t.Connect(context.Background(), z.id, addr.String()))
	enc, _ := wire.Encode(nil, msg)
	b.SetBytes(int64(len(enc)))
	// Keep the sender's buffer well below Config.MaxSendBufferBytes, which
	// would disconnect a peer that does not keep up.
	window := max(256, (1<<20)/len(enc))
	const batch = 256
	b.ReportAllocs()
	b.ResetTimer()
	sent := 0
	for sent < b.N {
		for sent < b.N && sent-int(z.h.count.Load()) < window {
			k := min(batch, b.N-sent)
			for range k {
				a.h.Send(z.id, msg)
			}
			sent += k
			a.m.ProcessEvents()
		}
		if sent < b.N {
			waitProgress(b, z)
		}
	}
	for int(z.h.count.Load()) < b.N {
		waitProgress(b, z)
	}
	b.StopTimer()
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "msgs/s")
}

func BenchmarkTCPLoopbackUpdateFee(b *testing.B) {
	benchTCP(b, &wire.UpdateFee{FeeRate: 253})
}

func BenchmarkTCPLoopbackCustom1KiB(b *testing.B) {
	benchTCP(b, &wire.Custom{MsgType: 32769, Payload: make([]byte, 1024)})
}

// waitProgress waits for the receiver to handle a message, failing if the
// connection is gone.
func waitProgress(b *testing.B, z *node) {
	b.Helper()
	select {
	case <-z.h.progress:
	case <-time.After(5 * time.Second):
		require.Fail(b, fmt.Sprintf("no progress: %d peers", len(z.m.Peers())))
	}
}
