package commit

import (
	"fmt"

	"github.com/btcsuite/btcd/btcec/v2"
	"github.com/btcsuite/btcd/txscript"
	btcwire "github.com/btcsuite/btcd/wire"

	"github.com/lnkit/lnkit/wire"
)

// Witness builders. Each returns the witness stack of one spend path, with
// the witness script last. Signatures are DER-encoded with their sighash
// byte: SIGHASH_ALL unless stated otherwise. The comments give what the
// spending input and transaction must also satisfy.

// sigPush encodes a signature for a witness.
func sigPush(sig wire.Signature, hashType txscript.SigHashType) ([]byte, error) {
	der, err := sig.DER()
	if err != nil {
		return nil, fmt.Errorf("commit: witness signature: %w", err)
	}
	return append(der, byte(hashType)), nil
}

// FundingWitness spends the funding output: 0 <sig for pubkey1> <sig for
// pubkey2> <2-of-2>, the signatures in the order of the funding keys.
func (c *Channel) FundingWitness(localSig, remoteSig wire.Signature) (btcwire.TxWitness, error) {
	l, err := sigPush(localSig, txscript.SigHashAll)
	if err != nil {
		return nil, err
	}
	r, err := sigPush(remoteSig, txscript.SigHashAll)
	if err != nil {
		return nil, err
	}
	if !c.localFundingFirst {
		l, r = r, l
	}
	return btcwire.TxWitness{nil, l, r, c.fundingScript}, nil
}

// SignedTx returns a copy of the commitment transaction with its funding
// witness, ready to broadcast.
func (cm *Commitment) SignedTx(ownerSig, counterpartySig wire.Signature) (*btcwire.MsgTx, error) {
	localSig, remoteSig := ownerSig, counterpartySig
	if cm.Owner == Remote {
		localSig, remoteSig = remoteSig, localSig
	}
	w, err := cm.ch.FundingWitness(localSig, remoteSig)
	if err != nil {
		return nil, err
	}
	tx := cm.Tx.Copy()
	tx.TxIn[0].Witness = w
	return tx, nil
}

// SignedHTLCTx returns the HTLC transaction of output i with its witness:
// 0 <remotehtlcsig> <localhtlcsig> <payment_preimage> for HTLC-success
// (received HTLCs; preimage required) and 0 <remotehtlcsig> <localhtlcsig>
// <> for HTLC-timeout (offered HTLCs; preimage ignored). The
// counterparty's signature carries SIGHASH_SINGLE|SIGHASH_ANYONECANPAY with
// anchors. With anchors the transaction pays no fee: the caller adds fee
// inputs and outputs (which SIGHASH_SINGLE|ANYONECANPAY allows) and re-signs
// its own signature.
func (cm *Commitment) SignedHTLCTx(i int, ownerSig, counterpartySig wire.Signature, preimage *wire.Preimage) (*btcwire.MsgTx, error) {
	tx, err := cm.HTLCTx(i)
	if err != nil {
		return nil, err
	}
	o := &cm.Outputs[i]
	if o.Kind == ReceivedHTLCOutput {
		if preimage == nil || preimage.Hash() != o.HTLC.PaymentHash {
			return nil, ErrWrongPreimage
		}
		tx.TxIn[0].Witness, err = HTLCSuccessWitness(cm.ch.p.Type, counterpartySig, ownerSig, *preimage, o.WitnessScript)
	} else {
		tx.TxIn[0].Witness, err = HTLCTimeoutWitness(cm.ch.p.Type, counterpartySig, ownerSig, o.WitnessScript)
	}
	if err != nil {
		return nil, err
	}
	return tx, nil
}

// HTLCSuccessWitness is the HTLC-success witness:
// 0 <remotehtlcsig> <localhtlcsig> <payment_preimage> <received HTLC script>.
func HTLCSuccessWitness(t ChannelType, remoteSig, localSig wire.Signature, preimage wire.Preimage, witnessScript []byte) (btcwire.TxWitness, error) {
	r, l, err := htlcTxSigs(t, remoteSig, localSig)
	if err != nil {
		return nil, err
	}
	p := preimage
	return btcwire.TxWitness{nil, r, l, p[:], witnessScript}, nil
}

// HTLCTimeoutWitness is the HTLC-timeout witness:
// 0 <remotehtlcsig> <localhtlcsig> <> <offered HTLC script>.
func HTLCTimeoutWitness(t ChannelType, remoteSig, localSig wire.Signature, witnessScript []byte) (btcwire.TxWitness, error) {
	r, l, err := htlcTxSigs(t, remoteSig, localSig)
	if err != nil {
		return nil, err
	}
	return btcwire.TxWitness{nil, r, l, nil, witnessScript}, nil
}

func htlcTxSigs(t ChannelType, remoteSig, localSig wire.Signature) (r, l []byte, err error) {
	remoteType := txscript.SigHashAll
	if t.HasAnchors() {
		remoteType = txscript.SigHashSingle | txscript.SigHashAnyOneCanPay
	}
	if r, err = sigPush(remoteSig, remoteType); err != nil {
		return nil, nil, err
	}
	if l, err = sigPush(localSig, txscript.SigHashAll); err != nil {
		return nil, nil, err
	}
	return r, l, nil
}

// ToLocalDelayedWitness spends a to_local output, or the output of an
// HTLC-success or HTLC-timeout transaction, by its owner after the delay:
// <local_delayedsig> <> <script>. The input's sequence must be at least the
// to_self_delay of the script and the transaction version at least 2.
func ToLocalDelayedWitness(sig wire.Signature, witnessScript []byte) (btcwire.TxWitness, error) {
	s, err := sigPush(sig, txscript.SigHashAll)
	if err != nil {
		return nil, err
	}
	return btcwire.TxWitness{s, nil, witnessScript}, nil
}

// ToLocalRevokeWitness spends a revoked to_local output, or the output of a
// revoked HTLC-success or HTLC-timeout transaction, with the revocation
// key: <revocation_sig> 1 <script>.
func ToLocalRevokeWitness(sig wire.Signature, witnessScript []byte) (btcwire.TxWitness, error) {
	s, err := sigPush(sig, txscript.SigHashAll)
	if err != nil {
		return nil, err
	}
	return btcwire.TxWitness{s, {1}, witnessScript}, nil
}

// ToRemoteWitness spends a P2WPKH to_remote output (no anchors):
// <sig> <remotepubkey>. The signature covers the BIP143 digest computed
// with the output's P2WPKH script (txscript.CalcWitnessSigHash turns it
// into the P2PKH script code).
func ToRemoteWitness(sig wire.Signature, remotePubKey *btcec.PublicKey) (btcwire.TxWitness, error) {
	s, err := sigPush(sig, txscript.SigHashAll)
	if err != nil {
		return nil, err
	}
	return btcwire.TxWitness{s, remotePubKey.SerializeCompressed()}, nil
}

// ToRemoteAnchorWitness spends the to_remote output of an anchors
// commitment: <remote_sig> <script>. The input's sequence must be at
// least 1.
func ToRemoteAnchorWitness(sig wire.Signature, witnessScript []byte) (btcwire.TxWitness, error) {
	s, err := sigPush(sig, txscript.SigHashAll)
	if err != nil {
		return nil, err
	}
	return btcwire.TxWitness{s, witnessScript}, nil
}

// AnchorWitness spends an anchor with its funding key: <sig> <script>.
func AnchorWitness(sig wire.Signature, witnessScript []byte) (btcwire.TxWitness, error) {
	s, err := sigPush(sig, txscript.SigHashAll)
	if err != nil {
		return nil, err
	}
	return btcwire.TxWitness{s, witnessScript}, nil
}

// AnchorSweepWitness lets anyone spend an anchor 16 blocks after the
// commitment confirmed: <> <script>. The input's sequence must be at least
// 16.
func AnchorSweepWitness(witnessScript []byte) btcwire.TxWitness {
	return btcwire.TxWitness{nil, witnessScript}
}

// HTLCRevokeWitness spends an offered or received HTLC output of a revoked
// commitment with the revocation key: <revocation_sig> <revocationpubkey>
// <script>.
func HTLCRevokeWitness(sig wire.Signature, revocationPubKey *btcec.PublicKey, witnessScript []byte) (btcwire.TxWitness, error) {
	s, err := sigPush(sig, txscript.SigHashAll)
	if err != nil {
		return nil, err
	}
	return btcwire.TxWitness{s, revocationPubKey.SerializeCompressed(), witnessScript}, nil
}

// OfferedHTLCPreimageWitness lets the counterparty claim an HTLC the
// commitment's owner offered, straight from the commitment, with the
// preimage: <remotehtlcsig> <payment_preimage> <script>. With anchors the
// input's sequence must be at least 1.
func OfferedHTLCPreimageWitness(sig wire.Signature, preimage wire.Preimage, witnessScript []byte) (btcwire.TxWitness, error) {
	s, err := sigPush(sig, txscript.SigHashAll)
	if err != nil {
		return nil, err
	}
	p := preimage
	return btcwire.TxWitness{s, p[:], witnessScript}, nil
}

// ReceivedHTLCTimeoutWitness lets the counterparty take back an HTLC it
// offered to the commitment's owner, straight from the commitment, once
// it timed out: <remotehtlcsig> <> <script>. The transaction's locktime
// must be at least cltv_expiry, the input's sequence below 0xFFFFFFFF, and
// with anchors at least 1.
func ReceivedHTLCTimeoutWitness(sig wire.Signature, witnessScript []byte) (btcwire.TxWitness, error) {
	s, err := sigPush(sig, txscript.SigHashAll)
	if err != nil {
		return nil, err
	}
	return btcwire.TxWitness{s, nil, witnessScript}, nil
}
