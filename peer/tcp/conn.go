package tcp

import (
	"net"
	"sync"
	"sync/atomic"
	"time"

	"github.com/lnkit/lnkit/peer"
	"github.com/lnkit/lnkit/wire"
)

// conn is one TCP connection; it is the peer.Descriptor the Manager sees.
type conn struct {
	t        *Transport
	nc       net.Conn
	outbound bool
	id       wire.NodeID // outbound only

	mu        sync.Mutex
	fill      []byte // bytes accepted by SendData, not yet taken by the writer
	spare     []byte // the writer's other buffer, for reuse
	wantSpace bool   // SendData accepted less than offered
	closing   bool
	closeErr  error // why the Manager dropped the connection, if it did

	writeSig  chan struct{} // cap 1: fill has data, or closing
	resumeSig chan struct{} // cap 1: the Manager resumed reading
	closeCh   chan struct{} // closed by shutdown
	closeOnce sync.Once
	ready     chan struct{} // outbound: closed once the peer is connected
	readyOnce sync.Once
	done      chan struct{} // closed when both goroutines have exited
	live      atomic.Int32  // goroutines still running
	read      atomic.Int64  // bytes received from the peer
}

var _ peer.Descriptor = (*conn)(nil)

func newConn(t *Transport, nc net.Conn, outbound bool, id wire.NodeID) *conn {
	return &conn{
		t: t, nc: nc, outbound: outbound, id: id,
		writeSig:  make(chan struct{}, 1),
		resumeSig: make(chan struct{}, 1),
		closeCh:   make(chan struct{}),
		ready:     make(chan struct{}),
		done:      make(chan struct{}),
	}
}

// SendData implements peer.Descriptor: it copies what fits in the write
// buffer and wakes the writer.
func (c *conn) SendData(data []byte, resumeRead bool) int {
	c.mu.Lock()
	if c.closing {
		c.mu.Unlock()
		return 0
	}
	n := min(len(data), c.t.cfg.WriteBufferSize-len(c.fill))
	c.fill = append(c.fill, data[:n]...)
	if n < len(data) {
		c.wantSpace = true
	}
	c.mu.Unlock()
	if n > 0 {
		signal(c.writeSig)
	}
	if resumeRead {
		signal(c.resumeSig)
	}
	return n
}

// Disconnect implements peer.Descriptor.
func (c *conn) Disconnect() { c.shutdown() }

// shutdown starts closing: the writer writes out what was accepted (for at
// most FlushTimeout) and closes the socket, which ends the reader.
func (c *conn) shutdown() {
	c.closeOnce.Do(func() {
		c.mu.Lock()
		c.closing = true
		c.mu.Unlock()
		_ = c.nc.SetWriteDeadline(time.Now().Add(c.t.cfg.FlushTimeout))
		close(c.closeCh)
	})
}

// start runs the reader and writer; the Transport has counted them.
func (c *conn) start() {
	c.live.Store(2)
	go c.exit(c.writeLoop)
	go c.exit(c.readLoop)
}

// exit runs a loop and does the bookkeeping when it ends.
func (c *conn) exit(loop func()) {
	defer c.t.wg.Done()
	loop()
	if c.live.Add(-1) == 0 {
		c.t.untrack(c)
		close(c.done)
	}
}

func (c *conn) writeLoop() {
	defer c.nc.Close()
	for {
		c.mu.Lock()
		for len(c.fill) == 0 {
			if c.closing {
				c.mu.Unlock()
				return
			}
			c.mu.Unlock()
			select {
			case <-c.writeSig:
			case <-c.closeCh:
			}
			c.mu.Lock()
		}
		out := c.fill
		c.fill, c.spare = c.spare[:0], nil
		notify := c.wantSpace && !c.closing
		c.wantSpace = false
		c.mu.Unlock()
		if notify {
			_ = c.t.mgr.WriteBufferSpaceAvailable(c)
		}
		_, err := c.nc.Write(out)
		c.mu.Lock()
		c.spare = out[:0]
		c.mu.Unlock()
		if err != nil {
			c.t.log.Debug("tcp: write failed", "addr", c.nc.RemoteAddr(), "err", err)
			c.shutdown()
			return
		}
	}
}

func (c *conn) readLoop() {
	defer func() {
		c.shutdown()
		c.t.mgr.SocketDisconnected(c)
	}()
	buf := make([]byte, c.t.cfg.ReadBufferSize)
	for {
		n, err := c.nc.Read(buf)
		if n > 0 {
			c.read.Add(int64(n))
			pause, rerr := c.t.mgr.ReadEvent(c, buf[:n])
			if rerr != nil {
				c.mu.Lock()
				c.closeErr = rerr
				c.mu.Unlock()
				c.t.log.Debug("tcp: connection closed by the peer manager", "addr", c.nc.RemoteAddr(), "err", rerr)
				return
			}
			c.t.Notify()
			c.checkReady()
			if pause {
				select {
				case <-c.resumeSig:
				case <-c.closeCh:
					return
				}
			}
		}
		if err != nil {
			return
		}
	}
}

// checkReady closes ready once an outbound connection's peer is connected.
func (c *conn) checkReady() {
	if !c.outbound {
		return
	}
	select {
	case <-c.ready:
		return
	default:
	}
	if _, ok := c.t.mgr.PeerByNodeID(c.id); ok {
		c.readyOnce.Do(func() { close(c.ready) })
	}
}

// bytesRead returns how many bytes the peer has sent.
func (c *conn) bytesRead() int64 { return c.read.Load() }

// err returns why the Manager dropped the connection, if it did.
func (c *conn) err() error {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.closeErr
}

// signal wakes the receiver of ch without blocking.
func signal(ch chan struct{}) {
	select {
	case ch <- struct{}{}:
	default:
	}
}
