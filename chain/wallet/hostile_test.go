package wallet

import (
	"context"
	"fmt"
	"testing"

	"github.com/btcsuite/btcd/chaincfg/chainhash"
	btcwire "github.com/btcsuite/btcd/wire"
	"github.com/stretchr/testify/require"

	"github.com/lnkit/lnkit/chain"
)

func TestFeeCeiling(t *testing.T) {
	ctx := context.Background()
	f := newFixture(t, 16)
	f.mine(payTx(1, f.script(P2WPKH), 10_000_000))
	send := func(v int64) error {
		_, err := f.w.SendOutputs(ctx, []*btcwire.TxOut{btcwire.NewTxOut(v, otherScript)}, chain.TargetOutputSpending)
		return err
	}
	// A hostile or broken estimator cannot make the wallet overpay.
	f.w.cfg.Fees = fixedFees{rate: DefaultMaxFeeRate + 1}
	require.ErrorIs(t, send(100_000), ErrAbsurdFee)
	// A fee over 10% of the amount.
	f.w.cfg.Fees = fixedFees{rate: 50_000}
	err := send(50_000)
	var afe *AbsurdFeeError
	require.ErrorAs(t, err, &afe)
	require.EqualValues(t, 50_000, afe.Amount)
	require.Empty(t, f.bc.txs)
	// Insufficient funds says how much is missing.
	f.w.cfg.Fees = fixedFees{rate: 253}
	err = send(20_000_000)
	var ife *InsufficientFundsError
	require.ErrorAs(t, err, &ife)
	require.Greater(t, int64(ife.Missing()), int64(10_000_000))
	require.Less(t, int64(ife.Missing()), int64(10_001_000))
	// Dust and nonsense amounts.
	require.ErrorIs(t, send(100), ErrDust)
	require.ErrorIs(t, send(-1), ErrInvalidAmount)
	require.ErrorIs(t, send(btcMaxSatoshi+1), ErrInvalidAmount)
	_, err = f.w.SendOutputs(ctx, nil, chain.TargetOutputSpending)
	require.ErrorIs(t, err, ErrInvalidAmount)
}

func TestNeverSignsForeignInputs(t *testing.T) {
	f := newFixture(t, 17)
	script := f.script(P2WPKH)
	// A coin claiming to be at key 0 but with another script.
	in := txInput{OutPoint: btcwire.OutPoint{Index: 1}, Value: 1000, PkScript: otherScript,
		Sequence: sequenceRBF, Wallet: true, Key: keyRef{Branch: branchWPKHReceive, Index: 0}}
	_, err := f.w.buildAndSign([]txInput{in}, []*btcwire.TxOut{btcwire.NewTxOut(500, script)}, 0)
	require.ErrorIs(t, err, ErrUnknownOutput)
	// A non-wallet input without a signer.
	in.Wallet = false
	_, err = f.w.buildAndSign([]txInput{in}, []*btcwire.TxOut{btcwire.NewTxOut(500, script)}, 0)
	require.ErrorIs(t, err, ErrUnknownOutput)
}

func TestMalformedBlocks(t *testing.T) {
	f := newFixture(t, 18)
	script := f.script(P2WPKH)
	hdr := btcwire.BlockHeader{PrevBlock: f.w.BestBlock().Hash}
	blocks := []*btcwire.MsgBlock{
		nil,
		{Header: hdr},
		{Header: hdr, Transactions: []*btcwire.MsgTx{nil}},
		{Header: hdr, Transactions: []*btcwire.MsgTx{{TxIn: []*btcwire.TxIn{nil}, TxOut: []*btcwire.TxOut{nil}}}},
		{Header: hdr, Transactions: []*btcwire.MsgTx{{TxOut: []*btcwire.TxOut{{Value: -5, PkScript: script}}}}},
		{Header: hdr, Transactions: []*btcwire.MsgTx{{TxIn: []*btcwire.TxIn{{PreviousOutPoint: btcwire.OutPoint{Index: btcwire.MaxPrevOutIndex}}}, TxOut: []*btcwire.TxOut{{Value: 1 << 62, PkScript: script}}}}},
	}
	for i, b := range blocks {
		require.NotPanics(t, func() { f.w.BlockConnected(b, int32(i+1)) }, "block %d", i)
	}
	require.NotPanics(t, func() { f.w.BlockDisconnected(nil, 3) })
	require.NotPanics(t, func() { f.w.BlockDisconnected(&hdr, 6) })
	require.NotPanics(t, func() { f.w.TransactionsConfirmed(nil, nil, 1) })
	require.NotPanics(t, func() {
		f.w.TransactionsConfirmed(&hdr, []chain.TxData{{Tx: nil}, {Index: -1, Tx: &btcwire.MsgTx{}}}, 2)
	})
	require.NotPanics(t, func() { f.w.TransactionUnconfirmed(chainhash.Hash{}) })
	// Whatever those did, the balance does not count negative or
	// impossible coins as spendable.
	_, err := f.w.SendOutputs(context.Background(), []*btcwire.TxOut{btcwire.NewTxOut(10_000, otherScript)}, chain.TargetOutputSpending)
	require.Error(t, err)
}

func TestWalletRedacts(t *testing.T) {
	f := newFixture(t, 19)
	for _, verb := range []string{"%v", "%+v", "%#v", "%s", "%x"} {
		require.Equal(t, "wallet.Wallet(regtest)", fmt.Sprintf(verb, f.w))
	}
}
