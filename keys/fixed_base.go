package keys

import (
	"github.com/btcsuite/btcd/btcec/v2"

	"github.com/lnkit/lnkit/internal/secp"
)

// A comb of fixedBaseTeeth teeth spaced fixedBaseSpacing bits apart covers
// a 256-bit scalar (6 × 43 = 258 bits).
const (
	fixedBaseTeeth   = 6
	fixedBaseSpacing = 43
	fixedBaseEntries = 1<<fixedBaseTeeth - 1
)

// FixedBase is a public key with a table of its multiples, for multiplying
// that one point by many scalars: a channel's revocation_basepoint is
// multiplied once per commitment (revocationpubkey). It uses a
// fixed-base comb (Lim-Lee) of 6 teeth: 43 doublings and at most 43 mixed
// additions per product instead of the 128 doublings and about 86
// additions of btcec.ScalarMultNonConst, for a table of 63 affine points
// (about 7.5 KB) computed once. Like ScalarMultNonConst it is not constant
// time: use it with public scalars only (the revocation tweak is a hash of
// public points). A FixedBase is immutable and safe for concurrent use.
type FixedBase struct {
	point      *btcec.PublicKey
	compressed [33]byte
	// table[v-1] is Σ 2^(43·j)·point over the bits j set in v (1 ≤ v ≤ 63),
	// affine (Z = 1) and normalized.
	table [fixedBaseEntries]btcec.JacobianPoint
}

// NewFixedBase returns the table of p, which must not be nil.
func NewFixedBase(p *btcec.PublicKey) *FixedBase {
	f := &FixedBase{point: p}
	var teeth [fixedBaseTeeth]btcec.JacobianPoint
	secp.LoadPubKey(p, &teeth[0])
	secp.PutCompressed(&teeth[0], &f.compressed)
	for j := 1; j < fixedBaseTeeth; j++ {
		teeth[j] = teeth[j-1]
		for range fixedBaseSpacing {
			btcec.DoubleNonConst(&teeth[j], &teeth[j])
		}
	}
	for v := 1; v <= fixedBaseEntries; v++ {
		high := 0
		for v>>(high+1) != 0 {
			high++
		}
		rest := v &^ (1 << high)
		if rest == 0 {
			f.table[v-1] = teeth[high]
			continue
		}
		btcec.AddNonConst(&f.table[rest-1], &teeth[high], &f.table[v-1])
	}
	pts := make([]*btcec.JacobianPoint, fixedBaseEntries)
	for i := range f.table {
		pts[i] = &f.table[i]
	}
	// No entry is the point at infinity: each is a multiple of p by a
	// positive number below 2^216, less than the group order.
	batchToAffine(pts)
	return f
}

// PublicKey returns the point.
func (f *FixedBase) PublicKey() *btcec.PublicKey { return f.point }

// mul sets result to k·point (Jacobian).
func (f *FixedBase) mul(k *btcec.ModNScalar, result *btcec.JacobianPoint) {
	b := k.Bytes()
	bit := func(i int) int {
		if i >= 256 {
			return 0
		}
		return int(b[31-i/8]>>(i%8)) & 1
	}
	var q btcec.JacobianPoint
	for i := fixedBaseSpacing - 1; i >= 0; i-- {
		btcec.DoubleNonConst(&q, &q)
		v := 0
		for j := fixedBaseTeeth - 1; j >= 0; j-- {
			v = v<<1 | bit(j*fixedBaseSpacing+i)
		}
		if v != 0 {
			btcec.AddNonConst(&q, &f.table[v-1], &q)
		}
	}
	result.Set(&q)
}
