package commit

import (
	"bytes"
	"cmp"
	"fmt"
	"slices"

	"github.com/btcsuite/btcd/chaincfg/chainhash"
	"github.com/btcsuite/btcd/txscript"
	btcwire "github.com/btcsuite/btcd/wire"

	"github.com/lnkit/lnkit/wire"
)

// OutputKind says what a commitment output is.
type OutputKind uint8

const (
	// ToLocalOutput pays the owner after the CSV delay (or the
	// counterparty with the revocation key).
	ToLocalOutput OutputKind = iota + 1
	// ToRemoteOutput pays the counterparty.
	ToRemoteOutput
	// LocalAnchorOutput is the owner's anchor.
	LocalAnchorOutput
	// RemoteAnchorOutput is the counterparty's anchor.
	RemoteAnchorOutput
	// OfferedHTLCOutput is an HTLC the owner offered.
	OfferedHTLCOutput
	// ReceivedHTLCOutput is an HTLC the owner received.
	ReceivedHTLCOutput
)

// IsHTLC reports whether the output is an HTLC output.
func (k OutputKind) IsHTLC() bool { return k == OfferedHTLCOutput || k == ReceivedHTLCOutput }

// String names the output as BOLT 3 does.
func (k OutputKind) String() string {
	switch k {
	case ToLocalOutput:
		return "to_local"
	case ToRemoteOutput:
		return "to_remote"
	case LocalAnchorOutput:
		return "to_local_anchor"
	case RemoteAnchorOutput:
		return "to_remote_anchor"
	case OfferedHTLCOutput:
		return "offered_htlc"
	case ReceivedHTLCOutput:
		return "received_htlc"
	default:
		return fmt.Sprintf("output_kind(%d)", uint8(k))
	}
}

// Output describes one output of a commitment transaction.
type Output struct {
	// Kind is what the output is.
	Kind OutputKind
	// Amount is the output's value.
	Amount wire.Satoshi
	// WitnessScript is the script the output commits to; nil for a P2WPKH
	// to_remote.
	WitnessScript []byte
	// PkScript is the output script.
	PkScript []byte
	// HTLCIndex is the HTLC's position in State.HTLCs, or -1.
	HTLCIndex int
	// HTLC is the HTLC of an HTLC output.
	HTLC HTLC
}

// Commitment is a built, unsigned commitment transaction with everything
// needed to sign it, verify signatures on it, and build its HTLC
// transactions and spends. It is immutable (but for a record of the last
// signatures it verified, kept atomically) and safe for concurrent use.
// The byte slices it holds are shared; do not modify them.
type Commitment struct {
	// Owner is the side that holds (can broadcast) this commitment.
	Owner Side
	// Number is the commitment number.
	Number uint64
	// FeeRate is the commitment's feerate_per_kw.
	FeeRate wire.FeeRate
	// Keys are the commitment's derived keys.
	Keys *Keys
	// Outline is the fee and trimming arithmetic.
	Outline Outline
	// Fee is the actual fee: the capacity minus the outputs, including
	// trimmed HTLCs, dust balances and msat remainders.
	Fee wire.Satoshi
	// Tx is the unsigned transaction (no witness).
	Tx *btcwire.MsgTx
	// Outputs describes Tx.TxOut, index for index.
	Outputs []Output
	// HTLCOutputs are the indexes of the HTLC outputs in increasing order:
	// the order of htlc_signatures in commitment_signed.
	HTLCOutputs []int
	// Trimmed are the positions in State.HTLCs of the trimmed HTLCs.
	Trimmed []int

	ch            *Channel
	txid          chainhash.Hash
	fundingDigest wire.Digest
	// secondStage is the to_local-style script of the HTLC transactions'
	// outputs, and secondStagePk its P2WSH.
	secondStage, secondStagePk []byte
	// htlcSeqHash is the BIP143 hashSequence shared by all HTLC
	// transactions (they have one input with the same sequence).
	htlcSeqHash chainhash.Hash
	// st is a copy of the state the commitment was built from (BuiltFrom).
	st State
	// verified are the last signatures verified on the commitment.
	verified verifiedCache
}

// Build builds the commitment transaction that owner holds for st,
// following BOLT 3 "Commitment Transaction Construction". It fails with
// ErrTooManyHTLCs beyond 483 HTLCs per direction and with ErrInvalidState
// when st does not fit the channel or when, with anchors, the opener
// cannot even pay for the anchor outputs. An opener that cannot pay the
// whole fee is not an error: BOLT 3 still defines the transaction (the
// opener's output is dropped) and Outline.Shortfall says by how much; the
// channel state machine must not let such a state happen.
func (c *Channel) Build(owner Side, st *State) (*Commitment, error) {
	if owner != Local && owner != Remote {
		return nil, fmt.Errorf("%w: owner %d is neither local nor remote", ErrInvalidState, owner)
	}
	if err := c.checkState(st); err != nil {
		return nil, err
	}
	k, err := c.DeriveKeys(owner, st.PerCommitmentPoint)
	if err != nil {
		return nil, err
	}
	return c.build(owner, st, k)
}

// Channel returns the channel the commitment belongs to.
func (cm *Commitment) Channel() *Channel { return cm.ch }

// TxID returns the commitment's transaction id.
func (cm *Commitment) TxID() chainhash.Hash { return cm.txid }

// OutputIndex returns the index of the first output of kind k, or -1. Use
// it for the balance and anchor outputs; HTLCOutputs lists the HTLCs.
func (cm *Commitment) OutputIndex(k OutputKind) int {
	for i := range cm.Outputs {
		if cm.Outputs[i].Kind == k {
			return i
		}
	}
	return -1
}

// outputBuilder accumulates outputs with their scripts in shared arenas.
type outputBuilder struct {
	outs    []Output
	scripts []byte
	pks     []byte
}

func (b *outputBuilder) addP2WSH(kind OutputKind, amount wire.Satoshi, start int, htlcIndex int, h HTLC) {
	script := b.scripts[start:len(b.scripts):len(b.scripts)]
	pkStart := len(b.pks)
	b.pks = appendP2WSH(b.pks, script)
	b.outs = append(b.outs, Output{
		Kind:          kind,
		Amount:        amount,
		WitnessScript: script,
		PkScript:      b.pks[pkStart:len(b.pks):len(b.pks)],
		HTLCIndex:     htlcIndex,
		HTLC:          h,
	})
}

func b2i(b bool) int {
	if b {
		return 1
	}
	return 0
}

// build follows BOLT 3 "Commitment Transaction Construction" on a checked
// state with derived keys.
func (c *Channel) build(owner Side, st *State, k *Keys) (*Commitment, error) {
	t := c.p.Type
	anchors := t.HasAnchors()
	own := c.party(owner)
	o := c.outline(owner, st)
	cm := &Commitment{
		Owner:   owner,
		Number:  st.Number,
		FeeRate: st.FeeRate,
		Keys:    k,
		Outline: o,
		ch:      c,
		st:      *st,
	}
	cm.st.HTLCs = slices.Clone(st.HTLCs)

	n := o.Untrimmed + b2i(o.HasToLocal) + b2i(o.HasToRemote) + b2i(o.HasLocalAnchor) + b2i(o.HasRemoteAnchor)
	b := outputBuilder{
		outs:    make([]Output, 0, n),
		scripts: make([]byte, 0, o.Untrimmed*receivedHTLCScriptMaxSize+ToLocalScriptMaxSize+ToRemoteAnchorScriptSize+2*AnchorScriptSize),
		pks:     make([]byte, 0, n*P2WSHSize),
	}

	// Steps 4 and 5: untrimmed HTLC outputs.
	for i := range st.HTLCs {
		h := &st.HTLCs[i]
		offered := h.Offerer == owner
		if IsTrimmed(t, st.FeeRate, own.DustLimit, h.Amount, offered) {
			cm.Trimmed = append(cm.Trimmed, i)
			continue
		}
		start := len(b.scripts)
		kind := ReceivedHTLCOutput
		if offered {
			kind = OfferedHTLCOutput
			b.scripts = appendOfferedHTLCScript(b.scripts, &k.revocationHash160, &k.localHTLC33, &k.remoteHTLC33, &h.PaymentHash, anchors)
		} else {
			b.scripts = appendReceivedHTLCScript(b.scripts, &k.revocationHash160, &k.localHTLC33, &k.remoteHTLC33, &h.PaymentHash, h.CLTVExpiry, anchors)
		}
		b.addP2WSH(kind, h.Amount.ToSatoshi(), start, i, *h)
	}

	// The to_local script is also the HTLC transactions' output script.
	if o.HasToLocal || o.Untrimmed > 0 {
		start := len(b.scripts)
		b.scripts = appendToLocalScript(b.scripts, &k.revocation33, &k.localDelayed33, own.CSVDelay)
		cm.secondStage = b.scripts[start:len(b.scripts):len(b.scripts)]
		if o.HasToLocal {
			// Step 6.
			b.addP2WSH(ToLocalOutput, o.ToLocal, start, -1, HTLC{})
			cm.secondStagePk = b.outs[len(b.outs)-1].PkScript
		} else {
			cm.secondStagePk = P2WSH(cm.secondStage)
		}
	}

	// Step 7.
	if o.HasToRemote {
		if anchors {
			start := len(b.scripts)
			b.scripts = appendToRemoteAnchorScript(b.scripts, &k.remotePayment33)
			b.addP2WSH(ToRemoteOutput, o.ToRemote, start, -1, HTLC{})
		} else {
			pk := P2WPKH(k.RemotePayment)
			b.outs = append(b.outs, Output{Kind: ToRemoteOutput, Amount: o.ToRemote, PkScript: pk, HTLCIndex: -1})
		}
	}

	// Step 8.
	localFunding33, remoteFunding33 := &c.localFunding33, &c.remoteFunding33
	if owner == Remote {
		localFunding33, remoteFunding33 = remoteFunding33, localFunding33
	}
	if o.HasLocalAnchor {
		start := len(b.scripts)
		b.scripts = appendAnchorScript(b.scripts, localFunding33)
		b.addP2WSH(LocalAnchorOutput, AnchorAmount, start, -1, HTLC{})
	}
	if o.HasRemoteAnchor {
		start := len(b.scripts)
		b.scripts = appendAnchorScript(b.scripts, remoteFunding33)
		b.addP2WSH(RemoteAnchorOutput, AnchorAmount, start, -1, HTLC{})
	}

	// Step 9: BIP69 with the cltv_expiry tie-break. Non-HTLC outputs have
	// a zero HTLC, and no two outputs of different kinds share a script.
	slices.SortStableFunc(b.outs, func(x, y Output) int {
		if r := cmp.Compare(x.Amount, y.Amount); r != 0 {
			return r
		}
		if r := bytes.Compare(x.PkScript, y.PkScript); r != 0 {
			return r
		}
		return cmp.Compare(x.HTLC.CLTVExpiry, y.HTLC.CLTVExpiry)
	})
	cm.Outputs = b.outs

	// Steps 1 and the transaction itself.
	obscured := c.ObscuredCommitmentNumber(st.Number)
	tx := &btcwire.MsgTx{
		Version:  2,
		LockTime: 0x20<<24 | uint32(obscured&0xFFFFFF),
		TxIn: []*btcwire.TxIn{{
			PreviousOutPoint: c.p.FundingOutpoint,
			Sequence:         0x80<<24 | uint32(obscured>>24),
		}},
		TxOut: make([]*btcwire.TxOut, len(b.outs)),
	}
	txOuts := make([]btcwire.TxOut, len(b.outs))
	if o.Untrimmed > 0 {
		cm.HTLCOutputs = make([]int, 0, o.Untrimmed)
	}
	var total wire.Satoshi
	for i := range b.outs {
		out := &b.outs[i]
		txOuts[i] = btcwire.TxOut{Value: int64(out.Amount), PkScript: out.PkScript}
		tx.TxOut[i] = &txOuts[i]
		total += out.Amount
		if out.Kind.IsHTLC() {
			cm.HTLCOutputs = append(cm.HTLCOutputs, i)
		}
	}
	if total > c.p.Capacity {
		// Only possible with anchors when the opener cannot even pay for
		// them: BOLT 2 forbids such a state and the transaction would be
		// invalid.
		return nil, fmt.Errorf("%w: outputs (%d sat) exceed the capacity: the opener cannot pay for the anchors", ErrInvalidState, total)
	}
	cm.Tx = tx
	cm.Fee = c.p.Capacity - total
	cm.txid = tx.TxHash()

	sigHashes := txscript.NewTxSigHashes(tx, txscript.NewCannedPrevOutputFetcher(c.fundingPkScript, int64(c.p.Capacity)))
	// The funding script always parses, so the error is impossible.
	digest, _ := txscript.CalcWitnessSigHash(c.fundingScript, sigHashes, txscript.SigHashAll, tx, 0, int64(c.p.Capacity))
	copy(cm.fundingDigest[:], digest)

	if len(cm.HTLCOutputs) > 0 {
		var seq [4]byte
		if anchors {
			seq[0] = 1
		}
		cm.htlcSeqHash = chainhash.DoubleHashH(seq[:])
	}
	return cm, nil
}
