package invoice

import (
	"crypto/sha256"
	"fmt"

	"github.com/btcsuite/btcd/btcec/v2"

	"github.com/lnkit/lnkit/internal/secp"
	"github.com/lnkit/lnkit/wire"
)

// Signer signs invoices with the payee's node key. keys.Manager implements
// it; a remote or hardware signer can, and may fail: Build returns its error
// wrapped (errors.Is finds it, and ErrSigner). keys/signertest checks an
// implementation.
type Signer interface {
	// SignInvoice signs digest, the SHA-256 of the invoice's signing data
	// (the human-readable part's bytes followed by the data part without
	// the signature, packed into bytes and zero-padded). The signer signs
	// digest as is, without hashing it again, with deterministic low-S ECDSA
	// (RFC 6979), and returns r || s and the recovery id (0 to 3) that
	// recovers its public key from the signature: what btcec's
	// ecdsa.SignCompact returns, minus 31, in its first byte.
	SignInvoice(digest wire.Digest) (sig wire.Signature, recoveryID byte, err error)
}

// signingHash returns the hash BOLT 11 signs: SHA-256 of the
// human-readable part followed by the data groups (timestamp and tagged
// fields, without the signature) packed into zero-padded bytes.
func signingHash(hrp string, groups []byte) wire.Digest {
	buf := make([]byte, 0, len(hrp)+(len(groups)*5+7)/8)
	buf = append(buf, hrp...)
	buf = appendPacked(buf, groups)
	return sha256.Sum256(buf)
}

// checkSignature verifies inv.signature and sets inv.payee.
//
// With an n field, BOLT 11 requires verifying against that key and refusing
// high-S signatures (libsecp256k1's secp256k1_ecdsa_verify refuses them;
// btcec's Verify does not, so the check is explicit).
//
// Without an n field the payee is recovered from the signature and BOLT 11
// requires accepting high-S signatures. Recovery uses the transmitted
// recovery id on the signature exactly as transmitted, which is what
// libsecp256k1's secp256k1_ecdsa_recover (used by Core Lightning, LDK and
// Eclair) and btcec's RecoverCompact (used by lnd) compute, so every
// implementation agrees on the payee of a given invoice string. Negating s
// (high-S <-> low-S) without flipping the recovery id yields another key
// (the key for which (r, s, recid) is a valid signature), not the original
// signer: the BOLT 11 example "Public-key recovery with high-S signature"
// is such a case, and lnkit reports the recovered key
// 02d0139c...803d, not 03e7156a...d9ad. Normalising s before recovery
// would make lnkit disagree with every other node about where to send the
// money, so lnkit does not.
func (inv *Invoice) checkSignature() error {
	hash := signingHash(inv.hrp, inv.data[:len(inv.data)-signatureGroups])
	if inv.recoveryID > 3 {
		return newError("signature", ErrInvalidSignature, fmt.Sprintf("recovery id %d is not 0 to 3", inv.recoveryID))
	}
	var r, s btcec.ModNScalar
	if overflow := r.SetByteSlice(inv.signature[:32]); overflow || r.IsZero() {
		return newError("signature", ErrInvalidSignature, "r out of range")
	}
	if overflow := s.SetByteSlice(inv.signature[32:]); overflow || s.IsZero() {
		return newError("signature", ErrInvalidSignature, "s out of range")
	}
	if inv.has&hasPayee != 0 {
		if s.IsOverHalfOrder() {
			return newError("signature", ErrHighS, "")
		}
		pub, err := inv.payee.PublicKey()
		if err != nil {
			return &Error{Field: "n", Err: ErrInvalidField, Cause: err}
		}
		if !secp.Verify(&r, &s, hash[:], pub) {
			return newError("signature", ErrInvalidSignature, "does not verify against the n field")
		}
		return nil
	}
	var compact [65]byte
	compact[0] = 27 + 4 + inv.recoveryID // 27 + recovery id, +4 for a compressed key
	copy(compact[1:], inv.signature[:])
	pub, _, err := secp.RecoverCompact(compact[:], hash[:])
	if err != nil {
		return &Error{Field: "signature", Err: ErrInvalidSignature, Detail: "public key not recoverable", Cause: err}
	}
	inv.payee = wire.NewNodeID(pub)
	return nil
}

// SigningHash returns the hash the signature signs: SHA-256 of the
// human-readable part and the data part without the signature.
func (inv *Invoice) SigningHash() wire.Digest {
	if len(inv.data) < signatureGroups {
		return wire.Digest{}
	}
	return signingHash(inv.hrp, inv.data[:len(inv.data)-signatureGroups])
}
