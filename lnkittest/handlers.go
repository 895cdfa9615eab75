package lnkittest

import (
	"time"

	"github.com/lnkit/lnkit/chain"
	"github.com/lnkit/lnkit/peer"
)

// Handlers are what Options.Handlers builds for one node: the message
// handlers of its peer.Manager and, optionally, a chain listener, a timer
// and a poll hook. A channel manager is typically all of them. A nil
// message handler is peer.IgnoringMessageHandler; the other fields may be
// nil.
type Handlers struct {
	// Channel receives the channel messages (the channel manager).
	Channel peer.ChannelMessageHandler
	// Custom receives the custom messages (types 32768 and up).
	Custom peer.CustomMessageHandler
	// Routing receives the gossip (BOLT 7). With Options.Gossip, a nil
	// Routing is the node's graph's handler (Node.Graph).
	Routing peer.RoutingMessageHandler

	// Listen, if set, follows the chain: it is caught up and connected
	// after the node's ChainMonitor and Wallet, so for each block it is
	// called after them. It is built from the store at every start, so
	// the harness must learn which block its state has seen: if it
	// implements BestBlocker, that block; otherwise the last block the
	// harness delivered to it, which the harness writes to the node's
	// store after each block (right for a listener that makes each
	// block's effect durable before returning). A zero BestBlock fails the
	// test: a fresh handler starts at the chain tip (n.Network().Chain.Tip()).
	Listen chain.Listen

	// Ticker, if set, is called by Network.Tick with the clock's new time,
	// before the node's peer.Manager ticks.
	Ticker Ticker

	// Poll, if set, runs on every pumping method (DeliverOne, DeliverAll,
	// Pending, PendingBytes, Connect, Disconnect, Drop) before the node's
	// peer.Manager pulls the handlers' messages: a channel manager
	// releases there the messages that waited for an asynchronous monitor
	// update to complete.
	Poll func()
}

// Ticker is a handler that runs timers on the injected clock (the channel
// manager's expiries and retries).
type Ticker interface {
	// TimerTick is called by Network.Tick with the clock's time.
	TimerTick(now time.Time)
}

// BestBlocker is implemented by a chain listener that knows the block it
// processed last (its state's, as loaded from the store): the harness
// catches it up from there at every start, walking back a reorganisation
// that happened while the node was down. The node's ChainMonitor is asked
// the same way when it implements it.
type BestBlocker interface {
	// BestBlock returns the block processed last.
	BestBlock() chain.BestBlock
}
