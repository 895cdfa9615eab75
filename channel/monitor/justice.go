package monitor

import (
	"bytes"
	"fmt"
	"log/slog"

	"github.com/btcsuite/btcd/btcec/v2"
	btcwire "github.com/btcsuite/btcd/wire"

	"github.com/lnkit/lnkit/channel/commit"
	"github.com/lnkit/lnkit/keys"
	lnwire "github.com/lnkit/lnkit/wire"
)

// RevokedKind is what a RevokedOutput is, which fixes its witness.
type RevokedKind uint8

// The kinds of revoked output.
const (
	// RevokedToLocal is the to_local output of a revoked counterparty
	// commitment: <sig> 1 with the revocation key. The cheater may take
	// it after its to_self_delay.
	RevokedToLocal RevokedKind = iota + 1
	// RevokedOfferedHTLC is an HTLC the cheater offered in its revoked
	// commitment (it may time it out at its cltv_expiry through an
	// HTLC-timeout transaction): <sig> <revocationpubkey>.
	RevokedOfferedHTLC
	// RevokedReceivedHTLC is an HTLC the cheater received in its revoked
	// commitment (it may claim it at once with the preimage through an
	// HTLC-success transaction): <sig> <revocationpubkey>.
	RevokedReceivedHTLC
	// RevokedSecondStage is the output of the cheater's HTLC-success or
	// HTLC-timeout transaction spending a revoked HTLC output: the
	// to_local script again, <sig> 1.
	RevokedSecondStage
)

// String names the kind.
func (k RevokedKind) String() string {
	switch k {
	case RevokedToLocal:
		return "revoked-to-local"
	case RevokedOfferedHTLC:
		return "revoked-offered-htlc"
	case RevokedReceivedHTLC:
		return "revoked-received-htlc"
	case RevokedSecondStage:
		return "revoked-second-stage"
	default:
		return fmt.Sprintf("revoked(%d)", uint8(k))
	}
}

// RevokedOutput is an output we take with the revocation key of a revoked
// counterparty commitment (BOLT 5 "Revoked Transaction Close Handling").
type RevokedOutput struct {
	// Kind is what the output is.
	Kind RevokedKind
	// OutPoint is the output; Value its amount.
	OutPoint btcwire.OutPoint
	Value    lnwire.Satoshi
	// WitnessScript is the script the output's P2WSH commits to.
	WitnessScript []byte
	// CLTVExpiry is the HTLC's cltv_expiry (HTLC kinds): from that height
	// a revoked offered HTLC can be timed out by the cheater.
	CLTVExpiry uint32
	// HTLC is the HTLC (HTLC kinds), seen from us: Offerer commit.Local
	// is an HTLC we offered (RevokedReceivedHTLC).
	HTLC commit.HTLC
}

// Breach is a revoked counterparty commitment confirmed on chain and what
// we take from it: every output but our own to_remote (a SpendableOutput)
// and the anchors, with the revocation key derived from the commitment's
// per-commitment secret, which the counterparty gave us when it revoked
// the commitment.
type Breach struct {
	// Tx is the revoked commitment; Number its commitment number; Height
	// the block it confirmed in.
	Tx     *btcwire.MsgTx
	Number uint64
	Height int32
	// Outputs are the revoked outputs: the commitment's, then any
	// second-stage output the cheater created since (AddSecondStage).
	Outputs []RevokedOutput

	secret [32]byte
	keys   *commit.Keys
	// csv is the cheater's to_self_delay.
	csv uint16
}

// PerCommitmentSecret returns the revoked commitment's per-commitment
// secret: with our revocation basepoint secret it gives the revocation
// key (keys.DeriveRevocationPrivKey).
func (b *Breach) PerCommitmentSecret() [32]byte { return b.secret }

// RevocationPubKey returns the revoked commitment's revocation key.
func (b *Breach) RevocationPubKey() *btcec.PublicKey { return b.keys.Revocation }

// LogValue implements slog.LogValuer: the secret is not logged.
func (b *Breach) LogValue() slog.Value {
	return slog.GroupValue(
		slog.String("txid", b.Tx.TxHash().String()),
		slog.Uint64("number", b.Number),
		slog.Int("height", int(b.Height)),
		slog.Int("outputs", len(b.Outputs)),
	)
}

// breachOf recognises the outputs of tx, the counterparty's revoked
// commitment number n, that we take with the revocation key. The HTLCs are
// those the history kept for n; an output matches by its script, each
// output once.
func (m *ChannelMonitor) breachOf(tx *btcwire.MsgTx, n uint64, height int32) (*Breach, error) {
	idx, err := keys.ShachainIndex(n)
	if err != nil {
		return nil, err
	}
	secret, err := m.secrets.Lookup(idx)
	if err != nil {
		return nil, err
	}
	k, err := m.ch.DeriveKeys(commit.Remote, keys.PerCommitmentPointFromSecret(secret))
	if err != nil {
		return nil, err
	}
	b := &Breach{Tx: tx, Number: n, Height: height, secret: secret, keys: k, csv: m.ch.Params().Remote.CSVDelay}
	type candidate struct {
		kind   RevokedKind
		script []byte
		htlc   commit.HTLC
	}
	anchors := m.ch.Type().HasAnchors()
	cands := []candidate{{kind: RevokedToLocal, script: commit.ToLocalScript(k.Revocation, k.LocalDelayed, b.csv)}}
	for _, h := range m.history.at(n) {
		c := candidate{kind: RevokedReceivedHTLC, htlc: h}
		if h.Offerer == commit.Remote {
			c.kind = RevokedOfferedHTLC
			c.script = commit.OfferedHTLCScript(k.Revocation, k.LocalHTLC, k.RemoteHTLC, h.PaymentHash, anchors)
		} else {
			c.script = commit.ReceivedHTLCScript(k.Revocation, k.LocalHTLC, k.RemoteHTLC, h.PaymentHash, h.CLTVExpiry, anchors)
		}
		cands = append(cands, c)
	}
	txid := tx.TxHash()
	used := make([]bool, len(tx.TxOut))
	for _, c := range cands {
		pk := commit.P2WSH(c.script)
		for i, out := range tx.TxOut {
			if used[i] || !bytes.Equal(out.PkScript, pk) {
				continue
			}
			used[i] = true
			b.Outputs = append(b.Outputs, RevokedOutput{
				Kind: c.kind, OutPoint: btcwire.OutPoint{Hash: txid, Index: uint32(i)},
				Value: lnwire.Satoshi(out.Value), WitnessScript: c.script, CLTVExpiry: c.htlc.CLTVExpiry, HTLC: c.htlc,
			})
			break
		}
	}
	return b, nil
}

// secondStageScript is the script of the cheater's HTLC transactions'
// outputs: to_local with the revoked commitment's keys.
func (b *Breach) secondStageScript() []byte {
	return commit.ToLocalScript(b.keys.Revocation, b.keys.LocalDelayed, b.csv)
}

// AddSecondStage records the outputs of tx, a transaction of the cheater
// spending HTLC outputs of the revoked commitment (its HTLC-success or
// HTLC-timeout transactions, several at once with anchors), that pay the
// revoked second-stage script. It returns how many it added (an output
// already known is not added again).
func (b *Breach) AddSecondStage(tx *btcwire.MsgTx) int {
	spendsHTLC := false
	for _, in := range tx.TxIn {
		for _, o := range b.Outputs {
			if o.OutPoint == in.PreviousOutPoint && (o.Kind == RevokedOfferedHTLC || o.Kind == RevokedReceivedHTLC) {
				spendsHTLC = true
			}
		}
	}
	if !spendsHTLC {
		return 0
	}
	script := b.secondStageScript()
	pk := commit.P2WSH(script)
	txid, added := tx.TxHash(), 0
	for i, out := range tx.TxOut {
		op := btcwire.OutPoint{Hash: txid, Index: uint32(i)}
		if !bytes.Equal(out.PkScript, pk) || b.has(op) {
			continue
		}
		b.Outputs = append(b.Outputs, RevokedOutput{
			Kind: RevokedSecondStage, OutPoint: op, Value: lnwire.Satoshi(out.Value), WitnessScript: script,
		})
		added++
	}
	return added
}

func (b *Breach) has(op btcwire.OutPoint) bool {
	for _, o := range b.Outputs {
		if o.OutPoint == op {
			return true
		}
	}
	return false
}

// RevocationSigner signs with the revocation key of a revoked commitment:
// the key derived from our revocation basepoint secret and the
// commitment's per-commitment secret. *keys.InMemorySigner implements it.
type RevocationSigner interface {
	SignRevocation(perCommitmentSecret [32]byte, digest lnwire.Digest) (lnwire.Signature, error)
}

// JusticeTx returns a transaction that takes outs (outputs of b) to
// pkScript at feeRate, signed with the revocation key: one input per
// output, one output. Its weight is counted with the largest signatures,
// so the fee paid is never below feeRate; a fee that would leave less than
// the dust limit is ErrFeeAboveValue.
func (b *Breach) JusticeTx(outs []RevokedOutput, pkScript []byte, feeRate lnwire.FeeRate, s RevocationSigner) (*btcwire.MsgTx, error) {
	ins, err := b.claimInputs(outs, s)
	if err != nil {
		return nil, err
	}
	return buildClaim(ins, pkScript, feeRate, 0)
}

// claimInputs returns the inputs taking outs (outputs of b) with the
// revocation key.
func (b *Breach) claimInputs(outs []RevokedOutput, s RevocationSigner) ([]claimInput, error) {
	ins := make([]claimInput, 0, len(outs))
	for _, o := range outs {
		if !b.has(o.OutPoint) {
			return nil, fmt.Errorf("monitor: %v is not an output of the breach", o.OutPoint)
		}
		ins = append(ins, claimInput{
			op: o.OutPoint, value: o.Value, script: o.WitnessScript, sequence: claimSequence,
			sign:    func(d lnwire.Digest) (lnwire.Signature, error) { return s.SignRevocation(b.secret, d) },
			witness: func(sig lnwire.Signature) (btcwire.TxWitness, error) { return b.witness(o, sig) },
		})
	}
	return ins, nil
}

// witness is the revocation witness of o with sig.
func (b *Breach) witness(o RevokedOutput, sig lnwire.Signature) (btcwire.TxWitness, error) {
	switch o.Kind {
	case RevokedToLocal, RevokedSecondStage:
		return commit.ToLocalRevokeWitness(sig, o.WitnessScript)
	case RevokedOfferedHTLC, RevokedReceivedHTLC:
		return commit.HTLCRevokeWitness(sig, b.keys.Revocation, o.WitnessScript)
	default:
		return nil, fmt.Errorf("monitor: unknown revoked output kind %v", o.Kind)
	}
}
