package secp

import "github.com/btcsuite/btcd/btcec/v2"

// Affine converts p, which must not be the point at infinity, to affine
// coordinates.
func (p *Point) Affine() Affine {
	var zi fe
	feInv(&zi, &p.z)
	return affineWithInv(p, &zi)
}

// ToAffinePair converts two non-infinity points to affine with one field
// inversion (Montgomery's trick).
func ToAffinePair(a, b *Point) (Affine, Affine) {
	var inv, ai, bi fe
	feMul(&inv, &a.z, &b.z)
	feInv(&inv, &inv)
	feMul(&ai, &inv, &b.z)
	feMul(&bi, &inv, &a.z)
	return affineWithInv(a, &ai), affineWithInv(b, &bi)
}

// affineWithInv returns (x·zi², y·zi³) for zi = 1/z.
func affineWithInv(p *Point, zi *fe) Affine {
	var z2, z3 fe
	feSqr(&z2, zi)
	feMul(&z3, &z2, zi)
	var a Affine
	feMul(&a.x, &p.x, &z2)
	feMul(&a.y, &p.y, &z3)
	return a
}

// Compress writes the 33-byte compressed encoding of a.
func (a *Affine) Compress(dst *[33]byte) {
	dst[0] = 0x02
	if a.y.isOdd() {
		dst[0] = 0x03
	}
	fePutBytes(dst[1:], &a.x)
}

// Decompress parses a 33-byte compressed point, reporting false for
// anything that is not a valid point. It does not allocate.
func (a *Affine) Decompress(b *[33]byte) bool {
	if b[0] != 0x02 && b[0] != 0x03 {
		return false
	}
	if !feSetBytes(&a.x, (*[32]byte)(b[1:])) {
		return false
	}
	// y² = x³ + 7
	var y2 fe
	feSqr(&y2, &a.x)
	feMul(&y2, &y2, &a.x)
	seven := fe{7, 0, 0, 0}
	feAdd(&y2, &y2, &seven)
	if !feSqrt(&a.y, &y2) {
		return false
	}
	if a.y.isOdd() != (b[0] == 0x03) {
		if a.y.isZero() {
			return false
		}
		feNeg(&a.y, &a.y)
	}
	return true
}

// AffineFromPubKey converts a btcec public key without allocating.
func AffineFromPubKey(pub *btcec.PublicKey) Affine {
	var jp btcec.JacobianPoint
	pub.AsJacobian(&jp)
	var a Affine
	var b [32]byte
	jp.X.Normalize().PutBytes(&b)
	feSetBytes(&a.x, &b)
	jp.Y.Normalize().PutBytes(&b)
	feSetBytes(&a.y, &b)
	return a
}

// PubKey returns a as a btcec public key (this allocates it).
func (a *Affine) PubKey() *btcec.PublicKey {
	var b [32]byte
	var x, y btcec.FieldVal
	fePutBytes(b[:], &a.x)
	x.SetBytes(&b)
	fePutBytes(b[:], &a.y)
	y.SetBytes(&b)
	return btcec.NewPublicKey(&x, &y)
}

// PointFromBtcec converts a btcec Jacobian point (left unmodified).
func PointFromBtcec(p *btcec.JacobianPoint) Point {
	// Copies: normalizing p itself would write to the caller's point.
	x, y, z := p.X, p.Y, p.Z
	var j Point
	var b [32]byte
	x.Normalize().PutBytes(&b)
	feSetBytes(&j.x, &b)
	y.Normalize().PutBytes(&b)
	feSetBytes(&j.y, &b)
	z.Normalize().PutBytes(&b)
	feSetBytes(&j.z, &b)
	return j
}
