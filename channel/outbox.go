package channel

import (
	btcwire "github.com/btcsuite/btcd/wire"

	"github.com/lnkit/lnkit/peer"
	"github.com/lnkit/lnkit/wire"
)

// outbox holds a channel's outbound messages and broadcasts, each gated by
// the monitor update that must be durable before it may leave: the
// encoding of "persist before you acknowledge". Items leave in order; an
// item whose update is not durable holds back every item behind it.
type outbox struct {
	items []outItem
}

// outItem is a message to the channel's peer or a transaction to
// broadcast, gated by monitor update gate (ungated when hasGate is false).
type outItem struct {
	msg        wire.Message
	tx         *btcwire.MsgTx
	disconnect bool
	gate       uint64
	hasGate    bool
}

// send queues msg with no gate.
func (o *outbox) send(msg wire.Message) { o.items = append(o.items, outItem{msg: msg}) }

// sendAfter queues msg to leave once update id is durable.
func (o *outbox) sendAfter(id uint64, msg wire.Message) {
	o.items = append(o.items, outItem{msg: msg, gate: id, hasGate: true})
}

// broadcastAfter queues tx for broadcast once update id is durable.
func (o *outbox) broadcastAfter(id uint64, tx *btcwire.MsgTx) {
	o.items = append(o.items, outItem{tx: tx, gate: id, hasGate: true})
}

// release moves the items whose gates are durable to dst (messages, for
// peer to) and txs (broadcasts), in order, stopping at the first gated
// item (a nil u: no update exists yet, so a gated item waits). Messages are dropped when the peer is not connected: BOLT 2's
// reestablishment re-sends what matters.
func (o *outbox) release(u *updates, to wire.NodeID, connected bool, dst []peer.Outbound, txs []*btcwire.MsgTx) ([]peer.Outbound, []*btcwire.MsgTx) {
	n := 0
	for _, it := range o.items {
		if it.hasGate && (u == nil || !u.durable(it.gate)) {
			break
		}
		n++
		if it.tx != nil {
			txs = append(txs, it.tx)
			continue
		}
		if connected {
			dst = append(dst, peer.Outbound{To: to, Msg: it.msg, Disconnect: it.disconnect})
		}
	}
	o.items = append(o.items[:0], o.items[n:]...)
	return dst, txs
}

// dropMessages forgets the queued messages (the peer disconnected) and
// keeps the broadcasts.
func (o *outbox) dropMessages() {
	n := 0
	for _, it := range o.items {
		if it.tx != nil {
			o.items[n] = it
			n++
		}
	}
	o.items = o.items[:n]
}

// dropAllButErrors forgets the queued messages and broadcasts but the
// error messages, which leave ungated: a channel being force-closed sends
// nothing more but the error that says why.
func (o *outbox) dropAllButErrors() {
	n := 0
	for _, it := range o.items {
		if _, ok := it.msg.(*wire.Error); ok {
			it.gate, it.hasGate = 0, false
			o.items[n] = it
			n++
		}
	}
	o.items = o.items[:n]
}
