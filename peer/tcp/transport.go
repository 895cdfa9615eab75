package tcp

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"sync"
	"time"

	"github.com/lnkit/lnkit/internal/configerr"
	"github.com/lnkit/lnkit/peer"
	"github.com/lnkit/lnkit/peer/noise"
	"github.com/lnkit/lnkit/wire"
)

// Transport runs a peer.Manager's connections over TCP. Create it with New;
// it is safe for concurrent use.
type Transport struct {
	mgr    *peer.Manager
	cfg    Config
	log    *slog.Logger
	ctx    context.Context // done when the Transport is closed
	cancel context.CancelFunc
	events chan struct{} // cap 1: ProcessEvents wanted

	mu        sync.Mutex
	closed    bool
	conns     map[*conn]struct{}
	listeners map[net.Listener]struct{}
	wg        sync.WaitGroup // every goroutine of the Transport
}

// New returns a Transport for mgr. It starts nothing: call Run, Listen and
// Connect. It fails with a *ConfigError (matching ErrInvalidConfig) when
// mgr is nil or a Config field is negative.
func New(mgr *peer.Manager, cfg Config) (*Transport, error) {
	if mgr == nil {
		return nil, configerr.New("tcp", "mgr", "a *peer.Manager is required")
	}
	if err := cfg.validate(); err != nil {
		return nil, err
	}
	cfg = cfg.withDefaults()
	ctx, cancel := context.WithCancel(context.Background())
	return &Transport{
		mgr: mgr, cfg: cfg, log: cfg.Logger, ctx: ctx, cancel: cancel,
		events:    make(chan struct{}, 1),
		conns:     make(map[*conn]struct{}),
		listeners: make(map[net.Listener]struct{}),
	}, nil
}

// Run calls Manager.ProcessEvents whenever a connection has received data
// or Notify was called, and Manager.TimerTick (then ProcessEvents) every
// Config.TickInterval. It returns nil when the Transport is closed; when ctx
// is done it closes the Transport and returns ctx.Err().
func (t *Transport) Run(ctx context.Context) error {
	ticker := time.NewTicker(t.cfg.TickInterval)
	defer ticker.Stop()
	for {
		select {
		case <-ctx.Done():
			_ = t.Close()
			return ctx.Err()
		case <-t.ctx.Done():
			return nil
		case <-t.events:
			t.mgr.ProcessEvents()
		case <-ticker.C:
			t.mgr.TimerTick()
			t.mgr.ProcessEvents()
		}
	}
}

// Notify asks Run to call Manager.ProcessEvents soon: call it after queuing
// messages in a handler.
func (t *Transport) Notify() { signal(t.events) }

// Listen accepts connections on addr ("host:port") until ctx is done or the
// Transport is closed, and returns the address it listens on.
func (t *Transport) Listen(ctx context.Context, addr string) (net.Addr, error) {
	var lc net.ListenConfig
	ln, err := lc.Listen(ctx, "tcp", addr)
	if err != nil {
		return nil, fmt.Errorf("tcp: listen %s: %w", addr, err)
	}
	t.mu.Lock()
	if t.closed {
		t.mu.Unlock()
		ln.Close()
		return nil, ErrClosed
	}
	t.listeners[ln] = struct{}{}
	t.wg.Add(2)
	t.mu.Unlock()

	acceptDone := make(chan struct{})
	go func() {
		defer t.wg.Done()
		select {
		case <-ctx.Done():
		case <-t.ctx.Done():
		case <-acceptDone:
		}
		ln.Close()
	}()
	go func() {
		defer t.wg.Done()
		defer close(acceptDone)
		t.acceptLoop(ln)
		t.mu.Lock()
		delete(t.listeners, ln)
		t.mu.Unlock()
	}()
	t.log.Info("tcp: listening", "addr", ln.Addr())
	return ln.Addr(), nil
}

// acceptLoop accepts until the listener is closed, backing off on errors
// such as running out of file descriptors.
func (t *Transport) acceptLoop(ln net.Listener) {
	var delay time.Duration
	for {
		nc, err := ln.Accept()
		if err != nil {
			if errors.Is(err, net.ErrClosed) {
				return
			}
			delay = min(max(2*delay, 5*time.Millisecond), time.Second)
			t.log.Warn("tcp: accept failed", "err", err, "retry_in", delay)
			timer := time.NewTimer(delay)
			select {
			case <-timer.C:
			case <-t.ctx.Done():
				timer.Stop()
				return
			}
			continue
		}
		delay = 0
		c := newConn(t, nc, false, wire.NodeID{})
		if !t.track(c) {
			nc.Close()
			return
		}
		if err := t.mgr.NewInboundConnection(c, nc.RemoteAddr()); err != nil {
			t.log.Warn("tcp: inbound connection refused", "addr", nc.RemoteAddr(), "err", err)
		}
		c.start() // after a refusal the connection is already shutting down
	}
}

// Connect dials addr ("host:port"), runs the handshake with the node id and
// returns once the init exchange is done. It returns nil at once if the node
// is already connected. ctx bounds the whole operation (as do
// Config.DialTimeout and Config.ConnectTimeout); once Connect has returned
// nil the connection lives until it is closed, independent of ctx.
func (t *Transport) Connect(ctx context.Context, id wire.NodeID, addr string) error {
	if t.ctx.Err() != nil {
		return ErrClosed
	}
	if _, ok := t.mgr.PeerByNodeID(id); ok {
		return nil
	}
	dctx, cancel := context.WithTimeout(ctx, t.cfg.DialTimeout)
	var d net.Dialer
	nc, err := d.DialContext(dctx, "tcp", addr)
	cancel()
	if err != nil {
		return &DialError{Addr: addr, Err: err}
	}
	c := newConn(t, nc, true, id)
	if !t.track(c) {
		nc.Close()
		return ErrClosed
	}
	act1, err := t.mgr.NewOutboundConnection(id, c, nc.RemoteAddr())
	if err == nil {
		c.SendData(act1, false)
	}
	c.start()
	if err != nil {
		return err
	}

	timer := time.NewTimer(t.cfg.ConnectTimeout)
	defer timer.Stop()
	select {
	case <-c.ready:
		return nil
	case <-c.done:
		if _, ok := t.mgr.PeerByNodeID(id); ok {
			return nil // another connection with the node won
		}
		cause := c.err()
		if cause == nil {
			cause = peer.ErrSocketClosed
		}
		// The peer hung up before act two: it could not decrypt act one.
		hungUp := errors.Is(cause, peer.ErrSocketClosed) && c.bytesRead() < noise.ActTwoSize
		return &SetupError{Addr: addr, DuringHandshake: hungUp, Err: cause}
	case <-ctx.Done():
		c.shutdown()
		return ctx.Err()
	case <-timer.C:
		c.shutdown()
		return ErrConnectTimeout
	case <-t.ctx.Done():
		return ErrClosed
	}
}

// NumConns returns the number of open TCP connections, including those
// still in the handshake.
func (t *Transport) NumConns() int {
	t.mu.Lock()
	defer t.mu.Unlock()
	return len(t.conns)
}

// Close stops the listeners, closes every connection (each gets up to
// Config.FlushTimeout to write out what it had accepted) and waits for all
// the Transport's goroutines to exit. Later calls only wait.
func (t *Transport) Close() error {
	t.mu.Lock()
	t.closed = true
	conns := make([]*conn, 0, len(t.conns))
	for c := range t.conns {
		conns = append(conns, c)
	}
	t.mu.Unlock()
	t.cancel()
	for _, c := range conns {
		c.shutdown()
	}
	t.wg.Wait()
	return nil
}

// track registers a new connection and counts its two goroutines; it fails
// once the Transport is closed.
func (t *Transport) track(c *conn) bool {
	t.mu.Lock()
	defer t.mu.Unlock()
	if t.closed {
		return false
	}
	t.conns[c] = struct{}{}
	t.wg.Add(2)
	return true
}

func (t *Transport) untrack(c *conn) {
	t.mu.Lock()
	delete(t.conns, c)
	t.mu.Unlock()
}
