package monitor

import (
	"slices"

	btcwire "github.com/btcsuite/btcd/wire"

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

// SharedClaimBuffer is how many blocks ahead of the counterparty's own
// spending path an output may share a claim transaction with others.
// Closer than that (or already open to the counterparty, as a revoked HTLC
// it received and may claim with its preimage at once) the output is
// claimed alone: a conflicting spend of the counterparty in the mempool
// (or one pinned there with low-fee descendants) can then only hold back
// its own output, never the rest.
const SharedClaimBuffer = 12

// unclaimed returns the breach's outputs still to take at height, with the
// deadline of each (the last block before the cheater can get a spend of
// its own mined): the outputs not spent by a confirmed transaction,
// second-stage outputs only once their transaction confirmed.
func (m *ChannelMonitor) unclaimed() (outs []RevokedOutput, deadlines []int32) {
	b := m.chain.breach
	for _, o := range b.Outputs {
		if m.spentBy(o.OutPoint) != nil {
			continue
		}
		var deadline int32
		switch o.Kind {
		case RevokedOfferedHTLC:
			// The cheater's HTLC-timeout has locktime cltv_expiry.
			deadline = int32(o.CLTVExpiry)
		case RevokedReceivedHTLC:
			// Its HTLC-success may follow the commitment at once.
			deadline = b.Height
		case RevokedSecondStage:
			// Its delayed path opens csv blocks after the second-stage
			// transaction confirmed.
			h, ok := m.confirmedAt(o.OutPoint.Hash)
			if !ok {
				continue
			}
			deadline = h + int32(b.csv) - 1
		default:
			deadline = b.Height + int32(b.csv) - 1
		}
		outs = append(outs, o)
		deadlines = append(deadlines, deadline)
	}
	return outs, deadlines
}

// justicePackage is a set of a breach's outputs claimed by one
// transaction, and the state its fee rate follows.
type justicePackage struct {
	state    claimState
	outs     []RevokedOutput
	deadline int32 // the nearest of its outputs'
}

// justicePackages splits the breach's unclaimed outputs at height into the
// packages claimed together: one shared package (keyed justiceKey) with
// every output the cheater cannot spend before SharedClaimBuffer blocks,
// and one package per other output (keyed by its outpoint). An output
// keeps the package it was first handed out in (a replacement never drops
// an input the mempool holds; a package only loses the outputs the chain
// gave to someone else), so the split is stable across blocks and
// restarts. An output found after the shared package was handed out (a
// second-stage output) is claimed alone: added to the shared
// transaction, the replacement would pay only that input's fee more,
// short of what BIP 125 asks for the whole transaction, and be refused.
func (m *ChannelMonitor) justicePackages(height int32) []justicePackage {
	b := m.chain.breach
	outs, deadlines := m.unclaimed()
	shared := justicePackage{state: m.claimState(justiceKey(b))}
	var alone []justicePackage
	for i, o := range outs {
		solo := m.claimState(o.OutPoint)
		inShared := slices.Contains(shared.state.took, o.OutPoint)
		if !inShared && (solo.height > 0 || shared.state.height > 0 || deadlines[i]-height < SharedClaimBuffer) {
			alone = append(alone, justicePackage{state: solo, outs: []RevokedOutput{o}, deadline: deadlines[i]})
			continue
		}
		if len(shared.outs) == 0 || deadlines[i] < shared.deadline {
			shared.deadline = deadlines[i]
		}
		shared.outs = append(shared.outs, o)
	}
	if len(shared.outs) == 0 {
		return alone
	}
	return append([]justicePackage{shared}, alone...)
}

// justiceTxs returns the justice transactions to broadcast at height for
// the breach's unclaimed outputs, one per package (justicePackages), or
// none (no breach, nothing left, or nothing worth its fee). The fee rate
// of each is the estimate, never below the last one handed out for the
// package, raised by a quarter (at least MinRelayFeeIncrement) at every
// block once the package's nearest deadline is within SweepBumpWindow;
// the fee never exceeds what is claimed (outputs not worth their own
// input's fee are left out, unless the package's last transaction took
// them). It records each package's rate and outputs (and the monitor's
// sweep script, from dest the first time) so that the next transaction
// replaces this one.
func (m *ChannelMonitor) justiceTxs(height int32, estimate lnwire.FeeRate, signer RevocationSigner, dest func() ([]byte, error)) ([]*btcwire.MsgTx, error) {
	b := m.chain.breach
	if b == nil {
		return nil, nil
	}
	var txs []*btcwire.MsgTx
	for _, p := range m.justicePackages(height) {
		tx, err := m.justiceTx(b, p, height, estimate, signer, dest)
		if err != nil {
			return txs, err
		}
		if tx != nil {
			txs = append(txs, tx)
		}
	}
	return txs, nil
}

// justiceTx returns the transaction of package p at height, or nil when
// nothing in it is worth its fee at the rate (packageTx).
func (m *ChannelMonitor) justiceTx(b *Breach, p justicePackage, height int32, estimate lnwire.FeeRate, signer RevocationSigner, dest func() ([]byte, error)) (*btcwire.MsgTx, error) {
	ins, err := b.claimInputs(p.outs, signer)
	if err != nil {
		return nil, err
	}
	return m.packageTx(claimPackage{state: p.state, ins: ins, deadline: p.deadline}, height, estimate, dest)
}

// justiceKey names the breach's justice transactions among the claims'
// states: the revoked commitment's txid with no output index.
func justiceKey(b *Breach) btcwire.OutPoint {
	return btcwire.OutPoint{Hash: b.Tx.TxHash(), Index: btcwire.MaxPrevOutIndex}
}
