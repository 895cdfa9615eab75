package spendable

import (
	"github.com/btcsuite/btcd/txscript"
	btcwire "github.com/btcsuite/btcd/wire"

	lnwire "github.com/lnkit/lnkit/wire"
)

// HTLCTx is one of our zero-fee HTLC-success or HTLC-timeout transactions
// (BOLT 3, option_anchors_zero_fee_htlc_tx) whose fee the wallet pays
// (wallet.FundHTLCTx). The counterparty's signature on its input is
// SIGHASH_SINGLE|SIGHASH_ANYONECANPAY: it covers input 0 with output 0,
// the version, the locktime and input 0's sequence, and lets wallet inputs
// and a change output be added after them. Our own signature is
// SIGHASH_ALL and so is made over the final transaction, by Witness.
type HTLCTx struct {
	// Tx is the unsigned HTLC transaction as BOLT 3 builds it: version 2,
	// one input (input 0) spending the commitment's HTLC output, one
	// output (output 0), no witness. Its locktime (cltv_expiry for an
	// HTLC-timeout, 0 for an HTLC-success) and input 0's sequence are
	// signed by the counterparty and are kept exactly. It is not
	// modified.
	Tx *btcwire.MsgTx

	// Value is the value of the HTLC output input 0 spends.
	Value lnwire.Satoshi

	// PkScript is the HTLC output's script (P2WSH), for signature hashes
	// and script checks.
	PkScript []byte

	// WitnessWeight is the largest weight of input 0's witness, item
	// count included (signatures counted at 73 bytes with their sighash
	// byte): the fee is computed with it. A witness found heavier is
	// refused.
	WitnessWeight int64

	// Witness builds input 0's witness for the final transaction tx:
	// our SIGHASH_ALL signature over it (hashes are tx's BIP 143 sighash
	// midstates) with the counterparty's stored SIGHASH_SINGLE|
	// SIGHASH_ANYONECANPAY one, as commit.HTLCSuccessWitness or
	// commit.HTLCTimeoutWitness lay them out. tx must not be modified.
	Witness func(tx *btcwire.MsgTx, hashes *txscript.TxSigHashes) (btcwire.TxWitness, error)
}
