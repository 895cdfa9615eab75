package keys

import (
	"crypto/sha256"
	"fmt"

	"github.com/btcsuite/btcd/btcec/v2"
	"github.com/btcsuite/btcd/btcec/v2/ecdsa"

	"github.com/lnkit/lnkit/internal/secp"
	"github.com/lnkit/lnkit/wire"
)

// messagePrefix is prepended to every message before hashing, so that a
// message signature can never be a signature of a protocol hash.
const messagePrefix = "Lightning Signed Message:"

// messageSignatureLen is the length of a zbase32-encoded 65-byte signature.
const messageSignatureLen = (65*8 + 4) / 5

// messageDigest returns SHA256(SHA256("Lightning Signed Message:" || msg)).
func messageDigest(msg []byte) [32]byte {
	h := sha256.New()
	h.Write([]byte(messagePrefix))
	h.Write(msg)
	var first [32]byte
	h.Sum(first[:0])
	return sha256.Sum256(first[:])
}

// SignMessage signs msg with the node key the way lnd's signmessage (and
// Core Lightning's, and LDK's) does: a recoverable ECDSA signature of
// SHA256(SHA256("Lightning Signed Message:" || msg)), serialized as a
// recovery byte (31 + recovery id, marking a compressed key) followed by
// r || s, and encoded in zbase32. The error is always nil; it is kept for
// signers that can fail.
func (m *Manager) SignMessage(msg []byte) (string, error) {
	return signMessage(&m.nodeKey, msg), nil
}

// signMessage signs msg with key as SignMessage describes.
func signMessage(key *btcec.PrivateKey, msg []byte) string {
	digest := messageDigest(msg)
	compact := ecdsa.SignCompact(key, digest[:], true)
	return string(AppendZBase32(make([]byte, 0, messageSignatureLen), compact))
}

// VerifyMessage recovers the node id that signed msg with a signature made
// by SignMessage (or lnd's signmessage). Like lnd's verifymessage it does not
// say whether that node is known: compare the result with the expected node
// id, or use VerifyMessageFrom. Errors match ErrInvalidMessageSignature.
func (m *Manager) VerifyMessage(msg []byte, zbase32Sig string) (wire.NodeID, error) {
	return RecoverMessageSigner(msg, zbase32Sig)
}

// RecoverMessageSigner recovers the node id that signed msg; see
// Manager.VerifyMessage. Errors match ErrInvalidMessageSignature.
func RecoverMessageSigner(msg []byte, zbase32Sig string) (wire.NodeID, error) {
	if len(zbase32Sig) != messageSignatureLen {
		return wire.NodeID{}, fmt.Errorf("keys: message signature: %d characters, want %d: %w",
			len(zbase32Sig), messageSignatureLen, ErrInvalidMessageSignature)
	}
	sig, err := DecodeZBase32(zbase32Sig)
	if err != nil {
		return wire.NodeID{}, fmt.Errorf("keys: message signature: %w: %w", ErrInvalidMessageSignature, err)
	}
	digest := messageDigest(msg)
	pub, _, err := secp.RecoverCompact(sig, digest[:])
	if err != nil {
		return wire.NodeID{}, fmt.Errorf("keys: message signature: %v: %w", err, ErrInvalidMessageSignature)
	}
	return wire.NewNodeID(pub), nil
}

// VerifyMessageFrom checks that zbase32Sig is nodeID's signature of msg. It
// returns ErrSignerMismatch if the signature is valid but made by another
// key, and an error matching ErrInvalidMessageSignature if it is malformed.
func VerifyMessageFrom(msg []byte, zbase32Sig string, nodeID wire.NodeID) error {
	signer, err := RecoverMessageSigner(msg, zbase32Sig)
	if err != nil {
		return err
	}
	if signer != nodeID {
		return fmt.Errorf("keys: message signed by %s, not %s: %w", signer, nodeID, ErrSignerMismatch)
	}
	return nil
}
