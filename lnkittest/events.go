package lnkittest

import (
	"context"
	"errors"
	"testing"

	"github.com/lnkit/lnkit/events"
)

// errStop makes Process stop before an event the harness leaves queued.
var errStop = errors.New("lnkittest: event left queued")

// Events processes node's event queue with a handler that accepts every
// event, and returns what was delivered, in order (the ChainMonitor's
// released events are queued first). Accepted events are removed from the
// store: they are not delivered again after a Crash. It fails the test when
// the queue cannot be processed.
func (n *Network) Events(node *Node) []events.Event {
	n.t.Helper()
	node.mustRun("Events")
	node.drainMonitor()
	var got []events.Event
	err := node.Events.Process(n.ctx, events.HandlerFunc(func(_ context.Context, e events.Event) error {
		got = append(got, e)
		return nil
	}))
	if err != nil {
		n.t.Fatalf("lnkittest: node %d: process events: %v", node.Index, err)
	}
	return got
}

// NextEvent takes the next event of node's queue and returns it as a T
// (one of the events package's pointer types, e.g.
// *events.ChannelReady). It fails t when the queue is empty or the next
// event is not a T; that event then stays queued. Later events stay
// queued.
func NextEvent[T events.Event](t testing.TB, net *Network, node *Node) T {
	t.Helper()
	var zero T
	if !node.Running() {
		t.Fatalf("lnkittest: NextEvent: node %d is crashed", node.Index)
		return zero
	}
	node.drainMonitor()
	var got events.Event
	err := node.Events.Process(net.ctx, events.HandlerFunc(func(_ context.Context, e events.Event) error {
		if got != nil {
			return errStop
		}
		got = e
		if _, ok := e.(T); !ok {
			return errStop
		}
		return nil
	}))
	if err != nil && !errors.Is(err, errStop) {
		t.Fatalf("lnkittest: node %d: process events: %v", node.Index, err)
		return zero
	}
	if got == nil {
		t.Fatalf("lnkittest: node %d: no event, want a %T", node.Index, zero)
		return zero
	}
	ev, ok := got.(T)
	if !ok {
		t.Fatalf("lnkittest: node %d: next event is %v, want a %T", node.Index, got, zero)
	}
	return ev
}
