package peer

import (
	"sync"

	"github.com/lnkit/lnkit/wire"
)

// MessageQueue is a queue of Outbound messages that implements the
// PendingMessages method of the handler interfaces. Handlers embed it (or
// hold one) and call Send; the Manager drains it in ProcessEvents. It is
// safe for concurrent use; the zero value is an empty queue.
type MessageQueue struct {
	mu   sync.Mutex
	msgs []Outbound
}

// Send queues msg for the peer to. Remember to have ProcessEvents called
// afterwards (peer/tcp: Transport.Notify).
func (q *MessageQueue) Send(to wire.NodeID, msg wire.Message) {
	q.Queue(Outbound{To: to, Msg: msg})
}

// Queue queues o.
func (q *MessageQueue) Queue(o Outbound) {
	q.mu.Lock()
	q.msgs = append(q.msgs, o)
	q.mu.Unlock()
}

// Len returns the number of queued messages.
func (q *MessageQueue) Len() int {
	q.mu.Lock()
	defer q.mu.Unlock()
	return len(q.msgs)
}

// PendingMessages appends the queued messages to dst and empties the queue.
// The queue's storage is kept for reuse, so a steady flow of messages does
// not allocate.
func (q *MessageQueue) PendingMessages(dst []Outbound) []Outbound {
	q.mu.Lock()
	dst = append(dst, q.msgs...)
	clear(q.msgs)
	q.msgs = q.msgs[:0]
	q.mu.Unlock()
	return dst
}
