package monitor

import (
	"errors"
	"fmt"
	"math"
	"slices"

	"github.com/btcsuite/btcd/txscript"
	btcwire "github.com/btcsuite/btcd/wire"

	"github.com/lnkit/lnkit/channel/commit"
	lnwire "github.com/lnkit/lnkit/wire"
)

// claimSequence is the nSequence of a claim's inputs without a relative
// delay: it signals replaceability (BIP 125) and lets a locktime apply.
const claimSequence = btcwire.MaxTxInSequenceNum - 2

// claimInput is one input of a transaction the monitor signs alone.
type claimInput struct {
	op     btcwire.OutPoint
	value  lnwire.Satoshi
	script []byte
	// sequence is the input's nSequence: claimSequence, or 1 for the
	// anchors' HTLC outputs (their scripts check a 1-block delay).
	sequence uint32
	// sign signs the input's BIP 143 digest (SIGHASH_ALL).
	sign func(lnwire.Digest) (lnwire.Signature, error)
	// witness builds the input's witness from its signature.
	witness func(lnwire.Signature) (btcwire.TxWitness, error)
}

// largestSig is a placeholder signature of the largest DER size (72
// bytes): r and s with their top bit set.
func largestSig() lnwire.Signature {
	var s lnwire.Signature
	for i := range s {
		s[i] = 1
	}
	s[0], s[32] = 0x80, 0x80
	return s
}

// ErrFeeAboveValue is matched by the error of a claim (Breach.JusticeTx)
// whose fee at the asked rate would leave less than the dust limit: the
// outputs are not worth claiming at that rate.
var ErrFeeAboveValue = errors.New("monitor: fee above the value claimed")

// claimDustLimit is the least value a claim leaves in its output.
const claimDustLimit = 330

// buildClaim returns a transaction spending ins to pkScript at feeRate,
// with locktime, signed. Its weight is counted with the largest
// signatures, so the fee paid is never below feeRate.
func buildClaim(ins []claimInput, pkScript []byte, feeRate lnwire.FeeRate, locktime uint32) (*btcwire.MsgTx, error) {
	if len(ins) == 0 {
		return nil, errors.New("monitor: no output to claim")
	}
	tx := btcwire.NewMsgTx(2)
	tx.LockTime = locktime
	var total lnwire.Satoshi
	prev := make(map[btcwire.OutPoint]*btcwire.TxOut, len(ins))
	for _, in := range ins {
		txin := btcwire.NewTxIn(&in.op, nil, nil)
		txin.Sequence = in.sequence
		tx.AddTxIn(txin)
		prev[in.op] = btcwire.NewTxOut(int64(in.value), commit.P2WSH(in.script))
		total += in.value
	}
	tx.AddTxOut(btcwire.NewTxOut(0, pkScript))
	for i := range ins {
		w, err := ins[i].witness(largestSig())
		if err != nil {
			return nil, err
		}
		tx.TxIn[i].Witness = w
	}
	weight := int64(tx.SerializeSizeStripped())*3 + int64(tx.SerializeSize())
	fee := lnwire.Satoshi(int64(feeRate) * weight / 1000)
	if fee+claimDustLimit > total {
		return nil, fmt.Errorf("%w: %d sat at %d sat/kw for %d sat", ErrFeeAboveValue, fee, feeRate, total)
	}
	tx.TxOut[0].Value = int64(total - fee)
	hashes := txscript.NewTxSigHashes(tx, txscript.NewMultiPrevOutFetcher(prev))
	for i, in := range ins {
		h, err := txscript.CalcWitnessSigHash(in.script, hashes, txscript.SigHashAll, tx, i, int64(in.value))
		if err != nil {
			return nil, fmt.Errorf("monitor: claim sighash: %w", err)
		}
		sig, err := in.sign(lnwire.Digest(h))
		if err != nil {
			return nil, fmt.Errorf("monitor: sign claim input: %w", err)
		}
		if tx.TxIn[i].Witness, err = in.witness(sig); err != nil {
			return nil, err
		}
	}
	return tx, nil
}

// bumpedRate is the fee rate of a claim handed out at height, given the
// estimate, the rate and height of the previous one (0 for none) and the
// claim's deadline: the estimate, never below the previous rate, and a
// quarter more (at least MinRelayFeeIncrement) at every new block once the
// deadline is within SweepBumpWindow.
func bumpedRate(estimate, prev lnwire.FeeRate, prevHeight, height, deadline int32) lnwire.FeeRate {
	rate := max(estimate, prev, lnwire.FeeRateFloor)
	if prev > 0 && height > prevHeight && deadline-height <= SweepBumpWindow {
		rate = max(rate, prev+max(prev/4, MinRelayFeeIncrement)+replacementMargin)
	}
	return rate
}

// claimPackage is a set of outputs claimed by one transaction, and the
// state its fee rate follows.
type claimPackage struct {
	state    claimState
	ins      []claimInput
	deadline int32 // the nearest of its outputs'
	locktime uint32
}

// inputWeight is the weight in adds to a claim, its witness built with
// the largest signature (as buildClaim counts it).
func (in *claimInput) inputWeight() int64 {
	w, err := in.witness(largestSig())
	if err != nil {
		return math.MaxInt32 // never worth claiming
	}
	return commit.InputNonWitnessWeight + int64(w.SerializeSize())
}

// packageTx returns the transaction of package p at height, paying to the
// monitor's sweep script, or nil when nothing in it is worth its fee. The
// rate follows bumpedRate from the package's last one; inputs not worth
// their own fee stay out unless the package's last transaction took them
// (its replacement must pay at least as much in total: BIP 125). The
// rate, height and inputs are recorded in the package's state.
func (m *ChannelMonitor) packageTx(p claimPackage, height int32, estimate lnwire.FeeRate, dest func() ([]byte, error)) (*btcwire.MsgTx, error) {
	rate := bumpedRate(estimate, p.state.rate, p.state.height, height, p.deadline)
	script, err := m.sweepScript(dest)
	if err != nil {
		return nil, err
	}
	var worth []claimInput
	for _, in := range p.ins {
		if slices.Contains(p.state.took, in.op) || int64(in.value) > in.inputWeight()*int64(rate)/1000+claimDustLimit {
			worth = append(worth, in)
		}
	}
	if len(worth) == 0 {
		return nil, nil
	}
	tx, err := buildClaim(worth, script, rate, p.locktime)
	if errors.Is(err, ErrFeeAboveValue) {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	took := make([]btcwire.OutPoint, len(worth))
	for i, in := range worth {
		took[i] = in.op
	}
	m.handedOut(p.state, rate, height, took)
	return tx, nil
}
