package chaintest

import (
	"context"
	"encoding/binary"
	"fmt"
	"sync"
	"time"

	"github.com/btcsuite/btcd/chaincfg/chainhash"
	btcwire "github.com/btcsuite/btcd/wire"
	"github.com/lnkit/lnkit/chain"
)

// Chain is an in-memory block chain: a tree of blocks of which one branch,
// from genesis to the tip, is the main chain. It implements
// chain.BlockSource and chain.BlockHashSource. Like a full node it keeps the
// blocks that leave the main chain and still answers Header and Block for
// them, unless told to [Chain.Forget] them.
//
// Chain is safe for concurrent use; hooks run without its lock held, so
// they may call its methods (switch the tip in the middle of a poll, say).
type Chain struct {
	mu        sync.Mutex
	blocks    map[chainhash.Hash]*storedBlock
	main      []chainhash.Hash // main chain by height
	counter   uint32           // makes every block unique
	start     int64            // timestamp of genesis, Unix seconds
	forgotten map[chainhash.Hash]bool
	hooks     Hooks
	calls     Calls
}

// storedBlock is a block and its height.
type storedBlock struct {
	block  *btcwire.MsgBlock
	height int32
}

// Hooks inject faults and events into a [Chain]'s answers. A nil hook does
// nothing.
type Hooks struct {
	// BestBlock runs before each BestBlock call; an error is returned
	// instead of the answer.
	BestBlock func() error

	// Header runs before each Header call; an error is returned instead of
	// the answer.
	Header func(hash chainhash.Hash) error

	// Block runs before each Block call; an error is returned instead of
	// the answer.
	Block func(hash chainhash.Hash) error

	// AfterBlock runs after each successful Block call, before it returns.
	AfterBlock func(hash chainhash.Hash)
}

// Calls counts the calls a [Chain] has answered or refused.
type Calls struct {
	// BestBlock, Header, Block and BlockHash count the calls of each
	// method.
	BestBlock, Header, Block, BlockHash int
}

// NewChain returns a chain holding only a genesis block.
func NewChain() *Chain { return NewChainSeed(0) }

// DefaultStart is the timestamp of the genesis block of [NewChain] and
// [NewChainSeed], in Unix seconds.
const DefaultStart int64 = 1_600_000_000

// NewChainSeed returns a chain whose blocks are numbered from seed: chains
// with seeds far enough apart share no block, not even genesis (a different
// network).
func NewChainSeed(seed uint32) *Chain { return NewChainAt(seed, time.Unix(DefaultStart, 0)) }

// NewChainAt returns a chain like [NewChainSeed] whose block at height h is
// timestamped start + h×10 minutes, on every branch.
func NewChainAt(seed uint32, start time.Time) *Chain {
	c := &Chain{blocks: make(map[chainhash.Hash]*storedBlock), forgotten: make(map[chainhash.Hash]bool), counter: seed, start: start.Unix()}
	c.main = []chainhash.Hash{c.newBlock(chainhash.Hash{}, 0, nil)}
	return c
}

// newBlock creates (without making it the tip) a block on parent at height
// with a coinbase and txs. c.mu is held.
func (c *Chain) newBlock(parent chainhash.Hash, height int32, txs []*btcwire.MsgTx) chainhash.Hash {
	c.counter++
	cb := btcwire.NewMsgTx(1)
	sig := make([]byte, 8)
	binary.LittleEndian.PutUint32(sig, uint32(height))
	binary.LittleEndian.PutUint32(sig[4:], c.counter)
	cb.AddTxIn(&btcwire.TxIn{PreviousOutPoint: btcwire.OutPoint{Index: 0xffffffff}, SignatureScript: sig, Sequence: 0xffffffff})
	cb.AddTxOut(btcwire.NewTxOut(50e8, []byte{0x51}))
	all := append([]*btcwire.MsgTx{cb}, txs...)
	b := &btcwire.MsgBlock{
		Header: btcwire.BlockHeader{
			Version:    4,
			PrevBlock:  parent,
			MerkleRoot: merkleRoot(all),
			Timestamp:  time.Unix(c.start+int64(height)*600, 0),
			Bits:       0x207fffff,
			Nonce:      c.counter,
		},
		Transactions: all,
	}
	h := b.Header.BlockHash()
	c.blocks[h] = &storedBlock{block: b, height: height}
	return h
}

// known returns the stored block of hash; it panics on a hash the chain did
// not create (a bug in the test). c.mu is held.
func (c *Chain) known(hash chainhash.Hash) *storedBlock {
	b, ok := c.blocks[hash]
	if !ok {
		panic(fmt.Sprintf("chaintest: unknown block %s", hash))
	}
	return b
}

// Branch creates n empty blocks on top of from, without changing the main
// chain, and returns their hashes, lowest first.
func (c *Chain) Branch(from chainhash.Hash, n int) []chainhash.Hash {
	c.mu.Lock()
	defer c.mu.Unlock()
	out := make([]chainhash.Hash, 0, n)
	parent, height := from, c.known(from).height
	for range n {
		height++
		parent = c.newBlock(parent, height, nil)
		out = append(out, parent)
	}
	return out
}

// AddBlock creates one block holding txs (after its coinbase) on top of
// from, without changing the main chain, and returns its hash.
func (c *Chain) AddBlock(from chainhash.Hash, txs ...*btcwire.MsgTx) chainhash.Hash {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.newBlock(from, c.known(from).height+1, txs)
}

// SetTip makes the block hash the tip: the main chain becomes its branch.
func (c *Chain) SetTip(hash chainhash.Hash) {
	c.mu.Lock()
	defer c.mu.Unlock()
	b := c.known(hash)
	main := make([]chainhash.Hash, b.height+1)
	for h := hash; ; {
		sb := c.known(h)
		main[sb.height] = h
		if sb.height == 0 {
			break
		}
		h = sb.block.Header.PrevBlock
	}
	c.main = main
}

// Mine extends the main chain by n empty blocks and returns their hashes,
// lowest first.
func (c *Chain) Mine(n int) []chainhash.Hash {
	hs := c.Branch(c.Tip().Hash, n)
	if n > 0 {
		c.SetTip(hs[len(hs)-1])
	}
	return hs
}

// MineTx extends the main chain by one block holding txs and returns its
// hash.
func (c *Chain) MineTx(txs ...*btcwire.MsgTx) chainhash.Hash {
	h := c.AddBlock(c.Tip().Hash, txs...)
	c.SetTip(h)
	return h
}

// Reorg replaces the top depth blocks of the main chain by n new empty ones
// (n may be smaller than depth: the chain gets shorter) and returns the new
// blocks, lowest first.
func (c *Chain) Reorg(depth, n int) []chainhash.Hash {
	tip := c.Tip()
	fork := c.At(tip.Height - int32(depth))
	hs := c.Branch(fork, n)
	if n > 0 {
		c.SetTip(hs[n-1])
	} else {
		c.SetTip(fork)
	}
	return hs
}

// Tip returns the main chain's tip.
func (c *Chain) Tip() chain.BestBlock {
	c.mu.Lock()
	defer c.mu.Unlock()
	return chain.BestBlock{Hash: c.main[len(c.main)-1], Height: int32(len(c.main) - 1)}
}

// At returns the hash of the main-chain block at height; it panics above
// the tip.
func (c *Chain) At(height int32) chainhash.Hash {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.main[height]
}

// BestBlockOf returns any known block (main chain or not) as a
// chain.BestBlock, for registering a listener that last saw it.
func (c *Chain) BestBlockOf(hash chainhash.Hash) chain.BestBlock {
	c.mu.Lock()
	defer c.mu.Unlock()
	return chain.BestBlock{Hash: hash, Height: c.known(hash).height}
}

// MsgBlock returns the block with hash; it is shared, do not modify it.
func (c *Chain) MsgBlock(hash chainhash.Hash) *btcwire.MsgBlock {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.known(hash).block
}

// Forget makes Header and Block answer "not found" for the blocks, as a
// node that pruned or never saw them.
func (c *Chain) Forget(hashes ...chainhash.Hash) {
	c.mu.Lock()
	defer c.mu.Unlock()
	for _, h := range hashes {
		c.forgotten[h] = true
	}
}

// SetHooks replaces the chain's hooks.
func (c *Chain) SetHooks(h Hooks) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.hooks = h
}

// Calls returns the call counts so far.
func (c *Chain) Calls() Calls {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.calls
}

// lookup returns the stored block of hash unless it is unknown or
// forgotten.
func (c *Chain) lookup(hash chainhash.Hash) (*storedBlock, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	b, ok := c.blocks[hash]
	if !ok || c.forgotten[hash] {
		return nil, fmt.Errorf("chaintest: block %s not found", hash)
	}
	return b, nil
}

// count bumps a call counter and returns the current hooks.
func (c *Chain) count(counter *int) Hooks {
	c.mu.Lock()
	defer c.mu.Unlock()
	*counter++
	return c.hooks
}

// Header implements chain.BlockSource.
func (c *Chain) Header(_ context.Context, hash chainhash.Hash) (*chain.HeaderData, error) {
	if h := c.count(&c.calls.Header).Header; h != nil {
		if err := h(hash); err != nil {
			return nil, err
		}
	}
	b, err := c.lookup(hash)
	if err != nil {
		return nil, err
	}
	return &chain.HeaderData{Header: b.block.Header, Hash: hash, Height: b.height}, nil
}

// Block implements chain.BlockSource. The block is shared: do not modify
// it.
func (c *Chain) Block(_ context.Context, hash chainhash.Hash) (*btcwire.MsgBlock, error) {
	hooks := c.count(&c.calls.Block)
	if hooks.Block != nil {
		if err := hooks.Block(hash); err != nil {
			return nil, err
		}
	}
	b, err := c.lookup(hash)
	if err != nil {
		return nil, err
	}
	if hooks.AfterBlock != nil {
		hooks.AfterBlock(hash)
	}
	return b.block, nil
}

// BestBlock implements chain.BlockSource.
func (c *Chain) BestBlock(context.Context) (chainhash.Hash, int32, error) {
	if h := c.count(&c.calls.BestBlock).BestBlock; h != nil {
		if err := h(); err != nil {
			return chainhash.Hash{}, 0, err
		}
	}
	tip := c.Tip()
	return tip.Hash, tip.Height, nil
}

// BlockHash implements chain.BlockHashSource.
func (c *Chain) BlockHash(_ context.Context, height int32) (chainhash.Hash, error) {
	c.count(&c.calls.BlockHash)
	c.mu.Lock()
	defer c.mu.Unlock()
	if height < 0 || int(height) >= len(c.main) {
		return chainhash.Hash{}, fmt.Errorf("chaintest: no main-chain block at height %d", height)
	}
	return c.main[height], nil
}

// Connected returns the events a listener sees when the blocks are
// connected in the order given.
func (c *Chain) Connected(hashes ...chainhash.Hash) []Event {
	return c.events(true, hashes)
}

// Disconnected returns the events a listener sees when the blocks are
// disconnected in the order given (a reorganisation disconnects newest
// first).
func (c *Chain) Disconnected(hashes ...chainhash.Hash) []Event {
	return c.events(false, hashes)
}

// events returns one event per hash.
func (c *Chain) events(connected bool, hashes []chainhash.Hash) []Event {
	out := make([]Event, len(hashes))
	for i, h := range hashes {
		out[i] = Event{Connected: connected, Hash: h, Height: c.BestBlockOf(h).Height}
	}
	return out
}
