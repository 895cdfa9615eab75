package secp

import "github.com/btcsuite/btcd/btcec/v2"

// The comb (Lim–Lee) of a point P: a half of a GLV-split scalar, below
// 2^128, is read as combSpacing columns of combTeeth bits spaced
// combSpacing apart; column i indexes the sum of 2^(16j)·P over its set
// bits j. Both halves go through the same table together (the second
// half's entries mapped by φ: x·β): 16 doublings and at most 32 mixed
// additions per product. The generator's table is generated
// (g_comb_table.go); Comb builds one for any point.
const (
	combTeeth   = 8
	combSpacing = 16
	combEntries = 1<<combTeeth - 1
)

// combTable is a comb's table: entry v-1 is the sum of 2^(16j)·P over the
// bits j set in v (1 ≤ v ≤ 255), in affine coordinates.
type combTable [combEntries]Affine

// Comb is a table of multiples of one point for computing many products
// k·P faster than ScalarMult (the revocation basepoint of a channel is
// multiplied once per commitment). Building it costs about as much as six
// products; it takes 16 KB. Products run in variable time, like
// ScalarMult: use it with public scalars only. A Comb is immutable and
// safe for concurrent use.
type Comb struct {
	table combTable
}

// NewComb returns the comb of pub, which must be a point of the curve (a
// parsed or derived public key).
func NewComb(pub *btcec.PublicKey) *Comb {
	c := &Comb{}
	p := AffineFromPubKey(pub)
	// The teeth 2^(16j)·P, affine.
	var teeth [combTeeth]Affine
	teeth[0] = p
	var q Point
	q.fromAffine(&p)
	for j := 1; j < combTeeth; j++ {
		for range combSpacing {
			pointDouble(&q, &q)
		}
		teeth[j] = q.Affine()
		q.fromAffine(&teeth[j])
	}
	// Entry v is tooth high(v) plus entry v minus that tooth; none is the
	// point at infinity (each is a multiple of P by a positive number
	// below 2^113, less than n).
	var js [combEntries]Point
	for v := 1; v <= combEntries; v++ {
		high := 0
		for v>>(high+1) != 0 {
			high++
		}
		rest := v &^ (1 << high)
		if rest == 0 {
			js[v-1].fromAffine(&teeth[high])
			continue
		}
		pointAddAffine(&js[v-1], &js[rest-1], &teeth[high])
	}
	batchAffine(js[:], c.table[:])
	return c
}

// MulNonConst sets result = k·P, in Jacobian coordinates with X, Y and Z
// normalized (the point at infinity, for k zero, is (0, 0, 0)), in
// variable time.
func (c *Comb) MulNonConst(k *btcec.ModNScalar, result *btcec.JacobianPoint) {
	var r Point
	if !combMul(&c.table, k, &r) {
		// Not reached (see combMul); a correct product all the same.
		var j Point
		j.fromAffine(&c.table[0])
		var p btcec.JacobianPoint
		j.toBtcec(&p)
		ScalarMultNonConst(k, &p, result)
		return
	}
	r.toBtcec(result)
}

// combMul sets r = k·P for the comb table of P and reports true, or
// reports false if a half of the GLV split does not fit the comb's 128 bits
// (which the split's bounds rule out; the caller then computes the product
// otherwise).
func combMul(t *combTable, k *btcec.ModNScalar, r *Point) bool {
	glv := newGLVConstants()
	k1, k2, neg1, neg2 := splitScalar(k, &glv)
	if k1[2]|k1[3]|k2[2]|k2[3] != 0 {
		return false
	}
	beta := betaFe()
	var q Point // infinity
	for i := combSpacing - 1; i >= 0; i-- {
		pointDouble(&q, &q)
		if v := combColumn(&k1, i); v != 0 {
			a := t[v-1]
			if neg1 {
				feNeg(&a.y, &a.y)
			}
			pointAddAffine(&q, &q, &a)
		}
		if v := combColumn(&k2, i); v != 0 {
			a := t[v-1]
			feMul(&a.x, &a.x, &beta)
			if neg2 {
				feNeg(&a.y, &a.y)
			}
			pointAddAffine(&q, &q, &a)
		}
	}
	*r = q
	return true
}

// combColumn returns the bits i, i+16, …, i+112 of k as bits 0 to 7.
func combColumn(k *[4]uint64, i int) int {
	v := 0
	for j := combTeeth - 1; j >= 0; j-- {
		b := j*combSpacing + i
		v = v<<1 | int(k[b/64]>>(b%64)&1)
	}
	return v
}

// batchAffine converts the points js, none of them the point at infinity,
// to affine coordinates into out with one field inversion (Montgomery's
// trick).
func batchAffine(js []Point, out []Affine) {
	prefix := make([]fe, len(js))
	acc := feOne()
	for i := range js {
		prefix[i] = acc
		feMul(&acc, &acc, &js[i].z)
	}
	var inv fe
	feInv(&inv, &acc) // 1/(z_0 ⋯ z_{n-1})
	for i := len(js) - 1; i >= 0; i-- {
		var zi fe
		feMul(&zi, &inv, &prefix[i]) // 1/z_i
		feMul(&inv, &inv, &js[i].z)  // 1/(z_0 ⋯ z_{i-1})
		out[i] = affineWithInv(&js[i], &zi)
	}
}
