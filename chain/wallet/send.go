package wallet

import (
	"context"
	"fmt"

	"github.com/btcsuite/btcd/btcutil"
	"github.com/btcsuite/btcd/chaincfg/chainhash"
	"github.com/btcsuite/btcd/txscript"
	btcwire "github.com/btcsuite/btcd/wire"

	"github.com/lnkit/lnkit/chain"
)

// SendToAddress pays amount to addr at the fee rate of target, and
// broadcasts. See SendOutputs.
func (w *Wallet) SendToAddress(ctx context.Context, addr btcutil.Address, amount btcutil.Amount, target chain.ConfirmationTarget) (*btcwire.MsgTx, error) {
	if addr == nil || !addr.IsForNet(w.cfg.Params) {
		return nil, fmt.Errorf("%w: address is not for %s", ErrInvalidAmount, w.cfg.Params.Name)
	}
	script, err := txscript.PayToAddrScript(addr)
	if err != nil {
		return nil, fmt.Errorf("%w: address: %v", ErrInvalidAmount, err)
	}
	return w.SendOutputs(ctx, []*btcwire.TxOut{btcwire.NewTxOut(int64(amount), script)}, target)
}

// SendOutputs pays outputs from the wallet's confirmed coins at the fee rate
// of target: coins chosen by branch and bound (else largest first), change
// only when it is not dust, anti-fee-sniping locktime, RBF signalled. The
// transaction is recorded and persisted before it is broadcast; if the
// broadcast fails it is returned with the error and stays in the wallet as
// unconfirmed (AbandonTransaction forgets it).
func (w *Wallet) SendOutputs(ctx context.Context, outputs []*btcwire.TxOut, target chain.ConfirmationTarget) (*btcwire.MsgTx, error) {
	f, err := w.fundOutputs(ctx, outputs, target, txUnconfirmed)
	if err != nil {
		return nil, err
	}
	if err := w.cfg.Broadcaster.BroadcastTransactions(ctx, f.Tx); err != nil {
		return f.Tx, fmt.Errorf("wallet: broadcast %v: %w", f.Tx.TxHash(), err)
	}
	return f.Tx, nil
}

// fundOutputs checks outputs, funds, signs and records them with status.
func (w *Wallet) fundOutputs(ctx context.Context, outputs []*btcwire.TxOut, target chain.ConfirmationTarget, status txStatus) (*funded, error) {
	if len(outputs) == 0 {
		return nil, fmt.Errorf("%w: no outputs", ErrInvalidAmount)
	}
	var amount int64
	for i, o := range outputs {
		if o == nil || len(o.PkScript) == 0 || o.Value <= 0 || o.Value > btcMaxSatoshi {
			return nil, fmt.Errorf("%w: output %d", ErrInvalidAmount, i)
		}
		if o.Value < dustLimit(o.PkScript) {
			return nil, fmt.Errorf("%w: output %d of %d sat is below %d sat", ErrDust, i, o.Value, dustLimit(o.PkScript))
		}
		amount += o.Value // both at most btcMaxSatoshi: no overflow
		if amount > btcMaxSatoshi {
			return nil, fmt.Errorf("%w: outputs 0..%d add up to %d sat, over the 21M BTC limit", ErrInvalidAmount, i, amount)
		}
	}
	rate, err := w.feeRate(ctx, target)
	if err != nil {
		return nil, err
	}
	w.mu.Lock()
	defer w.mu.Unlock()
	f, err := w.fund(fundRequest{Outputs: outputs, Rate: rate, Amount: amount})
	if err != nil {
		return nil, err
	}
	if err := w.recordOwn(ctx, f, status); err != nil {
		return nil, err
	}
	return f, nil
}

// FundingTransaction returns a signed transaction paying exactly amount to
// script (a channel's funding output) from the wallet's coins, at the fee
// rate of target, with change if it is not dust. It is not broadcast: its
// coins are locked, durably, until the caller reports it with
// FundingPending (the channel is pending and the transaction goes out) or
// releases them with Unlock (the funding was discarded).
func (w *Wallet) FundingTransaction(ctx context.Context, script []byte, amount btcutil.Amount, target chain.ConfirmationTarget) (*btcwire.MsgTx, error) {
	f, err := w.fundOutputs(ctx, []*btcwire.TxOut{btcwire.NewTxOut(int64(amount), script)}, target, txLocked)
	if err != nil {
		return nil, err
	}
	return f.Tx, nil
}

// FundingPending reports that the funding transaction txid (from
// FundingTransaction) is about to be broadcast: its coins are spent and its
// change joins the unconfirmed balance. The caller broadcasts it.
func (w *Wallet) FundingPending(ctx context.Context, txid chainhash.Hash) error {
	w.mu.Lock()
	defer w.mu.Unlock()
	rec, ok := w.txs[txid]
	if !ok {
		return fmt.Errorf("%w: transaction %v", ErrUnknownOutput, txid)
	}
	if rec.Status != txLocked {
		return nil // already pending or confirmed
	}
	for _, in := range rec.Tx.TxIn {
		delete(w.locks, in.PreviousOutPoint)
	}
	rec.Status = txUnconfirmed
	w.applyTx(rec, false)
	w.registerOwn(rec)
	w.dirtyTxs[txid] = struct{}{}
	return w.flush(ctx)
}

// Unlock releases the coins of the funding transaction txid, which will
// never be broadcast, and forgets it.
func (w *Wallet) Unlock(ctx context.Context, txid chainhash.Hash) error {
	w.mu.Lock()
	defer w.mu.Unlock()
	rec, ok := w.txs[txid]
	if !ok {
		return fmt.Errorf("%w: transaction %v", ErrUnknownOutput, txid)
	}
	if rec.Status != txLocked {
		return fmt.Errorf("%w: transaction %v is not a locked funding transaction", ErrLocked, txid)
	}
	w.evict(txid)
	return w.flush(ctx)
}

// AbandonTransaction forgets the unconfirmed transaction txid (one whose
// broadcast failed, or that a conflict will never let confirm): its coins
// are spendable again and its outputs leave the wallet. A confirmed
// transaction cannot be abandoned.
func (w *Wallet) AbandonTransaction(ctx context.Context, txid chainhash.Hash) error {
	w.mu.Lock()
	defer w.mu.Unlock()
	rec, ok := w.txs[txid]
	if !ok {
		return fmt.Errorf("%w: transaction %v", ErrUnknownOutput, txid)
	}
	if rec.Status == txConfirmed {
		return fmt.Errorf("%w: %v", ErrNotUnconfirmed, txid)
	}
	w.evict(txid)
	return w.flush(ctx)
}

// UnconfirmedTransactions returns the wallet's own broadcast transactions
// that have not confirmed, parents before children, for rebroadcasting
// (chain.Rebroadcaster).
func (w *Wallet) UnconfirmedTransactions() []*btcwire.MsgTx {
	pending := make(map[chainhash.Hash]*btcwire.MsgTx)
	var order []chainhash.Hash
	for _, t := range w.Transactions() {
		if t.Own && !t.Locked && t.Confirmations == 0 {
			pending[t.TxID] = t.Tx
			order = append(order, t.TxID)
		}
	}
	out := make([]*btcwire.MsgTx, 0, len(order))
	done := make(map[chainhash.Hash]bool, len(order))
	var visit func(id chainhash.Hash)
	visit = func(id chainhash.Hash) {
		if done[id] {
			return
		}
		done[id] = true
		tx := pending[id]
		for _, in := range tx.TxIn {
			if _, ok := pending[in.PreviousOutPoint.Hash]; ok {
				visit(in.PreviousOutPoint.Hash)
			}
		}
		out = append(out, tx)
	}
	for _, id := range order {
		visit(id)
	}
	return out
}
