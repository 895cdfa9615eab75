package secp

import "github.com/btcsuite/btcd/btcec/v2"

// gMulAdd sets r = u1·G + u2·p for an affine point p of the curve: the
// product of ECDSA verification and public key recovery.
//
// Both scalars are split with the GLV endomorphism (glv.go), so the sum is
// that of four half-length products a1·G + a2·φ(G) + b1·p + b2·φ(p). They
// are evaluated together (Strauss–Shamir): one chain of about 130
// doublings, into which the wNAF digits of the four halves add their table
// entries. The generator's halves use width-8 digits over the precomputed
// odd multiples of G (g_table.go), p's halves width-5 digits over the
// table ScalarMult builds (pointTable), whose entries live on the
// isomorphic curve with Z = c; the generator's entries are brought onto
// that curve as they are added ((x·c², y·c³) is the same point with Z = c),
// and c is multiplied back into the result at the end.
//
// Like ScalarMult it runs in variable time: it is for public scalars only.
func gMulAdd(u1, u2 *btcec.ModNScalar, p *Affine, r *Point) {
	glv := newGLVConstants()
	a1, a2, negA1, negA2 := splitScalar(u1, &glv)
	b1, b2, negB1, negB2 := splitScalar(u2, &glv)
	var da1, da2, db1, db2 [wnafMaxDigits]int8
	na1 := wnaf(a1, wnafWidthG, &da1)
	na2 := wnaf(a2, wnafWidthG, &da2)
	nb1 := wnaf(b1, wnafWidth, &db1)
	nb2 := wnaf(b2, wnafWidth, &db2)

	var t pointTable
	t.init(p, negB1, negB2)
	// The factors that bring an affine point of the curve onto the
	// table's curve, the second with φ's β folded in.
	var c2, c3, betaC2 fe
	feSqr(&c2, &t.c)
	feMul(&c3, &c2, &t.c)
	beta := betaFe()
	feMul(&betaC2, &c2, &beta)

	var q Point // infinity
	for i := max(na1, na2, nb1, nb2) - 1; i >= 0; i-- {
		pointDouble(&q, &q)
		if i < na1 && da1[i] != 0 {
			addGDigit(&q, da1[i], negA1, &c2, &c3)
		}
		if i < na2 && da2[i] != 0 {
			addGDigit(&q, da2[i], negA2, &betaC2, &c3)
		}
		if i < nb1 {
			addDigit(&q, db1[i], &t.plus1, &t.minus1)
		}
		if i < nb2 {
			addDigit(&q, db2[i], &t.plus2, &t.minus2)
		}
	}
	if !q.IsInfinity() {
		feMul(&q.z, &q.z, &t.c)
	}
	*r = q
}

// addGDigit adds ±|d|·G, scaled onto the table's curve by (sx, sy), to q:
// the entry is negated when d is negative or neg (the sign of the split
// half) is set, but not both. sx = c² for G, β·c² for φ(G); sy = c³.
func addGDigit(q *Point, d int8, neg bool, sx, sy *fe) {
	if d < 0 {
		d = -d
		neg = !neg
	}
	e := &gTable[d>>1]
	var a Affine
	feMul(&a.x, &e.x, sx)
	feMul(&a.y, &e.y, sy)
	if neg {
		feNeg(&a.y, &a.y)
	}
	pointAddAffine(q, q, &a)
}
