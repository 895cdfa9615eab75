package commit

import (
	"bytes"
	"cmp"
	"fmt"
	"slices"

	"github.com/btcsuite/btcd/txscript"
	btcwire "github.com/btcsuite/btcd/wire"

	"github.com/lnkit/lnkit/wire"
)

// Closing sequences.
const (
	// LegacyClosingSequence is the input sequence of a closing_signed
	// closing transaction.
	LegacyClosingSequence uint32 = 0xFFFFFFFF
	// SimpleClosingSequence is the input sequence of an option_simple_close
	// closing transaction (RBF-signalling).
	SimpleClosingSequence uint32 = 0xFFFFFFFD
)

// LegacyClosing describes a closing transaction negotiated with
// closing_signed (BOLT 3 "Legacy Closing Transaction"): the opener pays
// the fee, and each signer removes the outputs below its own dust limit.
type LegacyClosing struct {
	// LocalScript and RemoteScript are the scriptpubkeys of each side's
	// shutdown message.
	LocalScript, RemoteScript []byte
	// LocalBalance and RemoteBalance are the final balances; they add up to
	// the capacity (no HTLC is left when closing).
	LocalBalance, RemoteBalance wire.MilliSatoshi
	// Fee is fee_satoshis, taken from the opener's output.
	Fee wire.Satoshi
	// Signer is the side whose signature this transaction carries: its
	// dust limit applies.
	Signer Side
	// OmitLocal and OmitRemote drop that side's output (a node MAY
	// eliminate its own output).
	OmitLocal, OmitRemote bool
}

// LegacyClosingTx builds the unsigned closing transaction of l: version 2,
// locktime 0, sequence 0xFFFFFFFF, outputs rounded down to satoshis, below
// the signer's dust limit removed, in BIP69 order.
func (c *Channel) LegacyClosingTx(l LegacyClosing) (*btcwire.MsgTx, error) {
	dust := c.party(l.Signer).DustLimit
	return c.closingTx(closingSpec{
		scripts:  [2][]byte{l.LocalScript, l.RemoteScript},
		balances: [2]wire.MilliSatoshi{l.LocalBalance, l.RemoteBalance},
		omit:     [2]bool{l.OmitLocal, l.OmitRemote},
		fee:      l.Fee,
		payer:    c.p.Opener,
		dust:     dust,
		sequence: LegacyClosingSequence,
	})
}

// SimpleClosing describes an option_simple_close closing transaction
// (closing_complete / closing_sig): the closer pays the fee.
type SimpleClosing struct {
	// Closer is the side that sent closing_complete.
	Closer Side
	// LocalScript and RemoteScript are each side's scriptpubkey from
	// closing_complete. An OP_RETURN script gets a zero amount.
	LocalScript, RemoteScript []byte
	// LocalBalance and RemoteBalance are the final balances; they add up to
	// the capacity.
	LocalBalance, RemoteBalance wire.MilliSatoshi
	// Fee is fee_satoshis, taken from the closer's output.
	Fee wire.Satoshi
	// LockTime is closing_complete's locktime.
	LockTime uint32
	// OmitLocal and OmitRemote drop that side's output (closer_output_only
	// and closee_output_only).
	OmitLocal, OmitRemote bool
}

// SimpleClosingTx builds the unsigned closing transaction of s: version
// 2, sequence 0xFFFFFFFD, outputs rounded down, in BIP69 order.
func (c *Channel) SimpleClosingTx(s SimpleClosing) (*btcwire.MsgTx, error) {
	return c.closingTx(closingSpec{
		scripts:  [2][]byte{s.LocalScript, s.RemoteScript},
		balances: [2]wire.MilliSatoshi{s.LocalBalance, s.RemoteBalance},
		omit:     [2]bool{s.OmitLocal, s.OmitRemote},
		fee:      s.Fee,
		payer:    s.Closer,
		sequence: SimpleClosingSequence,
		lockTime: s.LockTime,
		opReturn: true,
	})
}

type closingSpec struct {
	scripts  [2][]byte
	balances [2]wire.MilliSatoshi
	omit     [2]bool
	fee      wire.Satoshi
	payer    Side
	dust     wire.Satoshi
	sequence uint32
	lockTime uint32
	opReturn bool
}

func (c *Channel) closingTx(s closingSpec) (*btcwire.MsgTx, error) {
	capMsat := c.p.Capacity.ToMilliSatoshi()
	if s.balances[Local] > capMsat || s.balances[Remote] != capMsat-s.balances[Local] {
		return nil, fmt.Errorf("%w: balances do not add up to the capacity", ErrInvalidClosing)
	}
	if s.payer != Local && s.payer != Remote {
		return nil, fmt.Errorf("%w: fee payer %d", ErrInvalidClosing, s.payer)
	}
	if s.fee > s.balances[s.payer].ToSatoshi() { // in satoshis: a huge fee must not wrap
		return nil, fmt.Errorf("%w: fee %d above the payer's balance", ErrInvalidClosing, s.fee)
	}
	s.balances[s.payer] -= s.fee.ToMilliSatoshi()

	tx := &btcwire.MsgTx{
		Version:  2,
		LockTime: s.lockTime,
		TxIn: []*btcwire.TxIn{{
			PreviousOutPoint: c.p.FundingOutpoint,
			Sequence:         s.sequence,
		}},
	}
	for _, side := range []Side{Local, Remote} {
		if s.omit[side] {
			continue
		}
		script := s.scripts[side]
		if len(script) == 0 {
			return nil, fmt.Errorf("%w: %s script is empty", ErrInvalidClosing, side)
		}
		amount := s.balances[side].ToSatoshi()
		if s.opReturn && script[0] == txscript.OP_RETURN {
			amount = 0
		} else if amount < s.dust || amount == 0 {
			continue
		}
		tx.TxOut = append(tx.TxOut, btcwire.NewTxOut(int64(amount), script))
	}
	if len(tx.TxOut) == 0 {
		return nil, fmt.Errorf("%w: no output left", ErrInvalidClosing)
	}
	slices.SortStableFunc(tx.TxOut, func(x, y *btcwire.TxOut) int {
		if r := cmp.Compare(x.Value, y.Value); r != 0 {
			return r
		}
		return bytes.Compare(x.PkScript, y.PkScript)
	})
	return tx, nil
}

// ClosingSigHash returns the SIGHASH_ALL digest of a closing transaction
// spending the funding output, which both parties sign with their funding
// keys.
func (c *Channel) ClosingSigHash(tx *btcwire.MsgTx) (wire.Digest, error) {
	if len(tx.TxIn) != 1 || tx.TxIn[0].PreviousOutPoint != c.p.FundingOutpoint {
		return wire.Digest{}, fmt.Errorf("%w: transaction does not spend the funding output alone", ErrInvalidClosing)
	}
	sh := txscript.NewTxSigHashes(tx, txscript.NewCannedPrevOutputFetcher(c.fundingPkScript, int64(c.p.Capacity)))
	return toDigest(txscript.CalcWitnessSigHash(c.fundingScript, sh, txscript.SigHashAll, tx, 0, int64(c.p.Capacity)))
}
