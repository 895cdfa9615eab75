package secp

import "github.com/btcsuite/btcd/btcec/v2"

// ScalarMultNonConst sets result = k·p, as btcec.ScalarMultNonConst does,
// for a point p of the curve in Jacobian coordinates (any Z; Z = 0 is the
// point at infinity, whose product is the point at infinity). The result is
// in Jacobian coordinates with X, Y and Z normalized; the point at infinity
// is (0, 0, 0). It runs in variable time, like btcec's.
func ScalarMultNonConst(k *btcec.ModNScalar, p, result *btcec.JacobianPoint) {
	a, ok := affineFromBtcec(p)
	if !ok {
		result.X.SetInt(0)
		result.Y.SetInt(0)
		result.Z.SetInt(0)
		return
	}
	var r Point
	ScalarMult(k, &a, &r)
	r.toBtcec(result)
}

// affineFromBtcec converts a btcec point to affine coordinates, inverting
// Z unless it is one, and reports false for the point at infinity.
func affineFromBtcec(p *btcec.JacobianPoint) (Affine, bool) {
	j := PointFromBtcec(p)
	if j.IsInfinity() {
		return Affine{}, false
	}
	if j.z == feOne() {
		return Affine{x: j.x, y: j.y}, true
	}
	return j.Affine(), true
}

// toBtcec writes p as a btcec Jacobian point (same coordinates, normalized;
// the point at infinity is (0, 0, 0)).
func (p *Point) toBtcec(out *btcec.JacobianPoint) {
	if p.IsInfinity() {
		out.X.SetInt(0)
		out.Y.SetInt(0)
		out.Z.SetInt(0)
		return
	}
	var b [32]byte
	fePutBytes(b[:], &p.x)
	out.X.SetBytes(&b)
	fePutBytes(b[:], &p.y)
	out.Y.SetBytes(&b)
	fePutBytes(b[:], &p.z)
	out.Z.SetBytes(&b)
}
