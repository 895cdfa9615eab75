package wallet

import (
	"cmp"
	"context"
	"encoding/binary"
	"fmt"
	"slices"

	"github.com/btcsuite/btcd/btcutil"
	"github.com/btcsuite/btcd/chaincfg/chainhash"
	"github.com/btcsuite/btcd/txscript"
	btcwire "github.com/btcsuite/btcd/wire"

	"github.com/lnkit/lnkit/chain"
	lnwire "github.com/lnkit/lnkit/wire"
)

// Sequence numbers of the wallet's inputs.
const (
	// sequenceRBF signals replaceability (BIP 125) and enables the
	// locktime.
	sequenceRBF = btcwire.MaxTxInSequenceNum - 2
)

// fundRequest is a transaction to fund from the wallet's coins.
type fundRequest struct {
	// Outputs are paid as given.
	Outputs []*btcwire.TxOut
	// Fixed inputs are always spent (a CPFP anchor, swept outputs), first.
	Fixed []txInput
	// FixedWeight is the weight of the Fixed inputs.
	FixedWeight int64
	// ExtraFee is fee owed beyond this transaction's weight (a CPFP
	// parent's deficit).
	ExtraFee int64
	// Rate is the fee rate.
	Rate lnwire.FeeRate
	// ForceChange always adds a change output.
	ForceChange bool
	// NoCoins funds from the Fixed inputs only (sweeps): the change output
	// receives everything above the fee.
	NoCoins bool
	// Amount is what is sent, for the MaxFeePercent check (0: no check).
	Amount int64
	// ParentWeight and ParentFee describe the unconfirmed parent a CPFP
	// child pays for: the MaxFeeRate check applies to the package.
	ParentWeight, ParentFee int64
	// Presigned keeps what another party's SIGHASH_SINGLE|ANYONECANPAY
	// signature on the Fixed inputs covers: the locktime is exactly the
	// highest of theirs (no anti-fee-sniping) and the Outputs keep their
	// positions (Fixed input i pairs with output i), change going last.
	Presigned bool
	// ChangeScript, when set, is the change output's script instead of a
	// new change address (a replacement keeps its predecessor's, so that
	// fee bumps do not leave unused addresses behind).
	ChangeScript []byte
	// Replaces are own unconfirmed transactions the new one replaces
	// (BIP 125): the wallet coins they spend are offered again, first
	// (see selectReusing), and their outputs are not.
	Replaces map[chainhash.Hash]bool
}

// funded is a signed transaction and what it spends.
type funded struct {
	Tx  *btcwire.MsgTx
	Fee int64
}

// feeRate asks the estimator for target's rate and refuses one above
// MaxFeeRate.
func (w *Wallet) feeRate(ctx context.Context, target chain.ConfirmationTarget) (lnwire.FeeRate, error) {
	rate, err := w.cfg.Fees.FeeRate(ctx, target)
	if err != nil {
		return 0, fmt.Errorf("wallet: fee rate for %v: %w", target, err)
	}
	rate = chain.ClampFeeRate(rate)
	if err := w.checkRate(rate); err != nil {
		return 0, err
	}
	return rate, nil
}

// checkRate refuses a rate above MaxFeeRate.
func (w *Wallet) checkRate(rate lnwire.FeeRate) error {
	if rate > w.cfg.MaxFeeRate {
		return &AbsurdFeeError{Reason: fmt.Sprintf("fee rate %v is above the %v ceiling", rate, w.cfg.MaxFeeRate)}
	}
	return nil
}

// candidates returns the coins the wallet may spend now: reused are those
// spent by a transaction of replaced (spendable again by its
// replacement), others the unspent ones. Outputs of replaced are neither.
func (w *Wallet) candidates(replaced map[chainhash.Hash]bool) (reused, others []candidate) {
	for op, u := range w.utxos {
		if replaced[op.Hash] || !w.mature(u) {
			continue
		}
		out := &others
		if u.SpentBy != nil {
			if !replaced[*u.SpentBy] {
				continue
			}
			out = &reused
		}
		if _, locked := w.locks[op]; locked {
			continue
		}
		if u.Height == 0 {
			if w.cfg.MinConfirmations > 0 {
				continue
			}
			if rec := w.txs[op.Hash]; rec == nil || !rec.Own {
				continue
			}
		} else if w.confirmations(u.Height) < int32(w.cfg.MinConfirmations) {
			continue
		}
		*out = append(*out, candidate{OutPoint: op, Value: u.Value, Weight: inputWeightFor(u.PkScript)})
	}
	return reused, others
}

// dummyChangeScript is a script of the change type's shape, for weights
// and the dust limit.
func (w *Wallet) dummyChangeScript() []byte {
	if w.cfg.ChangeType == P2TR {
		return append([]byte{txscript.OP_1, txscript.OP_DATA_32}, make([]byte, 32)...)
	}
	return append([]byte{txscript.OP_0, txscript.OP_DATA_20}, make([]byte, 20)...)
}

// fund selects coins for req, adds change, builds and signs. It runs with
// w.mu held and records nothing: the caller does.
func (w *Wallet) fund(req fundRequest) (*funded, error) {
	var outValue int64
	baseWeight := int64(txOverheadWeight) + req.FixedWeight
	for _, o := range req.Outputs {
		outValue += o.Value
		baseWeight += outputWeight(o.PkScript)
	}
	var fixedValue int64
	for _, in := range req.Fixed {
		fixedValue += in.Value
	}
	dummyChange := req.ChangeScript
	if dummyChange == nil {
		dummyChange = w.dummyChangeScript()
	}
	sreq := selectRequest{
		Target:            outValue + feeFor(req.Rate, baseWeight) + req.ExtraFee - fixedValue,
		Rate:              req.Rate,
		ChangeWeight:      outputWeight(dummyChange),
		ChangeSpendWeight: inputWeightFor(dummyChange),
		Dust:              dustLimit(dummyChange),
		ForceChange:       req.ForceChange,
	}
	var reused, pool []candidate
	if !req.NoCoins {
		reused, pool = w.candidates(req.Replaces)
	}
	sel, available, ok := selectReusing(reused, pool, sreq)
	if !ok && req.NoCoins {
		return nil, fmt.Errorf("%w: %d sat swept do not pay the fee and a %d sat output", ErrDust, fixedValue, sreq.Dust)
	}
	if !ok {
		need := sreq.Target
		if req.ForceChange {
			need += feeFor(req.Rate, sreq.ChangeWeight) + sreq.Dust
		}
		return nil, &InsufficientFundsError{Needed: btcutil.Amount(need), Available: btcutil.Amount(max(available, 0))}
	}
	slices.SortFunc(sel.Coins, func(a, b candidate) int {
		if c := slices.Compare(a.OutPoint.Hash[:], b.OutPoint.Hash[:]); c != 0 {
			return c
		}
		return cmp.Compare(a.OutPoint.Index, b.OutPoint.Index)
	})
	inputs := append([]txInput(nil), req.Fixed...)
	inValue := fixedValue
	for _, c := range sel.Coins {
		u := w.utxos[c.OutPoint]
		inputs = append(inputs, txInput{OutPoint: c.OutPoint, Value: u.Value, PkScript: u.PkScript,
			Sequence: sequenceRBF, Wallet: true, Key: u.Key})
		inValue += u.Value
	}
	outputs := append([]*btcwire.TxOut(nil), req.Outputs...)
	if sel.Change > 0 {
		script := req.ChangeScript
		if script == nil {
			var err error
			if script, err = w.changeScript(); err != nil {
				return nil, err
			}
		}
		change := btcwire.NewTxOut(sel.Change, script)
		pos := len(outputs)
		if !req.Presigned {
			pos = int(w.random16()) % (len(outputs) + 1)
		}
		outputs = slices.Insert(outputs, pos, change)
	}
	var lockTime uint32
	if !req.Presigned {
		lockTime = w.lockTime()
	}
	for _, in := range req.Fixed {
		lockTime = max(lockTime, in.LockTime)
	}
	tx, err := w.buildAndSign(inputs, outputs, lockTime)
	if err != nil {
		return nil, err
	}
	var outTotal int64
	for _, o := range tx.TxOut {
		outTotal += o.Value
	}
	fee := inValue - outTotal
	if err := w.checkFee(tx, fee, req); err != nil {
		return nil, err
	}
	return &funded{Tx: tx, Fee: fee}, nil
}

// checkFee refuses a built transaction whose fee is absurd.
func (w *Wallet) checkFee(tx *btcwire.MsgTx, fee int64, req fundRequest) error {
	weight := weightOf(tx)
	pkgFee, pkgWeight := fee+req.ParentFee, weight+req.ParentWeight
	if pkgFee*1000 > int64(w.cfg.MaxFeeRate)*pkgWeight {
		return &AbsurdFeeError{Fee: btcutil.Amount(fee), Amount: btcutil.Amount(req.Amount),
			Reason: fmt.Sprintf("%d sat/kw is above the %v ceiling", pkgFee*1000/pkgWeight, w.cfg.MaxFeeRate)}
	}
	if req.Amount > 0 && fee*100 > req.Amount*int64(w.cfg.MaxFeePercent) {
		return &AbsurdFeeError{Fee: btcutil.Amount(fee), Amount: btcutil.Amount(req.Amount),
			Reason: fmt.Sprintf("more than %d%% of the amount", w.cfg.MaxFeePercent)}
	}
	return nil
}

// lockTime is the anti-fee-sniping locktime: the best height, and one
// time in ten up to 99 blocks older, as Bitcoin Core does.
func (w *Wallet) lockTime() uint32 {
	h := w.best.Height
	r := w.cfg.Entropy.GetSecureRandomBytes()
	if r[0] < 26 {
		h -= int32(binary.BigEndian.Uint16(r[1:3]) % 100)
	}
	return uint32(max(h, 0))
}

// random16 returns 16 bits of the entropy source.
func (w *Wallet) random16() uint16 {
	r := w.cfg.Entropy.GetSecureRandomBytes()
	return binary.BigEndian.Uint16(r[:2])
}

// recordOwn records a transaction the wallet built and is about to
// broadcast, and persists it. On a persistence failure the record is
// dropped again and the transaction must not be broadcast.
func (w *Wallet) recordOwn(ctx context.Context, f *funded, status txStatus) error {
	txid := f.Tx.TxHash()
	rec := &txRecord{Tx: f.Tx, TxID: txid, Status: status, Own: true, Fee: f.Fee}
	w.txs[txid] = rec
	w.dirtyTxs[txid] = struct{}{}
	if status == txLocked {
		for _, in := range f.Tx.TxIn {
			w.locks[in.PreviousOutPoint] = txid
		}
	} else {
		w.applyTx(rec, false)
		w.registerOwn(rec)
	}
	if err := w.flush(ctx); err != nil {
		w.evict(txid)
		return err
	}
	return nil
}

// registerOwn tells the filter about an own transaction.
func (w *Wallet) registerOwn(rec *txRecord) {
	if w.cfg.Filter == nil {
		return
	}
	if len(rec.Tx.TxOut) > 0 {
		w.cfg.Filter.RegisterTx(rec.TxID, rec.Tx.TxOut[0].PkScript)
	}
	// A light source must also report a rival spend of a non-wallet input
	// (see externalSpends).
	for _, in := range rec.Tx.TxIn {
		if _, ok := w.utxos[in.PreviousOutPoint]; !ok {
			w.cfg.Filter.RegisterOutput(chain.WatchedOutput{OutPoint: in.PreviousOutPoint})
		}
	}
}
