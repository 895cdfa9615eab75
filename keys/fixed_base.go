package keys

import (
	"github.com/btcsuite/btcd/btcec/v2"

	"github.com/lnkit/lnkit/internal/secp"
)

// FixedBase is a public key with a table of its multiples, for multiplying
// that one point by many scalars: a channel's revocation_basepoint is
// multiplied once per commitment (revocationpubkey). It is internal/secp's
// Comb (a Lim–Lee comb of 8 teeth over the halves of a GLV-split scalar: 16
// doublings and at most 32 mixed additions per product, about a third of
// the time of btcec.ScalarMultNonConst, for a 16 KB table computed once).
// Like ScalarMultNonConst it is not constant time: use it with public
// scalars only (the revocation tweak is a hash of public points). A
// FixedBase is immutable and safe for concurrent use.
type FixedBase struct {
	point      *btcec.PublicKey
	compressed [33]byte
	comb       *secp.Comb
}

// NewFixedBase returns the table of p, which must not be nil.
func NewFixedBase(p *btcec.PublicKey) *FixedBase {
	return &FixedBase{point: p, compressed: secp.CompressPubKey(p), comb: secp.NewComb(p)}
}

// PublicKey returns the point.
func (f *FixedBase) PublicKey() *btcec.PublicKey { return f.point }

// mul sets result to k·point (Jacobian).
func (f *FixedBase) mul(k *btcec.ModNScalar, result *btcec.JacobianPoint) {
	f.comb.MulNonConst(k, result)
}
