package simchain

import (
	"context"

	btcwire "github.com/btcsuite/btcd/wire"
)

// acceptMode is how a transaction enters the mempool.
type acceptMode uint8

const (
	// packaged: consensus rules and the relay policy, where a fee rate
	// too low makes the transaction wait for a child of the same
	// BroadcastTransactions call.
	packaged acceptMode = iota
	// restore: back from a disconnected block, or kept across a
	// reorganisation: consensus rules only, scripts already checked.
	restore
)

// maxEvictions bounds the transactions one replacement evicts (BIP 125
// rule 5).
const maxEvictions = 100

// Broadcast hands one transaction to the mempool: BroadcastTransactions
// with one transaction.
func (c *Chain) Broadcast(tx *btcwire.MsgTx) error {
	return c.BroadcastTransactions(context.Background(), tx)
}

// BroadcastTransactions implements chain.Broadcaster: each transaction in
// order enters the mempool, or the call stops at the first refused, whose
// *TxError it returns. A transaction already in the mempool or in the main
// chain counts as accepted. A transaction whose fee rate is too low waits
// for a later transaction of the call to pay for it (package relay, see
// the package documentation); one that none pays for is refused with
// ErrFeeTooLow, and when it comes before a refused transaction, its error
// is the one returned.
func (c *Chain) BroadcastTransactions(ctx context.Context, txs ...*btcwire.MsgTx) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	var refused *TxError
	var accepted []*entry
	for _, tx := range txs {
		e, err := c.accept(tx, packaged)
		if err != nil {
			refused = err
			break
		}
		if e != nil {
			accepted = append(accepted, e)
		}
	}
	unpaid := make(map[*entry]bool)
	for _, e := range accepted {
		if e.pending != nil && c.pool.byID[e.txid] == e {
			if len(unpaid) == 0 {
				refused = e.pending
			}
			unpaid[e] = true
		}
	}
	c.pool.remove(unpaid)
	if refused != nil {
		return refused
	}
	return nil
}

// accept checks tx and adds it to the mempool, replacing what it
// conflicts with when it may. It returns the entry, nil (with no error)
// for a transaction of the main chain. c.mu is held.
func (c *Chain) accept(tx *btcwire.MsgTx, mode acceptMode) (*entry, *TxError) {
	txid, err := txidOf(tx)
	if err != nil {
		return nil, err
	}
	if e, ok := c.pool.byID[txid]; ok {
		return e, nil
	}
	if _, ok := c.txHeight[txid]; ok {
		return nil, nil
	}
	var conflicts []*entry
	ck, err := checkTx(tx, txid, c.nextContext(), c.poolCoin(&conflicts), mode != restore)
	if err != nil {
		return nil, err
	}
	e := &entry{checked: ck}
	switch {
	case mode == restore && len(conflicts) > 0:
		return nil, txErr(txid, -1, ErrDoubleSpend, "conflicts with mempool transaction %v", conflicts[0].txid)
	case mode == restore || ck.fund:
	case len(conflicts) > 0:
		if err := checkDust(ck); err != nil {
			return nil, err
		}
		evicted, err := c.checkReplacement(e, conflicts)
		if err != nil {
			return nil, err
		}
		c.pool.remove(evicted)
	default:
		if err := checkDust(ck); err != nil {
			return nil, err
		}
		c.checkFee(e)
	}
	c.pool.add(e)
	return e, nil
}

// checkFee applies the minimum relay fee rate to e with the pending
// ancestors it would pay for. A fee too low makes e pending. c.mu is held.
func (c *Chain) checkFee(e *entry) {
	ancestors := c.pool.pendingAncestors(e.tx)
	fee, weight := e.fee, e.weight
	for _, a := range ancestors {
		fee += a.fee
		weight += a.weight
	}
	if need := c.minFee(weight); fee < need {
		err := txErr(e.txid, -1, ErrFeeTooLow, "%d sat for %d vbytes, %d sat needed", fee, vsize(weight), need)
		if len(ancestors) > 0 {
			err.Detail += " (with the unpaid ancestors)"
		}
		e.pending = err
		return
	}
	for _, a := range ancestors {
		a.pending = nil
	}
}

// checkReplacement applies the replacement rules to e, which conflicts
// with the mempool transactions conflicts, and returns what it evicts.
// c.mu is held.
func (c *Chain) checkReplacement(e *entry, conflicts []*entry) (map[*entry]bool, *TxError) {
	refuse := func(input int, format string, args ...any) (map[*entry]bool, *TxError) {
		return nil, txErr(e.txid, input, ErrReplacement, format, args...)
	}
	if len(c.pool.pendingAncestors(e.tx)) > 0 {
		return refuse(-1, "spends a transaction whose fee is not paid yet (no package replacement)")
	}
	evicted := c.pool.descendants(conflicts)
	if len(evicted) > maxEvictions {
		return refuse(-1, "would evict %d transactions, more than %d", len(evicted), maxEvictions)
	}
	for i, in := range e.tx.TxIn {
		if p, ok := c.pool.byID[in.PreviousOutPoint.Hash]; ok && evicted[p] {
			return refuse(i, "spends an output of %v, which it replaces", p.txid)
		}
	}
	var fee int64
	for ev := range evicted {
		fee += ev.fee
	}
	if e.fee < fee {
		return refuse(-1, "pays %d sat, less than the %d sat of the %d transactions it replaces (first %v)",
			e.fee, fee, len(evicted), conflicts[0].txid)
	}
	if need := c.minFee(e.weight); e.fee-fee < need {
		return refuse(-1, "adds %d sat to the %d sat it replaces, below the %d sat relay fee of its size", e.fee-fee, fee, need)
	}
	for _, cf := range conflicts {
		if e.fee*vsize(cf.weight) <= cf.fee*vsize(e.weight) {
			return refuse(-1, "fee rate %d sat/%d vB not above the %d sat/%d vB of %v",
				e.fee, vsize(e.weight), cf.fee, vsize(cf.weight), cf.txid)
		}
	}
	return evicted, nil
}
