package commit

import (
	"fmt"

	"github.com/btcsuite/btcd/btcec/v2"

	"github.com/lnkit/lnkit/wire"
)

// Signer signs commitment and HTLC transactions with one party's channel
// keys. keys.InMemorySigner implements it; a remote signer or a hardware
// device can too, and may fail (refuse, time out, lose its connection):
// the error reaches the caller of SignAsOwner or SignAsCounterparty
// wrapped, so errors.Is and errors.As see it. Each method signs a digest
// as is (it does not hash it again) with low-S ECDSA. keys/signertest
// checks an implementation.
type Signer interface {
	// SignFunding signs with the funding key.
	SignFunding(digest wire.Digest) (wire.Signature, error)
	// SignHTLC signs with the HTLC key derived from the htlc_basepoint and
	// the commitment owner's per_commitment_point.
	SignHTLC(perCommitmentPoint *btcec.PublicKey, digest wire.Digest) (wire.Signature, error)
}

// Signatures are one party's signatures on a commitment: the commitment
// itself and, in HTLCOutputs order, its HTLC transactions. Signed by the
// counterparty they are the content of commitment_signed.
type Signatures struct {
	// Commitment signs the commitment transaction (SIGHASH_ALL).
	Commitment wire.Signature
	// HTLCs sign the HTLC transactions, in HTLCOutputs order.
	HTLCs []wire.Signature
}

// FundingSigHash returns the BIP143 SIGHASH_ALL digest both parties sign
// to spend the funding output with this commitment.
func (cm *Commitment) FundingSigHash() wire.Digest { return cm.fundingDigest }

// SignAsCounterparty signs the commitment as its owner's counterparty
// would to send commitment_signed: the commitment with the funding key,
// and every HTLC transaction with the HTLC key (SIGHASH_SINGLE|
// SIGHASH_ANYONECANPAY with anchors, else SIGHASH_ALL). An error of the
// signer is returned wrapped (errors.Is finds it) and no signatures.
func (cm *Commitment) SignAsCounterparty(s Signer) (Signatures, error) {
	return cm.sign(s, true, nil)
}

// SignAsCounterpartyWith is SignAsCounterparty with the HTLC signatures
// made through par (several at once: s must then be safe for concurrent
// use). The signatures are the same; the first signer error by HTLC order
// is returned.
func (cm *Commitment) SignAsCounterpartyWith(s Signer, par Parallel) (Signatures, error) {
	return cm.sign(s, true, par)
}

// SignAsOwner signs the commitment as its owner does before broadcasting
// it or its HTLC transactions (every signature SIGHASH_ALL). An error of
// the signer is returned wrapped and no signatures.
func (cm *Commitment) SignAsOwner(s Signer) (Signatures, error) {
	return cm.sign(s, false, nil)
}

func (cm *Commitment) sign(s Signer, byCounterparty bool, par Parallel) (Signatures, error) {
	commitSig, err := s.SignFunding(cm.fundingDigest)
	if err != nil {
		return Signatures{}, fmt.Errorf("commit: sign commitment: %w", err)
	}
	sigs := Signatures{
		Commitment: commitSig,
		HTLCs:      make([]wire.Signature, len(cm.HTLCOutputs)),
	}
	hashType := cm.htlcHashType(byCounterparty)
	err = par.eachHTLC(len(cm.HTLCOutputs), func(j int, scratch *htlcTxScratch) error {
		i := cm.HTLCOutputs[j]
		cm.fillHTLCTx(scratch, i)
		digest, err := cm.htlcSigHash(scratch, i, hashType)
		if err != nil {
			return fmt.Errorf("commit: htlc %d sighash: %w", j, err)
		}
		if sigs.HTLCs[j], err = s.SignHTLC(cm.Keys.PerCommitmentPoint, digest); err != nil {
			return fmt.Errorf("commit: sign htlc %d: %w", j, err)
		}
		return nil
	})
	if err != nil {
		return Signatures{}, err
	}
	return sigs, nil
}

// VerifyCounterparty checks the signatures the owner's counterparty sent in
// commitment_signed. A failure is a *SignatureError that unwraps to
// ErrInvalidSignature; a wrong count is ErrSignatureCount. Signatures
// byte-identical to the last ones this Commitment verified (by the same
// party) are known good and not verified again: a monitor handed the
// Commitment the channel built and verified (monitor.NewHolderCommitment
// Built) does not repeat the work.
func (cm *Commitment) VerifyCounterparty(sigs Signatures) error {
	return cm.verify(sigs, true, nil)
}

// VerifyCounterpartyWith is VerifyCounterparty with the HTLC signatures
// checked through par (several at once). The outcome is the same: the
// first bad signature by HTLC order is the one reported.
func (cm *Commitment) VerifyCounterpartyWith(sigs Signatures, par Parallel) error {
	return cm.verify(sigs, true, par)
}

// VerifyOwner checks signatures made by the commitment's owner.
func (cm *Commitment) VerifyOwner(sigs Signatures) error {
	return cm.verify(sigs, false, nil)
}

func (cm *Commitment) verify(sigs Signatures, byCounterparty bool, par Parallel) error {
	if len(sigs.HTLCs) != len(cm.HTLCOutputs) {
		return fmt.Errorf("%w: got %d, commitment has %d htlc outputs", ErrSignatureCount, len(sigs.HTLCs), len(cm.HTLCOutputs))
	}
	if cm.verifiedBefore(&sigs, byCounterparty) {
		return nil
	}
	fundingKey, htlcKey := cm.Keys.LocalFunding, cm.Keys.LocalHTLC
	if byCounterparty {
		fundingKey, htlcKey = cm.Keys.RemoteFunding, cm.Keys.RemoteHTLC
	}
	if !sigs.Commitment.Verify(cm.fundingDigest[:], fundingKey) {
		return &SignatureError{Index: -1, OutputIndex: -1}
	}
	hashType := cm.htlcHashType(byCounterparty)
	err := par.eachHTLC(len(cm.HTLCOutputs), func(j int, scratch *htlcTxScratch) error {
		i := cm.HTLCOutputs[j]
		cm.fillHTLCTx(scratch, i)
		digest, err := cm.htlcSigHash(scratch, i, hashType)
		if err != nil {
			return fmt.Errorf("commit: htlc %d sighash: %w", j, err)
		}
		if !sigs.HTLCs[j].Verify(digest[:], htlcKey) {
			return &SignatureError{Index: j, OutputIndex: i}
		}
		return nil
	})
	if err != nil {
		return err
	}
	cm.rememberVerified(&sigs, byCounterparty)
	return nil
}

// toDigest converts the 32-byte slice of txscript's sighash functions.
func toDigest(b []byte, err error) (wire.Digest, error) {
	var d wire.Digest
	if err != nil {
		return d, err
	}
	copy(d[:], b)
	return d, nil
}
