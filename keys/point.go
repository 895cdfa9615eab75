package keys

import (
	"crypto/sha256"

	"github.com/btcsuite/btcd/btcec/v2"

	"github.com/lnkit/lnkit/internal/secp"
)

// This file holds the allocation-free point and scalar helpers the BOLT 3
// derivations are built from.

// hashPair returns SHA256(a || b) reduced modulo the group order.
func hashPair(a, b *[33]byte) btcec.ModNScalar {
	var buf [66]byte
	copy(buf[:33], a[:])
	copy(buf[33:], b[:])
	h := sha256.Sum256(buf[:])
	var s btcec.ModNScalar
	s.SetBytes(&h)
	return s
}

// toPublicKey converts an affine, normalized point to a public key.
func toPublicKey(p *btcec.JacobianPoint) *btcec.PublicKey {
	return btcec.NewPublicKey(&p.X, &p.Y)
}

// addTweakG sets result = base + t*G. base must be normalized. t is public
// (a hash of public points), so t*G is computed with internal/secp's
// variable-time comb.
func addTweakG(base *btcec.JacobianPoint, t *btcec.ModNScalar, result *btcec.JacobianPoint) {
	var tG btcec.JacobianPoint
	secp.ScalarBaseMultNonConst(t, &tG)
	btcec.AddNonConst(base, &tG, result)
}

// batchToAffine converts points to affine coordinates with a single field
// inversion (Montgomery's trick). Points at infinity (Z = 0) are left as
// they are. The inversion (secp.InvertField) is variable time: the points
// must be public (derived public keys), not products of secrets.
func batchToAffine(points []*btcec.JacobianPoint) {
	const maxBatch = 8
	if len(points) > maxBatch {
		batchToAffine(points[maxBatch:])
		points = points[:maxBatch]
	}
	// prefix[i] = Z_0 * ... * Z_i over the points with Z != 0.
	var prefix [maxBatch]btcec.FieldVal
	var acc btcec.FieldVal
	acc.SetInt(1)
	for i, p := range points {
		p.Z.Normalize()
		if !p.Z.IsZero() {
			acc.Mul(&p.Z).Normalize()
		}
		prefix[i].Set(&acc)
	}
	inv := secp.InvertField(&acc) // (Z_0 * ... * Z_n-1)^-1
	for i := len(points) - 1; i >= 0; i-- {
		p := points[i]
		if p.Z.IsZero() {
			continue
		}
		var zInv btcec.FieldVal
		if i > 0 {
			zInv.Mul2(inv, &prefix[i-1]) // Z_i^-1
		} else {
			zInv.Set(inv)
		}
		inv.Mul(&p.Z).Normalize() // drop Z_i from the running inverse
		var z2 btcec.FieldVal
		z2.SquareVal(&zInv)
		p.X.Mul(&z2).Normalize()
		p.Y.Mul(z2.Mul(&zInv)).Normalize()
		p.Z.SetInt(1)
	}
}
