package wallet

import (
	"bytes"
	"slices"

	"github.com/btcsuite/btcd/chaincfg/chainhash"
	btcwire "github.com/btcsuite/btcd/wire"
)

// This file is the wallet's ledger: how a transaction changes the coins.
// Every function here runs with w.mu held.

// relevant reports whether tx spends a wallet coin (or a locked one) or
// pays a wallet script.
func (w *Wallet) relevant(tx *btcwire.MsgTx) bool {
	for _, in := range tx.TxIn {
		if in == nil {
			continue
		}
		if _, ok := w.utxos[in.PreviousOutPoint]; ok {
			return true
		}
	}
	for _, out := range tx.TxOut {
		if out == nil {
			continue
		}
		if _, ok := w.scripts[string(out.PkScript)]; ok {
			return true
		}
	}
	return false
}

// externalSpends maps the inputs of the wallet's own unconfirmed
// transactions that are not wallet coins (the channel outputs and anchors
// of sweeps and fee bumps) to the transactions spending them (several
// when one replaced another). Another transaction confirming one of them
// (a third party taking an anchor, the counterparty claiming first, our
// own replacement) makes the others dead. Nil when there are none, which
// is the usual case.
func (w *Wallet) externalSpends() map[btcwire.OutPoint][]chainhash.Hash {
	var ext map[btcwire.OutPoint][]chainhash.Hash
	for txid, rec := range w.txs {
		if !rec.Own || rec.Status != txUnconfirmed {
			continue
		}
		for _, in := range rec.Tx.TxIn {
			if _, ok := w.utxos[in.PreviousOutPoint]; ok {
				continue
			}
			if ext == nil {
				ext = make(map[btcwire.OutPoint][]chainhash.Hash)
			}
			ext[in.PreviousOutPoint] = append(ext[in.PreviousOutPoint], txid)
		}
	}
	return ext
}

// connectTx records that tx confirmed at height in block hash, at position
// index; ext is externalSpends. Irrelevant transactions are ignored;
// repeated calls are harmless.
func (w *Wallet) connectTx(tx *btcwire.MsgTx, height int32, hash chainhash.Hash, index int, ext map[btcwire.OutPoint][]chainhash.Hash) {
	if !wellFormed(tx) {
		w.log.Warn("wallet: malformed transaction ignored", "height", height, "block", hash.String(), "index", index)
		return
	}
	// Every transaction the wallet knows spends or pays it, so the cheap
	// map lookups of relevant come before hashing.
	if !w.relevant(tx) {
		if ext != nil {
			w.evictExternalConflicts(tx, ext)
		}
		return
	}
	txid := tx.TxHash()
	rec, known := w.txs[txid]
	if known && rec.Status == txConfirmed && rec.BlockHash == hash {
		return
	}
	w.evictConflicts(tx, txid)
	if ext != nil {
		w.evictExternalConflicts(tx, ext)
	}
	if !known || rec.Status == txLocked {
		if !known {
			rec = &txRecord{Tx: tx, TxID: txid}
			w.txs[txid] = rec
		}
		rec.Status = txConfirmed
		rec.Height, rec.BlockHash, rec.Index = height, hash, uint32(index)
		w.applyTx(rec, index == 0 && isCoinbase(tx))
		w.dirtyTxs[txid] = struct{}{}
		return
	}
	rec.Status = txConfirmed
	rec.Height, rec.BlockHash, rec.Index = height, hash, uint32(index)
	w.dirtyTxs[txid] = struct{}{}
	w.setOutputHeights(rec, height)
}

// applyTx spends the wallet coins rec's inputs spend and adds its outputs
// paying the wallet, with rec.Height (0 when unconfirmed).
func (w *Wallet) applyTx(rec *txRecord, coinbase bool) {
	txid := rec.TxID
	rec.Debit, rec.Credit = 0, 0
	for _, in := range rec.Tx.TxIn {
		if in == nil {
			continue
		}
		delete(w.locks, in.PreviousOutPoint)
		u, ok := w.utxos[in.PreviousOutPoint]
		if !ok {
			continue
		}
		u.SpentBy = &txid
		rec.Debit += u.Value
		w.dirtyUTXOs[u.OutPoint] = struct{}{}
	}
	for i, out := range rec.Tx.TxOut {
		if out == nil {
			continue
		}
		ref, ok := w.scripts[string(out.PkScript)]
		if !ok || out.Value <= 0 || out.Value > btcMaxSatoshi {
			continue
		}
		op := btcwire.OutPoint{Hash: txid, Index: uint32(i)}
		rec.Credit += out.Value
		if u, ok := w.utxos[op]; ok {
			u.Height = rec.Height
		} else {
			u = &utxo{OutPoint: op, Value: out.Value, PkScript: out.PkScript, Key: ref, Height: rec.Height, Coinbase: coinbase}
			w.utxos[op] = u
			w.watchOutput(u)
		}
		w.dirtyUTXOs[op] = struct{}{}
		w.markUsed(ref)
	}
}

// setOutputHeights sets the height of rec's outputs in the wallet.
func (w *Wallet) setOutputHeights(rec *txRecord, height int32) {
	for i := range rec.Tx.TxOut {
		op := btcwire.OutPoint{Hash: rec.TxID, Index: uint32(i)}
		if u, ok := w.utxos[op]; ok {
			u.Height = height
			w.dirtyUTXOs[op] = struct{}{}
		}
	}
}

// evictConflicts removes the unconfirmed or locked wallet transactions that
// spend an input of tx (txid), which has just confirmed: they can never
// confirm now.
func (w *Wallet) evictConflicts(tx *btcwire.MsgTx, txid chainhash.Hash) {
	for _, in := range tx.TxIn {
		if in == nil {
			continue
		}
		if l, ok := w.locks[in.PreviousOutPoint]; ok && l != txid {
			w.evict(l)
		}
		u, ok := w.utxos[in.PreviousOutPoint]
		if !ok || u.SpentBy == nil || *u.SpentBy == txid {
			continue
		}
		if other := w.txs[*u.SpentBy]; other == nil || other.Status != txConfirmed {
			w.log.Info("wallet: conflicting transaction evicted", "txid", u.SpentBy.String(), "by", txid.String())
			w.evict(*u.SpentBy)
		} else {
			w.log.Warn("wallet: coin spent twice on chain", "coin", u.OutPoint.String())
		}
	}
}

// evictExternalConflicts evicts the own unconfirmed transactions that
// spend a non-wallet input that tx, just confirmed, spends too: they can
// never confirm, and their wallet coins must be spendable again.
func (w *Wallet) evictExternalConflicts(tx *btcwire.MsgTx, ext map[btcwire.OutPoint][]chainhash.Hash) {
	var txid *chainhash.Hash
	for _, in := range tx.TxIn {
		owns, ok := ext[in.PreviousOutPoint]
		if !ok {
			continue
		}
		if txid == nil {
			h := tx.TxHash()
			txid = &h
		}
		slices.SortFunc(owns, func(x, y chainhash.Hash) int { return bytes.Compare(x[:], y[:]) })
		for _, own := range owns {
			if own == *txid {
				continue
			}
			if _, live := w.txs[own]; live {
				w.log.Info("wallet: transaction evicted: another spent its input", "txid", own.String(), "by", txid.String(), "input", in.PreviousOutPoint.String())
				w.evict(own)
			}
		}
	}
}

// evict forgets the transaction txid and everything spending its outputs:
// its outputs leave the wallet and the coins it spent are unspent again.
func (w *Wallet) evict(txid chainhash.Hash) {
	rec, ok := w.txs[txid]
	if !ok {
		return
	}
	delete(w.txs, txid)
	w.dirtyTxs[txid] = struct{}{}
	for _, in := range rec.Tx.TxIn {
		if in == nil {
			continue
		}
		if l, ok := w.locks[in.PreviousOutPoint]; ok && l == txid {
			delete(w.locks, in.PreviousOutPoint)
		}
		if u, ok := w.utxos[in.PreviousOutPoint]; ok && u.SpentBy != nil && *u.SpentBy == txid {
			u.SpentBy = nil
			w.dirtyUTXOs[u.OutPoint] = struct{}{}
			w.watchOutput(u)
		}
	}
	if rec.Status == txLocked {
		return
	}
	for i := range rec.Tx.TxOut {
		op := btcwire.OutPoint{Hash: txid, Index: uint32(i)}
		u, ok := w.utxos[op]
		if !ok {
			continue
		}
		if u.SpentBy != nil {
			w.evict(*u.SpentBy)
		}
		if lockTx, ok := w.locks[op]; ok {
			w.evict(lockTx)
		}
		delete(w.utxos, op)
		w.dirtyUTXOs[op] = struct{}{}
	}
}

// unconfirm undoes the confirmation of txid: the wallet's own transactions
// go back to unconfirmed (they are still valid and may confirm again);
// others are forgotten, which removes what they paid and resurrects what
// they spent.
func (w *Wallet) unconfirm(txid chainhash.Hash) {
	rec, ok := w.txs[txid]
	if !ok || rec.Status != txConfirmed {
		return
	}
	if !rec.Own {
		w.evict(txid)
		return
	}
	rec.Status = txUnconfirmed
	rec.Height, rec.BlockHash, rec.Index = 0, chainhash.Hash{}, 0
	w.dirtyTxs[txid] = struct{}{}
	w.setOutputHeights(rec, 0)
}

// prune forgets coins whose spending transaction is PruneDepth blocks deep.
func (w *Wallet) prune() {
	for op, u := range w.utxos {
		if u.SpentBy == nil {
			continue
		}
		rec := w.txs[*u.SpentBy]
		if rec != nil && rec.Status == txConfirmed && w.best.Height-rec.Height+1 >= w.cfg.PruneDepth {
			delete(w.utxos, op)
			w.dirtyUTXOs[op] = struct{}{}
		}
	}
}

// wellFormed reports whether tx can be hashed and read: no nil inputs or
// outputs.
func wellFormed(tx *btcwire.MsgTx) bool {
	if tx == nil {
		return false
	}
	for _, in := range tx.TxIn {
		if in == nil {
			return false
		}
	}
	for _, out := range tx.TxOut {
		if out == nil {
			return false
		}
	}
	return true
}

// isCoinbase reports whether tx has the shape of a coinbase: one input
// spending the null outpoint.
func isCoinbase(tx *btcwire.MsgTx) bool {
	return len(tx.TxIn) == 1 && tx.TxIn[0] != nil &&
		tx.TxIn[0].PreviousOutPoint.Index == btcwire.MaxPrevOutIndex &&
		tx.TxIn[0].PreviousOutPoint.Hash == chainhash.Hash{}
}
