package wallet

import (
	"context"
	"slices"

	"github.com/btcsuite/btcd/chaincfg/chainhash"
	btcwire "github.com/btcsuite/btcd/wire"

	"github.com/lnkit/lnkit/chain"
)

// BlockConnected implements chain.Listen: it records the wallet's coins
// created and spent in block, at height, and makes it the best block.
func (w *Wallet) BlockConnected(block *btcwire.MsgBlock, height int32) {
	if block == nil {
		return
	}
	hash := block.Header.BlockHash()
	w.mu.Lock()
	defer w.mu.Unlock()
	if height != w.best.Height+1 || block.Header.PrevBlock != w.best.Hash {
		w.log.Warn("wallet: block does not extend the best block",
			"height", height, "hash", hash.String(), "best", w.best.Height)
	}
	ext := w.externalSpends()
	for i, tx := range block.Transactions {
		w.connectTx(tx, height, hash, i, ext)
	}
	w.setBest(chain.BestBlock{Hash: hash, Height: height})
}

// BlockDisconnected implements chain.Listen: it undoes the block at height.
func (w *Wallet) BlockDisconnected(header *btcwire.BlockHeader, height int32) {
	if header == nil {
		return
	}
	w.mu.Lock()
	defer w.mu.Unlock()
	for _, txid := range w.confirmedAt(height) {
		w.unconfirm(txid)
	}
	w.setBest(chain.BestBlock{Hash: header.PrevBlock, Height: height - 1})
}

// confirmedAt returns the wallet transactions confirmed at height, last in
// the block first.
func (w *Wallet) confirmedAt(height int32) []chainhash.Hash {
	var recs []*txRecord
	for _, rec := range w.txs {
		if rec.Status == txConfirmed && rec.Height == height {
			recs = append(recs, rec)
		}
	}
	slices.SortFunc(recs, func(a, b *txRecord) int { return int(b.Index) - int(a.Index) })
	out := make([]chainhash.Hash, len(recs))
	for i, r := range recs {
		out[i] = r.TxID
	}
	return out
}

// setBest moves the best block, prunes, and persists.
func (w *Wallet) setBest(best chain.BestBlock) {
	w.best = best
	w.dirtyMeta = true
	w.prune()
	if err := w.flush(context.Background()); err != nil {
		w.log.Error("wallet: persist", "err", err)
	}
}

// TransactionsConfirmed implements chain.Confirm.
func (w *Wallet) TransactionsConfirmed(header *btcwire.BlockHeader, txdata []chain.TxData, height int32) {
	if header == nil {
		return
	}
	hash := header.BlockHash()
	w.mu.Lock()
	defer w.mu.Unlock()
	ext := w.externalSpends()
	for _, td := range txdata {
		w.connectTx(td.Tx, height, hash, td.Index, ext)
	}
	if err := w.flush(context.Background()); err != nil {
		w.log.Error("wallet: persist", "err", err)
	}
}

// TransactionUnconfirmed implements chain.Confirm.
func (w *Wallet) TransactionUnconfirmed(txid chainhash.Hash) {
	w.mu.Lock()
	defer w.mu.Unlock()
	w.unconfirm(txid)
	if err := w.flush(context.Background()); err != nil {
		w.log.Error("wallet: persist", "err", err)
	}
}

// BestBlockUpdated implements chain.Confirm.
func (w *Wallet) BestBlockUpdated(header *btcwire.BlockHeader, height int32) {
	if header == nil {
		return
	}
	w.mu.Lock()
	defer w.mu.Unlock()
	w.setBest(chain.BestBlock{Hash: header.BlockHash(), Height: height})
}

// RelevantTransactions implements chain.Confirm: the wallet's confirmed
// transactions.
func (w *Wallet) RelevantTransactions() []chain.RelevantTx {
	w.mu.Lock()
	defer w.mu.Unlock()
	var out []chain.RelevantTx
	for _, rec := range w.txs {
		if rec.Status == txConfirmed {
			h := rec.BlockHash
			out = append(out, chain.RelevantTx{TxID: rec.TxID, Height: rec.Height, BlockHash: &h})
		}
	}
	return out
}
