package simchain

import (
	"crypto/sha256"
	"encoding/binary"
	"fmt"

	"github.com/btcsuite/btcd/btcutil"
	"github.com/btcsuite/btcd/chaincfg/chainhash"
	btcwire "github.com/btcsuite/btcd/wire"
)

// fundTag starts the preimage of the made-up outpoints of Fund
// transactions.
const fundTag = "lnkit simchain fund"

// Fund creates a coin of amount paying pkScript, in a block of its own
// mined at once, and returns its outpoint. The coin can be spent in the
// next block. See FundOutputs.
func (c *Chain) Fund(pkScript []byte, amount btcutil.Amount) (btcwire.OutPoint, error) {
	tx, err := c.FundOutputs(btcwire.NewTxOut(int64(amount), pkScript))
	if err != nil {
		return btcwire.OutPoint{}, err
	}
	return btcwire.OutPoint{Hash: tx.TxHash(), Index: 0}, nil
}

// FundOutputs creates coins out of nothing: a version 2 transaction paying
// outs from one made-up input (an outpoint no transaction created, derived
// from the number of Fund calls so far, so the same calls give the same
// txids), mined at once in a block of its own. Its outputs are spendable in
// the next block, with no coinbase maturity. Each value must be positive;
// the relay policy (dust) does not apply. The transaction is returned, and
// delivered to the listeners, before the call returns.
func (c *Chain) FundOutputs(outs ...*btcwire.TxOut) (*btcwire.MsgTx, error) {
	tx := btcwire.NewMsgTx(2)
	var total int64
	for i, o := range outs {
		if o == nil || o.Value <= 0 || o.Value > btcutil.MaxSatoshi-total {
			return nil, fmt.Errorf("simchain: fund: output %d: %w", i, ErrMalformed)
		}
		total += o.Value
		tx.AddTxOut(btcwire.NewTxOut(o.Value, append([]byte(nil), o.PkScript...)))
	}
	if len(outs) == 0 {
		return nil, fmt.Errorf("simchain: fund: no outputs: %w", ErrMalformed)
	}
	c.mu.Lock()
	c.funds++
	var preimage [len(fundTag) + 8]byte
	copy(preimage[:], fundTag)
	binary.BigEndian.PutUint64(preimage[len(fundTag):], c.funds)
	source := btcwire.OutPoint{Hash: chainhash.Hash(sha256.Sum256(preimage[:])), Index: 0}
	tx.AddTxIn(btcwire.NewTxIn(&source, nil, nil))
	txid := tx.TxHash()
	c.utxo[source] = &coin{out: btcwire.TxOut{Value: total}, fund: true, fundTx: txid}
	rec, err := c.connect([]*btcwire.MsgTx{tx}, false, false)
	if err != nil {
		delete(c.utxo, source)
		c.mu.Unlock()
		return nil, err
	}
	c.tree.SetTip(rec.hash)
	c.queue = append(c.queue, event{block: rec.block, height: rec.height, connected: true})
	c.mu.Unlock()
	c.deliver()
	return tx, nil
}
