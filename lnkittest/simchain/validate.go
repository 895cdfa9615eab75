package simchain

import (
	"github.com/btcsuite/btcd/btcutil"
	"github.com/btcsuite/btcd/chaincfg/chainhash"
	"github.com/btcsuite/btcd/txscript"
	btcwire "github.com/btcsuite/btcd/wire"
)

// Consensus constants.
const (
	// CoinbaseMaturity is how many blocks a coinbase output waits: one
	// created at height h can be spent in block h+100.
	CoinbaseMaturity = 100

	// maxTxWeight bounds a transaction by the block weight limit.
	maxTxWeight = 4_000_000

	// scriptFlags are the script checks of every input.
	scriptFlags = txscript.StandardVerifyFlags
)

// spendContext is the block a transaction is checked for: its height and
// the median time past of its parent (BIP 113), with the chain's genesis
// time to find the median time past of other blocks.
type spendContext struct {
	start  int64
	height int32
	mtp    int64
}

// coinLookup finds the coin an input spends, or says why there is none.
type coinLookup func(txid chainhash.Hash, input int, op btcwire.OutPoint) (*coin, *TxError)

// checked is a transaction that passed checkTx.
type checked struct {
	tx     *btcwire.MsgTx
	txid   chainhash.Hash
	coins  []*coin // by input
	fee    int64
	weight int64
	fund   bool // spends a Fund coin: exempt from the relay policy
}

// checkTx applies the consensus rules to tx for the block ctx: structure,
// inputs that exist and are unspent, coinbase maturity, values, absolute
// and relative locktimes, and (when scripts is set) every input's scripts.
func checkTx(tx *btcwire.MsgTx, txid chainhash.Hash, ctx spendContext, lookup coinLookup, scripts bool) (*checked, *TxError) {
	if err := checkSanity(tx, txid); err != nil {
		return nil, err
	}
	ck := &checked{tx: tx, txid: txid, coins: make([]*coin, len(tx.TxIn)), weight: txWeight(tx)}
	var in int64
	for i, txIn := range tx.TxIn {
		cn, err := lookup(txid, i, txIn.PreviousOutPoint)
		if err != nil {
			return nil, err
		}
		switch {
		case cn.fund && cn.fundTx != txid:
			return nil, txErr(txid, i, ErrMissingInput, "%v does not exist", txIn.PreviousOutPoint)
		case cn.coinbase && ctx.height-cn.height < CoinbaseMaturity:
			return nil, txErr(txid, i, ErrImmature, "coinbase of block %d spent in block %d", cn.height, ctx.height)
		}
		ck.fund = ck.fund || cn.fund
		ck.coins[i] = cn
		in += cn.out.Value
	}
	var out int64
	for _, o := range tx.TxOut {
		out += o.Value
	}
	if in < out {
		return nil, txErr(txid, -1, ErrInsufficientInput, "inputs %d sat, outputs %d sat", in, out)
	}
	ck.fee = in - out
	if err := checkFinal(tx, txid, ctx); err != nil {
		return nil, err
	}
	if err := checkSequenceLocks(tx, txid, ck.coins, ctx); err != nil {
		return nil, err
	}
	if scripts {
		if err := checkScripts(ck); err != nil {
			return nil, err
		}
	}
	return ck, nil
}

// txidOf returns the transaction's id, or ErrMalformed (with a zero txid)
// for a transaction that cannot be serialized: nil, or with a nil input
// or output.
func txidOf(tx *btcwire.MsgTx) (chainhash.Hash, *TxError) {
	if tx == nil {
		return chainhash.Hash{}, txErr(chainhash.Hash{}, -1, ErrMalformed, "nil transaction")
	}
	for i, in := range tx.TxIn {
		if in == nil {
			return chainhash.Hash{}, txErr(chainhash.Hash{}, i, ErrMalformed, "nil input")
		}
	}
	for i, o := range tx.TxOut {
		if o == nil {
			return chainhash.Hash{}, txErr(chainhash.Hash{}, -1, ErrMalformed, "output %d is nil", i)
		}
	}
	return tx.TxHash(), nil
}

// checkSanity applies the context-free rules, to a transaction txidOf
// accepted: what no block may hold.
func checkSanity(tx *btcwire.MsgTx, txid chainhash.Hash) *TxError {
	switch {
	case len(tx.TxIn) == 0:
		return txErr(txid, -1, ErrMalformed, "no inputs")
	case len(tx.TxOut) == 0:
		return txErr(txid, -1, ErrMalformed, "no outputs")
	}
	var total int64
	for i, o := range tx.TxOut {
		if o.Value < 0 || o.Value > btcutil.MaxSatoshi {
			return txErr(txid, -1, ErrMalformed, "output %d: value %d out of range", i, o.Value)
		}
		total += o.Value
		if total > btcutil.MaxSatoshi {
			return txErr(txid, -1, ErrMalformed, "outputs total more than 21 million BTC")
		}
	}
	seen := make(map[btcwire.OutPoint]struct{}, len(tx.TxIn))
	for i, in := range tx.TxIn {
		op := in.PreviousOutPoint
		if op.Index == btcwire.MaxPrevOutIndex && op.Hash == (chainhash.Hash{}) {
			return txErr(txid, i, ErrMalformed, "spends the null outpoint (a coinbase input)")
		}
		if _, dup := seen[op]; dup {
			return txErr(txid, i, ErrMalformed, "%v spent twice", op)
		}
		seen[op] = struct{}{}
	}
	if w := txWeight(tx); w > maxTxWeight {
		return txErr(txid, -1, ErrMalformed, "weight %d above %d", w, maxTxWeight)
	}
	return nil
}

// txWeight is the transaction's weight: 3 × stripped size + total size.
func txWeight(tx *btcwire.MsgTx) int64 {
	return int64(tx.SerializeSizeStripped())*3 + int64(tx.SerializeSize())
}

// checkScripts runs txscript's engine on every input, except the made-up
// input of a Fund transaction.
func checkScripts(ck *checked) *TxError {
	prevOuts := make(map[btcwire.OutPoint]*btcwire.TxOut, len(ck.coins))
	for i, cn := range ck.coins {
		prevOuts[ck.tx.TxIn[i].PreviousOutPoint] = &cn.out
	}
	fetcher := txscript.NewMultiPrevOutFetcher(prevOuts)
	hashes := txscript.NewTxSigHashes(ck.tx, fetcher)
	for i, cn := range ck.coins {
		if cn.fund {
			continue
		}
		vm, err := txscript.NewEngine(cn.out.PkScript, ck.tx, i, scriptFlags, nil, hashes, cn.out.Value, fetcher)
		if err == nil {
			err = vm.Execute()
		}
		if err != nil {
			e := txErr(ck.txid, i, ErrScript, "")
			e.Cause = err
			return e
		}
	}
	return nil
}
