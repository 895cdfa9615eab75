package secp

import (
	"math/rand"
	"testing"

	"github.com/btcsuite/btcd/btcec/v2"
	"github.com/stretchr/testify/require"
)

// requireBaseMultMatches checks ScalarBaseMultNonConst against btcec's for
// k, and that the comb computed it (no fallback).
func requireBaseMultMatches(t testing.TB, k *btcec.ModNScalar, msgAndArgs ...any) {
	t.Helper()
	var want, got btcec.JacobianPoint
	btcec.ScalarBaseMultNonConst(k, &want)
	ScalarBaseMultNonConst(k, &got)
	var r Point
	require.True(t, baseMult(k, &r), msgAndArgs...)
	// btcec's point at infinity here is X = Y = 0 (with Z = 1), which its
	// AddNonConst treats as infinity like Z = 0.
	want.X.Normalize()
	want.Y.Normalize()
	wantInf := want.Z.Normalize().IsZero() || want.X.IsZero() && want.Y.IsZero()
	require.Equal(t, wantInf, got.Z.IsZero(), msgAndArgs...)
	if got.Z.IsZero() {
		return
	}
	want.ToAffine()
	got.ToAffine()
	require.True(t, want.X.Equals(&got.X) && want.Y.Equals(&got.Y), msgAndArgs...)
}

func TestScalarBaseMultMatchesBtcec(t *testing.T) {
	rng := rand.New(rand.NewSource(51))
	ks := edgeScalars(t)
	for range 500 {
		ks = append(ks, randScalar(rng))
	}
	// Scalars with one comb column or one tooth full.
	for i := 0; i < 256; i += 17 {
		var b [32]byte
		b[31-i/8] = 1 << (i % 8)
		var k btcec.ModNScalar
		k.SetBytes(&b)
		ks = append(ks, k)
	}
	for i, k := range ks {
		requireBaseMultMatches(t, &k, "case %d: %v", i, k)
	}
}

func BenchmarkScalarBaseMult(b *testing.B) {
	k := randScalar(rand.New(rand.NewSource(52)))
	var out btcec.JacobianPoint
	b.Run("fast", func(b *testing.B) {
		for b.Loop() {
			ScalarBaseMultNonConst(&k, &out)
		}
	})
	b.Run("btcec", func(b *testing.B) {
		for b.Loop() {
			btcec.ScalarBaseMultNonConst(&k, &out)
		}
	})
}
