package wallet

import (
	"github.com/btcsuite/btcd/btcutil"
)

// CoinbaseMaturity is how many blocks a coinbase output waits before it can
// be spent (consensus): a coinbase of height h can be spent in block
// h+100.
const CoinbaseMaturity = 100

// Balance is the wallet's unspent coins by state. A coin is in exactly one
// of the four.
type Balance struct {
	// Confirmed is spendable now: confirmed, mature and not locked.
	Confirmed btcutil.Amount
	// Unconfirmed is change and sweeps of the wallet's own transactions
	// that have not confirmed yet.
	Unconfirmed btcutil.Amount
	// Immature is coinbase outputs younger than CoinbaseMaturity.
	Immature btcutil.Amount
	// Locked is coins held for a funding transaction.
	Locked btcutil.Amount
}

// Total is the sum of the four.
func (b Balance) Total() btcutil.Amount {
	return b.Confirmed + b.Unconfirmed + b.Immature + b.Locked
}

// Balance returns the wallet's balance at its best block.
func (w *Wallet) Balance() Balance {
	w.mu.Lock()
	defer w.mu.Unlock()
	var b Balance
	for op, u := range w.utxos {
		if u.SpentBy != nil {
			continue
		}
		v := btcutil.Amount(u.Value)
		switch _, locked := w.locks[op]; {
		case locked:
			b.Locked += v
		case u.Height == 0:
			b.Unconfirmed += v
		case !w.mature(u):
			b.Immature += v
		default:
			b.Confirmed += v
		}
	}
	return b
}

// mature reports whether u may be spent in the next block.
func (w *Wallet) mature(u *utxo) bool {
	return !u.Coinbase || (u.Height > 0 && w.best.Height+1-u.Height >= CoinbaseMaturity)
}

// confirmations of a coin or transaction at height (0 when unconfirmed).
func (w *Wallet) confirmations(height int32) int32 {
	if height <= 0 || height > w.best.Height {
		return 0
	}
	return w.best.Height - height + 1
}
