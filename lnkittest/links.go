package lnkittest

import (
	"slices"

	"github.com/lnkit/lnkit/peer/peertest"
	"github.com/lnkit/lnkit/wire"
)

// pair names the link between two nodes, lo < hi.
type pair struct{ lo, hi int }

// pairOf returns the pair of nodes a and b.
func pairOf(a, b *Node) pair {
	if a.Index < b.Index {
		return pair{a.Index, b.Index}
	}
	return pair{b.Index, a.Index}
}

// has reports whether node i is an end of p.
func (p pair) has(i int) bool { return p.lo == i || p.hi == i }

// link is one connection: the dialer's and listener's in-memory sockets
// (peertest descriptors) and the frames in flight each way.
type link struct {
	dialer, listener *Node
	wire             *peertest.Link
	pending          [2][]sent // [0] dialer→listener, [1] listener→dialer
	gone             [2]bool   // [d]: the receiver of direction d was told the socket closed
}

// end is one direction of a link: from's socket, to's socket and to.
type end struct {
	src, dst *peertest.Descriptor
	to       *Node
}

// dir returns the direction of messages sent by from, and its end.
func (l *link) dir(from *Node) (int, end) {
	if from == l.dialer {
		return 0, end{l.wire.DA, l.wire.DB, l.listener}
	}
	return 1, end{l.wire.DB, l.wire.DA, l.dialer}
}

// sortedPairs returns the pairs of the live links in order.
func (n *Network) sortedPairs() []pair {
	ps := make([]pair, 0, len(n.links))
	for p := range n.links {
		ps = append(ps, p)
	}
	slices.SortFunc(ps, func(a, b pair) int {
		if a.lo != b.lo {
			return a.lo - b.lo
		}
		return a.hi - b.hi
	})
	return ps
}

// collect files the messages each node's Manager took from its handlers
// under the link they travel on; those for a node with no link were
// dropped by the Manager.
func (n *Network) collect() {
	for _, node := range n.nodes {
		for _, s := range node.tap.take() {
			for _, p := range n.sortedPairs() {
				l := n.links[p]
				if !p.has(node.Index) {
					continue
				}
				if d, e := l.dir(node); e.to.ID() == s.to {
					l.pending[d] = append(l.pending[d], s)
				}
			}
		}
	}
}

// process runs, on every running node, its Handlers.Poll, then
// ProcessEvents (which pulls the handlers' messages), and queues the
// ChainMonitor's events; then collects.
func (n *Network) process() {
	for _, node := range n.nodes {
		if !node.Running() {
			continue
		}
		if node.Handlers.Poll != nil {
			node.Handlers.Poll()
		}
		node.Peer.ProcessEvents()
		node.drainMonitor()
	}
	n.collect()
}

// Connect makes a dial b and pumps that connection through the handshake
// and the init exchange, until each lists the other as a peer (messages
// the handlers queue on connection stay pending). It fails the test if they
// do not connect.
func (n *Network) Connect(a, b *Node) {
	n.t.Helper()
	a.mustRun("Connect")
	b.mustRun("Connect")
	p := pairOf(a, b)
	if a == b || n.links[p] != nil {
		n.t.Fatalf("lnkittest: Connect: nodes %d and %d are the same or already connected", a.Index, b.Index)
	}
	n.process()
	w, err := peertest.Dial(a.Peer, b.Peer)
	if err != nil {
		n.t.Fatalf("lnkittest: Connect: %v", err)
	}
	l := &link{dialer: a, listener: b, wire: w}
	n.links[p] = l
	for range n.opts.MaxDeliverRounds {
		if connected(a, b) || !n.step(p, l) {
			break
		}
	}
	if connected(a, b) {
		return
	}
	n.t.Fatalf("lnkittest: Connect: nodes %d and %d did not connect", a.Index, b.Index)
}

// connected reports whether a and b list each other as peers.
func connected(a, b *Node) bool {
	_, okA := a.Peer.PeerByNodeID(b.ID())
	_, okB := b.Peer.PeerByNodeID(a.ID())
	return okA && okB
}

// step delivers every byte in flight on l both ways (unless the receiver
// paused reading), the close of a socket once drained, and room to write;
// then processes events. It reports whether anything moved.
func (n *Network) step(p pair, l *link) bool {
	before := l.wire.DA.Len() + l.wire.DB.Len()
	progress := n.move(l, l.dialer, 0)
	progress = n.move(l, l.listener, 0) || progress
	for _, s := range []struct {
		d    *peertest.Descriptor
		node *Node
	}{{l.wire.DA, l.dialer}, {l.wire.DB, l.listener}} {
		if s.d.Writable() && s.node.Running() {
			progress = true
			_ = s.node.Peer.WriteBufferSpaceAvailable(s.d)
		}
	}
	n.process()
	if l.gone[0] && l.gone[1] {
		delete(n.links, p)
	}
	return progress || l.wire.DA.Len()+l.wire.DB.Len() != before
}

// move delivers up to max bytes (0: all) from from to the other end and
// then, once from's socket is closed and drained, tells the receiver.
func (n *Network) move(l *link, from *Node, max int) bool {
	d, e := l.dir(from)
	progress := false
	if !e.dst.ReadPaused() && !e.dst.Disconnected() && e.src.Len() > 0 {
		data := e.src.Take(max)
		progress = true
		l.pending[d] = consumed(l.pending[d], len(data))
		pause, err := e.to.Peer.ReadEvent(e.dst, data)
		if err != nil {
			e.dst.Disconnect() // the receiver's caller closes the socket
		}
		if pause {
			e.dst.PauseRead()
		}
	}
	if !l.gone[d] && e.src.Disconnected() && e.src.Len() == 0 {
		l.gone[d] = true
		progress = true
		if e.to.Running() {
			e.to.Peer.SocketDisconnected(e.dst)
		}
		e.dst.Disconnect()
	}
	return progress
}

// consumed drops from q the frames covered by n bytes taken from the
// socket.
func consumed(q []sent, n int) []sent {
	for len(q) > 0 && n >= q[0].frame {
		n -= q[0].frame
		q = q[1:]
	}
	if n > 0 {
		return nil // part of a frame, or bytes of the Manager's own: resync
	}
	return q
}

// DeliverAll delivers every message in flight, and what it causes, until
// the network is quiet. It fails the test when the network is still
// moving after Options.MaxDeliverRounds rounds over every link
// (a livelock).
func (n *Network) DeliverAll() {
	n.t.Helper()
	n.process()
	for range n.opts.MaxDeliverRounds {
		progress := false
		for _, p := range n.sortedPairs() {
			if l := n.links[p]; l != nil { // a step may close another link
				progress = n.step(p, l) || progress
			}
		}
		if !progress {
			return
		}
	}
	n.t.Fatalf("lnkittest: DeliverAll: still delivering after %d rounds over every link (livelock)", n.opts.MaxDeliverRounds)
}

// DeliverOne delivers the next message in flight from from to to, and
// processes what it causes (answers stay in flight). It reports false when
// nothing is in flight that way (or to paused reading). It fails the test
// when the bytes in flight are not only handler messages (the Manager's
// own ping, pong or warning: use DeliverAll).
func (n *Network) DeliverOne(from, to *Node) bool {
	n.t.Helper()
	n.process()
	l := n.links[pairOf(from, to)]
	if l == nil || from == to {
		return false
	}
	d, e := l.dir(from)
	if e.src.Len() == 0 || e.dst.ReadPaused() || e.dst.Disconnected() {
		return false
	}
	n.mustTrack(l, d, e)
	n.move(l, from, l.pending[d][0].frame)
	n.process()
	return true
}

// mustTrack fails the test unless the bytes in flight in direction d are
// exactly the tracked frames.
func (n *Network) mustTrack(l *link, d int, e end) {
	n.t.Helper()
	total := 0
	for _, s := range l.pending[d] {
		total += s.frame
	}
	if total != e.src.Len() {
		n.t.Fatalf("lnkittest: %d bytes in flight from node %d to node %d, %d of them handler messages: the peer.Manager sent its own (ping, pong, warning); use DeliverAll",
			e.src.Len(), l.otherEnd(e.to).Index, e.to.Index, total)
	}
}

// otherEnd returns the end of l that is not node.
func (l *link) otherEnd(node *Node) *Node {
	if node == l.dialer {
		return l.listener
	}
	return l.dialer
}

// Pending returns the handler messages in flight from from to to, oldest
// first, as the receiver will decode them (messages the peer.Manager sends
// itself, such as pings, are not listed). Like every pumping method it
// first runs every node's Handlers.Poll and ProcessEvents, so messages the
// handlers queued are on the wire.
func (n *Network) Pending(from, to *Node) []wire.Message {
	n.process()
	l := n.links[pairOf(from, to)]
	if l == nil || from == to {
		return nil
	}
	d, _ := l.dir(from)
	out := make([]wire.Message, 0, len(l.pending[d]))
	for _, s := range l.pending[d] {
		out = append(out, s.msg)
	}
	return out
}

// PendingBytes returns a copy of the encrypted bytes in flight from from to
// to.
func (n *Network) PendingBytes(from, to *Node) []byte {
	n.process()
	l := n.links[pairOf(from, to)]
	if l == nil || from == to {
		return nil
	}
	_, e := l.dir(from)
	return append([]byte(nil), e.src.Bytes()...)
}

// Drop loses the next message in flight from from to to and returns it
// (nil if none). A BOLT 8 stream cannot lose one message and go on (the
// next would fail to decrypt), so the connection breaks with it: the
// messages behind it in both directions are lost as with Disconnect, and
// the nodes reconnect with Connect.
func (n *Network) Drop(from, to *Node) wire.Message {
	n.t.Helper()
	msgs := n.Pending(from, to)
	if len(msgs) == 0 {
		return nil
	}
	n.Disconnect(from, to)
	return msgs[0]
}

// Disconnect closes the connection of a and b as a does it
// (peer.Manager.DisconnectByNodeID); b sees its socket close. Messages in
// flight either way are lost. It does nothing if they are not connected.
func (n *Network) Disconnect(a, b *Node) {
	n.t.Helper()
	if l := n.links[pairOf(a, b)]; l != nil && a != b {
		n.cut(pairOf(a, b), a)
	}
	n.process()
}

// cut ends link p at the initiative of by: by disconnects (if running; a
// crashing node does nothing), the other end's socket closes; the bytes in
// flight are lost.
func (n *Network) cut(p pair, by *Node) {
	l := n.links[p]
	_, e := l.dir(by)
	other := l.otherEnd(by)
	if by.Running() {
		by.Peer.DisconnectByNodeID(other.ID())
	}
	e.src.Disconnect()
	e.src.Discard()
	e.dst.Discard()
	if other.Running() {
		other.Peer.SocketDisconnected(e.dst)
	}
	e.dst.Disconnect()
	delete(n.links, p)
}

// Connected reports whether a and b are connected (each lists the other
// as a peer).
func (n *Network) Connected(a, b *Node) bool {
	return a.Running() && b.Running() && n.links[pairOf(a, b)] != nil && connected(a, b)
}
