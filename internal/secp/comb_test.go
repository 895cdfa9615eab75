package secp

import (
	"math/rand"
	"testing"

	"github.com/btcsuite/btcd/btcec/v2"
	"github.com/stretchr/testify/require"
)

// TestCombOfGeneratorIsGenerated checks NewComb, with this package's
// arithmetic, builds the generator's table exactly as btcec generated it.
func TestCombOfGeneratorIsGenerated(t *testing.T) {
	require.Equal(t, gCombTable, NewComb(btcec.Generator()).table)
}

// TestCombMatchesBtcec compares Comb products with btcec's for random and
// edge points and scalars.
func TestCombMatchesBtcec(t *testing.T) {
	rng := rand.New(rand.NewSource(61))
	for i, d := range append(edgeScalars(t)[1:], randScalar(rng), randScalar(rng), randScalar(rng)) {
		pub := pubFromScalar(&d)
		c := NewComb(pub)
		ks := edgeScalars(t)
		for range 40 {
			ks = append(ks, randScalar(rng))
		}
		ks = append(ks, d) // d·(d·G)
		for j, k := range ks {
			var p, want, got btcec.JacobianPoint
			pub.AsJacobian(&p)
			btcec.ScalarMultNonConst(&k, &p, &want)
			c.MulNonConst(&k, &got)
			var r Point
			require.True(t, combMul(&c.table, &k, &r), "point %d scalar %d: fallback", i, j)
			require.Equal(t, want.Z.Normalize().IsZero(), got.Z.IsZero(), "point %d scalar %d", i, j)
			if got.Z.IsZero() {
				continue
			}
			want.ToAffine()
			got.ToAffine()
			require.True(t, want.X.Equals(&got.X) && want.Y.Equals(&got.Y), "point %d scalar %d", i, j)
		}
	}
}

func BenchmarkComb(b *testing.B) {
	rng := rand.New(rand.NewSource(62))
	d, k := randScalar(rng), randScalar(rng)
	pub := pubFromScalar(&d)
	var out btcec.JacobianPoint
	b.Run("new", func(b *testing.B) {
		for b.Loop() {
			NewComb(pub)
		}
	})
	c := NewComb(pub)
	b.Run("mul", func(b *testing.B) {
		for b.Loop() {
			c.MulNonConst(&k, &out)
		}
	})
}
