package wire

import "encoding/hex"

// Digest is a 32-byte hash to be signed: a BIP 143 signature hash of a
// transaction, the SHA-256 of an invoice's signing data, the double
// SHA-256 of a gossip message. Every signing interface of lnkit
// (channel/commit.Signer, invoice.Signer, keys' signers) takes a Digest and
// signs it as is, without hashing it again; Signature.Verify checks a
// signature of one (Verify(d[:], pub)).
type Digest [32]byte

// String returns the digest in hex.
func (d Digest) String() string { return hex.EncodeToString(d[:]) }
