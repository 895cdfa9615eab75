package monitor

import (
	"errors"
	"fmt"
	"slices"

	"github.com/btcsuite/btcd/chaincfg/chainhash"
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

// outputSpend is a confirmed spend of a revoked output.
type outputSpend struct {
	op     btcwire.OutPoint
	txid   chainhash.Hash
	height int32
}

// justiceState is what the monitor remembers of the justice transactions
// it handed out: the last fee rate (a replacement pays more), when, the
// script they pay to (every replacement pays to the same one) and the
// outputs the last one took (its replacement takes them too).
type justiceState struct {
	rate   lnwire.FeeRate
	height int32
	script []byte
	took   []btcwire.OutPoint
}

// recordBreachSpends records the confirmed spends by tx of the breach's
// outputs (ours, or the cheater's).
func (m *ChannelMonitor) recordBreachSpends(tx *btcwire.MsgTx, height int32) {
	b := m.chain.breach
	if b == nil {
		return
	}
	txid := tx.TxHash()
	for _, in := range tx.TxIn {
		if b.has(in.PreviousOutPoint) && m.spentBy(in.PreviousOutPoint) == nil {
			m.chain.spent = append(m.chain.spent, outputSpend{op: in.PreviousOutPoint, txid: txid, height: height})
			m.chain.changed = true
		}
	}
}

// spentBy returns the confirmed spend of op, or nil.
func (m *ChannelMonitor) spentBy(op btcwire.OutPoint) *outputSpend {
	for i := range m.chain.spent {
		if m.chain.spent[i].op == op {
			return &m.chain.spent[i]
		}
	}
	return nil
}

// confirmedAt returns the height of a confirmed transaction that spent a
// breach output, or false.
func (m *ChannelMonitor) confirmedAt(txid chainhash.Hash) (int32, bool) {
	for _, s := range m.chain.spent {
		if s.txid == txid {
			return s.height, true
		}
	}
	return 0, false
}

// undoBreachSpends forgets the spends confirmed above height (a reorg), or
// by txid.
func (m *ChannelMonitor) undoBreachSpends(keep func(outputSpend) bool) {
	kept := m.chain.spent[:0:0]
	for _, s := range m.chain.spent {
		if keep(s) {
			kept = append(kept, s)
		}
	}
	if len(kept) != len(m.chain.spent) {
		m.chain.spent = kept
		m.chain.changed = true
	}
}

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

// revokedInputWeight is the weight a revoked output adds to a justice
// transaction: the input with the largest witness (an offered HTLC with a
// 73-byte signature and the revocation key).
func revokedInputWeight(o RevokedOutput) int64 {
	witness := 1 + 1 + 73 + 1 + len(o.WitnessScript) + 1
	if o.Kind == RevokedOfferedHTLC || o.Kind == RevokedReceivedHTLC {
		witness += 33
	}
	return commit.InputNonWitnessWeight + int64(witness)
}

// justiceTx returns the justice transaction to broadcast at height for the
// breach's unclaimed outputs, or nil (no breach, nothing left, or nothing
// worth its fee). The fee rate is the estimate, never below the last one
// handed out, raised by a quarter (at least MinRelayFeeIncrement) at every
// block once the nearest deadline is within SweepBumpWindow; the fee never
// exceeds what is claimed (outputs not worth their own input's fee are
// left out, unless the last transaction took them). It records the rate,
// the script (dest is called once per breach) and the outputs taken, so
// that the next transaction replaces this one.
func (m *ChannelMonitor) justiceTx(height int32, estimate lnwire.FeeRate, signer RevocationSigner, dest func() ([]byte, error)) (*btcwire.MsgTx, error) {
	b := m.chain.breach
	if b == nil {
		return nil, nil
	}
	outs, deadlines := m.unclaimed()
	if len(outs) == 0 {
		return nil, nil
	}
	j := &m.chain.justice
	rate := max(estimate, j.rate, lnwire.FeeRateFloor)
	nearest := deadlines[0]
	for _, d := range deadlines {
		nearest = min(nearest, d)
	}
	if j.rate > 0 && height > j.height && nearest-height <= SweepBumpWindow {
		rate = max(rate, j.rate+max(j.rate/4, MinRelayFeeIncrement)+replacementMargin)
	}
	if j.script == nil {
		s, err := dest()
		if err != nil {
			return nil, fmt.Errorf("monitor: justice destination: %w", err)
		}
		j.script = append([]byte(nil), s...)
		m.chain.changed = true
	}
	// Outputs worth less than the fee of their own input stay out; if the
	// rest does not pay its fee either, nothing is handed out at this
	// rate. An output the last transaction took stays in: without it the
	// replacement could pay less in total than the transaction it
	// replaces, which the mempool refuses (BIP 125), and the bump would be
	// lost.
	var worth []RevokedOutput
	for _, o := range outs {
		if slices.Contains(j.took, o.OutPoint) || int64(o.Value) > revokedInputWeight(o)*int64(rate)/1000+justiceDustLimit {
			worth = append(worth, o)
		}
	}
	if len(worth) == 0 {
		return nil, nil
	}
	tx, err := b.JusticeTx(worth, j.script, rate, signer)
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
	if j.rate != rate || j.height != height || !slices.Equal(j.took, took) {
		j.rate, j.height, j.took = rate, height, took
		m.chain.changed = true
	}
	return tx, nil
}

func encodeJustice(e *encoder, m *ChannelMonitor) {
	j := m.chain.justice
	e.u32(uint32(j.rate))
	e.u32(uint32(j.height))
	e.bytes(j.script)
	e.u32(uint32(len(m.chain.spent)))
	for _, s := range m.chain.spent {
		e.outpoint(s.op)
		e.raw(s.txid[:])
		e.u32(uint32(s.height))
	}
	e.u32(uint32(len(j.took)))
	for _, op := range j.took {
		e.outpoint(op)
	}
}

// spendSize is the encoded size of an outputSpend, outpointSize of an
// outpoint.
const (
	spendSize    = outpointSize + 32 + 4
	outpointSize = 32 + 4
)

func decodeJustice(d *decoder) (justiceState, []outputSpend) {
	j := justiceState{rate: lnwire.FeeRate(d.u32()), height: int32(d.u32())}
	if s := d.bytes(); len(s) > 0 {
		j.script = s
	}
	n := d.u32()
	if d.err == nil && uint64(n) > uint64(len(d.b))/spendSize {
		d.fail(fmt.Errorf("%d spends in %d bytes", n, len(d.b)))
	}
	var spent []outputSpend
	for i := uint32(0); i < n && d.err == nil; i++ {
		s := outputSpend{op: d.outpoint()}
		d.fixed(s.txid[:])
		s.height = int32(d.u32())
		spent = append(spent, s)
	}
	// The outputs the last transaction took (absent from the first
	// records of format 1.3).
	if d.err == nil && len(d.b) > 0 {
		n := d.u32()
		if d.err == nil && uint64(n) > uint64(len(d.b))/outpointSize {
			d.fail(fmt.Errorf("%d outputs taken in %d bytes", n, len(d.b)))
		}
		for i := uint32(0); i < n && d.err == nil; i++ {
			j.took = append(j.took, d.outpoint())
		}
	}
	return j, spent
}
