package secp

import "github.com/btcsuite/btcd/btcec/v2"

// Scalar multiplication of an arbitrary point, k·P: the ECDH of BOLT 4 and
// BOLT 8, the key blinding of an onion hop, the per-commitment key
// derivations.
//
// k is split with the GLV endomorphism of secp256k1 into k = k1 + k2·λ (mod n)
// with |k1|, |k2| < 2^128, so that k·P = k1·P + k2·φ(P) where
// φ(x, y) = (β·x, y). Both halves are written in width-5 non-adjacent form and
// evaluated together over a table of the odd multiples P, 3P, …, 15P. The
// table is brought to a common Z coordinate and then used as affine points of
// an isomorphic curve (the addition and doubling formulas of y² = x³ + b do
// not depend on b), so every table addition is a cheaper mixed addition; the
// common Z is multiplied back into the result at the end. The field
// arithmetic is in field.go, the point formulas in point.go, the scalar split
// in glv.go and the digit recoding in wnaf.go.
//
// Everything is in non-constant time, like btcec's own ScalarMultNonConst.
// See doc.go for where that is used.

// betaFe returns β, the cube root of unity mod p with φ(x, y) = (β·x, y).
func betaFe() fe {
	return fe{0xc1396c28719501ee, 0x9cf0497512f58995, 0x6e64479eac3434e9, 0x7ae96a2b657c0710}
}

// oddMultiples fills tbl with the odd multiples P, 3P, …, 15P of the
// affine point p, expressed as affine points of the isomorphic curve
// scaled by the returned c: the true Jacobian point of entry i is
// (tbl[i].x, tbl[i].y, c). This avoids an inversion: the entries are
// computed on the curve where 2P is affine, then brought to a common Z.
func oddMultiples(p *Affine, tbl *[wnafTableLen]Affine) fe {
	var pj, d Point
	pj.fromAffine(p)
	pointDouble(&d, &pj)

	// On the curve scaled by d.z, 2P is affine and P is (x·z², y·z³).
	var z2, z3 fe
	feSqr(&z2, &d.z)
	feMul(&z3, &z2, &d.z)
	var js [wnafTableLen]Point
	feMul(&js[0].x, &p.x, &z2)
	feMul(&js[0].y, &p.y, &z3)
	js[0].z = feOne()
	dAff := Affine{x: d.x, y: d.y}
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

// ScalarMult sets r = k·p for an affine point p. r is the point at
// infinity when k is zero. See above for the method.
func ScalarMult(k *btcec.ModNScalar, p *Affine, r *Point) {
	glv := newGLVConstants()
	k1, k2, neg1, neg2 := splitScalar(k, &glv)
	var d1, d2 [wnafMaxDigits]int8
	n1 := wnaf(k1, wnafWidth, &d1)
	n2 := wnaf(k2, wnafWidth, &d2)
	var t pointTable
	t.init(p, neg1, neg2)

	var q Point // infinity
	for i := max(n1, n2) - 1; i >= 0; i-- {
		pointDouble(&q, &q)
		if i < n1 {
			addDigit(&q, d1[i], &t.plus1, &t.minus1)
		}
		if i < n2 {
			addDigit(&q, d2[i], &t.plus2, &t.minus2)
		}
	}
	if !q.IsInfinity() {
		feMul(&q.z, &q.z, &t.c)
	}
	*r = q
}

// pointTable holds the odd multiples P, 3P, …, 15P of a point and those of
// its image φ(P), each with both signs, as affine points of the isomorphic
// curve of oddMultiples (true Z = c). The signs of a GLV split are folded
// in, so that a digit's sign picks the table.
type pointTable struct {
	plus1, minus1, plus2, minus2 [wnafTableLen]Affine
	c                            fe
}

// init fills t for p and the signs neg1, neg2 of the two halves of the
// split scalar.
func (t *pointTable) init(p *Affine, neg1, neg2 bool) {
	t.c = oddMultiples(p, &t.plus1)
	beta := betaFe()
	for i := range t.plus1 {
		t.minus1[i].x = t.plus1[i].x
		feNeg(&t.minus1[i].y, &t.plus1[i].y)
		feMul(&t.plus2[i].x, &t.plus1[i].x, &beta)
		t.plus2[i].y = t.plus1[i].y
		t.minus2[i].x = t.plus2[i].x
		t.minus2[i].y = t.minus1[i].y
	}
	if neg1 {
		t.plus1, t.minus1 = t.minus1, t.plus1
	}
	if neg2 {
		t.plus2, t.minus2 = t.minus2, t.plus2
	}
}

// addDigit adds the table entry of the wNAF digit d (zero: nothing) to q.
func addDigit(q *Point, d int8, plus, minus *[wnafTableLen]Affine) {
	if d > 0 {
		pointAddAffine(q, q, &plus[d>>1])
	} else if d < 0 {
		pointAddAffine(q, q, &minus[(-d)>>1])
	}
}
