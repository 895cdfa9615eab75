package main

import (
	"context"
	"fmt"

	"github.com/btcsuite/btcd/btcec/v2"
	"github.com/btcsuite/btcd/btcutil"
	"github.com/btcsuite/btcd/chaincfg"
	"github.com/btcsuite/btcd/txscript"
	"github.com/btcsuite/btcd/wire"
)

// Parameters of the faucet's transactions.
const (
	// faucetFeeRate is the faucet's fee rate in sat/vbyte, above btcd's
	// relay minimum.
	faucetFeeRate = 5
	// coinbaseMaturity is how deep a coinbase must be to be spent.
	coinbaseMaturity = 100
)

// faucet holds the key btcd mines to and pays from those coinbases: btcd
// has no wallet of its own.
type faucet struct {
	key      *btcec.PrivateKey
	address  btcutil.Address
	pkScript []byte
	next     int32 // the height of the next coinbase to spend
}

// newFaucet makes a faucet with a fresh key.
func newFaucet() (*faucet, error) {
	key, err := btcec.NewPrivateKey()
	if err != nil {
		return nil, err
	}
	addr, err := btcutil.NewAddressPubKeyHash(btcutil.Hash160(key.PubKey().SerializeCompressed()), &chaincfg.RegressionNetParams)
	if err != nil {
		return nil, err
	}
	pkScript, err := txscript.PayToAddrScript(addr)
	if err != nil {
		return nil, err
	}
	return &faucet{key: key, address: addr, pkScript: pkScript, next: 1}, nil
}

// payment is one output of a faucet transaction.
type payment struct {
	address string
	amount  btcutil.Amount
}

// pay broadcasts one transaction paying each payment from the next unspent
// mature coinbase (early regtest blocks pay 50 BTC each), its change back
// to the faucet, and returns its txid.
func (b *btcd) pay(ctx context.Context, payments ...payment) (string, error) {
	f := b.faucet
	_, tip, err := b.client.BestBlock(ctx)
	if err != nil {
		return "", err
	}
	if f.next > tip+1-coinbaseMaturity {
		return "", fmt.Errorf("demo: faucet: no mature coinbase left at height %d: mine more blocks", tip)
	}
	hash, err := b.client.BlockHash(ctx, f.next)
	if err != nil {
		return "", err
	}
	block, err := b.client.Block(ctx, hash)
	if err != nil {
		return "", err
	}
	cb := block.Transactions[0]
	tx := wire.NewMsgTx(2)
	tx.AddTxIn(wire.NewTxIn(wire.NewOutPoint(ptr(cb.TxHash()), 0), nil, nil))
	change := btcutil.Amount(cb.TxOut[0].Value)
	for _, p := range payments {
		addr, err := btcutil.DecodeAddress(p.address, &chaincfg.RegressionNetParams)
		if err != nil {
			return "", fmt.Errorf("demo: faucet: address %q: %w", p.address, err)
		}
		script, err := txscript.PayToAddrScript(addr)
		if err != nil {
			return "", err
		}
		tx.AddTxOut(wire.NewTxOut(int64(p.amount), script))
		change -= p.amount
	}
	// One P2PKH input (148 vbytes), the outputs, the change output (34),
	// and the transaction's own 10: generously rounded up.
	vsize := 10 + 148 + 34*(len(payments)+1)
	change -= btcutil.Amount(vsize * faucetFeeRate)
	if change <= 0 {
		return "", fmt.Errorf("demo: faucet: the payments exceed a coinbase")
	}
	tx.AddTxOut(wire.NewTxOut(int64(change), f.pkScript))
	sig, err := txscript.SignatureScript(tx, 0, cb.TxOut[0].PkScript, txscript.SigHashAll, f.key, true)
	if err != nil {
		return "", err
	}
	tx.TxIn[0].SignatureScript = sig
	txid, err := b.client.SendRawTransaction(ctx, tx)
	if err != nil {
		return "", fmt.Errorf("demo: faucet: %w", err)
	}
	f.next++
	return txid.String(), nil
}

// ptr returns a pointer to a copy of v.
func ptr[T any](v T) *T { return &v }
