package tcp

import (
	"bytes"
	"context"
	"errors"
	"io"
	"net"
	"runtime"
	"sync"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"github.com/btcsuite/btcd/btcec/v2"
	"github.com/btcsuite/btcd/chaincfg"
	"github.com/btcsuite/btcd/chaincfg/chainhash"
	"github.com/stretchr/testify/require"

	"github.com/lnkit/lnkit/keys"
	"github.com/lnkit/lnkit/peer"
	"github.com/lnkit/lnkit/peer/noise"
	"github.com/lnkit/lnkit/wire"
)

// handler is a custom and channel message handler that records and queues.
type handler struct {
	peer.IgnoringMessageHandler
	peer.MessageQueue

	mu        sync.Mutex
	custom    [][]byte
	count     atomic.Int64
	connected atomic.Int64
	progress  chan struct{}
}

func newHandler() *handler { return &handler{progress: make(chan struct{}, 1)} }

func (h *handler) PeerConnected(wire.NodeID, *wire.Init, bool) error {
	h.connected.Add(1)
	return nil
}

func (h *handler) PeerDisconnected(wire.NodeID) { h.connected.Add(-1) }

func (h *handler) HandleCustomMessage(_ wire.NodeID, m *wire.Custom) error {
	h.mu.Lock()
	h.custom = append(h.custom, m.Payload)
	h.mu.Unlock()
	h.bump()
	return nil
}

func (h *handler) HandleChannelMessage(wire.NodeID, wire.Message) error {
	h.bump()
	return nil
}

func (h *handler) bump() {
	h.count.Add(1)
	select {
	case h.progress <- struct{}{}:
	default:
	}
}

func (h *handler) PendingMessages(dst []peer.Outbound) []peer.Outbound {
	return h.MessageQueue.PendingMessages(dst)
}

type node struct {
	m  *peer.Manager
	t  *Transport
	h  *handler
	id wire.NodeID
}

func newNode(t testing.TB, seed byte, cfg Config, mod func(*peer.Config)) *node {
	t.Helper()
	b := bytes.Repeat([]byte{seed}, 32)
	priv, _ := btcec.PrivKeyFromBytes(b)
	key, err := noise.NewLocalKey(priv)
	require.NoError(t, err)
	h := newHandler()
	pc := peer.Config{
		NodeKey:        key,
		Entropy:        keys.NewDeterministicEntropy([32]byte(b)),
		Chains:         []chainhash.Hash{*chaincfg.RegressionNetParams.GenesisHash},
		ChannelHandler: h,
		CustomHandler:  h,
	}
	if mod != nil {
		mod(&pc)
	}
	m, err := peer.New(pc)
	require.NoError(t, err)
	tr, err := New(m, cfg)
	require.NoError(t, err)
	n := &node{m: m, t: tr, h: h, id: key.NodeID()}
	t.Cleanup(func() { _ = n.t.Close() })
	return n
}

// run starts the node's Run loop until the test ends.
func (n *node) run(t testing.TB) {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() {
		defer close(done)
		_ = n.t.Run(ctx)
	}()
	t.Cleanup(func() {
		cancel()
		<-done
	})
}

func (n *node) listen(t testing.TB) string {
	t.Helper()
	addr, err := n.t.Listen(context.Background(), "127.0.0.1:0")
	require.NoError(t, err)
	return addr.String()
}

// noLeaks fails the test if goroutines started during it are still running
// once its cleanups have run.
func noLeaks(t *testing.T) {
	t.Helper()
	before := runtime.NumGoroutine()
	t.Cleanup(func() {
		deadline := time.Now().Add(5 * time.Second)
		for runtime.NumGoroutine() > before && time.Now().Before(deadline) {
			time.Sleep(10 * time.Millisecond)
		}
		if n := runtime.NumGoroutine(); n > before {
			buf := make([]byte, 1<<20)
			require.Failf(t, "goroutines leaked", "%d goroutines leaked:\n%s", n-before, buf[:runtime.Stack(buf, true)])
		}
	})
}

// eventually waits for cond: a liveness bound, generous because the
// tests run under -race next to the heavy packages of make test on two
// cores (TestBackpressureTCP's 1.2 MB through 7-byte reads took over 10 s
// there once).
func eventually(t *testing.T, cond func() bool, what string) {
	t.Helper()
	require.Eventually(t, cond, 60*time.Second, time.Millisecond, what)
}

func TestConnectExchangeDisconnect(t *testing.T) {
	noLeaks(t)
	a := newNode(t, 1, Config{}, nil)
	b := newNode(t, 2, Config{}, nil)
	a.run(t)
	b.run(t)
	addr := b.listen(t)
	ctx := context.Background()

	require.NoError(t, a.t.Connect(ctx, b.id, addr))
	info, ok := a.m.PeerByNodeID(b.id)
	require.True(t, ok)
	require.False(t, info.Inbound)
	require.Equal(t, addr, info.Addr.String())
	eventually(t, func() bool { _, ok := b.m.PeerByNodeID(a.id); return ok }, "b sees a")
	require.NoError(t, a.t.Connect(ctx, b.id, addr), "already connected")
	require.Equal(t, 1, a.t.NumConns())

	// Messages both ways, in order.
	const n = 2000
	for i := range n {
		payload := []byte{byte(i), byte(i >> 8)}
		a.h.Send(b.id, &wire.Custom{MsgType: 32769, Payload: payload})
		b.h.Send(a.id, &wire.Custom{MsgType: 32771, Payload: payload})
	}
	a.t.Notify()
	b.t.Notify()
	eventually(t, func() bool { return b.h.count.Load() == n && a.h.count.Load() == n }, "messages delivered")
	for i, p := range b.h.custom {
		require.Equal(t, []byte{byte(i), byte(i >> 8)}, p)
	}

	// Disconnect from one side: both see it.
	require.True(t, a.m.DisconnectByNodeID(b.id))
	eventually(t, func() bool { return len(b.m.Peers()) == 0 && b.t.NumConns() == 0 && a.t.NumConns() == 0 }, "b sees the disconnection")
	require.Zero(t, a.h.connected.Load())
	require.Zero(t, b.h.connected.Load())

	// Reconnect the other way.
	aAddr := a.listen(t)
	require.NoError(t, b.t.Connect(ctx, a.id, aAddr))
	eventually(t, func() bool { return len(a.m.Peers()) == 1 }, "a sees b again")

	require.NoError(t, a.t.Close())
	eventually(t, func() bool { return len(b.m.Peers()) == 0 }, "b sees a close")
	require.Empty(t, a.m.Peers())
	require.ErrorIs(t, a.t.Connect(ctx, b.id, addr), ErrClosed)
	_, err := a.t.Listen(ctx, "127.0.0.1:0")
	require.ErrorIs(t, err, ErrClosed)
}

func TestConnectFailures(t *testing.T) {
	noLeaks(t)
	a := newNode(t, 1, Config{ConnectTimeout: 300 * time.Millisecond}, nil)
	b := newNode(t, 2, Config{}, nil)
	a.run(t)
	b.run(t)
	addr := b.listen(t)
	ctx := context.Background()

	t.Run("wrong node id", func(t *testing.T) {
		wrong := newNode(t, 3, Config{}, nil).id
		err := a.t.Connect(ctx, wrong, addr)
		require.ErrorIs(t, err, peer.ErrSocketClosed)
		require.ErrorIs(t, err, peer.ErrHandshake)
		var se *SetupError
		require.ErrorAs(t, err, &se)
		require.True(t, se.DuringHandshake)
		require.Equal(t, "tcp: handshake with "+addr+" failed: the peer closed the connection; "+
			"the node id may be wrong, or no Lightning node listens there", err.Error())
		eventually(t, func() bool { return a.t.NumConns() == 0 && b.t.NumConns() == 0 }, "connections closed")
	})
	t.Run("refused", func(t *testing.T) {
		ln, err := net.Listen("tcp", "127.0.0.1:0")
		require.NoError(t, err)
		dead := ln.Addr().String()
		ln.Close()
		err = a.t.Connect(ctx, b.id, dead)
		require.ErrorIs(t, err, syscall.ECONNREFUSED)
		var de *DialError
		require.ErrorAs(t, err, &de)
		require.Equal(t, "tcp: dial "+dead+": connection refused", err.Error(), "the address once")
	})
	t.Run("silent server", func(t *testing.T) {
		ln, err := net.Listen("tcp", "127.0.0.1:0")
		require.NoError(t, err)
		defer ln.Close()
		var wg sync.WaitGroup
		defer wg.Wait()
		wg.Go(func() {
			c, err := ln.Accept()
			if err == nil {
				_, _ = io.Copy(io.Discard, c) // until the client gives up
				c.Close()
			}
		})
		require.ErrorIs(t, a.t.Connect(ctx, b.id, ln.Addr().String()), ErrConnectTimeout)
		cctx, cancel := context.WithTimeout(ctx, 50*time.Millisecond)
		defer cancel()
		wg.Go(func() {
			c, err := ln.Accept()
			if err == nil {
				_, _ = io.Copy(io.Discard, c)
				c.Close()
			}
		})
		require.ErrorIs(t, a.t.Connect(cctx, b.id, ln.Addr().String()), context.DeadlineExceeded)
		eventually(t, func() bool { return a.t.NumConns() == 0 }, "connections closed")
	})
	t.Run("incompatible peer", func(t *testing.T) {
		c := newNode(t, 4, Config{}, func(pc *peer.Config) {
			pc.Chains = []chainhash.Hash{*chaincfg.MainNetParams.GenesisHash}
		})
		c.run(t)
		err := c.t.Connect(ctx, b.id, addr)
		require.ErrorIs(t, err, peer.ErrNoCommonChain)
		require.NotErrorIs(t, err, peer.ErrHandshake, "the handshake worked")
		eventually(t, func() bool { return c.t.NumConns() == 0 && b.t.NumConns() == 0 }, "connections closed")
	})
}

// TestHostileClients connects raw TCP clients that misbehave: each is
// dropped and leaves no connection or goroutine behind.
func TestHostileClients(t *testing.T) {
	noLeaks(t)
	b := newNode(t, 2, Config{TickInterval: 20 * time.Millisecond}, nil)
	b.run(t)
	addr := b.listen(t)
	tests := []struct {
		name string
		send []byte
	}{
		{"garbage", bytes.Repeat([]byte{0x5a}, 200)},
		{"wrong version", append([]byte{1}, make([]byte, 49)...)},
		{"truncated act", make([]byte, 20)},
		{"silent", nil},
		{"http", []byte("GET / HTTP/1.1\r\nHost: example.com\r\n\r\n")},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			c, err := net.Dial("tcp", addr)
			require.NoError(t, err)
			defer c.Close()
			if tc.send != nil {
				_, err = c.Write(tc.send)
				require.NoError(t, err)
			}
			// The server closes the connection (at once, or at the handshake
			// timeout of 3 ticks) without sending anything.
			require.NoError(t, c.SetReadDeadline(time.Now().Add(5*time.Second)))
			n, err := io.Copy(io.Discard, c)
			require.NoError(t, err, "server must close, not time out")
			require.Zero(t, n)
			eventually(t, func() bool { return b.t.NumConns() == 0 }, "server forgot the connection")
		})
	}
	// A client that vanishes mid-handshake.
	c, err := net.Dial("tcp", addr)
	require.NoError(t, err)
	eventually(t, func() bool { return b.t.NumConns() == 1 }, "accepted")
	c.Close()
	eventually(t, func() bool { return b.t.NumConns() == 0 }, "server forgot the connection")
}

// TestBackpressureTCP pushes large messages through tiny buffers.
func TestBackpressureTCP(t *testing.T) {
	noLeaks(t)
	cfg := Config{WriteBufferSize: 100, ReadBufferSize: 7}
	a := newNode(t, 1, cfg, func(pc *peer.Config) { pc.PauseReadBytes = 4096; pc.MaxSendBufferBytes = 1 << 20 })
	b := newNode(t, 2, cfg, func(pc *peer.Config) { pc.PauseReadBytes = 4096; pc.MaxSendBufferBytes = 1 << 20 })
	a.run(t)
	b.run(t)
	require.NoError(t, a.t.Connect(context.Background(), b.id, b.listen(t)))
	const n = 200
	for i := range n {
		p := bytes.Repeat([]byte{byte(i)}, 3000)
		a.h.Send(b.id, &wire.Custom{MsgType: 32769, Payload: p})
		b.h.Send(a.id, &wire.Custom{MsgType: 32769, Payload: p})
	}
	a.t.Notify()
	b.t.Notify()
	eventually(t, func() bool { return b.h.count.Load() == n && a.h.count.Load() == n }, "messages delivered")
	for i, p := range b.h.custom {
		require.Equal(t, bytes.Repeat([]byte{byte(i)}, 3000), p)
	}
}

// TestRunStopsOnContext checks that Run closes the Transport when its
// context ends.
func TestRunStopsOnContext(t *testing.T) {
	noLeaks(t)
	a := newNode(t, 1, Config{}, nil)
	b := newNode(t, 2, Config{}, nil)
	b.run(t)
	ctx, cancel := context.WithCancel(context.Background())
	errc := make(chan error, 1)
	go func() { errc <- a.t.Run(ctx) }()
	require.NoError(t, a.t.Connect(context.Background(), b.id, b.listen(t)))
	cancel()
	require.ErrorIs(t, <-errc, context.Canceled)
	require.Zero(t, a.t.NumConns())
	require.Empty(t, a.m.Peers())
	eventually(t, func() bool { return len(b.m.Peers()) == 0 }, "b sees a go")
	require.True(t, errors.Is(a.t.Connect(context.Background(), b.id, "127.0.0.1:1"), ErrClosed))
}

func TestNewConfig(t *testing.T) {
	m := newNode(t, 9, Config{}, nil).m
	tests := []struct {
		name  string
		mgr   *peer.Manager
		cfg   Config
		field string // "" = valid
	}{
		{"defaults", m, Config{}, ""},
		{"no manager", nil, Config{}, "mgr"},
		{"negative dial timeout", m, Config{DialTimeout: -time.Second}, "DialTimeout"},
		{"negative connect timeout", m, Config{ConnectTimeout: -1}, "ConnectTimeout"},
		{"negative tick", m, Config{TickInterval: -1}, "TickInterval"},
		{"negative flush", m, Config{FlushTimeout: -1}, "FlushTimeout"},
		{"negative write buffer", m, Config{WriteBufferSize: -1}, "WriteBufferSize"},
		{"negative read buffer", m, Config{ReadBufferSize: -1}, "ReadBufferSize"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			tr, err := New(tc.mgr, tc.cfg)
			if tc.field == "" {
				require.NoError(t, err)
				require.NoError(t, tr.Close())
				return
			}
			require.ErrorIs(t, err, ErrInvalidConfig)
			var ce *ConfigError
			require.ErrorAs(t, err, &ce)
			require.Equal(t, tc.field, ce.Field)
			require.Nil(t, tr)
		})
	}
}
