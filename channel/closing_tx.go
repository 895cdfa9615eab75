package channel

import (
	"bytes"
	"fmt"

	"github.com/btcsuite/btcd/btcec/v2"
	btcwire "github.com/btcsuite/btcd/wire"

	"github.com/lnkit/lnkit/channel/commit"
	"github.com/lnkit/lnkit/wire"
)

// closingTx builds the closing transaction paying fee as signer signs it
// (BOLT 3 "Legacy Closing Transaction": outputs below the signer's dust
// limit removed), without our output if omitLocal and without the peer's
// if omitRemote.
func (p *closingParams) closingTx(fee wire.Satoshi, signer commit.Side, omitLocal, omitRemote bool) (*btcwire.MsgTx, error) {
	return p.channel.LegacyClosingTx(commit.LegacyClosing{
		LocalScript: p.localScript, RemoteScript: p.remoteScript,
		LocalBalance: p.localBalance, RemoteBalance: p.remoteBalance,
		Fee: fee, Signer: signer, OmitLocal: omitLocal, OmitRemote: omitRemote,
	})
}

// closingAmount returns side's output amount at fee before any dust rule:
// its balance rounded down, less the fee if it is the opener. The caller
// checks that fee does not exceed the opener's balance.
func (p *closingParams) closingAmount(side commit.Side, fee wire.Satoshi) wire.Satoshi {
	bal := p.localBalance
	if side == commit.Remote {
		bal = p.remoteBalance
	}
	if side == p.channel.Params().Opener {
		bal -= fee.ToMilliSatoshi()
	}
	return bal.ToSatoshi()
}

// ourClosingTx builds the closing transaction we sign at fee: our variant,
// without our own output when it clears our dust limit but not the dust
// threshold of its script (we MAY eliminate our own output, and it would
// not relay). A remote output below its script's threshold is a
// RuleClosingSignedDust error: the peer would fail the channel on it.
func (p *closingParams) ourClosingTx(fee wire.Satoshi) (*btcwire.MsgTx, error) {
	if bal := p.openerBalance(); fee > bal {
		return nil, fmt.Errorf("channel: closing fee %d above the opener's balance %d: %w", fee, bal, commit.ErrInvalidClosing)
	}
	amount := p.closingAmount(commit.Local, fee)
	omit := amount < closingDustThreshold(p.localScript)
	tx, err := p.closingTx(fee, commit.Local, omit, false)
	if err != nil {
		return nil, fmt.Errorf("channel: closing transaction at fee %d: %w", fee, err)
	}
	if err := closingCheckDust(tx); err != nil {
		return nil, err
	}
	return tx, nil
}

// closingCheckDust fails with RuleClosingSignedDust when an output of tx
// is below the dust threshold of its script (BOLT 2: the receiving node
// MUST fail the channel).
func closingCheckDust(tx *btcwire.MsgTx) error {
	for i, out := range tx.TxOut {
		if limit := closingDustThreshold(out.PkScript); out.Value < int64(limit) {
			return ruleErr(RuleClosingSignedDust, "output %d of %d sat is below the %d sat dust threshold of its script", i, out.Value, limit)
		}
	}
	return nil
}

// theirClosingTx returns the closing transaction sig signs at fee. BOLT 3
// has each signer remove the outputs below its own dust limit and lets it
// eliminate its own output; implementations differ on whose dust limit
// they check the peer's signature with, so we try, in order: the peer's
// variant (its dust limit), the same without its output, our own variant
// (what we would sign, and what we echo when we agree), and ours without
// the peer's output. Each is a transaction we would sign: none takes
// anything from our output. It fails with RuleClosingSignedSignature when
// sig is high-S or signs none of them, and with RuleClosingSignedDust when
// the signed transaction has an output that would not relay, and with
// RuleClosingSignedFee when fee is above the opener's balance.
func (p *closingParams) theirClosingTx(fee wire.Satoshi, sig wire.Signature) (*btcwire.MsgTx, error) {
	if bal := p.openerBalance(); fee > bal {
		return nil, ruleErr(RuleClosingSignedFee, "%d sat is above the opener's balance of %d sat", fee, bal)
	}
	if !closingLowS(sig) {
		return nil, ruleErr(RuleClosingSignedSignature, "not a low-S signature")
	}
	candidates := make([]*btcwire.MsgTx, 0, 4)
	add := func(tx *btcwire.MsgTx, err error) {
		if err != nil {
			return
		}
		for _, c := range candidates {
			if closingSameTx(c, tx) {
				return
			}
		}
		candidates = append(candidates, tx)
	}
	add(p.closingTx(fee, commit.Remote, false, false))
	add(p.closingTx(fee, commit.Remote, false, true))
	add(p.ourClosingTx(fee))
	add(p.closingTx(fee, commit.Local, false, true))
	if len(candidates) == 0 {
		return nil, ruleErr(RuleClosingSignedFee, "no closing transaction at fee %d has an output above the dust limit", fee)
	}
	key := p.channel.Params().Remote.Funding
	for _, tx := range candidates {
		digest, err := p.channel.ClosingSigHash(tx)
		if err != nil {
			return nil, fmt.Errorf("channel: closing sighash: %w", err)
		}
		if sig.Verify(digest[:], key) {
			if err := closingCheckDust(tx); err != nil {
				return nil, err
			}
			return tx, nil
		}
	}
	return nil, ruleErr(RuleClosingSignedSignature, "signature of fee %d is valid for no closing transaction the peer may sign", fee)
}

// closingSameTx reports whether two closing transactions of one channel
// are the same: they spend the same input with the same sequence and
// locktime, so the same outputs in the same order.
func closingSameTx(a, b *btcwire.MsgTx) bool {
	if len(a.TxOut) != len(b.TxOut) {
		return false
	}
	for i := range a.TxOut {
		if a.TxOut[i].Value != b.TxOut[i].Value || !bytes.Equal(a.TxOut[i].PkScript, b.TxOut[i].PkScript) {
			return false
		}
	}
	return true
}

// closingSign signs tx, a closing transaction, with our funding key.
func (p *closingParams) closingSign(tx *btcwire.MsgTx) (wire.Signature, error) {
	digest, err := p.channel.ClosingSigHash(tx)
	if err != nil {
		return wire.Signature{}, fmt.Errorf("channel: closing sighash: %w", err)
	}
	sig, err := p.signer.SignFunding(digest)
	if err != nil {
		return wire.Signature{}, fmt.Errorf("channel: sign closing transaction: %w", err)
	}
	return sig, nil
}

// closingSigned returns a copy of tx, a closing transaction, with its
// funding witness of both signatures: ready to broadcast.
func (p *closingParams) closingSigned(tx *btcwire.MsgTx, ourSig, theirSig wire.Signature) (*btcwire.MsgTx, error) {
	w, err := p.channel.FundingWitness(ourSig, theirSig)
	if err != nil {
		return nil, fmt.Errorf("channel: closing witness: %w", err)
	}
	signed := tx.Copy()
	signed.TxIn[0].Witness = w
	return signed, nil
}

// closingLowS reports whether sig has s in [1, n/2], the LOW-S rule BOLT
// 2 requires of closing_signed's signature (r is checked by Verify).
func closingLowS(sig wire.Signature) bool {
	var s btcec.ModNScalar
	overflow := s.SetByteSlice(sig[32:])
	return !overflow && !s.IsZero() && !s.IsOverHalfOrder()
}
