package wallet

import (
	"bytes"
	"context"
	"fmt"

	"github.com/btcsuite/btcd/btcutil"
	"github.com/btcsuite/btcd/txscript"
	btcwire "github.com/btcsuite/btcd/wire"

	"github.com/lnkit/lnkit/chain"
	"github.com/lnkit/lnkit/chain/wallet/spendable"
	"github.com/lnkit/lnkit/channel/commit"
	"github.com/lnkit/lnkit/keys"
	lnwire "github.com/lnkit/lnkit/wire"
)

// SpendableOutput is the descriptor of an output Sweep spends (package
// spendable).
type SpendableOutput = spendable.Output

// Sweep spends outputs (from the channel monitor's SpendableOutputs events)
// to a new wallet address at the fee rate of target, and broadcasts. Each
// descriptor's script is rebuilt from its channel's keys and must match
// (else ErrInvalidDescriptor): the wallet never signs an output it cannot
// account for. Timelocks are the caller's business: a ToLocalDelayed output
// is spendable ToSelfDelay blocks after its commitment confirmed, and
// broadcasting earlier fails. Outputs one of the wallet's unconfirmed
// transactions sweeps already (the same SpendableOutputs handed out again
// after a restart) get that transaction again, broadcast again.
func (w *Wallet) Sweep(ctx context.Context, outputs []spendable.Output, target chain.ConfirmationTarget) (*btcwire.MsgTx, error) {
	if len(outputs) == 0 {
		return nil, fmt.Errorf("%w: nothing to sweep", ErrInvalidDescriptor)
	}
	inputs := make([]txInput, 0, len(outputs))
	seen := make(map[btcwire.OutPoint]bool, len(outputs))
	var weight, total int64
	for i := range outputs {
		in, wt, err := w.descriptorInput(&outputs[i])
		if err != nil {
			return nil, err
		}
		if seen[in.OutPoint] {
			return nil, fmt.Errorf("%w: %v given twice", ErrInvalidDescriptor, in.OutPoint)
		}
		seen[in.OutPoint] = true
		inputs = append(inputs, in)
		weight += wt
		total += in.Value
	}
	if total > btcMaxSatoshi {
		return nil, fmt.Errorf("%w: %d sat", ErrInvalidDescriptor, total)
	}
	rate, err := w.feeRate(ctx, target)
	if err != nil {
		return nil, err
	}
	w.mu.Lock()
	if tx := w.sweeping(seen); tx != nil {
		// Swept already (the event came again, after a restart): the
		// same transaction goes out again.
		w.mu.Unlock()
		if err := w.cfg.Broadcaster.BroadcastTransactions(ctx, tx); err != nil {
			return tx, fmt.Errorf("wallet: broadcast sweep %v: %w", tx.TxHash(), err)
		}
		return tx, nil
	}
	f, err := w.fund(fundRequest{Fixed: inputs, FixedWeight: weight, Rate: rate, NoCoins: true, ForceChange: true, Amount: total})
	if err == nil {
		err = w.recordOwn(ctx, f, txUnconfirmed)
	}
	w.mu.Unlock()
	if err != nil {
		return nil, err
	}
	if err := w.cfg.Broadcaster.BroadcastTransactions(ctx, f.Tx); err != nil {
		return f.Tx, fmt.Errorf("wallet: broadcast sweep %v: %w", f.Tx.TxHash(), err)
	}
	return f.Tx, nil
}

// sweeping returns the wallet's own unconfirmed transaction that spends
// every output of ops already, or nil (w.mu held).
func (w *Wallet) sweeping(ops map[btcwire.OutPoint]bool) *btcwire.MsgTx {
	var found *txRecord
	for _, rec := range w.txs {
		if !rec.Own || rec.Status != txUnconfirmed {
			continue
		}
		n := 0
		for _, in := range rec.Tx.TxIn {
			if ops[in.PreviousOutPoint] {
				n++
			}
		}
		if n == len(ops) && (found == nil || bytes.Compare(rec.TxID[:], found.TxID[:]) < 0) {
			found = rec
		}
	}
	if found == nil {
		return nil
	}
	return found.Tx
}

// descriptorInput checks d against its channel's keys and returns the
// input spending it, with a signer, and the input's weight.
func (w *Wallet) descriptorInput(d *spendable.Output) (txInput, int64, error) {
	bad := func(reason string) (txInput, int64, error) {
		return txInput{}, 0, fmt.Errorf("%w: %v %v: %s", ErrInvalidDescriptor, d.Kind, d.OutPoint, reason)
	}
	if d.Value == 0 || d.Value > btcMaxSatoshi {
		return bad("value out of range")
	}
	if w.cfg.Signers == nil {
		return txInput{}, 0, fmt.Errorf("%w: Config.Signers is not set", ErrNoSigner)
	}
	signer, err := w.cfg.Signers(d.ChannelKeyID)
	if err != nil || signer == nil {
		return txInput{}, 0, fmt.Errorf("%w: channel key id %x: %v", ErrNoSigner, d.ChannelKeyID, err)
	}
	bp := signer.Basepoints()
	in := txInput{OutPoint: d.OutPoint, Value: int64(d.Value), PkScript: d.PkScript, Sequence: sequenceRBF, LockTime: d.CLTV}
	var (
		script        []byte // the output script the fields give
		witnessScript []byte // nil for P2WPKH
		witnessWeight int64
		sign          func(hash lnwire.Digest) (lnwire.Signature, error)
		witness       func(sig lnwire.Signature) (btcwire.TxWitness, error)
	)
	switch d.Kind {
	case spendable.StaticRemote:
		if bp.PaymentBasepoint == nil {
			return bad("signer has no payment basepoint")
		}
		script = commit.P2WPKH(bp.PaymentBasepoint)
		witnessWeight = p2wpkhWitnessWeight
		sign = signer.SignPayment
		witness = func(sig lnwire.Signature) (btcwire.TxWitness, error) {
			return commit.ToRemoteWitness(sig, bp.PaymentBasepoint)
		}
	case spendable.AnchorToRemote:
		if bp.PaymentBasepoint == nil {
			return bad("signer has no payment basepoint")
		}
		witnessScript = commit.ToRemoteAnchorScript(bp.PaymentBasepoint)
		in.Sequence = 1
		witnessWeight = 1 + 1 + maxSigLen + scriptItemWeight(witnessScript)
		sign = signer.SignPayment
		witness = func(sig lnwire.Signature) (btcwire.TxWitness, error) {
			return commit.ToRemoteAnchorWitness(sig, witnessScript)
		}
	case spendable.ToLocalDelayed:
		if d.PerCommitmentPoint == nil || d.RevocationPubKey == nil || d.ToSelfDelay == 0 || bp.DelayedPaymentBasepoint == nil {
			return bad("needs PerCommitmentPoint, RevocationPubKey and ToSelfDelay")
		}
		delayed := keys.DerivePubKey(bp.DelayedPaymentBasepoint, d.PerCommitmentPoint)
		witnessScript = commit.ToLocalScript(d.RevocationPubKey, delayed, d.ToSelfDelay)
		in.Sequence = uint32(d.ToSelfDelay)
		witnessWeight = 1 + 1 + maxSigLen + 1 + scriptItemWeight(witnessScript)
		pcp := d.PerCommitmentPoint
		sign = func(hash lnwire.Digest) (lnwire.Signature, error) { return signer.SignDelayedPayment(pcp, hash) }
		witness = func(sig lnwire.Signature) (btcwire.TxWitness, error) {
			return commit.ToLocalDelayedWitness(sig, witnessScript)
		}
	case spendable.Anchor:
		if bp.FundingKey == nil {
			return bad("signer has no funding key")
		}
		witnessScript = commit.AnchorScript(bp.FundingKey)
		witnessWeight = 1 + 1 + maxSigLen + scriptItemWeight(witnessScript)
		sign = signer.SignFunding
		witness = func(sig lnwire.Signature) (btcwire.TxWitness, error) {
			return commit.AnchorWitness(sig, witnessScript)
		}
	default:
		return bad("unknown kind")
	}
	if witnessScript != nil {
		script = commit.P2WSH(witnessScript)
	}
	if !bytes.Equal(script, d.PkScript) {
		return bad("script does not match the channel's keys")
	}
	sigScript := script
	if witnessScript != nil {
		sigScript = witnessScript
	}
	in.External = func(tx *btcwire.MsgTx, idx int, hashes *txscript.TxSigHashes) (btcwire.TxWitness, error) {
		hash, err := txscript.CalcWitnessSigHash(sigScript, hashes, txscript.SigHashAll, tx, idx, in.Value)
		if err != nil {
			return nil, fmt.Errorf("wallet: sighash of input %d: %w", idx, err)
		}
		sig, err := sign(lnwire.Digest(hash))
		if err != nil {
			return nil, fmt.Errorf("wallet: sign input %d: %w", idx, err)
		}
		return witness(sig)
	}
	return in, inputBaseWeight + witnessWeight, nil
}

// scriptItemWeight is the witness weight of a script pushed as an item.
func scriptItemWeight(script []byte) int64 {
	return int64(btcwire.VarIntSerializeSize(uint64(len(script))) + len(script))
}

// BumpRequest asks BumpFee for a CPFP child of an anchor commitment.
type BumpRequest struct {
	// Parent is the unconfirmed transaction to bump (a commitment).
	Parent *btcwire.MsgTx
	// ParentFee is the fee Parent pays.
	ParentFee btcutil.Amount
	// Anchor is our anchor output of Parent (Kind spendable.Anchor).
	Anchor spendable.Output
	// FeeRate is the fee rate the parent and child together must reach.
	FeeRate lnwire.FeeRate
}

// BumpFee builds, records and broadcasts (parent first) a child spending
// req.Anchor and wallet coins, paying change back, whose fee brings the
// package of parent and child to req.FeeRate (CPFP).
func (w *Wallet) BumpFee(ctx context.Context, req BumpRequest) (*btcwire.MsgTx, error) {
	if req.Parent == nil || req.Anchor.Kind != spendable.Anchor {
		return nil, fmt.Errorf("%w: BumpFee needs the parent and an Anchor output", ErrInvalidDescriptor)
	}
	parentID := req.Parent.TxHash()
	op := req.Anchor.OutPoint
	if op.Hash != parentID || int(op.Index) >= len(req.Parent.TxOut) ||
		req.Parent.TxOut[op.Index].Value != int64(req.Anchor.Value) ||
		!bytes.Equal(req.Parent.TxOut[op.Index].PkScript, req.Anchor.PkScript) {
		return nil, fmt.Errorf("%w: the anchor is not an output of the parent", ErrInvalidDescriptor)
	}
	if req.ParentFee < 0 || req.ParentFee > btcMaxSatoshi {
		return nil, fmt.Errorf("%w: parent fee %d", ErrInvalidAmount, req.ParentFee)
	}
	rate := chain.ClampFeeRate(req.FeeRate)
	if err := w.checkRate(rate); err != nil {
		return nil, err
	}
	anchor, anchorWeight, err := w.descriptorInput(&req.Anchor)
	if err != nil {
		return nil, err
	}
	parentWeight := weightOf(req.Parent)
	extra := max(feeFor(rate, parentWeight)-int64(req.ParentFee), 0)
	w.mu.Lock()
	f, err := w.fund(fundRequest{Fixed: []txInput{anchor}, FixedWeight: anchorWeight, ExtraFee: extra,
		Rate: rate, ForceChange: true, ParentWeight: parentWeight, ParentFee: int64(req.ParentFee)})
	if err == nil {
		err = w.recordOwn(ctx, f, txUnconfirmed)
	}
	w.mu.Unlock()
	if err != nil {
		return nil, err
	}
	if err := w.cfg.Broadcaster.BroadcastTransactions(ctx, req.Parent, f.Tx); err != nil {
		return f.Tx, fmt.Errorf("wallet: broadcast fee bump %v: %w", f.Tx.TxHash(), err)
	}
	return f.Tx, nil
}
