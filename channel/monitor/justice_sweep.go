package monitor

import (
	"errors"
	"math"
	"slices"

	btcwire "github.com/btcsuite/btcd/wire"

	"github.com/lnkit/lnkit/channel/commit"
	lnwire "github.com/lnkit/lnkit/wire"
)

// SweepBumpWindow is how many blocks before its deadline a claim still
// unconfirmed has its fee rate raised at every block (by a quarter, and at
// least by MinRelayFeeIncrement). Before that window it follows the
// estimator's TargetUrgentSweep rate, never going down.
const SweepBumpWindow = 12

// MinRelayFeeIncrement is the least fee rate increase (sat/kw) of a
// replacement: Bitcoin Core's default incremental relay fee, 1 sat/vB.
const MinRelayFeeIncrement lnwire.FeeRate = 250

// replacementMargin is added to every bump (sat/kw): it covers the
// rounding of fees to the satoshi and of weights to virtual bytes, so that
// a replacement raised by exactly MinRelayFeeIncrement is not refused.
const replacementMargin lnwire.FeeRate = 10

// unclaimed returns the breach's outputs still to take at height, with the
// deadline of each (the height from which the cheater can take it): the
// outputs not spent by a confirmed transaction, second-stage outputs only
// once their transaction confirmed.
func (m *ChannelMonitor) unclaimed() (outs []RevokedOutput, deadlines []int32) {
	b := m.chain.breach
	for _, o := range b.Outputs {
		if m.spentBy(o.OutPoint) != nil {
			continue
		}
		// The cheater's delayed path opens csv blocks after the output's
		// transaction confirmed; its HTLC outputs lead there too (through
		// its second-stage transactions).
		at := b.Height
		if o.Kind == RevokedSecondStage {
			h, ok := m.confirmedAt(o.OutPoint.Hash)
			if !ok {
				continue
			}
			at = h
		}
		outs = append(outs, o)
		deadlines = append(deadlines, at+int32(b.csv)-1)
	}
	return outs, deadlines
}

// inputWeight is the weight a revoked output adds to a justice
// transaction, its witness built with the largest signature (as
// buildClaim counts it).
func (b *Breach) inputWeight(o RevokedOutput) int64 {
	w, err := b.witness(o, largestSig())
	if err != nil {
		return math.MaxInt32 // an unknown kind is never worth claiming
	}
	return commit.InputNonWitnessWeight + int64(w.SerializeSize())
}

// justiceTx returns the justice transaction to broadcast at height for the
// breach's unclaimed outputs, or nil (no breach, nothing left, or nothing
// worth its fee). The fee rate is the estimate, never below the last one
// handed out, raised by a quarter (at least MinRelayFeeIncrement) at every
// block once the nearest deadline is within SweepBumpWindow; the fee never
// exceeds what is claimed (outputs not worth their own input's fee are
// left out, unless the last transaction took them). It records the rate (and the monitor's sweep script, from
// dest the first time) so that the next transaction replaces this one.
func (m *ChannelMonitor) justiceTx(height int32, estimate lnwire.FeeRate, signer RevocationSigner, dest func() ([]byte, error)) (*btcwire.MsgTx, error) {
	b := m.chain.breach
	if b == nil {
		return nil, nil
	}
	outs, deadlines := m.unclaimed()
	if len(outs) == 0 {
		return nil, nil
	}
	j := m.claimState(justiceKey(b))
	nearest := deadlines[0]
	for _, d := range deadlines {
		nearest = min(nearest, d)
	}
	rate := bumpedRate(estimate, j.rate, j.height, height, nearest)
	script, err := m.sweepScript(dest)
	if err != nil {
		return nil, err
	}
	// Outputs worth less than the fee of their own input stay out; if the
	// rest does not pay its fee either, nothing is handed out at this
	// rate. An output the last transaction took stays in: without it the
	// replacement could pay less in total than the transaction it
	// replaces, which the mempool refuses (BIP 125), and the bump would be
	// lost.
	var worth []RevokedOutput
	for _, o := range outs {
		if slices.Contains(j.took, o.OutPoint) || int64(o.Value) > b.inputWeight(o)*int64(rate)/1000+claimDustLimit {
			worth = append(worth, o)
		}
	}
	if len(worth) == 0 {
		return nil, nil
	}
	tx, err := b.JusticeTx(worth, script, rate, signer)
	if errors.Is(err, ErrFeeAboveValue) {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	took := make([]btcwire.OutPoint, len(worth))
	for i, o := range worth {
		took[i] = o.OutPoint
	}
	m.handedOut(j, rate, height, took)
	return tx, nil
}

// justiceKey names the breach's justice transactions among the claims'
// states: the revoked commitment's txid with no output index.
func justiceKey(b *Breach) btcwire.OutPoint {
	return btcwire.OutPoint{Hash: b.Tx.TxHash(), Index: btcwire.MaxPrevOutIndex}
}
