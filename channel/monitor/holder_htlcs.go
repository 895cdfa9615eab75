package monitor

import (
	"context"
	"errors"
	"fmt"
	"slices"

	"github.com/btcsuite/btcd/chaincfg/chainhash"
	"github.com/btcsuite/btcd/txscript"
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
// anchors they pay no fee and the wallet funds them (HTLCTxFunder), at a
// rate raised as their deadline nears, as every claim.

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

// anchorsHTLCClaimWeight is about the weight of one of our anchors HTLC
// transactions funded with one wallet input and a change output: the
// HTLC transaction (BOLT 3: 666 or 706) and a P2WPKH input and output.
// A claim whose fee at the rate would reach the HTLC's value is not made.
const anchorsHTLCClaimWeight = 706 + 272 + 124

// HTLCTxFunder pays the fee of our zero-fee anchors HTLC transactions
// with wallet inputs: chain/wallet's Wallet implements it (FundHTLCTx).
// Called again for the same HTLC output at a higher rate, it returns a
// replacement of its previous transaction.
type HTLCTxFunder interface {
	FundHTLCTx(ctx context.Context, h spendable.HTLCTx, rate lnwire.FeeRate) (*btcwire.MsgTx, error)
	// AbandonTransaction forgets a transaction FundHTLCTx returned that
	// can never confirm (a reorganisation replaced our commitment on
	// chain): its wallet coins are spendable again.
	AbandonTransaction(ctx context.Context, txid chainhash.Hash) error
}

// holderHTLCTxs returns our HTLC transactions to broadcast at height, each
// signed by both sides: for every HTLC output not spent yet, HTLC-timeout
// from its cltv_expiry, HTLC-success once its preimage is known. Without
// anchors they are the presigned transactions as they are (their fee is
// the commitment's rate); with anchors fund (nil: none) adds wallet inputs
// for a fee at the claim's rate (estimate, raised as the deadline nears,
// as every claim), a failure to fund one being logged by the caller and
// retried at the next block.
func (m *ChannelMonitor) holderHTLCTxs(ctx context.Context, height int32, estimate lnwire.FeeRate, signer ClaimSigner, fund HTLCTxFunder) ([]*btcwire.MsgTx, error) {
	h := m.chain.ours
	anchors := m.ch.Type().HasAnchors()
	if h == nil {
		return nil, nil
	}
	cm := h.cm
	var txs []*btcwire.MsgTx
	var errs []error
	for j, i := range cm.HTLCOutputs {
		o := &cm.Outputs[i]
		op := btcwire.OutPoint{Hash: cm.TxID(), Index: uint32(i)}
		if m.spentBy(op) != nil || j >= len(h.step.HTLCSigs) {
			continue
		}
		var preimage *lnwire.Preimage
		deadline := int32(o.HTLC.CLTVExpiry)
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
			deadline--
		}
		theirs := h.step.HTLCSigs[j]
		if !anchors {
			tx, err := m.presignedHTLCTx(cm, i, theirs, preimage, signer)
			if err != nil {
				return nil, err
			}
			txs = append(txs, tx)
			continue
		}
		if fund == nil {
			errs = append(errs, fmt.Errorf("monitor: the anchors htlc transaction of %v needs a SweepConfig.Funder", op))
			continue
		}
		st := m.claimState(op)
		rate := bumpedRate(estimate, st.rate, st.height, height, deadline)
		if int64(rate)*anchorsHTLCClaimWeight/1000 >= int64(o.Amount) {
			continue // its fee would exceed what it claims
		}
		if prev := m.funded[op]; prev != nil && st.rate == rate {
			txs = append(txs, prev) // the same rate: broadcast it again
			continue
		}
		req, err := m.htlcTxRequest(cm, i, theirs, preimage, signer)
		if err != nil {
			return nil, err
		}
		tx, err := fund.FundHTLCTx(ctx, req, rate)
		if err != nil {
			errs = append(errs, fmt.Errorf("monitor: fund the htlc transaction of %v: %w", op, err))
			continue
		}
		if m.funded == nil {
			m.funded = make(map[btcwire.OutPoint]*btcwire.MsgTx)
		}
		m.funded[op] = tx
		m.handedOut(st, rate, height, nil)
		txs = append(txs, tx)
	}
	return txs, errors.Join(errs...)
}

// presignedHTLCTx is the HTLC transaction of output i of cm (a channel
// without anchors) signed by both sides.
func (m *ChannelMonitor) presignedHTLCTx(cm *commit.Commitment, i int, theirs lnwire.Signature, preimage *lnwire.Preimage, signer ClaimSigner) (*btcwire.MsgTx, error) {
	digest, err := cm.HTLCSigHash(i, false)
	if err != nil {
		return nil, err
	}
	sig, err := signer.SignHTLC(cm.Keys.PerCommitmentPoint, digest)
	if err != nil {
		return nil, err
	}
	return cm.SignedHTLCTx(i, sig, theirs, preimage)
}

// htlcTxRequest is the zero-fee HTLC transaction of output i of cm (with
// anchors) for the wallet to fund: our SIGHASH_ALL signature is made over
// the final transaction, the counterparty's SIGHASH_SINGLE|ANYONECANPAY
// one is kept.
func (m *ChannelMonitor) htlcTxRequest(cm *commit.Commitment, i int, theirs lnwire.Signature, preimage *lnwire.Preimage, signer ClaimSigner) (spendable.HTLCTx, error) {
	tx, err := cm.HTLCTx(i)
	if err != nil {
		return spendable.HTLCTx{}, err
	}
	o := &cm.Outputs[i]
	typ := m.ch.Type()
	witness := func(ours lnwire.Signature) (btcwire.TxWitness, error) {
		if preimage != nil {
			return commit.HTLCSuccessWitness(typ, theirs, ours, *preimage, o.WitnessScript)
		}
		return commit.HTLCTimeoutWitness(typ, theirs, ours, o.WitnessScript)
	}
	largest, err := witness(largestSig())
	if err != nil {
		return spendable.HTLCTx{}, err
	}
	return spendable.HTLCTx{
		Tx: tx, Value: o.Amount, PkScript: o.PkScript,
		// The counterparty's signature is counted at its largest too.
		WitnessWeight: int64(largest.SerializeSize()) + 1,
		Witness: func(final *btcwire.MsgTx, hashes *txscript.TxSigHashes) (btcwire.TxWitness, error) {
			h, err := txscript.CalcWitnessSigHash(o.WitnessScript, hashes, txscript.SigHashAll, final, 0, int64(o.Amount))
			if err != nil {
				return nil, err
			}
			sig, err := signer.SignHTLC(cm.Keys.PerCommitmentPoint, lnwire.Digest(h))
			if err != nil {
				return nil, err
			}
			return witness(sig)
		},
	}, nil
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
		own := btcwire.OutPoint{Hash: s.txid, Index: 0}
		if err != nil || m.spentBy(own) != nil {
			continue // swept already (watched: ownSecondStage)
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

// ownSecondStage reports whether op is the output of one of our
// confirmed HTLC transactions: the monitor watches its spend, so that an
// output swept already is not handed out again after a restart.
func (m *ChannelMonitor) ownSecondStage(op btcwire.OutPoint) bool {
	if op.Index != 0 || m.chain.ours == nil {
		return false
	}
	for _, s := range m.chain.spent {
		if s.secondStage && s.txid == op.Hash && m.holderHTLCOutput(s.op) != nil {
			return true
		}
	}
	return false
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
