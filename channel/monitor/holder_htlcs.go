package monitor

import (
	"slices"

	btcwire "github.com/btcsuite/btcd/wire"

	"github.com/lnkit/lnkit/chain/wallet/spendable"
	"github.com/lnkit/lnkit/channel/commit"
	"github.com/lnkit/lnkit/events"
	lnwire "github.com/lnkit/lnkit/wire"
)

// Our commitment on chain (BOLT 5 "Local Commitment"): each HTLC output is
// resolved through its second-stage transaction, signed with the
// counterparty's signature kept with the commitment: HTLC-timeout for an
// HTLC we offered, from its cltv_expiry; HTLC-success for an HTLC we
// received, once we hold its preimage. Their outputs are ours after our
// to_self_delay: SpendableOutputs of kind ToLocalDelayed. Without anchors
// the transactions carry their fee (the commitment's rate) and are
// broadcast as they are at every block until the output is spent; with
// anchors they pay no fee and the wallet funds them (not yet: see doc.go).

// holderHTLCOutput returns the HTLC output op of our commitment on chain,
// or nil.
func (m *ChannelMonitor) holderHTLCOutput(op btcwire.OutPoint) *commit.Output {
	h := m.chain.ours
	if h == nil || op.Hash != h.cm.TxID() || int(op.Index) >= len(h.cm.Outputs) {
		return nil
	}
	if o := &h.cm.Outputs[op.Index]; o.Kind.IsHTLC() {
		return o
	}
	return nil
}

// isSecondStage reports whether w is the witness of one of our HTLC
// transactions (0 <remotesig> <localsig> <preimage or empty> <script>),
// not a spend by the counterparty (3 items).
func isSecondStage(w btcwire.TxWitness) bool { return len(w) == 5 && len(w[0]) == 0 }

// holderHTLCTxs returns our HTLC transactions to broadcast at height, each
// signed by both sides: for every HTLC output not spent yet, HTLC-timeout
// from its cltv_expiry, HTLC-success once its preimage is known. With
// anchors none is returned (they need the wallet's inputs for their fee).
func (m *ChannelMonitor) holderHTLCTxs(height int32, signer ClaimSigner) ([]*btcwire.MsgTx, error) {
	h := m.chain.ours
	if h == nil || m.ch.Type().HasAnchors() {
		return nil, nil
	}
	cm := h.cm
	var txs []*btcwire.MsgTx
	for j, i := range cm.HTLCOutputs {
		o := &cm.Outputs[i]
		op := btcwire.OutPoint{Hash: cm.TxID(), Index: uint32(i)}
		if m.spentBy(op) != nil || j >= len(h.step.HTLCSigs) {
			continue
		}
		var preimage *lnwire.Preimage
		if o.Kind == commit.OfferedHTLCOutput {
			if int32(o.HTLC.CLTVExpiry) > height {
				continue
			}
		} else {
			p, ok := m.preimages[o.HTLC.PaymentHash]
			if !ok {
				continue
			}
			preimage = &p
		}
		digest, err := cm.HTLCSigHash(i, false)
		if err != nil {
			return nil, err
		}
		sig, err := signer.SignHTLC(cm.Keys.PerCommitmentPoint, digest)
		if err != nil {
			return nil, err
		}
		tx, err := cm.SignedHTLCTx(i, sig, h.step.HTLCSigs[j], preimage)
		if err != nil {
			return nil, err
		}
		txs = append(txs, tx)
	}
	return txs, nil
}

// secondStageOutputs returns the outputs of our confirmed HTLC
// transactions as SpendableOutputs, each with the height from which it is
// emitted (our to_self_delay after it confirmed, and AntiReorgDelay
// deep). Output 0 of an HTLC transaction is its own (with anchors the
// wallet's inputs and change come after it).
func (m *ChannelMonitor) secondStageOutputs() (outs []spendable.Output, at []int32) {
	h := m.chain.ours
	if h == nil {
		return nil, nil
	}
	cm := h.cm
	csv := m.ch.Params().Local.CSVDelay
	for _, s := range m.chain.spent {
		if !s.secondStage || m.holderHTLCOutput(s.op) == nil {
			continue
		}
		tx, err := cm.HTLCTx(int(s.op.Index))
		if err != nil {
			continue
		}
		out := tx.TxOut[0]
		outs = append(outs, spendable.Output{
			Kind: spendable.ToLocalDelayed, OutPoint: btcwire.OutPoint{Hash: s.txid, Index: 0},
			Value: lnwire.Satoshi(out.Value), PkScript: out.PkScript, ChannelKeyID: m.keyID,
			PerCommitmentPoint: cm.Keys.PerCommitmentPoint, RevocationPubKey: cm.Keys.Revocation, ToSelfDelay: csv,
		})
		at = append(at, max(s.height+AntiReorgDelay-1, s.height+int32(csv)-1))
	}
	return outs, at
}

// maturedSecondStage emits the second-stage outputs due at height (once
// per monitor run: again after a restart, as every claim).
func (m *ChannelMonitor) maturedSecondStage(height int32) {
	outs, at := m.secondStageOutputs()
	var due []spendable.Output
	for k, o := range outs {
		if height >= at[k] && !m.emittedSecond[o.OutPoint] {
			if m.emittedSecond == nil {
				m.emittedSecond = make(map[btcwire.OutPoint]bool)
			}
			m.emittedSecond[o.OutPoint] = true
			due = append(due, o)
		}
	}
	if len(due) > 0 {
		m.events = append(m.events, &events.SpendableOutputs{Outputs: due, ChannelID: m.ChannelID()})
	}
}

// holderHasClaims reports whether an HTLC output of our commitment on
// chain is not spent yet.
func (m *ChannelMonitor) holderHasClaims() bool {
	h := m.chain.ours
	if h == nil {
		return false
	}
	return slices.ContainsFunc(h.cm.HTLCOutputs, func(i int) bool {
		return m.spentBy(btcwire.OutPoint{Hash: h.cm.TxID(), Index: uint32(i)}) == nil
	})
}
