package wallet

import (
	"bytes"
	"context"
	"fmt"

	"github.com/btcsuite/btcd/chaincfg/chainhash"
	"github.com/btcsuite/btcd/txscript"
	btcwire "github.com/btcsuite/btcd/wire"

	"github.com/lnkit/lnkit/chain"
	"github.com/lnkit/lnkit/chain/wallet/spendable"
	lnwire "github.com/lnkit/lnkit/wire"
)

const (
	// incrementalRelayFee is what a replacement must add, over its own
	// size, to the fees of the transactions it replaces (BIP 125 rule 4):
	// Bitcoin Core's default -incrementalrelayfee, 1 sat/vbyte.
	incrementalRelayFee lnwire.FeeRate = 250

	// maxReplacementTries bounds the fundings of a replacement whose fee
	// falls short of BIP 125 (each adds the shortfall to the next).
	maxReplacementTries = 4

	// maxHTLCWitnessWeight bounds HTLCTx.WitnessWeight: an HTLC witness
	// weighs about 330, and no standard P2WSH witness reaches this.
	maxHTLCWitnessWeight = 12_000
)

// FundHTLCTx pays the fee of one of our zero-fee HTLC transactions
// (anchors): it returns h.Tx with wallet coins added as inputs after input
// 0, a change output after output 0, h.Tx's version, locktime and input 0
// sequence unchanged (the counterparty's SIGHASH_SINGLE|ANYONECANPAY
// signature covers them), at fee rate rate over the whole transaction
// (input 0's witness counted at h.WitnessWeight), signed: the wallet's
// inputs by the wallet, input 0 by h.Witness. The transaction is recorded
// as the wallet's own unconfirmed transaction, so its coins are not spent
// again, and is NOT broadcast: the caller broadcasts it (after the
// commitment).
//
// Called again for the same input 0 (a fee bump), it returns a replacement
// of the previous transaction (BIP 125): it spends the previous one's
// coins again (those it needs; any other is released), pays at least rate
// and more than the previous fee rate, and at least the previous fee plus
// 1 sat/vbyte of its own size; the wallet forgets the previous one (and
// any own transaction spending its change). The MaxFeePercent limit does
// not apply (the caller weighs the fee against the HTLC); MaxFeeRate does.
//
// h.Witness is called with the wallet locked: it must not call the
// wallet. A transaction the caller gives up on (never broadcast) keeps its
// coins until AbandonTransaction releases them.
//
// It returns ErrInvalidHTLCTx for a malformed request (or one whose input
// 0 a wallet transaction of another shape spends), ErrAbsurdFee for
// rate above MaxFeeRate, an *InsufficientFundsError, ErrSpent when a
// confirmed transaction of the wallet already spends input 0, and
// ErrSigning when the signed transaction does not verify.
func (w *Wallet) FundHTLCTx(ctx context.Context, h spendable.HTLCTx, rate lnwire.FeeRate) (*btcwire.MsgTx, error) {
	in, out, err := htlcInput(&h)
	if err != nil {
		return nil, err
	}
	rate = chain.ClampFeeRate(rate)
	if err := w.checkRate(rate); err != nil {
		return nil, err
	}
	w.mu.Lock()
	defer w.mu.Unlock()
	if _, ok := w.utxos[in.OutPoint]; ok {
		return nil, fmt.Errorf("%w: input 0 spends wallet coin %v", ErrInvalidHTLCTx, in.OutPoint)
	}
	req := fundRequest{Fixed: []txInput{in}, FixedWeight: inputBaseWeight + h.WitnessWeight,
		Outputs: []*btcwire.TxOut{out}, Rate: rate, Presigned: true}
	prev := w.spender(in.OutPoint)
	if prev != nil && prev.Status == txConfirmed {
		return nil, fmt.Errorf("%w: %v by %v", ErrSpent, in.OutPoint, prev.TxID)
	}
	if prev != nil && (prev.Tx.TxIn[0].PreviousOutPoint != in.OutPoint || len(prev.Tx.TxOut) == 0 ||
		prev.Tx.TxOut[0].Value != out.Value || !bytes.Equal(prev.Tx.TxOut[0].PkScript, out.PkScript)) {
		return nil, fmt.Errorf("%w: input 0 is spent by wallet transaction %v, not an HTLC transaction of it", ErrInvalidHTLCTx, prev.TxID)
	}
	var replaced []*txRecord
	if prev != nil {
		replaced = w.withDescendants(prev)
		req.Replaces = make(map[chainhash.Hash]bool, len(replaced))
		for _, rec := range replaced {
			req.Replaces[rec.TxID] = true
		}
		req.Rate = max(rate, feeRateOf(prev)+incrementalRelayFee)
		req.ChangeScript = w.changeOf(prev)
	}
	f, err := w.fundReplacing(req, replaced)
	if err != nil {
		return nil, err
	}
	if f.Fee*1000 < int64(rate)*weightOf(f.Tx) {
		return nil, fmt.Errorf("%w: input 0's witness weighs more than WitnessWeight %d", ErrInvalidHTLCTx, h.WitnessWeight)
	}
	if prev != nil {
		w.log.Info("wallet: HTLC transaction replaced", "txid", prev.TxID.String(), "by", f.Tx.TxHash().String())
		w.evict(prev.TxID)
	}
	if err := w.recordOwn(ctx, f, txUnconfirmed); err != nil {
		w.restore(replaced)
		return nil, err
	}
	return f.Tx, nil
}

// htlcInput checks h and returns its input 0, signed by h.Witness, and
// its output 0.
func htlcInput(h *spendable.HTLCTx) (txInput, *btcwire.TxOut, error) {
	bad := func(format string, args ...any) (txInput, *btcwire.TxOut, error) {
		return txInput{}, nil, fmt.Errorf("%w: "+format, append([]any{ErrInvalidHTLCTx}, args...)...)
	}
	tx := h.Tx
	switch {
	case !wellFormed(tx):
		return bad("no transaction")
	case tx.Version != 2:
		return bad("version %d, not 2", tx.Version)
	case len(tx.TxIn) != 1 || len(tx.TxOut) != 1:
		return bad("%d inputs and %d outputs, not one each", len(tx.TxIn), len(tx.TxOut))
	case len(tx.TxIn[0].SignatureScript) != 0 || len(tx.TxIn[0].Witness) != 0:
		return bad("input 0 is signed")
	case h.Value == 0 || h.Value > btcMaxSatoshi:
		return bad("value %d sat", h.Value)
	case !txscript.IsPayToWitnessScriptHash(h.PkScript):
		return bad("HTLC output script is not P2WSH")
	case tx.TxOut[0].Value <= 0 || tx.TxOut[0].Value > int64(h.Value):
		return bad("output 0 of %d sat for an HTLC of %d sat", tx.TxOut[0].Value, h.Value)
	case len(tx.TxOut[0].PkScript) == 0 || tx.TxOut[0].Value < dustLimit(tx.TxOut[0].PkScript):
		return bad("output 0 is dust")
	case h.WitnessWeight <= 0 || h.WitnessWeight > maxHTLCWitnessWeight:
		return bad("witness weight %d", h.WitnessWeight)
	case h.Witness == nil:
		return bad("no Witness")
	}
	witness := h.Witness
	in := txInput{
		OutPoint: tx.TxIn[0].PreviousOutPoint,
		Value:    int64(h.Value),
		PkScript: h.PkScript,
		Sequence: tx.TxIn[0].Sequence,
		LockTime: tx.LockTime,
		External: func(tx *btcwire.MsgTx, _ int, hashes *txscript.TxSigHashes) (btcwire.TxWitness, error) {
			return witness(tx, hashes)
		},
	}
	out := btcwire.NewTxOut(tx.TxOut[0].Value, tx.TxOut[0].PkScript)
	return in, out, nil
}

// spender returns the wallet's transaction spending op: a confirmed one
// (own or not: a replaced transaction that confirmed after all is not
// own), or an own unconfirmed one. Nil when there is none.
func (w *Wallet) spender(op btcwire.OutPoint) *txRecord {
	for _, rec := range w.txs {
		if rec.Status != txConfirmed && (!rec.Own || rec.Status != txUnconfirmed) {
			continue
		}
		for _, in := range rec.Tx.TxIn {
			if in.PreviousOutPoint == op {
				return rec
			}
		}
	}
	return nil
}

// withDescendants returns rec and the unconfirmed transactions spending
// its outputs, transitively, parents first: what replacing rec evicts.
func (w *Wallet) withDescendants(rec *txRecord) []*txRecord {
	out := []*txRecord{rec}
	seen := map[chainhash.Hash]bool{rec.TxID: true}
	for i := 0; i < len(out); i++ {
		for j := range out[i].Tx.TxOut {
			u, ok := w.utxos[btcwire.OutPoint{Hash: out[i].TxID, Index: uint32(j)}]
			if !ok || u.SpentBy == nil || seen[*u.SpentBy] {
				continue
			}
			child := w.txs[*u.SpentBy]
			if child == nil || child.Status != txUnconfirmed {
				continue
			}
			seen[child.TxID] = true
			out = append(out, child)
		}
	}
	return out
}

// changeOf returns the script of rec's output paying the wallet after
// output 0 (its change), or nil.
func (w *Wallet) changeOf(rec *txRecord) []byte {
	for i, o := range rec.Tx.TxOut {
		if _, ok := w.scripts[string(o.PkScript)]; ok && i > 0 {
			return o.PkScript
		}
	}
	return nil
}

// fundReplacing funds req; when it replaces transactions, it raises the
// fee until the result is a valid replacement of them (BIP 125 as Bitcoin
// Core applies it): at least their fees plus the incremental relay fee of
// its own virtual size, at a fee rate above each of theirs.
func (w *Wallet) fundReplacing(req fundRequest, replaced []*txRecord) (*funded, error) {
	for try := 1; ; try++ {
		f, err := w.fund(req)
		if err != nil {
			return nil, err
		}
		short := replacementShortfall(f, replaced)
		if short <= 0 {
			return f, nil
		}
		if try == maxReplacementTries {
			return nil, fmt.Errorf("wallet: replacement of %v still %d sat short after %d tries", replaced[0].TxID, short, try)
		}
		req.ExtraFee += short
	}
}

// replacementShortfall is how much more fee f must pay to replace
// replaced (none: zero or less).
func replacementShortfall(f *funded, replaced []*txRecord) int64 {
	if len(replaced) == 0 {
		return 0
	}
	size := vsize(weightOf(f.Tx))
	var fees int64
	need := int64(0)
	for _, rec := range replaced {
		fees += rec.Fee
		// A fee rate above rec's, over virtual sizes.
		need = max(need, rec.Fee*size/vsize(weightOf(rec.Tx))+1)
	}
	need = max(need, fees+feeFor(incrementalRelayFee, 4*size))
	return need - f.Fee
}

// feeRateOf is the fee rate rec pays, rounded up.
func feeRateOf(rec *txRecord) lnwire.FeeRate {
	wt := weightOf(rec.Tx)
	return lnwire.FeeRate((rec.Fee*1000 + wt - 1) / wt)
}

// vsize is the virtual size of a weight, rounded up.
func vsize(weight int64) int64 { return (weight + 3) / 4 }

// restore records again the own transactions replaced (parents first)
// after their replacement could not be recorded.
func (w *Wallet) restore(replaced []*txRecord) {
	for _, rec := range replaced {
		w.txs[rec.TxID] = rec
		w.dirtyTxs[rec.TxID] = struct{}{}
		w.applyTx(rec, false)
	}
}
