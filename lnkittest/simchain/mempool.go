package simchain

import (
	"github.com/btcsuite/btcd/chaincfg/chainhash"
	btcwire "github.com/btcsuite/btcd/wire"
)

// entry is a mempool transaction.
type entry struct {
	*checked

	// pending is set while the entry waits, within one
	// BroadcastTransactions call, for a child to pay for its fee: the
	// error it gets if none does.
	pending *TxError
}

// mempool holds the unconfirmed transactions, each valid in the block
// after the tip.
type mempool struct {
	entries []*entry // acceptance order: parents before children
	byID    map[chainhash.Hash]*entry
	spends  map[btcwire.OutPoint]*entry
}

func newMempool() *mempool {
	return &mempool{byID: make(map[chainhash.Hash]*entry), spends: make(map[btcwire.OutPoint]*entry)}
}

// add appends e.
func (m *mempool) add(e *entry) {
	m.entries = append(m.entries, e)
	m.byID[e.txid] = e
	for _, in := range e.tx.TxIn {
		m.spends[in.PreviousOutPoint] = e
	}
}

// remove takes the entries of set out.
func (m *mempool) remove(set map[*entry]bool) {
	if len(set) == 0 {
		return
	}
	kept := make([]*entry, 0, len(m.entries))
	for _, e := range m.entries {
		if !set[e] {
			kept = append(kept, e)
			continue
		}
		delete(m.byID, e.txid)
		for _, in := range e.tx.TxIn {
			if m.spends[in.PreviousOutPoint] == e {
				delete(m.spends, in.PreviousOutPoint)
			}
		}
	}
	m.entries = kept
}

// descendants returns roots and every entry spending their outputs,
// transitively.
func (m *mempool) descendants(roots []*entry) map[*entry]bool {
	set := make(map[*entry]bool)
	stack := append([]*entry(nil), roots...)
	for len(stack) > 0 {
		e := stack[len(stack)-1]
		stack = stack[:len(stack)-1]
		if set[e] {
			continue
		}
		set[e] = true
		for i := range e.tx.TxOut {
			if child, ok := m.spends[btcwire.OutPoint{Hash: e.txid, Index: uint32(i)}]; ok {
				stack = append(stack, child)
			}
		}
	}
	return set
}

// pendingAncestors returns the pending entries e spends from, directly or
// through other pending entries.
func (m *mempool) pendingAncestors(tx *btcwire.MsgTx) []*entry {
	var out []*entry
	seen := make(map[*entry]bool)
	var walk func(tx *btcwire.MsgTx)
	walk = func(tx *btcwire.MsgTx) {
		for _, in := range tx.TxIn {
			p, ok := m.byID[in.PreviousOutPoint.Hash]
			if !ok || p.pending == nil || seen[p] {
				continue
			}
			seen[p] = true
			out = append(out, p)
			walk(p.tx)
		}
	}
	walk(tx)
	return out
}

// poolCoin finds an output for a mempool transaction: in the UTXO set or
// among the outputs of mempool transactions. Mempool transactions already
// spending it are added to conflicts. c.mu is held.
func (c *Chain) poolCoin(conflicts *[]*entry) coinLookup {
	return func(txid chainhash.Hash, input int, op btcwire.OutPoint) (*coin, *TxError) {
		if e, ok := c.pool.spends[op]; ok && !containsEntry(*conflicts, e) {
			*conflicts = append(*conflicts, e)
		}
		if cn, ok := c.utxo[op]; ok {
			return cn, nil
		}
		if parent, ok := c.pool.byID[op.Hash]; ok {
			if int(op.Index) >= len(parent.tx.TxOut) {
				return nil, txErr(txid, input, ErrMissingInput, "%v does not exist", op)
			}
			return &coin{out: *parent.tx.TxOut[op.Index], height: unconfirmedHeight}, nil
		}
		return nil, c.missing(txid, input, op)
	}
}

// containsEntry reports whether e is in es.
func containsEntry(es []*entry, e *entry) bool {
	for _, x := range es {
		if x == e {
			return true
		}
	}
	return false
}

// removeConfirmed takes out of the mempool the transactions of a block just
// connected, and the mempool transactions conflicting with them with their
// descendants. c.mu is held.
func (c *Chain) removeConfirmed(rec *blockRecord) {
	gone := make(map[*entry]bool)
	var conflicts []*entry
	for i, tx := range rec.block.Transactions[1:] {
		txid := rec.txids[i+1]
		if e, ok := c.pool.byID[txid]; ok {
			gone[e] = true
		}
		for _, in := range tx.TxIn {
			if e, ok := c.pool.spends[in.PreviousOutPoint]; ok && e.txid != txid {
				conflicts = append(conflicts, e)
			}
		}
	}
	for e := range c.pool.descendants(conflicts) {
		gone[e] = true
	}
	c.pool.remove(gone)
}
