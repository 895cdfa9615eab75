package commit

import (
	"encoding/binary"
	"fmt"

	"github.com/btcsuite/btcd/chaincfg/chainhash"
	"github.com/btcsuite/btcd/txscript"
	btcwire "github.com/btcsuite/btcd/wire"

	"github.com/lnkit/lnkit/wire"
)

// HTLCTxFee returns the fee of the second-stage transaction of the HTLC
// output at index i: HTLC-timeout for offered HTLCs, HTLC-success for
// received ones (zero with anchors).
func (cm *Commitment) HTLCTxFee(i int) wire.Satoshi {
	if cm.Outputs[i].Kind == OfferedHTLCOutput {
		return HTLCTimeoutFee(cm.ch.p.Type, cm.FeeRate)
	}
	return HTLCSuccessFee(cm.ch.p.Type, cm.FeeRate)
}

// SecondStageScript returns the witness script of the HTLC transactions'
// outputs (to_local-style: revocation, or the owner's delayed key after
// its CSV delay), or nil when the commitment has no HTLC output.
func (cm *Commitment) SecondStageScript() []byte { return cm.secondStage }

// HTLCTx builds the unsigned HTLC-timeout (offered HTLC) or HTLC-success
// (received HTLC) transaction spending the HTLC output at index i.
func (cm *Commitment) HTLCTx(i int) (*btcwire.MsgTx, error) {
	if err := cm.checkHTLCOutput(i); err != nil {
		return nil, err
	}
	s := new(htlcTxScratch)
	cm.fillHTLCTx(s, i)
	return &s.tx, nil
}

// HTLCTxs builds the unsigned second-stage transactions of every HTLC
// output, in HTLCOutputs order.
func (cm *Commitment) HTLCTxs() []*btcwire.MsgTx {
	scratch := make([]htlcTxScratch, len(cm.HTLCOutputs))
	txs := make([]*btcwire.MsgTx, len(cm.HTLCOutputs))
	for j, i := range cm.HTLCOutputs {
		cm.fillHTLCTx(&scratch[j], i)
		txs[j] = &scratch[j].tx
	}
	return txs
}

func (cm *Commitment) checkHTLCOutput(i int) error {
	if i < 0 || i >= len(cm.Outputs) || !cm.Outputs[i].Kind.IsHTLC() {
		return fmt.Errorf("%w: index %d", ErrNotHTLCOutput, i)
	}
	return nil
}

// htlcTxScratch holds an HTLC transaction with its single input and output
// in one allocation; the signing loops reuse one for every HTLC.
type htlcTxScratch struct {
	sh   txscript.TxSigHashes
	tx   btcwire.MsgTx
	in   btcwire.TxIn
	out  btcwire.TxOut
	ins  [1]*btcwire.TxIn
	outs [1]*btcwire.TxOut
}

// fillHTLCTx writes the HTLC transaction of output i into s (BOLT 3
// "HTLC-Timeout and HTLC-Success Transactions").
func (cm *Commitment) fillHTLCTx(s *htlcTxScratch, i int) {
	o := &cm.Outputs[i]
	var lockTime, sequence uint32
	if o.Kind == OfferedHTLCOutput {
		lockTime = o.HTLC.CLTVExpiry
	}
	if cm.ch.p.Type.HasAnchors() {
		sequence = 1
	}
	s.in = btcwire.TxIn{
		PreviousOutPoint: btcwire.OutPoint{Hash: cm.txid, Index: uint32(i)},
		Sequence:         sequence,
	}
	s.out = btcwire.TxOut{
		// Untrimmed outputs cover the fee: amount >= dust + fee.
		Value:    int64(o.Amount - cm.HTLCTxFee(i)),
		PkScript: cm.secondStagePk,
	}
	s.ins[0], s.outs[0] = &s.in, &s.out
	s.tx = btcwire.MsgTx{Version: 2, TxIn: s.ins[:], TxOut: s.outs[:], LockTime: lockTime}
}

// htlcSigHash returns the BIP143 digest of the HTLC transaction in s for
// commitment output i. The hashSequence midstate is shared by every HTLC
// transaction of the commitment; hashPrevouts and hashOutputs are computed
// directly from the single input and output, without serialising the
// transaction.
func (cm *Commitment) htlcSigHash(s *htlcTxScratch, i int, hashType txscript.SigHashType) (wire.Digest, error) {
	o := &cm.Outputs[i]
	sh := &s.sh
	var buf [8 + 1 + P2WSHSize]byte
	if hashType&txscript.SigHashAnyOneCanPay == 0 {
		copy(buf[:32], cm.txid[:])
		binary.LittleEndian.PutUint32(buf[32:36], uint32(i))
		sh.HashPrevOutsV0 = chainhash.DoubleHashH(buf[:36])
		sh.HashSequenceV0 = cm.htlcSeqHash
	}
	if hashType&^txscript.SigHashAnyOneCanPay == txscript.SigHashAll {
		binary.LittleEndian.PutUint64(buf[:8], uint64(s.out.Value))
		buf[8] = P2WSHSize
		copy(buf[9:], s.out.PkScript)
		sh.HashOutputsV0 = chainhash.DoubleHashH(buf[:])
	}
	return toDigest(txscript.CalcWitnessSigHash(o.WitnessScript, sh, hashType, &s.tx, 0, int64(o.Amount)))
}

// HTLCSigHash returns the digest that signs the HTLC transaction of output
// i: byCounterparty selects the counterparty's signature (which is
// SIGHASH_SINGLE|SIGHASH_ANYONECANPAY with anchors) over the owner's
// (always SIGHASH_ALL).
func (cm *Commitment) HTLCSigHash(i int, byCounterparty bool) (wire.Digest, error) {
	if err := cm.checkHTLCOutput(i); err != nil {
		return wire.Digest{}, err
	}
	var s htlcTxScratch
	cm.fillHTLCTx(&s, i)
	return cm.htlcSigHash(&s, i, cm.htlcHashType(byCounterparty))
}

// htlcHashType is the sighash type of a signature on an HTLC transaction.
func (cm *Commitment) htlcHashType(byCounterparty bool) txscript.SigHashType {
	if byCounterparty && cm.ch.p.Type.HasAnchors() {
		return txscript.SigHashSingle | txscript.SigHashAnyOneCanPay
	}
	return txscript.SigHashAll
}
