package secp

import (
	"math/big"

	"github.com/btcsuite/btcd/btcec/v2"
)

// CompressedSize is the size of a compressed secp256k1 public key.
const CompressedSize = 33

// PutCompressed writes the compressed form of p to out. p must be in
// affine coordinates (Z = 1) with X and Y normalized.
func PutCompressed(p *btcec.JacobianPoint, out *[CompressedSize]byte) {
	out[0] = 0x02 | byte(p.Y.IsOddBit())
	p.X.PutBytesUnchecked(out[1:])
}

// Compress converts p, which must not be the point at infinity, to affine
// coordinates (see ToAffine) and returns its compressed form.
func Compress(p *btcec.JacobianPoint) [CompressedSize]byte {
	var out [CompressedSize]byte
	ToAffine(p)
	PutCompressed(p, &out)
	return out
}

// CompressPubKey returns the compressed form of pub without allocating.
func CompressPubKey(pub *btcec.PublicKey) [CompressedSize]byte {
	var p btcec.JacobianPoint
	LoadPubKey(pub, &p)
	var out [CompressedSize]byte
	PutCompressed(&p, &out)
	return out
}

// LoadPubKey loads pub into out as a normalized point with Z = 1.
func LoadPubKey(pub *btcec.PublicKey, out *btcec.JacobianPoint) {
	pub.AsJacobian(out)
	out.X.Normalize()
	out.Y.Normalize()
}

// ParseCompressed decodes a compressed public key into p (Z = 1, X and Y
// normalized) without allocating. It reports false if b is not a valid
// compressed point.
func ParseCompressed(b []byte, p *btcec.JacobianPoint) bool {
	if len(b) != CompressedSize || (b[0] != 0x02 && b[0] != 0x03) {
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

// ToAffine converts p, which must not be the point at infinity, to affine
// coordinates (Z = 1) with X and Y normalized.
//
// It does what JacobianPoint.ToAffine does, but inverts Z with math/big's
// binary GCD instead of the field's Fermat exponentiation, which is about
// fifteen times slower. Like the scalar multiplications before it, the
// inversion is variable-time. A point at infinity is left to btcec.
func ToAffine(p *btcec.JacobianPoint) {
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

// InvertField sets f to 1/f (zero stays zero), as f.Inverse() does, with
// this package's field arithmetic (about twice as fast as btcec's), and
// returns f normalized. Like everything in this package it is not
// constant time (the field's reductions branch): it is for coordinates of
// public points.
func InvertField(f *btcec.FieldVal) *btcec.FieldVal {
	var b [32]byte
	f.Normalize().PutBytes(&b)
	var x fe
	feSetBytes(&x, &b) // normalized: below p
	feInv(&x, &x)
	fePutBytes(b[:], &x)
	f.SetBytes(&b)
	return f
}
