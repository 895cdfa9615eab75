package keys

import (
	"crypto/sha256"

	"github.com/btcsuite/btcd/btcec/v2"
)

// MaxShachainIndex is the largest per-commitment secret index: indexes have
// 48 bits, and the first commitment uses this one (BOLT 3 "Per-commitment
// Secret Requirements": the index starts at 2^48 - 1 and counts down).
const MaxShachainIndex = 1<<48 - 1

// MaxCommitmentNumber is the largest commitment number that has a
// per-commitment secret.
const MaxCommitmentNumber = MaxShachainIndex

// ShachainIndex maps a commitment number (0 for the first commitment,
// counting up) to the index of its per-commitment secret, 2^48 - 1 - n.
// It returns a *CommitmentNumberError (matching ErrCommitmentNumberTooLarge)
// if commitmentNumber exceeds MaxCommitmentNumber, so a number read from a
// peer can be passed unchecked.
func ShachainIndex(commitmentNumber uint64) (uint64, error) {
	if commitmentNumber > MaxCommitmentNumber {
		return 0, &CommitmentNumberError{Number: commitmentNumber}
	}
	return MaxShachainIndex - commitmentNumber, nil
}

// CommitmentNumber maps a per-commitment secret index back to its
// commitment number. It is the inverse of ShachainIndex and returns an
// *IndexRangeError (matching ErrIndexOutOfRange) if index exceeds
// MaxShachainIndex.
func CommitmentNumber(index uint64) (uint64, error) {
	if index > MaxShachainIndex {
		return 0, &IndexRangeError{Index: index}
	}
	return MaxShachainIndex - index, nil
}

// PerCommitmentSecret generates the per-commitment secret at a 48-bit index
// from a seed, as BOLT 3 generate_from_seed does. Bits of index above bit 47
// are ignored, so no index panics (callers holding a commitment number get
// a checked index from ShachainIndex).
func PerCommitmentSecret(seed [32]byte, index uint64) [32]byte {
	return deriveSecret(seed, 48, index)
}

// PerCommitmentPoint returns the per-commitment point of the secret at index:
// PerCommitmentSecret(seed, index) * G. Like PerCommitmentSecret it ignores
// bits of index above bit 47.
func PerCommitmentPoint(seed [32]byte, index uint64) *btcec.PublicKey {
	secret := PerCommitmentSecret(seed, index)
	pub := PerCommitmentPointFromSecret(secret)
	clear(secret[:])
	return pub
}

// PerCommitmentPointFromSecret returns secret * G, the per-commitment point
// that a per-commitment secret belongs to. The secret is reduced modulo the
// group order, as every implementation does (an overflowing SHA-256 output
// has probability below 2^-127).
func PerCommitmentPointFromSecret(secret [32]byte) *btcec.PublicKey {
	var k btcec.ModNScalar
	k.SetBytes(&secret)
	var p btcec.JacobianPoint
	btcec.ScalarBaseMultNonConst(&k, &p)
	k.Zero()
	p.ToAffine()
	return toPublicKey(&p)
}

// deriveSecret is BOLT 3 derive_secret: starting from base, for each bit B of
// index from bits-1 down to 0 that is set, flip bit B of the value and hash it.
func deriveSecret(base [32]byte, bits uint, index uint64) [32]byte {
	p := base
	for b := int(bits) - 1; b >= 0; b-- {
		if index>>uint(b)&1 == 1 {
			p[b/8] ^= 1 << (uint(b) % 8)
			p = sha256.Sum256(p[:])
		}
	}
	return p
}
