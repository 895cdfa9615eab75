package wire

import (
	"encoding/hex"
	"fmt"

	"github.com/btcsuite/btcd/btcec/v2"
	"github.com/btcsuite/btcd/btcec/v2/ecdsa"

	"github.com/lnkit/lnkit/internal/secp"
)

// Signature is an ECDSA signature in the 64-byte compact form of the wire
// protocol: big-endian r followed by big-endian s.
type Signature [64]byte

// NewSignatureFromCompact converts the 65-byte recoverable form produced by
// ecdsa.SignCompact (recovery byte, r, s) to a Signature.
func NewSignatureFromCompact(compact []byte) (Signature, error) {
	var sig Signature
	if len(compact) != 65 {
		return sig, fmt.Errorf("wire: compact signature must be 65 bytes, got %d: %w", len(compact), ErrInvalidValue)
	}
	copy(sig[:], compact[1:])
	return sig, nil
}

// NewSignatureFromDER converts a DER signature (without a sighash byte).
func NewSignatureFromDER(der []byte) (Signature, error) {
	var sig Signature
	parsed, err := ecdsa.ParseDERSignature(der)
	if err != nil {
		return sig, fmt.Errorf("wire: der signature: %v: %w", err, ErrInvalidValue)
	}
	return NewSignatureFromECDSA(parsed), nil
}

// NewSignatureFromECDSA converts a parsed ECDSA signature.
func NewSignatureFromECDSA(s *ecdsa.Signature) Signature {
	// btcec's Signature does not expose r and s; its DER form does.
	der := s.Serialize()
	var sig Signature
	rLen := int(der[3])
	r := der[4 : 4+rLen]
	sLen := int(der[5+rLen])
	sv := der[6+rLen : 6+rLen+sLen]
	r = trimZero(r)
	sv = trimZero(sv)
	copy(sig[32-len(r):32], r)
	copy(sig[64-len(sv):], sv)
	return sig
}

func trimZero(b []byte) []byte {
	for len(b) > 0 && b[0] == 0 {
		b = b[1:]
	}
	return b
}

// ToECDSA parses the signature, rejecting r or s that are zero or not below
// the curve order.
func (s Signature) ToECDSA() (*ecdsa.Signature, error) {
	var r, sv btcec.ModNScalar
	if overflow := r.SetByteSlice(s[:32]); overflow || r.IsZero() {
		return nil, fmt.Errorf("wire: signature r out of range: %w", ErrInvalidValue)
	}
	if overflow := sv.SetByteSlice(s[32:]); overflow || sv.IsZero() {
		return nil, fmt.Errorf("wire: signature s out of range: %w", ErrInvalidValue)
	}
	return ecdsa.NewSignature(&r, &sv), nil
}

// Verify reports whether s is a valid signature of hash by pub. It rejects
// r or s that are zero or not below the curve order, and otherwise accepts
// exactly what btcec's ecdsa.Signature.Verify accepts (high S included),
// computed with internal/secp's faster verification.
func (s Signature) Verify(hash []byte, pub *btcec.PublicKey) bool {
	var r, sv btcec.ModNScalar
	if overflow := r.SetByteSlice(s[:32]); overflow || r.IsZero() {
		return false
	}
	if overflow := sv.SetByteSlice(s[32:]); overflow || sv.IsZero() {
		return false
	}
	return secp.Verify(&r, &sv, hash, pub)
}

// DER returns the DER encoding of the signature, as used in witnesses
// (without the sighash byte).
func (s Signature) DER() ([]byte, error) {
	sig, err := s.ToECDSA()
	if err != nil {
		return nil, err
	}
	return sig.Serialize(), nil
}

// String returns the signature in hex.
func (s Signature) String() string { return hex.EncodeToString(s[:]) }
