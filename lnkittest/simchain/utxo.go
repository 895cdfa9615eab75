package simchain

import (
	"github.com/btcsuite/btcd/chaincfg/chainhash"
	btcwire "github.com/btcsuite/btcd/wire"
)

// coin is an output a transaction may spend.
type coin struct {
	out      btcwire.TxOut
	height   int32 // block height; unconfirmedHeight for a mempool output
	coinbase bool
	fund     bool           // a made-up input of a Fund transaction
	fundTx   chainhash.Hash // the only transaction that may spend a fund coin
}

// unconfirmedHeight marks a coin created by a mempool transaction.
const unconfirmedHeight = -1

// spentCoin is a coin a confirmed transaction spent, kept to undo it.
type spentCoin struct {
	op   btcwire.OutPoint
	coin *coin
}

// applyTx confirms tx at height: its inputs leave the UTXO set, its outputs
// enter it. It returns what is needed to undo it. c.mu is held.
func (c *Chain) applyTx(tx *btcwire.MsgTx, txid chainhash.Hash, height int32, coinbase bool) []spentCoin {
	var undo []spentCoin
	if !coinbase {
		undo = make([]spentCoin, len(tx.TxIn))
		for i, in := range tx.TxIn {
			op := in.PreviousOutPoint
			undo[i] = spentCoin{op: op, coin: c.utxo[op]}
			delete(c.utxo, op)
			c.spentBy[op] = txid
		}
	}
	for i, out := range tx.TxOut {
		c.utxo[btcwire.OutPoint{Hash: txid, Index: uint32(i)}] = &coin{out: *out, height: height, coinbase: coinbase}
	}
	c.txHeight[txid] = height
	return undo
}

// unapplyTx undoes applyTx. c.mu is held.
func (c *Chain) unapplyTx(tx *btcwire.MsgTx, txid chainhash.Hash, undo []spentCoin) {
	for i := range tx.TxOut {
		delete(c.utxo, btcwire.OutPoint{Hash: txid, Index: uint32(i)})
	}
	for _, s := range undo {
		c.utxo[s.op] = s.coin
		delete(c.spentBy, s.op)
	}
	delete(c.txHeight, txid)
}

// confirmedCoin finds an output for a transaction in a block: in the UTXO
// set (which holds the outputs of the block's earlier transactions). c.mu
// is held.
func (c *Chain) confirmedCoin(txid chainhash.Hash, input int, op btcwire.OutPoint) (*coin, *TxError) {
	if cn, ok := c.utxo[op]; ok {
		return cn, nil
	}
	return nil, c.missing(txid, input, op)
}

// missing explains why op is not in the UTXO set: spent by a confirmed
// transaction, or never created. c.mu is held.
func (c *Chain) missing(txid chainhash.Hash, input int, op btcwire.OutPoint) *TxError {
	if by, ok := c.spentBy[op]; ok {
		return txErr(txid, input, ErrDoubleSpend, "%v already spent by %v in block %d", op, by, c.txHeight[by])
	}
	return txErr(txid, input, ErrMissingInput, "%v does not exist", op)
}
