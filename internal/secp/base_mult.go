package secp

import "github.com/btcsuite/btcd/btcec/v2"

// The generator's comb (Lim–Lee): a half of a GLV-split scalar, below
// 2^128, is read as combSpacing columns of combTeeth bits spaced
// combSpacing apart; column i indexes the sum of 2^(16j)·G over its set
// bits j (g_comb_table.go).
const (
	combTeeth   = 8
	combSpacing = 16
	combEntries = 1<<combTeeth - 1
)

// ScalarBaseMultNonConst sets result = k·G, as btcec.ScalarBaseMultNonConst
// does, in Jacobian coordinates with X, Y and Z normalized. The point at
// infinity, for k zero, is (0, 0, 0) (btcec's is X = Y = 0 with Z = 1;
// btcec's AddNonConst takes either for the point at infinity). It runs in variable time, like
// btcec's: it is for public scalars (a key derivation's tweak), never for
// secrets.
//
// k is split with the GLV endomorphism into k1 + k2·λ, and both halves go
// through the generator's comb together: 16 doublings and at most 32 mixed
// additions, the second half's entries mapped by φ (x·β).
func ScalarBaseMultNonConst(k *btcec.ModNScalar, result *btcec.JacobianPoint) {
	var r Point
	if !baseMult(k, &r) {
		btcec.ScalarBaseMultNonConst(k, result)
		return
	}
	r.toBtcec(result)
}

// baseMult sets r = k·G and reports true, or reports false if a half of
// the split does not fit the comb's 128 bits (which the split's bounds
// rule out; the caller then computes the product otherwise).
func baseMult(k *btcec.ModNScalar, r *Point) bool {
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
			a := gCombTable[v-1]
			if neg1 {
				feNeg(&a.y, &a.y)
			}
			pointAddAffine(&q, &q, &a)
		}
		if v := combColumn(&k2, i); v != 0 {
			a := gCombTable[v-1]
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
