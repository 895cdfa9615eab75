package secp

import (
	"github.com/btcsuite/btcd/btcec/v2"
	"github.com/btcsuite/btcd/btcec/v2/ecdsa"
)

// orderFe is the group order n as a field element (n < p).
func orderFe() fe {
	return fe{0xbfd25e8cd0364141, 0xbaaedce6af48a03b, 0xfffffffffffffffe, 0xffffffffffffffff}
}

// primeMinusOrder is p - n: an x coordinate below it has two candidates
// (x and x + n) reducing to the same r.
func primeMinusOrder() fe {
	return fe{0x402da1722fc9baee, 0x4551231950b75fc4, 0x1, 0}
}

// Verify reports whether (r, s) is an ECDSA signature of hash by pub, with
// exactly the semantics of btcec's (decred's) ecdsa.Signature.Verify:
// r and s must be non-zero (a ModNScalar is always below n), hash is
// reduced as ModNScalar.SetByteSlice reduces it, a high s is accepted, and
// the signature verifies when the x coordinate of u1·G + u2·pub, u1 =
// hash/s and u2 = r/s, reduces to r modulo n (including the wrap-around
// case x ≥ n). A pub that is not on the curve (a PublicKey built with
// NewPublicKey from arbitrary coordinates) is handed to decred unchanged.
//
// The product is computed with gMulAdd, in variable time, which suits
// verification: every input is public.
func Verify(r, s *btcec.ModNScalar, hash []byte, pub *btcec.PublicKey) bool {
	if pub == nil || !pub.IsOnCurve() {
		return ecdsa.NewSignature(r, s).Verify(hash, pub)
	}
	if r.IsZero() || s.IsZero() {
		return false
	}
	var e btcec.ModNScalar
	e.SetByteSlice(hash)
	var w, u1, u2 btcec.ModNScalar
	w.InverseValNonConst(s)
	u1.Mul2(&e, &w)
	u2.Mul2(r, &w)

	q := AffineFromPubKey(pub)
	var x Point
	gMulAdd(&u1, &u2, &q, &x)
	if x.IsInfinity() {
		return false
	}
	return xReducesTo(&x, r)
}

// VerifySignature is Verify for a parsed signature.
func VerifySignature(sig *ecdsa.Signature, hash []byte, pub *btcec.PublicKey) bool {
	r, s := sig.R(), sig.S()
	return Verify(&r, &s, hash, pub)
}

// xReducesTo reports whether the affine x coordinate of the non-infinity
// point p, reduced modulo n, is r: whether r·z² = X, or, when r + n is
// still below p, (r + n)·z² = X.
func xReducesTo(p *Point, r *btcec.ModNScalar) bool {
	rb := r.Bytes()
	var rf fe
	feSetBytes(&rf, &rb) // r < n < p
	var z2, t fe
	feSqr(&z2, &p.z)
	feMul(&t, &rf, &z2)
	if t == p.x {
		return true
	}
	pn := primeMinusOrder()
	if !feLess(&rf, &pn) {
		return false
	}
	n := orderFe()
	feAdd(&rf, &rf, &n)
	feMul(&t, &rf, &z2)
	return t == p.x
}

// feLess reports whether a < b as integers.
func feLess(a, b *fe) bool {
	for i := 3; i >= 0; i-- {
		if a[i] != b[i] {
			return a[i] < b[i]
		}
	}
	return false
}
