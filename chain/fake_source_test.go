package chain

import (
	"context"
	"encoding/binary"
	"errors"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/btcsuite/btcd/chaincfg/chainhash"
	btcwire "github.com/btcsuite/btcd/wire"
)

// errFake is the error fakeChain injects.
var errFake = errors.New("fake source failure")

// fakeChain is an in-memory BlockSource: a tree of blocks with one main
// chain, and hooks to inject failures and changes in the middle of a poll.
type fakeChain struct {
	mu      sync.Mutex
	blocks  map[chainhash.Hash]*fakeBlock
	main    []chainhash.Hash // main chain by height
	counter uint32           // makes every block unique

	// Failure injection: called before answering; a non-nil error is
	// returned instead of the answer.
	failBest   func() error
	failHeader func(h chainhash.Hash) error
	failBlock  func(h chainhash.Hash) error

	// afterBlock runs (without the lock) after each successful Block.
	afterBlock func(h chainhash.Hash)

	// forgotten blocks are unknown to Header and Block.
	forgotten map[chainhash.Hash]bool

	headerCalls, blockCalls, bestCalls int
}

// fakeBlock is a block and its height.
type fakeBlock struct {
	block  *btcwire.MsgBlock
	height int32
}

// newFakeChain returns a chain holding only a genesis block.
func newFakeChain() *fakeChain { return newFakeChainFrom(0) }

// newFakeChainFrom returns a chain whose block counter starts at seed, so
// chains with different seeds share no block.
func newFakeChainFrom(seed uint32) *fakeChain {
	c := &fakeChain{blocks: make(map[chainhash.Hash]*fakeBlock), forgotten: make(map[chainhash.Hash]bool), counter: seed}
	g := c.newBlock(chainhash.Hash{}, 0, nil)
	c.main = []chainhash.Hash{g}
	return c
}

// newBlock creates (without making it the tip) a block on parent at height
// with a coinbase and the given extra transactions.
func (c *fakeChain) newBlock(parent chainhash.Hash, height int32, txs []*btcwire.MsgTx) chainhash.Hash {
	c.counter++
	cb := btcwire.NewMsgTx(1)
	sig := make([]byte, 8)
	binary.LittleEndian.PutUint32(sig, uint32(height))
	binary.LittleEndian.PutUint32(sig[4:], c.counter)
	cb.AddTxIn(&btcwire.TxIn{PreviousOutPoint: btcwire.OutPoint{Index: 0xffffffff}, SignatureScript: sig, Sequence: 0xffffffff})
	cb.AddTxOut(btcwire.NewTxOut(50e8, []byte{0x51}))
	all := append([]*btcwire.MsgTx{cb}, txs...)
	root, _ := merkleRoot(all)
	b := &btcwire.MsgBlock{
		Header: btcwire.BlockHeader{
			Version:    4,
			PrevBlock:  parent,
			MerkleRoot: root,
			Timestamp:  time.Unix(1_600_000_000+int64(height)*600, 0),
			Bits:       0x207fffff,
			Nonce:      c.counter,
		},
		Transactions: all,
	}
	h := b.Header.BlockHash()
	c.blocks[h] = &fakeBlock{block: b, height: height}
	return h
}

// branch creates n blocks on top of from (not touching the main chain) and
// returns their hashes, lowest first.
func (c *fakeChain) branch(from chainhash.Hash, n int) []chainhash.Hash {
	c.mu.Lock()
	defer c.mu.Unlock()
	out := make([]chainhash.Hash, 0, n)
	parent := from
	height := c.blocks[from].height
	for range n {
		height++
		parent = c.newBlock(parent, height, nil)
		out = append(out, parent)
	}
	return out
}

// addBlock creates one block with extra transactions on from.
func (c *fakeChain) addBlock(from chainhash.Hash, txs ...*btcwire.MsgTx) chainhash.Hash {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.newBlock(from, c.blocks[from].height+1, txs)
}

// setTip makes hash the tip and rebuilds the main chain.
func (c *fakeChain) setTip(hash chainhash.Hash) {
	c.mu.Lock()
	defer c.mu.Unlock()
	b := c.blocks[hash]
	main := make([]chainhash.Hash, b.height+1)
	for h := hash; ; {
		fb := c.blocks[h]
		main[fb.height] = h
		if fb.height == 0 {
			break
		}
		h = fb.block.Header.PrevBlock
	}
	c.main = main
}

// mine extends the main chain by n blocks and returns them.
func (c *fakeChain) mine(n int) []chainhash.Hash {
	hs := c.branch(c.tip(), n)
	if n > 0 {
		c.setTip(hs[len(hs)-1])
	}
	return hs
}

// tip returns the main chain's tip hash.
func (c *fakeChain) tip() chainhash.Hash {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.main[len(c.main)-1]
}

// at returns the main-chain hash at height.
func (c *fakeChain) at(height int32) chainhash.Hash {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.main[height]
}

// best returns the tip as a BestBlock.
func (c *fakeChain) best() BestBlock {
	c.mu.Lock()
	defer c.mu.Unlock()
	return BestBlock{Hash: c.main[len(c.main)-1], Height: int32(len(c.main) - 1)}
}

// bb returns the BestBlock of any known block.
func (c *fakeChain) bb(h chainhash.Hash) BestBlock {
	c.mu.Lock()
	defer c.mu.Unlock()
	return BestBlock{Hash: h, Height: c.blocks[h].height}
}

// Header implements BlockSource.
func (c *fakeChain) Header(_ context.Context, hash chainhash.Hash) (*HeaderData, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.headerCalls++
	if c.failHeader != nil {
		if err := c.failHeader(hash); err != nil {
			return nil, err
		}
	}
	b, ok := c.blocks[hash]
	if !ok || c.forgotten[hash] {
		return nil, fmt.Errorf("fake: header %s not found", hash)
	}
	return &HeaderData{Header: b.block.Header, Hash: hash, Height: b.height}, nil
}

// Block implements BlockSource.
func (c *fakeChain) Block(_ context.Context, hash chainhash.Hash) (*btcwire.MsgBlock, error) {
	c.mu.Lock()
	c.blockCalls++
	if c.failBlock != nil {
		if err := c.failBlock(hash); err != nil {
			c.mu.Unlock()
			return nil, err
		}
	}
	b, ok := c.blocks[hash]
	if !ok || c.forgotten[hash] {
		c.mu.Unlock()
		return nil, fmt.Errorf("fake: block %s not found", hash)
	}
	after := c.afterBlock
	c.mu.Unlock()
	if after != nil {
		after(hash)
	}
	return b.block, nil
}

// BestBlock implements BlockSource.
func (c *fakeChain) BestBlock(context.Context) (chainhash.Hash, int32, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.bestCalls++
	if c.failBest != nil {
		if err := c.failBest(); err != nil {
			return chainhash.Hash{}, 0, err
		}
	}
	return c.main[len(c.main)-1], int32(len(c.main) - 1), nil
}

// heightSource is a fakeChain that also implements BlockHashSource.
type heightSource struct {
	*fakeChain
	hashCalls int
}

// BlockHash implements BlockHashSource.
func (s *heightSource) BlockHash(_ context.Context, height int32) (chainhash.Hash, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.hashCalls++
	if height < 0 || int(height) >= len(s.main) {
		return chainhash.Hash{}, fmt.Errorf("fake: no block at %d", height)
	}
	return s.main[height], nil
}

// event is one listener callback.
type event struct {
	connect bool
	hash    chainhash.Hash
	height  int32
}

// String formats the event for failure messages.
func (e event) String() string {
	op := "-"
	if e.connect {
		op = "+"
	}
	return fmt.Sprintf("%s%d:%s", op, e.height, e.hash.String()[:8])
}

// recListener records callbacks and fails the test the moment one breaks
// the Listen contract (skipped, repeated or out-of-order blocks).
type recListener struct {
	t      testing.TB
	name   string
	mu     sync.Mutex
	best   BestBlock
	events []event
	onCall func() // optional hook run inside each callback
}

// newRec returns a listener that believes it is at best.
func newRec(t testing.TB, name string, best BestBlock) *recListener {
	return &recListener{t: t, name: name, best: best}
}

// BlockConnected implements Listen, checking the block extends the best.
func (r *recListener) BlockConnected(block *btcwire.MsgBlock, height int32) {
	r.mu.Lock()
	hash := block.Header.BlockHash()
	if block.Header.PrevBlock != r.best.Hash || height != r.best.Height+1 {
		r.t.Errorf("%s: connected %d:%s on %d:%s (prev %s)", r.name, height, hash, r.best.Height, r.best.Hash, block.Header.PrevBlock)
	}
	r.best = BestBlock{Hash: hash, Height: height}
	r.events = append(r.events, event{connect: true, hash: hash, height: height})
	hook := r.onCall
	r.mu.Unlock()
	if hook != nil {
		hook()
	}
}

// BlockDisconnected implements Listen, checking the header is the best.
func (r *recListener) BlockDisconnected(header *btcwire.BlockHeader, height int32) {
	r.mu.Lock()
	hash := header.BlockHash()
	if hash != r.best.Hash || height != r.best.Height {
		r.t.Errorf("%s: disconnected %d:%s while at %d:%s", r.name, height, hash, r.best.Height, r.best.Hash)
	}
	r.best = BestBlock{Hash: header.PrevBlock, Height: height - 1}
	r.events = append(r.events, event{hash: hash, height: height})
	hook := r.onCall
	r.mu.Unlock()
	if hook != nil {
		hook()
	}
}

// take returns and clears the recorded events.
func (r *recListener) take() []event {
	r.mu.Lock()
	defer r.mu.Unlock()
	ev := r.events
	r.events = nil
	return ev
}

// at returns the listener's current best block.
func (r *recListener) at() BestBlock {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.best
}

// connects returns the events connecting hashes, in order.
func connects(c *fakeChain, hashes ...chainhash.Hash) []event {
	out := make([]event, len(hashes))
	for i, h := range hashes {
		out[i] = event{connect: true, hash: h, height: c.bb(h).Height}
	}
	return out
}

// disconnects returns the events disconnecting hashes, in the order given.
func disconnects(c *fakeChain, hashes ...chainhash.Hash) []event {
	out := make([]event, len(hashes))
	for i, h := range hashes {
		out[i] = event{hash: h, height: c.bb(h).Height}
	}
	return out
}

// reversed returns hs newest first.
func reversed(hs []chainhash.Hash) []chainhash.Hash {
	out := make([]chainhash.Hash, len(hs))
	for i, h := range hs {
		out[len(hs)-1-i] = h
	}
	return out
}

// fakeClock is a Clock whose timers the test fires by hand.
type fakeClock struct {
	req chan fakeTimer
}

// fakeTimer is one After call.
type fakeTimer struct {
	d time.Duration
	c chan time.Time
}

// newFakeClock returns a clock whose After calls arrive on req.
func newFakeClock() *fakeClock { return &fakeClock{req: make(chan fakeTimer, 64)} }

// After implements Clock: it hands the timer to the test.
func (f *fakeClock) After(d time.Duration) <-chan time.Time {
	c := make(chan time.Time, 1)
	f.req <- fakeTimer{d: d, c: c}
	return c
}
