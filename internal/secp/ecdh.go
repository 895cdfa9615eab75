package secp

import (
	"crypto/sha256"

	"github.com/btcsuite/btcd/btcec/v2"
)

// ECDHPoint returns SHA-256(compressed(k·p)), the ECDH of BOLT 4 and BOLT
// 8, and reports false if the product is the point at infinity (k zero or
// p not a point of the group). p must be a valid point; it is not modified.
//
// The product is computed with btcec's ScalarMultNonConst, the only
// general scalar multiplication btcec offers (its own GenerateSharedSecret
// uses the same).
func ECDHPoint(k *btcec.ModNScalar, p *btcec.JacobianPoint) ([32]byte, bool) {
	var r btcec.JacobianPoint
	btcec.ScalarMultNonConst(k, p, &r)
	if r.Z.Normalize().IsZero() {
		return [32]byte{}, false
	}
	c := Compress(&r)
	return sha256.Sum256(c[:]), true
}

// ECDH returns SHA-256(compressed(k·pub)) and reports false if pub is nil
// or not on the curve, or if the product is the point at infinity.
func ECDH(k *btcec.ModNScalar, pub *btcec.PublicKey) ([32]byte, bool) {
	if pub == nil || !pub.IsOnCurve() {
		return [32]byte{}, false
	}
	var p btcec.JacobianPoint
	LoadPubKey(pub, &p)
	return ECDHPoint(k, &p)
}
