package wallet

import (
	"cmp"
	"slices"

	"github.com/btcsuite/btcd/btcutil"
	"github.com/btcsuite/btcd/chaincfg/chainhash"
	btcwire "github.com/btcsuite/btcd/wire"
)

// Transaction is a wallet transaction as Transactions lists it.
type Transaction struct {
	// TxID is its id.
	TxID chainhash.Hash
	// Amount is what it did to the wallet: received minus spent.
	Amount btcutil.Amount
	// Fee is its fee when the wallet built it, else 0.
	Fee btcutil.Amount
	// Confirmations is how deep it is (0: unconfirmed or locked).
	Confirmations int32
	// Height and BlockHash are its block's, when confirmed.
	Height    int32
	BlockHash chainhash.Hash
	// Own is set for transactions the wallet built (sends, funding,
	// sweeps, fee bumps).
	Own bool
	// Locked is set for a funding transaction not yet reported pending.
	Locked bool
	// Tx is the transaction; do not modify it.
	Tx *btcwire.MsgTx
}

// Transactions lists the wallet's transactions, oldest first (unconfirmed
// ones last).
func (w *Wallet) Transactions() []Transaction {
	w.mu.Lock()
	defer w.mu.Unlock()
	out := make([]Transaction, 0, len(w.txs))
	for _, r := range w.txs {
		out = append(out, Transaction{
			TxID:          r.TxID,
			Amount:        btcutil.Amount(r.Credit - r.Debit),
			Fee:           btcutil.Amount(r.Fee),
			Confirmations: w.confirmations(r.Height),
			Height:        r.Height,
			BlockHash:     r.BlockHash,
			Own:           r.Own,
			Locked:        r.Status == txLocked,
			Tx:            r.Tx,
		})
	}
	slices.SortFunc(out, func(a, b Transaction) int {
		ha, hb := a.Height, b.Height
		if ha == 0 {
			ha = 1 << 30
		}
		if hb == 0 {
			hb = 1 << 30
		}
		if c := cmp.Compare(ha, hb); c != 0 {
			return c
		}
		if c := cmp.Compare(w.txs[a.TxID].Index, w.txs[b.TxID].Index); c != 0 {
			return c
		}
		return slices.Compare(a.TxID[:], b.TxID[:])
	})
	return out
}

// Coin is an unspent wallet output, as Coins lists it.
type Coin struct {
	OutPoint      btcwire.OutPoint
	Value         btcutil.Amount
	PkScript      []byte
	Confirmations int32
	Coinbase      bool
	Locked        bool
}

// Coins lists the unspent coins, by outpoint.
func (w *Wallet) Coins() []Coin {
	w.mu.Lock()
	defer w.mu.Unlock()
	var out []Coin
	for op, u := range w.utxos {
		if u.SpentBy != nil {
			continue
		}
		_, locked := w.locks[op]
		out = append(out, Coin{OutPoint: op, Value: btcutil.Amount(u.Value), PkScript: u.PkScript,
			Confirmations: w.confirmations(u.Height), Coinbase: u.Coinbase, Locked: locked})
	}
	slices.SortFunc(out, func(a, b Coin) int {
		if c := slices.Compare(a.OutPoint.Hash[:], b.OutPoint.Hash[:]); c != 0 {
			return c
		}
		return cmp.Compare(a.OutPoint.Index, b.OutPoint.Index)
	})
	return out
}
