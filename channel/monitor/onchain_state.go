package monitor

import (
	"fmt"
	"slices"

	"github.com/btcsuite/btcd/chaincfg/chainhash"
	btcwire "github.com/btcsuite/btcd/wire"

	"github.com/lnkit/lnkit/chain"
	"github.com/lnkit/lnkit/channel/commit"
	lnwire "github.com/lnkit/lnkit/wire"
)

// What the monitor remembers of the claims it makes on chain (justice
// transactions, HTLC claims), persisted with the chain state: the script
// they pay to, the confirmed spends of the outputs it watches, and the
// last fee rate of each claim, so that a replacement pays more, also after
// a restart.

// outputSpend is a confirmed spend of a watched output.
type outputSpend struct {
	op     btcwire.OutPoint
	txid   chainhash.Hash
	height int32
	// secondStage says the spend is one of our HTLC transactions (of an
	// HTLC output of our commitment); revealed that its witness gave the
	// HTLC's preimage.
	secondStage, revealed bool
}

// claimState is the last fee rate and height at which a claim was handed
// out. key is the claimed output (a claim of one output) or a commitment's
// txid with no output index (its shared package: justiceKey, sharedKey).
// A state with height 0 was never handed out.
type claimState struct {
	key    btcwire.OutPoint
	rate   lnwire.FeeRate
	height int32
	// took are the outputs the last transaction took (a justice
	// transaction's inputs): its replacement takes them too.
	took []btcwire.OutPoint
}

// claimState returns the state of the claim named key (a zero state the
// first time).
func (m *ChannelMonitor) claimState(key btcwire.OutPoint) claimState {
	for _, c := range m.chain.claimStates {
		if c.key == key {
			return c
		}
	}
	return claimState{key: key}
}

// handedOut records that the claim of c was handed out at rate and
// height, taking took.
func (m *ChannelMonitor) handedOut(c claimState, rate lnwire.FeeRate, height int32, took []btcwire.OutPoint) {
	if c.rate == rate && c.height == height && slices.Equal(c.took, took) {
		return
	}
	c.rate, c.height, c.took = rate, height, took
	m.chain.changed = true
	for i := range m.chain.claimStates {
		if m.chain.claimStates[i].key == c.key {
			m.chain.claimStates[i] = c
			return
		}
	}
	m.chain.claimStates = append(m.chain.claimStates, c)
}

// sweepScript returns the script claims pay to, asking dest the first
// time (every claim and its replacements pay to the same script).
func (m *ChannelMonitor) sweepScript(dest func() ([]byte, error)) ([]byte, error) {
	if m.chain.script == nil {
		s, err := dest()
		if err != nil {
			return nil, fmt.Errorf("monitor: claim destination: %w", err)
		}
		if len(s) == 0 {
			return nil, fmt.Errorf("monitor: claim destination: empty script")
		}
		m.chain.script = append([]byte(nil), s...)
		m.chain.changed = true
	}
	return m.chain.script, nil
}

// watchedOutput reports whether the monitor follows the spends of op: an
// output of a breach, or an HTLC output of a commitment on chain.
func (m *ChannelMonitor) watchedOutput(op btcwire.OutPoint) bool {
	if b := m.chain.breach; b != nil && b.has(op) {
		return true
	}
	if m.htlcOutput(op) != nil || m.holderHTLCOutput(op) != nil || m.ownSecondStage(op) {
		return true
	}
	// Our own claims: one spent before it matured (the counterparty took
	// our revoked to_local) is never handed out.
	for _, c := range m.chain.claims {
		if c.out.OutPoint == op {
			return true
		}
	}
	return false
}

// watchedOutputs lists the outputs watchedOutput accepts.
func (m *ChannelMonitor) watchedOutputs() []chain.WatchedOutput {
	var out []chain.WatchedOutput
	if b := m.chain.breach; b != nil {
		for _, o := range b.Outputs {
			out = append(out, chain.WatchedOutput{OutPoint: o.OutPoint, PkScript: commit.P2WSH(o.WitnessScript)})
		}
	}
	var cm *commit.Commitment
	switch {
	case m.chain.theirs != nil:
		cm = m.chain.theirs
	case m.chain.ours != nil:
		cm = m.chain.ours.cm
	}
	if cm != nil {
		for i, o := range cm.Outputs {
			if o.Kind.IsHTLC() {
				out = append(out, chain.WatchedOutput{OutPoint: btcwire.OutPoint{Hash: cm.TxID(), Index: uint32(i)}, PkScript: o.PkScript})
			}
		}
	}
	for _, c := range m.chain.claims {
		out = append(out, chain.WatchedOutput{OutPoint: c.out.OutPoint, PkScript: c.out.PkScript})
	}
	seconds, _ := m.secondStageOutputs()
	for _, o := range seconds {
		out = append(out, chain.WatchedOutput{OutPoint: o.OutPoint, PkScript: o.PkScript})
	}
	return out
}

// recordSpends records the spends by tx, confirmed at height, of the
// outputs the monitor watches (by us or by the counterparty), and learns
// the payment preimages they reveal.
func (m *ChannelMonitor) recordSpends(tx *btcwire.MsgTx, height int32) {
	if m.chain.spend == nil {
		return // nothing is watched before the funding output is spent
	}
	var txid chainhash.Hash
	for _, in := range tx.TxIn {
		op := in.PreviousOutPoint
		if !m.watchedOutput(op) || m.spentBy(op) != nil {
			continue
		}
		if txid == (chainhash.Hash{}) {
			txid = tx.TxHash() // only for a spend of a watched output
		}
		m.chain.spent = append(m.chain.spent, outputSpend{op: op, txid: txid, height: height,
			secondStage: m.holderHTLCOutput(op) != nil && isSecondStage(in.Witness),
			revealed:    m.learnFromWitness(op, in.Witness, height)})
		m.chain.changed = true
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
// watched output, or false.
func (m *ChannelMonitor) confirmedAt(txid chainhash.Hash) (int32, bool) {
	for _, s := range m.chain.spent {
		if s.txid == txid {
			return s.height, true
		}
	}
	return 0, false
}

// undoSpends forgets the spends keep refuses (a reorg).
func (m *ChannelMonitor) undoSpends(keep func(outputSpend) bool) {
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

// hasOnChainState reports whether there is anything to encode.
func (m *ChannelMonitor) hasOnChainState() bool {
	c := &m.chain
	return c.script != nil || len(c.spent) > 0 || len(c.claimStates) > 0
}

// The flags of an encoded outputSpend.
const (
	spendSecondStage = 1 << iota
	spendRevealed
)

// spendSize and claimStateSize are the encoded sizes of an outputSpend and
// a claimState.
const (
	spendSize      = 32 + 4 + 32 + 4 + 1
	claimStateSize = 32 + 4 + 4 + 4 + 4
	outpointSize   = 32 + 4
)

func encodeOnChain(e *encoder, c *chainState) {
	e.bytes(c.script)
	e.u32(uint32(len(c.spent)))
	for _, s := range c.spent {
		e.outpoint(s.op)
		e.raw(s.txid[:])
		e.u32(uint32(s.height))
		var flags uint8
		if s.secondStage {
			flags |= spendSecondStage
		}
		if s.revealed {
			flags |= spendRevealed
		}
		e.u8(flags)
	}
	e.u32(uint32(len(c.claimStates)))
	for _, s := range c.claimStates {
		e.outpoint(s.key)
		e.u32(uint32(s.rate))
		e.u32(uint32(s.height))
		e.u32(uint32(len(s.took)))
		for _, op := range s.took {
			e.outpoint(op)
		}
	}
}

// decodeOnChain reads what encodeOnChain wrote into c. Counts are bounded
// by the record's length.
func decodeOnChain(d *decoder, c *chainState) {
	if s := d.bytes(); len(s) > 0 {
		c.script = s
	}
	n := d.u32()
	if d.err == nil && uint64(n) > uint64(len(d.b))/spendSize {
		d.fail(fmt.Errorf("%d spends in %d bytes", n, len(d.b)))
	}
	for i := uint32(0); i < n && d.err == nil; i++ {
		s := outputSpend{op: d.outpoint()}
		d.fixed(s.txid[:])
		s.height = int32(d.u32())
		flags := d.u8()
		if flags&^(spendSecondStage|spendRevealed) != 0 {
			d.fail(fmt.Errorf("invalid spend flags %#x", flags))
		}
		s.secondStage, s.revealed = flags&spendSecondStage != 0, flags&spendRevealed != 0
		c.spent = append(c.spent, s)
	}
	n = d.u32()
	if d.err == nil && uint64(n) > uint64(len(d.b))/claimStateSize {
		d.fail(fmt.Errorf("%d claim states in %d bytes", n, len(d.b)))
	}
	for i := uint32(0); i < n && d.err == nil; i++ {
		s := claimState{key: d.outpoint()}
		s.rate = lnwire.FeeRate(d.u32())
		s.height = int32(d.u32())
		k := d.u32()
		if d.err == nil && uint64(k) > uint64(len(d.b))/outpointSize {
			d.fail(fmt.Errorf("%d outputs taken in %d bytes", k, len(d.b)))
		}
		for j := uint32(0); j < k && d.err == nil; j++ {
			s.took = append(s.took, d.outpoint())
		}
		c.claimStates = append(c.claimStates, s)
	}
}
