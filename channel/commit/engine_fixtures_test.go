package commit

import (
	"testing"

	"github.com/btcsuite/btcd/txscript"
	btcwire "github.com/btcsuite/btcd/wire"
	"github.com/stretchr/testify/require"
)

// engineErr runs btcd's script engine with the standard verification
// flags on input idx of tx, which spends an output with pkScript and
// amount.
func engineErr(tx *btcwire.MsgTx, idx int, pkScript []byte, amount int64) error {
	fetcher := txscript.NewCannedPrevOutputFetcher(pkScript, amount)
	vm, err := txscript.NewEngine(pkScript, tx, idx, txscript.StandardVerifyFlags, nil,
		txscript.NewTxSigHashes(tx, fetcher), amount, fetcher)
	if err != nil {
		return err
	}
	return vm.Execute()
}

// runEngine fails the test unless the spend is valid.
func runEngine(t testing.TB, tx *btcwire.MsgTx, idx int, pkScript []byte, amount int64) {
	t.Helper()
	require.NoError(t, engineErr(tx, idx, pkScript, amount), "script engine")
}
