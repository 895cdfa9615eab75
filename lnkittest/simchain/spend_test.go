package simchain_test

import (
	"testing"

	"github.com/btcsuite/btcd/btcutil"
	"github.com/btcsuite/btcd/txscript"
	btcwire "github.com/btcsuite/btcd/wire"
	"github.com/stretchr/testify/require"

	"github.com/lnkit/lnkit/channel/commit"
	"github.com/lnkit/lnkit/keys"
	"github.com/lnkit/lnkit/lnkittest/simchain"
	lnwire "github.com/lnkit/lnkit/wire"
)

// This file builds and signs the transactions of the tests.

// trueWitnessScript is the witness script OP_TRUE: a P2WSH output anyone
// can spend, for tests about the mempool rather than signatures.
var trueWitnessScript = []byte{txscript.OP_TRUE}

// trueScript is the P2WSH output script of trueWitnessScript.
var trueScript = commit.P2WSH(trueWitnessScript)

// newChain returns a chain with the default Config.
func newChain(t testing.TB) *simchain.Chain {
	t.Helper()
	c, err := simchain.New(simchain.Config{})
	require.NoError(t, err)
	return c
}

// testSigner returns the channel signer of a fixed seed numbered n.
func testSigner(n byte) *keys.InMemorySigner {
	var seed keys.Seed
	for i := range seed {
		seed[i] = n + byte(i)
	}
	return keys.NewManager(seed, keys.Config{}).ChannelKeys([32]byte{n})
}

// prevOut is an output a test transaction spends.
type prevOut struct {
	op  btcwire.OutPoint
	out *btcwire.TxOut
}

// fund creates a coin of amount paying pkScript.
func fund(t testing.TB, c *simchain.Chain, pkScript []byte, amount int64) prevOut {
	t.Helper()
	op, err := c.Fund(pkScript, btcutil.Amount(amount))
	require.NoError(t, err)
	return prevOut{op: op, out: btcwire.NewTxOut(amount, pkScript)}
}

// outputOf returns output i of tx as a prevOut.
func outputOf(tx *btcwire.MsgTx, i int) prevOut {
	return prevOut{op: btcwire.OutPoint{Hash: tx.TxHash(), Index: uint32(i)}, out: tx.TxOut[i]}
}

// newSpend returns a version 2 transaction spending prevs (sequence
// 0xfffffffd, unsigned) and paying values to trueScript.
func newSpend(prevs []prevOut, values ...int64) *btcwire.MsgTx {
	tx := btcwire.NewMsgTx(2)
	for _, p := range prevs {
		in := btcwire.NewTxIn(&p.op, nil, nil)
		in.Sequence = btcwire.MaxTxInSequenceNum - 2
		tx.AddTxIn(in)
	}
	for _, v := range values {
		tx.AddTxOut(btcwire.NewTxOut(v, trueScript))
	}
	return tx
}

// spendTrue returns a transaction spending trueScript outputs, with their
// witnesses, paying values to trueScript.
func spendTrue(prevs []prevOut, values ...int64) *btcwire.MsgTx {
	tx := newSpend(prevs, values...)
	for _, in := range tx.TxIn {
		in.Witness = btcwire.TxWitness{trueWitnessScript}
	}
	return tx
}

// digest returns the BIP 143 signature hash (SIGHASH_ALL) of input i of tx
// for witnessScript (the P2WPKH output script for P2WPKH).
func digest(t testing.TB, tx *btcwire.MsgTx, i int, prevs []prevOut, witnessScript []byte) lnwire.Digest {
	t.Helper()
	m := make(map[btcwire.OutPoint]*btcwire.TxOut, len(prevs))
	for _, p := range prevs {
		m[p.op] = p.out
	}
	fetcher := txscript.NewMultiPrevOutFetcher(m)
	h, err := txscript.CalcWitnessSigHash(witnessScript, txscript.NewTxSigHashes(tx, fetcher),
		txscript.SigHashAll, tx, i, prevs[i].out.Value)
	require.NoError(t, err)
	return lnwire.Digest(h)
}

// paymentScript is the P2WPKH script of s's payment basepoint.
func paymentScript(s *keys.InMemorySigner) []byte {
	return commit.P2WPKH(s.Basepoints().PaymentBasepoint)
}

// signPayment signs input i of tx, spending paymentScript(s), with s.
func signPayment(t testing.TB, tx *btcwire.MsgTx, i int, prevs []prevOut, s *keys.InMemorySigner) {
	t.Helper()
	sig, err := s.SignPayment(digest(t, tx, i, prevs, prevs[i].out.PkScript))
	require.NoError(t, err)
	tx.TxIn[i].Witness, err = commit.ToRemoteWitness(sig, s.Basepoints().PaymentBasepoint)
	require.NoError(t, err)
}

// requireTxError checks that err is a *TxError of kind at input.
func requireTxError(t testing.TB, err error, kind error, input int) *simchain.TxError {
	t.Helper()
	require.ErrorIs(t, err, kind)
	var te *simchain.TxError
	require.ErrorAs(t, err, &te)
	require.Equal(t, input, te.Input, "input of %v", err)
	return te
}
