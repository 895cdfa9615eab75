package noise

import (
	"crypto/sha256"
	"math/big"

	"github.com/btcsuite/btcd/btcec/v2"
)

// pubKeySize is the size of a compressed secp256k1 public key.
const pubKeySize = 33

// parsePoint decodes a compressed public key into p (with Z = 1) without
// allocating. It reports false if b is not a valid compressed point.
func parsePoint(b []byte, p *btcec.JacobianPoint) bool {
	if len(b) != pubKeySize || (b[0] != 0x02 && b[0] != 0x03) {
		return false
	}
	if overflow := p.X.SetByteSlice(b[1:]); overflow {
		return false
	}
	if !btcec.DecompressY(&p.X, b[0] == 0x03, &p.Y) {
		return false
	}
	p.Y.Normalize()
	p.Z.SetInt(1)
	return true
}

// compressJacobian returns the compressed serialization of p, which must
// not be the point at infinity. p is converted to affine coordinates.
func compressJacobian(p *btcec.JacobianPoint) [pubKeySize]byte {
	var out [pubKeySize]byte
	toAffine(p)
	out[0] = 0x02 | byte(p.Y.IsOddBit())
	p.X.PutBytesUnchecked(out[1:])
	return out
}

// toAffine converts p, which must not be the point at infinity, to affine
// coordinates (Z = 1) with X and Y normalized.
//
// It does what JacobianPoint.ToAffine does, but inverts Z with math/big's
// binary GCD instead of the field's Fermat exponentiation, which is about
// fifteen times slower and was the largest single cost of a handshake after
// the scalar multiplications. Like those multiplications, the inversion is
// variable-time.
func toAffine(p *btcec.JacobianPoint) {
	var zb [32]byte
	p.Z.Normalize()
	p.Z.PutBytes(&zb)
	z := new(big.Int).SetBytes(zb[:])
	if z.ModInverse(z, btcec.S256().P) == nil {
		p.ToAffine() // Z is zero: not a valid point; keep btcec's behaviour
		return
	}
	z.FillBytes(zb[:])
	var zInv, zInv2 btcec.FieldVal
	zInv.SetBytes(&zb)
	zInv2.SquareVal(&zInv)
	p.X.Mul(&zInv2).Normalize()
	zInv2.Mul(&zInv) // 1/Z^3
	p.Y.Mul(&zInv2).Normalize()
	p.Z.SetInt(1)
}

// ecdh returns SHA-256(compressed(k·p)), the ECDH of BOLT 8.
//
// It uses btcec's variable-time scalar multiplication, the only general one
// btcec offers (its own GenerateSharedSecret uses the same).
func ecdh(k *btcec.ModNScalar, p *btcec.JacobianPoint) [32]byte {
	var r btcec.JacobianPoint
	btcec.ScalarMultNonConst(k, p, &r)
	c := compressJacobian(&r)
	return sha256.Sum256(c[:])
}
