package onion

import (
	"github.com/btcsuite/btcd/btcec/v2"
)

// jacobian is a secp256k1 point in Jacobian coordinates over fe: the affine
// point is (x/z², y/z³). z = 0 is the point at infinity.
type jacobian struct {
	x, y, z fe
}

// affinePoint is a point (x, y) in affine coordinates, never infinity.
type affinePoint struct {
	x, y fe
}

func (p *jacobian) isInfinity() bool { return p.z.isZero() }

// feOne is 1 in the field.
func feOne() fe { return fe{1, 0, 0, 0} }

// fromAffine sets p to the affine point a.
func (p *jacobian) fromAffine(a *affinePoint) {
	p.x, p.y, p.z = a.x, a.y, feOne()
}

// pointDouble sets r = 2p (formula dbl-2009-l for a = 0: 2M + 5S).
func pointDouble(r, p *jacobian) {
	if p.isInfinity() || p.y.isZero() {
		*r = jacobian{}
		return
	}
	var a, b, c, d, e, f, t fe
	feSqr(&a, &p.x)
	feSqr(&b, &p.y)
	feSqr(&c, &b)
	feAdd(&t, &p.x, &b)
	feSqr(&t, &t)
	feSub(&t, &t, &a)
	feSub(&t, &t, &c)
	feDouble(&d, &t) // D = 2((X+B)² - A - C)
	feDouble(&e, &a)
	feAdd(&e, &e, &a) // E = 3A
	feSqr(&f, &e)     // F = E²
	var z3 fe
	feMul(&z3, &p.y, &p.z)
	feDouble(&r.z, &z3) // Z3 = 2YZ
	feDouble(&t, &d)
	feSub(&r.x, &f, &t) // X3 = F - 2D
	feSub(&t, &d, &r.x)
	feMul(&t, &e, &t)
	feDouble(&c, &c)
	feDouble(&c, &c)
	feDouble(&c, &c)
	feSub(&r.y, &t, &c) // Y3 = E(D - X3) - 8C
}

// pointAddAffine sets r = p + q for an affine q (formula madd-2007-bl:
// 7M + 4S). r may alias p.
func pointAddAffine(r, p *jacobian, q *affinePoint) {
	if p.isInfinity() {
		r.fromAffine(q)
		return
	}
	var z1z1, u2, s2, h, hh, i, j, rr, v, t fe
	feSqr(&z1z1, &p.z)
	feMul(&u2, &q.x, &z1z1)
	feMul(&s2, &q.y, &p.z)
	feMul(&s2, &s2, &z1z1)
	feSub(&h, &u2, &p.x)
	feSub(&rr, &s2, &p.y)
	if h.isZero() {
		if rr.isZero() {
			pointDouble(r, p)
			return
		}
		*r = jacobian{}
		return
	}
	feDouble(&rr, &rr) // r = 2(S2 - Y1)
	feSqr(&hh, &h)
	feDouble(&i, &hh)
	feDouble(&i, &i) // I = 4HH
	feMul(&j, &h, &i)
	feMul(&v, &p.x, &i)
	// Z3 = (Z1 + H)² - Z1Z1 - HH, computed before p is overwritten.
	var z3 fe
	feAdd(&z3, &p.z, &h)
	feSqr(&z3, &z3)
	feSub(&z3, &z3, &z1z1)
	feSub(&z3, &z3, &hh)
	// Y1·J before Y1 is overwritten.
	var y1j fe
	feMul(&y1j, &p.y, &j)
	feDouble(&y1j, &y1j)
	// X3 = r² - J - 2V
	feSqr(&t, &rr)
	feSub(&t, &t, &j)
	feSub(&t, &t, &v)
	feSub(&r.x, &t, &v)
	// Y3 = r(V - X3) - 2·Y1·J
	feSub(&t, &v, &r.x)
	feMul(&t, &rr, &t)
	feSub(&r.y, &t, &y1j)
	r.z = z3
}

// betaFe returns β, the cube root of unity mod p with φ(x, y) = (β·x, y).
func betaFe() fe {
	return fe{0xc1396c28719501ee, 0x9cf0497512f58995, 0x6e64479eac3434e9, 0x7ae96a2b657c0710}
}

// oddMultiples fills tbl with the odd multiples P, 3P, …, 15P of the
// affine point p, expressed as affine points of the isomorphic curve
// scaled by the returned c: the true Jacobian point of entry i is
// (tbl[i].x, tbl[i].y, c). This avoids an inversion: the entries are
// computed on the curve where 2P is affine, then brought to a common Z.
func oddMultiples(p *affinePoint, tbl *[wnafTableLen]affinePoint) fe {
	var pj, d jacobian
	pj.fromAffine(p)
	pointDouble(&d, &pj)

	// On the curve scaled by d.z, 2P is affine and P is (x·z², y·z³).
	var z2, z3 fe
	feSqr(&z2, &d.z)
	feMul(&z3, &z2, &d.z)
	var js [wnafTableLen]jacobian
	feMul(&js[0].x, &p.x, &z2)
	feMul(&js[0].y, &p.y, &z3)
	js[0].z = feOne()
	dAff := affinePoint{x: d.x, y: d.y}
	for i := 1; i < wnafTableLen; i++ {
		pointAddAffine(&js[i], &js[i-1], &dAff)
	}

	// Common Z = ∏ Zi: entry i is scaled by s = ∏_{j≠i} Zj (prefix and
	// suffix products).
	var prefix [wnafTableLen]fe
	prefix[0] = feOne()
	for i := 1; i < wnafTableLen; i++ {
		feMul(&prefix[i], &prefix[i-1], &js[i-1].z)
	}
	suffix := feOne()
	for i := wnafTableLen - 1; i >= 0; i-- {
		var s, s2, s3 fe
		feMul(&s, &prefix[i], &suffix)
		feSqr(&s2, &s)
		feMul(&s3, &s2, &s)
		feMul(&suffix, &suffix, &js[i].z)
		feMul(&tbl[i].x, &js[i].x, &s2)
		feMul(&tbl[i].y, &js[i].y, &s3)
	}
	var c fe
	feMul(&c, &suffix, &d.z)
	return c
}

// scalarMult sets r = k·p for an affine point p. r is the point at
// infinity when k is zero. See ec.go for the method.
func scalarMult(k *btcec.ModNScalar, p *affinePoint, r *jacobian) {
	glv := newGLVConstants()
	k1, k2, neg1, neg2 := splitScalar(k, &glv)
	var d1, d2 [wnafMaxDigits]int8
	n1 := wnaf(k1, &d1)
	n2 := wnaf(k2, &d2)

	// Four tables, ±P multiples and ±φ(P) multiples, with the signs of
	// the split folded in so that the digit sign picks the table.
	var pos1, neg1T, pos2, neg2T [wnafTableLen]affinePoint
	c := oddMultiples(p, &pos1)
	beta := betaFe()
	for i := range pos1 {
		neg1T[i].x = pos1[i].x
		feNeg(&neg1T[i].y, &pos1[i].y)
		feMul(&pos2[i].x, &pos1[i].x, &beta)
		pos2[i].y = pos1[i].y
		neg2T[i].x = pos2[i].x
		neg2T[i].y = neg1T[i].y
	}
	if neg1 {
		pos1, neg1T = neg1T, pos1
	}
	if neg2 {
		pos2, neg2T = neg2T, pos2
	}

	var q jacobian // infinity
	for i := max(n1, n2) - 1; i >= 0; i-- {
		pointDouble(&q, &q)
		if i < n1 {
			if v := d1[i]; v > 0 {
				pointAddAffine(&q, &q, &pos1[v>>1])
			} else if v < 0 {
				pointAddAffine(&q, &q, &neg1T[(-v)>>1])
			}
		}
		if i < n2 {
			if v := d2[i]; v > 0 {
				pointAddAffine(&q, &q, &pos2[v>>1])
			} else if v < 0 {
				pointAddAffine(&q, &q, &neg2T[(-v)>>1])
			}
		}
	}
	if !q.isInfinity() {
		feMul(&q.z, &q.z, &c)
	}
	*r = q
}

// toAffine converts a non-infinity point to affine.
func toAffine(p *jacobian) affinePoint {
	var zi fe
	feInv(&zi, &p.z)
	return affineWithInv(p, &zi)
}

// toAffinePair converts two non-infinity points to affine with one field
// inversion (Montgomery's trick).
func toAffinePair(a, b *jacobian) (affinePoint, affinePoint) {
	var inv, ai, bi fe
	feMul(&inv, &a.z, &b.z)
	feInv(&inv, &inv)
	feMul(&ai, &inv, &b.z)
	feMul(&bi, &inv, &a.z)
	return affineWithInv(a, &ai), affineWithInv(b, &bi)
}

// affineWithInv returns (x·zi², y·zi³) for zi = 1/z.
func affineWithInv(p *jacobian, zi *fe) affinePoint {
	var z2, z3 fe
	feSqr(&z2, zi)
	feMul(&z3, &z2, zi)
	var a affinePoint
	feMul(&a.x, &p.x, &z2)
	feMul(&a.y, &p.y, &z3)
	return a
}

// compress writes the 33-byte compressed encoding of a.
func (a *affinePoint) compress(dst *[33]byte) {
	dst[0] = 0x02
	if a.y.isOdd() {
		dst[0] = 0x03
	}
	fePutBytes(dst[1:], &a.x)
}

// decompress parses a 33-byte compressed point, reporting false for
// anything that is not a valid point. It does not allocate.
func (a *affinePoint) decompress(b *[33]byte) bool {
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

// affineFromPubKey converts a btcec public key without allocating.
func affineFromPubKey(pub *btcec.PublicKey) affinePoint {
	var jp btcec.JacobianPoint
	pub.AsJacobian(&jp)
	var a affinePoint
	var b [32]byte
	jp.X.Normalize().PutBytes(&b)
	feSetBytes(&a.x, &b)
	jp.Y.Normalize().PutBytes(&b)
	feSetBytes(&a.y, &b)
	return a
}

// pubKey returns a as a btcec public key (this allocates it).
func (a *affinePoint) pubKey() *btcec.PublicKey {
	var b [32]byte
	var x, y btcec.FieldVal
	fePutBytes(b[:], &a.x)
	x.SetBytes(&b)
	fePutBytes(b[:], &a.y)
	y.SetBytes(&b)
	return btcec.NewPublicKey(&x, &y)
}

// jacobianFromBtcec converts a btcec Jacobian point.
func jacobianFromBtcec(p *btcec.JacobianPoint) jacobian {
	var j jacobian
	var b [32]byte
	p.X.Normalize().PutBytes(&b)
	feSetBytes(&j.x, &b)
	p.Y.Normalize().PutBytes(&b)
	feSetBytes(&j.y, &b)
	p.Z.Normalize().PutBytes(&b)
	feSetBytes(&j.z, &b)
	return j
}
