package simchain_test

import (
	"errors"
	"fmt"

	"github.com/btcsuite/btcd/btcec/v2"
	"github.com/btcsuite/btcd/btcutil"
	"github.com/btcsuite/btcd/txscript"
	btcwire "github.com/btcsuite/btcd/wire"

	"github.com/lnkit/lnkit/lnkittest/simchain"
)

// Fund a key, spend its coin with a signed P2WPKH transaction, mine it and
// count its confirmations; a double spend is refused.
func Example() {
	c, err := simchain.New(simchain.Config{})
	if err != nil {
		panic(err)
	}
	key, _ := btcec.PrivKeyFromBytes([]byte("a test key, never a real one...."))
	pkScript, _ := txscript.NewScriptBuilder().AddOp(txscript.OP_0).
		AddData(btcutil.Hash160(key.PubKey().SerializeCompressed())).Script()
	coin, err := c.Fund(pkScript, 100_000)
	if err != nil {
		panic(err)
	}

	spend := func(value int64) *btcwire.MsgTx {
		tx := btcwire.NewMsgTx(2)
		tx.AddTxIn(btcwire.NewTxIn(&coin, nil, nil))
		tx.AddTxOut(btcwire.NewTxOut(value, pkScript))
		fetcher := txscript.NewCannedPrevOutputFetcher(pkScript, 100_000)
		tx.TxIn[0].Witness, err = txscript.WitnessSignature(tx, txscript.NewTxSigHashes(tx, fetcher),
			0, 100_000, pkScript, txscript.SigHashAll, key, true)
		if err != nil {
			panic(err)
		}
		return tx
	}
	tx := spend(99_000)
	if err := c.Broadcast(tx); err != nil {
		panic(err)
	}
	c.Mine(6)
	fmt.Println("confirmations:", c.Confirmations(tx.TxHash()))
	err = c.Broadcast(spend(98_000))
	fmt.Println("double spend refused:", errors.Is(err, simchain.ErrDoubleSpend))
	// Output:
	// confirmations: 6
	// double spend refused: true
}
