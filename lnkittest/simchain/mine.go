package simchain

import (
	"github.com/btcsuite/btcd/chaincfg/chainhash"
	btcwire "github.com/btcsuite/btcd/wire"
)

// Mine extends the main chain by n blocks: the first holds the whole
// mempool (parents before children), the others are empty. It returns
// their hashes, lowest first, after the listeners have seen them (see
// Connect). n ≤ 0 mines nothing.
func (c *Chain) Mine(n int) []chainhash.Hash {
	if n <= 0 {
		return nil
	}
	c.mu.Lock()
	hashes := make([]chainhash.Hash, 0, n)
	for i := range n {
		var txs []*btcwire.MsgTx
		if i == 0 {
			for _, e := range c.pool.entries {
				txs = append(txs, e.tx)
			}
		}
		// The mempool's scripts were checked when it accepted them; a
		// transaction that fails the other rules (which cannot happen)
		// is left out.
		rec, _ := c.connect(txs, false, true)
		c.removeConfirmed(rec)
		if i == 0 {
			c.pool = newMempool()
		}
		hashes = append(hashes, rec.hash)
		c.queue = append(c.queue, event{block: rec.block, height: rec.height, connected: true})
	}
	c.tree.SetTip(c.tip().hash)
	c.mu.Unlock()
	c.deliver()
	return hashes
}

// MineTx extends the main chain by one block holding exactly txs, in that
// order (not the mempool). Each is checked by the consensus rules, scripts
// included, but not the relay policy: a zero-fee transaction or a dust
// output may be mined. If one is invalid, no block is mined and its
// *TxError is returned. Mempool transactions the block confirms leave the
// mempool; those conflicting with it leave with their descendants.
func (c *Chain) MineTx(txs ...*btcwire.MsgTx) (chainhash.Hash, error) {
	c.mu.Lock()
	rec, err := c.connect(txs, true, false)
	if err != nil {
		c.mu.Unlock()
		return chainhash.Hash{}, err
	}
	c.removeConfirmed(rec)
	c.tree.SetTip(rec.hash)
	c.queue = append(c.queue, event{block: rec.block, height: rec.height, connected: true})
	c.mu.Unlock()
	c.deliver()
	return rec.hash, nil
}

// connect checks txs for the block after the tip, creates that block (on
// the tip of c.main, without moving the tree's tip) and applies it. With
// skipInvalid, invalid transactions are left out; otherwise the first one
// fails the call and nothing changes. scripts says whether to run the
// script engine. c.mu is held.
func (c *Chain) connect(txs []*btcwire.MsgTx, scripts, skipInvalid bool) (*blockRecord, error) {
	parent := c.tip()
	height := parent.height + 1
	ctx := spendContext{start: c.start, height: height, mtp: medianTimePast(c.start, parent.height)}
	included := make([]*btcwire.MsgTx, 0, len(txs))
	txids := make([]chainhash.Hash, 1, len(txs)+1)
	undo := make([][]spentCoin, 1, len(txs)+1)
	rollback := func() {
		for i := len(included) - 1; i >= 0; i-- {
			c.unapplyTx(included[i], txids[i+1], undo[i+1])
		}
	}
	for _, tx := range txs {
		txid, err := txidOf(tx)
		if err == nil {
			_, err = checkTx(tx, txid, ctx, c.confirmedCoin, scripts)
		}
		if err != nil {
			if skipInvalid {
				continue
			}
			rollback()
			return nil, err
		}
		undo = append(undo, c.applyTx(tx, txid, height, false))
		txids = append(txids, txid)
		included = append(included, tx)
	}
	hash := c.tree.AddBlock(parent.hash, included...)
	block := c.tree.MsgBlock(hash)
	cb := block.Transactions[0]
	txids[0] = cb.TxHash()
	c.applyTx(cb, txids[0], height, true)
	rec := &blockRecord{hash: hash, height: height, block: block, txids: txids, undo: undo}
	c.main = append(c.main, rec)
	return rec, nil
}

// disconnectTip undoes the main chain's tip and returns it. c.mu is held.
func (c *Chain) disconnectTip() *blockRecord {
	rec := c.tip()
	txs := rec.block.Transactions
	for i := len(txs) - 1; i >= 0; i-- {
		c.unapplyTx(txs[i], rec.txids[i], rec.undo[i])
	}
	c.main = c.main[:len(c.main)-1]
	return rec
}

// reconnect applies a block disconnected by disconnectTip again (it was
// valid there). c.mu is held.
func (c *Chain) reconnect(rec *blockRecord) {
	for i, tx := range rec.block.Transactions {
		rec.undo[i] = c.applyTx(tx, rec.txids[i], rec.height, i == 0)
	}
	c.main = append(c.main, rec)
}
