package chaintest

import (
	"fmt"
	"sync"
	"testing"

	"github.com/btcsuite/btcd/chaincfg/chainhash"
	btcwire "github.com/btcsuite/btcd/wire"
	"github.com/lnkit/lnkit/chain"
)

// Event is one chain.Listen callback.
type Event struct {
	// Connected is true for BlockConnected, false for BlockDisconnected.
	Connected bool

	// Hash is the block's hash.
	Hash chainhash.Hash

	// Height is the block's height.
	Height int32
}

// String formats the event as "+height:hash" (connected) or
// "-height:hash" (disconnected).
func (e Event) String() string {
	op := "-"
	if e.Connected {
		op = "+"
	}
	return fmt.Sprintf("%s%d:%s", op, e.Height, e.Hash)
}

// Recorder is a chain.Listen that records every callback and fails the test
// the moment one breaks the Listen contract: a connected block that does
// not extend the recorder's best block, a disconnected block that is not
// its best block. Register it with a chain.Poller next to the listener under
// test, or use it to check a block source of your own.
//
// Recorder is safe for concurrent use.
type Recorder struct {
	tb testing.TB

	mu     sync.Mutex
	best   chain.BestBlock
	events []Event
	onCall func()
}

// NewRecorder returns a recorder that has processed up to best; it reports
// contract violations with tb.Errorf.
func NewRecorder(tb testing.TB, best chain.BestBlock) *Recorder {
	return &Recorder{tb: tb, best: best}
}

// OnCall sets a function run after each callback (without the recorder's
// lock held), e.g. to register another listener from inside a poll.
func (r *Recorder) OnCall(f func()) {
	r.mu.Lock()
	r.onCall = f
	r.mu.Unlock()
}

// BlockConnected implements chain.Listen.
func (r *Recorder) BlockConnected(block *btcwire.MsgBlock, height int32) {
	hash := block.Header.BlockHash()
	r.mu.Lock()
	if block.Header.PrevBlock != r.best.Hash || height != r.best.Height+1 {
		r.tb.Errorf("chaintest: connected %d:%s (parent %s) on top of %d:%s",
			height, hash, block.Header.PrevBlock, r.best.Height, r.best.Hash)
	}
	r.record(Event{Connected: true, Hash: hash, Height: height}, chain.BestBlock{Hash: hash, Height: height})
}

// BlockDisconnected implements chain.Listen.
func (r *Recorder) BlockDisconnected(header *btcwire.BlockHeader, height int32) {
	hash := header.BlockHash()
	r.mu.Lock()
	if hash != r.best.Hash || height != r.best.Height {
		r.tb.Errorf("chaintest: disconnected %d:%s while at %d:%s", height, hash, r.best.Height, r.best.Hash)
	}
	r.record(Event{Hash: hash, Height: height}, chain.BestBlock{Hash: header.PrevBlock, Height: height - 1})
}

// record appends ev, moves to best, releases r.mu and runs the hook.
func (r *Recorder) record(ev Event, best chain.BestBlock) {
	r.best = best
	r.events = append(r.events, ev)
	hook := r.onCall
	r.mu.Unlock()
	if hook != nil {
		hook()
	}
}

// Take returns the events recorded since the last Take, oldest first, and
// forgets them. It returns nil when there are none.
func (r *Recorder) Take() []Event {
	r.mu.Lock()
	defer r.mu.Unlock()
	ev := r.events
	r.events = nil
	return ev
}

// Best returns the block the recorder has processed last.
func (r *Recorder) Best() chain.BestBlock {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.best
}
