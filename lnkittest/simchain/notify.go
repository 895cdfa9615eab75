package simchain

import (
	btcwire "github.com/btcsuite/btcd/wire"

	"github.com/lnkit/lnkit/chain"
)

// event is a block connected to or disconnected from the main chain.
type event struct {
	block     *btcwire.MsgBlock
	height    int32
	connected bool
}

// listenerSlot is one connected listener.
type listenerSlot struct {
	l chain.Listen
}

// Connect makes the listeners follow the main chain from its current tip:
// each block connected or disconnected from now on is delivered to each of
// them, in the order they were connected, before the call that changed the
// chain (Mine, MineTx, Reorg, ReorgBlocks, Fund) returns. A listener
// behind the tip is caught up by a chain.Poller over the Chain instead.
// Drive a chain.Confirm consumer through a chain.Watcher.
//
// A listener may call the Chain from its callbacks; blocks it mines there
// are delivered after the block being delivered, to every listener. So are
// the blocks of a call made by another goroutine during a delivery: that
// call may return before its blocks are delivered.
//
// Nil listeners are ignored. The returned function disconnects the listeners (a crashed node): they
// receive nothing after the delivery under way.
func (c *Chain) Connect(listeners ...chain.Listen) (disconnect func()) {
	slots := make([]*listenerSlot, 0, len(listeners))
	for _, l := range listeners {
		if l != nil {
			slots = append(slots, &listenerSlot{l: l})
		}
	}
	c.mu.Lock()
	c.listeners = append(c.listeners, slots...)
	c.mu.Unlock()
	return func() {
		c.mu.Lock()
		defer c.mu.Unlock()
		kept := make([]*listenerSlot, 0, len(c.listeners))
		for _, s := range c.listeners {
			if !containsSlot(slots, s) {
				kept = append(kept, s)
			}
		}
		c.listeners = kept
	}
}

// containsSlot reports whether s is in slots.
func containsSlot(slots []*listenerSlot, s *listenerSlot) bool {
	for _, x := range slots {
		if x == s {
			return true
		}
	}
	return false
}

// deliver hands the queued events to the listeners, unless a delivery is
// already under way (which will hand them over).
func (c *Chain) deliver() {
	c.mu.Lock()
	if c.busy {
		c.mu.Unlock()
		return
	}
	c.busy = true
	for len(c.queue) > 0 {
		ev := c.queue[0]
		c.queue = c.queue[1:]
		listeners := c.listeners
		c.mu.Unlock()
		for _, s := range listeners {
			if ev.connected {
				s.l.BlockConnected(ev.block, ev.height)
			} else {
				header := ev.block.Header
				s.l.BlockDisconnected(&header, ev.height)
			}
		}
		c.mu.Lock()
	}
	c.queue = nil
	c.busy = false
	c.mu.Unlock()
}
