package simchain

import (
	"fmt"

	"github.com/btcsuite/btcd/chaincfg/chainhash"
	btcwire "github.com/btcsuite/btcd/wire"
)

// Reorg replaces the top depth blocks of the main chain by n empty blocks
// (n may be smaller than depth: the chain gets shorter) and returns their
// hashes, lowest first. It is ReorgBlocks with n empty blocks.
func (c *Chain) Reorg(depth, n int) ([]chainhash.Hash, error) {
	return c.ReorgBlocks(depth, make([][]*btcwire.MsgTx, max(n, 0))...)
}

// ReorgBlocks replaces the top depth blocks of the main chain by a branch
// of len(blocks) blocks from the fork point, the i-th holding blocks[i]
// (checked as MineTx checks them), and returns their hashes, lowest first.
// The branch need not be longer. If a block is invalid, nothing changes and
// its error is returned.
//
// The transactions of the disconnected blocks, then the mempool's, go back
// to the mempool when they are valid after the new tip (consensus rules
// only, as Bitcoin Core re-accepts them); those that are not (double spent
// by the branch, immature, non-final, missing their parent) are dropped.
// The listeners see the disconnections, tip first, then the new blocks.
func (c *Chain) ReorgBlocks(depth int, blocks ...[]*btcwire.MsgTx) ([]chainhash.Hash, error) {
	c.mu.Lock()
	if depth < 0 || depth >= len(c.main) {
		c.mu.Unlock()
		return nil, fmt.Errorf("%w: depth %d, tip at height %d", ErrReorgDepth, depth, c.tip().height)
	}
	old := make([]*blockRecord, 0, depth) // tip first
	for range depth {
		old = append(old, c.disconnectTip())
	}
	branch := make([]*blockRecord, 0, len(blocks))
	for i, txs := range blocks {
		rec, err := c.connect(txs, true, false)
		if err != nil {
			for range branch {
				c.disconnectTip()
			}
			for j := len(old) - 1; j >= 0; j-- {
				c.reconnect(old[j])
			}
			c.mu.Unlock()
			return nil, fmt.Errorf("simchain: reorg block %d: %w", i, err)
		}
		branch = append(branch, rec)
	}
	c.restoreMempool(old)
	c.tree.SetTip(c.tip().hash)
	hashes := make([]chainhash.Hash, len(branch))
	for _, rec := range old {
		c.queue = append(c.queue, event{block: rec.block, height: rec.height})
	}
	for i, rec := range branch {
		hashes[i] = rec.hash
		c.queue = append(c.queue, event{block: rec.block, height: rec.height, connected: true})
	}
	c.mu.Unlock()
	c.deliver()
	return hashes, nil
}

// restoreMempool rebuilds the mempool after a reorganisation from the
// transactions of the disconnected blocks (given tip first), oldest first,
// then the old mempool's. c.mu is held.
func (c *Chain) restoreMempool(disconnected []*blockRecord) {
	var txs []*btcwire.MsgTx
	for j := len(disconnected) - 1; j >= 0; j-- {
		txs = append(txs, disconnected[j].block.Transactions[1:]...)
	}
	for _, e := range c.pool.entries {
		txs = append(txs, e.tx)
	}
	c.pool = newMempool()
	for _, tx := range txs {
		// A transaction no longer valid is dropped, and with it the
		// descendants, which miss their parent.
		_, _ = c.accept(tx, restore)
	}
}
