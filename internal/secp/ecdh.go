package secp

import (
	"crypto/sha256"

	"github.com/btcsuite/btcd/btcec/v2"
)

// ECDHPoint returns SHA-256(compressed(k·p)), the ECDH of BOLT 4 and BOLT
// 8, and reports false if the product is the point at infinity (k zero or
// p the point at infinity). p must be a point of the curve; it is not
// modified.
//
// The product is computed with ScalarMult, in variable time, as btcec's
// ScalarMultNonConst (which its own GenerateSharedSecret uses) computed it
// before.
func ECDHPoint(k *btcec.ModNScalar, p *btcec.JacobianPoint) ([32]byte, bool) {
	a, ok := affineFromBtcec(p)
	if !ok {
		return [32]byte{}, false
	}
	return ecdh(k, &a)
}

// ECDH returns SHA-256(compressed(k·pub)) and reports false if pub is nil
// or not on the curve, or if the product is the point at infinity.
func ECDH(k *btcec.ModNScalar, pub *btcec.PublicKey) ([32]byte, bool) {
	if pub == nil || !pub.IsOnCurve() {
		return [32]byte{}, false
	}
	a := AffineFromPubKey(pub)
	return ecdh(k, &a)
}

// ecdh returns SHA-256(compressed(k·a)), reporting false for the point at
// infinity.
func ecdh(k *btcec.ModNScalar, a *Affine) ([32]byte, bool) {
	var r Point
	ScalarMult(k, a, &r)
	if r.IsInfinity() {
		return [32]byte{}, false
	}
	ra := r.Affine()
	var c [CompressedSize]byte
	ra.Compress(&c)
	return sha256.Sum256(c[:]), true
}
