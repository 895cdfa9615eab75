package wallet

import (
	"github.com/btcsuite/btcd/txscript"
	btcwire "github.com/btcsuite/btcd/wire"

	lnwire "github.com/lnkit/lnkit/wire"
)

// Transaction weights, in weight units. Signatures are counted at their
// largest (73-byte DER ECDSA with sighash byte), so estimates never fall
// short of the signed transaction.
const (
	// txOverheadWeight: version, locktime, 3-byte input and output counts
	// (4 x (4 + 4 + 3 + 3)) and the segwit marker and flag (2).
	txOverheadWeight = 4*(4+4+3+3) + 2
	// inputBaseWeight: outpoint, empty script length, sequence.
	inputBaseWeight = 4 * (36 + 1 + 4)
	// p2wpkhWitnessWeight: item count, signature, compressed key.
	p2wpkhWitnessWeight = 1 + 1 + 73 + 1 + 33
	// p2trWitnessWeight: item count and a 64-byte Schnorr signature
	// (SIGHASH_DEFAULT).
	p2trWitnessWeight = 1 + 1 + 64
	// p2wpkhInputWeight and p2trInputWeight are whole inputs.
	p2wpkhInputWeight = inputBaseWeight + p2wpkhWitnessWeight
	p2trInputWeight   = inputBaseWeight + p2trWitnessWeight
	// maxSigLen is the longest DER signature with its sighash byte.
	maxSigLen = 73
)

// outputWeight is the weight of an output paying pkScript.
func outputWeight(pkScript []byte) int64 {
	return 4 * int64(8+btcwire.VarIntSerializeSize(uint64(len(pkScript)))+len(pkScript))
}

// inputWeightFor is the weight of an input spending a wallet script.
func inputWeightFor(pkScript []byte) int64 {
	if txscript.IsPayToTaproot(pkScript) {
		return p2trInputWeight
	}
	return p2wpkhInputWeight
}

// dustLimit is the smallest output Bitcoin Core and btcd relay at the
// default 3 sat/vbyte dust rate: 294 sat for P2WPKH, 330 for P2TR.
func dustLimit(pkScript []byte) int64 {
	size := int64(8 + btcwire.VarIntSerializeSize(uint64(len(pkScript))) + len(pkScript))
	if txscript.IsWitnessProgram(pkScript) {
		// Outpoint, script length, sequence, and a 107-byte witness at
		// a quarter of its size.
		size += 32 + 4 + 1 + 4 + 107/4
	} else {
		size += 148
	}
	return 3 * size
}

// feeFor is the fee of weight at rate, rounded up (so that the fee never
// falls below the rate).
func feeFor(rate lnwire.FeeRate, weight int64) int64 {
	return (int64(rate)*weight + 999) / 1000
}

// weightOf is the weight of tx: its stripped size three times plus its
// full size.
func weightOf(tx *btcwire.MsgTx) int64 {
	return int64(tx.SerializeSizeStripped()*3 + tx.SerializeSize())
}
