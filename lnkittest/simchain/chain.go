package simchain

import (
	"sync"
	"time"

	"github.com/btcsuite/btcd/chaincfg/chainhash"
	btcwire "github.com/btcsuite/btcd/wire"

	"github.com/lnkit/lnkit/chain"
	"github.com/lnkit/lnkit/chain/chaintest"
	lnwire "github.com/lnkit/lnkit/wire"
)

// Chain is a simulated chain: a UTXO set, a mempool and a block tree. Build
// one with [New]. It is safe for concurrent use; listener callbacks run
// without its lock held, so they may call it.
type Chain struct {
	tree     *chaintest.Chain // every block, main chain or stale
	start    int64            // genesis timestamp, Unix seconds
	minRelay lnwire.FeeRate

	mu        sync.Mutex
	main      []*blockRecord // the main chain by height, genesis at 0
	utxo      map[btcwire.OutPoint]*coin
	txHeight  map[chainhash.Hash]int32 // main-chain transactions
	spentBy   map[btcwire.OutPoint]chainhash.Hash
	pool      *mempool
	funds     uint64 // Fund calls so far: numbers the made-up outpoints
	listeners []*listenerSlot
	queue     []event // blocks not yet delivered to the listeners
	busy      bool    // a delivery is under way
}

// Chain serves the interfaces of package chain.
var (
	_ chain.BlockSource     = (*Chain)(nil)
	_ chain.BlockHashSource = (*Chain)(nil)
	_ chain.Broadcaster     = (*Chain)(nil)
)

// blockRecord is a main-chain block and what connecting it changed.
type blockRecord struct {
	hash   chainhash.Hash
	height int32
	block  *btcwire.MsgBlock // shared with the tree: never modified
	txids  []chainhash.Hash
	undo   [][]spentCoin // per transaction, the coins its inputs spent
}

// New returns a chain holding only a genesis block (whose coinbase, as in
// Bitcoin, cannot be spent). It fails with an error matching
// [ErrInvalidConfig] that names the field when cfg is invalid.
func New(cfg Config) (*Chain, error) {
	cfg, err := cfg.withDefaults()
	if err != nil {
		return nil, err
	}
	tree := chaintest.NewChainAt(0, cfg.Start)
	genesis := tree.Tip()
	block := tree.MsgBlock(genesis.Hash)
	c := &Chain{
		tree:     tree,
		start:    cfg.Start.Unix(),
		minRelay: cfg.MinRelayFeeRate,
		utxo:     make(map[btcwire.OutPoint]*coin),
		txHeight: make(map[chainhash.Hash]int32),
		spentBy:  make(map[btcwire.OutPoint]chainhash.Hash),
		pool:     newMempool(),
	}
	c.main = []*blockRecord{{
		hash:  genesis.Hash,
		block: block,
		txids: []chainhash.Hash{block.Transactions[0].TxHash()},
		undo:  make([][]spentCoin, 1),
	}}
	return c, nil
}

// Tip returns the main chain's best block.
func (c *Chain) Tip() chain.BestBlock {
	c.mu.Lock()
	defer c.mu.Unlock()
	tip := c.tip()
	return chain.BestBlock{Hash: tip.hash, Height: tip.height}
}

// tip returns the main chain's best block. c.mu is held.
func (c *Chain) tip() *blockRecord { return c.main[len(c.main)-1] }

// BlockTime returns the timestamp of the blocks at height (on every
// branch): Config.Start + height×BlockInterval.
func (c *Chain) BlockTime(height int32) time.Time {
	return time.Unix(blockTime(c.start, height), 0)
}

// MedianTimePast returns the median time past of the block at height (BIP
// 113): the median timestamp of it and its ten ancestors, or of all of them
// near genesis.
func (c *Chain) MedianTimePast(height int32) time.Time {
	return time.Unix(medianTimePast(c.start, height), 0)
}

// nextContext is the block after the tip, where mempool transactions are
// checked. c.mu is held.
func (c *Chain) nextContext() spendContext {
	h := c.tip().height + 1
	return spendContext{start: c.start, height: h, mtp: medianTimePast(c.start, h-1)}
}

// Confirmations returns how many blocks of the main chain have confirmed
// the transaction (1 in the tip), 0 when it is not in the main chain.
func (c *Chain) Confirmations(txid chainhash.Hash) int32 {
	c.mu.Lock()
	defer c.mu.Unlock()
	h, ok := c.txHeight[txid]
	if !ok {
		return 0
	}
	return c.tip().height - h + 1
}

// Spend is the transaction spending an output.
type Spend struct {
	// TxID is the spending transaction's id.
	TxID chainhash.Hash

	// Height is the height of its block, 0 while it is in the mempool.
	Height int32
}

// Spender returns the transaction spending the output, in the main chain
// or in the mempool; ok is false when the output is unspent or unknown.
func (c *Chain) Spender(op btcwire.OutPoint) (spend Spend, ok bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if txid, ok := c.spentBy[op]; ok {
		return Spend{TxID: txid, Height: c.txHeight[txid]}, true
	}
	if e, ok := c.pool.spends[op]; ok {
		return Spend{TxID: e.txid}, true
	}
	return Spend{}, false
}

// Unspent returns the output if it is in the main chain and unspent there
// (it may be spent in the mempool: see Spender).
func (c *Chain) Unspent(op btcwire.OutPoint) (btcwire.TxOut, bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	cn, ok := c.utxo[op]
	if !ok || cn.fund {
		return btcwire.TxOut{}, false
	}
	return cn.out, true
}

// Mempool returns the mempool's transactions, parents before children, in
// the order they were accepted. They are shared: do not modify them.
func (c *Chain) Mempool() []*btcwire.MsgTx {
	c.mu.Lock()
	defer c.mu.Unlock()
	out := make([]*btcwire.MsgTx, 0, len(c.pool.entries))
	for _, e := range c.pool.entries {
		out = append(out, e.tx)
	}
	return out
}

// InMempool reports whether the transaction is in the mempool.
func (c *Chain) InMempool(txid chainhash.Hash) bool {
	c.mu.Lock()
	defer c.mu.Unlock()
	_, ok := c.pool.byID[txid]
	return ok
}

// BlockAt returns the main-chain block at height, false above the tip. The
// block is shared: do not modify it.
func (c *Chain) BlockAt(height int32) (*btcwire.MsgBlock, bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if height < 0 || int(height) >= len(c.main) {
		return nil, false
	}
	return c.main[height].block, true
}
