package regtest

import (
	"bytes"
	"encoding/hex"
	"testing"

	"github.com/btcsuite/btcd/btcutil"
	"github.com/btcsuite/btcd/chaincfg"
	"github.com/btcsuite/btcd/chaincfg/chainhash"
	"github.com/btcsuite/btcd/txscript"
	"github.com/btcsuite/btcd/wire"
)

// Parameters of the transactions SendTo builds.
const (
	// coinbaseMaturity is how many blocks a coinbase output must wait
	// before it can be spent (consensus).
	coinbaseMaturity = 100
	// sendFeeRate is the fee rate of SendTo's transactions, in sat/vbyte:
	// above btcd's 1 sat/vbyte relay minimum, so they always relay.
	sendFeeRate = 5
	// minChange is the smallest change output SendTo creates; less goes to
	// the fee.
	minChange = 1000
	// p2pkhInputSize is the size of a signed P2PKH input with a compressed
	// key: outpoint 36, script length 1, script up to 107, sequence 4.
	p2pkhInputSize = 148
)

// SendTo pays amount to pkScript in a transaction that spends mature
// coinbases of MiningAddr, and broadcasts it. It returns the transaction:
// output 0 pays pkScript; output 1, if present, is change back to
// MiningAddr. The transaction is in the mempool, not confirmed: mine with
// Generate.
//
// Each call uses at least one coinbase not used before (the change is not
// reused); ActivateSegwit leaves 333 mature ones and every Generate adds
// one per block. Witness outputs (P2WPKH, P2WSH, P2TR) need ActivateSegwit
// first only to be spent, not to be paid to.
func (b *Btcd) SendTo(t testing.TB, pkScript []byte, amount btcutil.Amount) *wire.MsgTx {
	t.Helper()
	if amount <= 0 {
		t.Fatalf("regtest: SendTo amount %v must be positive", amount)
	}
	b.mu.Lock()
	defer b.mu.Unlock()

	// btcd accepts a coinbase spend into the mempool when the next block is
	// at least coinbaseMaturity blocks after the coinbase's.
	_, tip := b.BestBlock(t)
	maxHeight := tip + 1 - coinbaseMaturity

	tx := wire.NewMsgTx(2)
	tx.AddTxOut(wire.NewTxOut(int64(amount), pkScript))
	var total btcutil.Amount
	fee := func(withChange bool) btcutil.Amount {
		vsize := 10 + len(tx.TxIn)*p2pkhInputSize + 9 + len(pkScript)
		if withChange {
			vsize += 9 + len(b.pkScript)
		}
		return btcutil.Amount(vsize * sendFeeRate)
	}
	h := b.nextCoinbase
	for ; total < amount+fee(true) && h <= maxHeight; h++ {
		cb := b.coinbaseAt(t, h)
		for i, out := range cb.TxOut {
			if out.Value > 0 && bytes.Equal(out.PkScript, b.pkScript) {
				tx.AddTxIn(wire.NewTxIn(wire.NewOutPoint(ptr(cb.TxHash()), uint32(i)), nil, nil))
				total += btcutil.Amount(out.Value)
			}
		}
	}
	if total < amount+fee(false) {
		t.Fatalf("regtest: SendTo %v: only %v of unused mature coinbases up to height %d (tip %d); mine more blocks",
			amount, total, maxHeight, tip)
	}
	if change := total - amount - fee(true); change >= minChange {
		tx.AddTxOut(wire.NewTxOut(int64(change), b.pkScript))
	}
	for i := range tx.TxIn {
		sig, err := txscript.SignatureScript(tx, i, b.pkScript, txscript.SigHashAll, b.key, true)
		if err != nil {
			t.Fatalf("regtest: sign coinbase spend: %v", err)
		}
		tx.TxIn[i].SignatureScript = sig
	}
	b.broadcast(t, tx)
	b.nextCoinbase = h
	return tx
}

// SendToAddress is SendTo for a regtest address string (for example one
// from `lncli newaddress`).
func (b *Btcd) SendToAddress(t testing.TB, addr string, amount btcutil.Amount) *wire.MsgTx {
	t.Helper()
	a, err := btcutil.DecodeAddress(addr, &chaincfg.RegressionNetParams)
	if err != nil {
		t.Fatalf("regtest: SendToAddress %q: %v", addr, err)
	}
	pkScript, err := txscript.PayToAddrScript(a)
	if err != nil {
		t.Fatalf("regtest: SendToAddress %q: %v", addr, err)
	}
	return b.SendTo(t, pkScript, amount)
}

// Broadcast sends a signed transaction with sendrawtransaction and fails
// the test if btcd rejects it.
func (b *Btcd) Broadcast(t testing.TB, tx *wire.MsgTx) {
	t.Helper()
	b.broadcast(t, tx)
}

// broadcast is Broadcast, also checking that btcd computed the same txid.
func (b *Btcd) broadcast(t testing.TB, tx *wire.MsgTx) {
	t.Helper()
	var buf bytes.Buffer
	if err := tx.Serialize(&buf); err != nil {
		t.Fatalf("regtest: serialize transaction: %v", err)
	}
	var txid string
	b.rpcInto(t, &txid, "sendrawtransaction", hex.EncodeToString(buf.Bytes()))
	if want := tx.TxHash().String(); txid != want {
		t.Fatalf("regtest: sendrawtransaction returned txid %s, want %s", txid, want)
	}
}

// coinbaseAt returns the coinbase transaction of the best-chain block at
// height h.
func (b *Btcd) coinbaseAt(t testing.TB, h int32) *wire.MsgTx {
	t.Helper()
	var hash, raw string
	b.rpcInto(t, &hash, "getblockhash", h)
	b.rpcInto(t, &raw, "getblock", hash, 0)
	blockBytes, err := hex.DecodeString(raw)
	if err != nil {
		t.Fatalf("regtest: getblock %s: bad hex: %v", hash, err)
	}
	var block wire.MsgBlock
	if err := block.Deserialize(bytes.NewReader(blockBytes)); err != nil {
		t.Fatalf("regtest: getblock %s: %v", hash, err)
	}
	if len(block.Transactions) == 0 {
		t.Fatalf("regtest: block %s at height %d has no transactions", hash, h)
	}
	return block.Transactions[0]
}

// ptr returns a pointer to a copy of h.
func ptr(h chainhash.Hash) *chainhash.Hash { return &h }
