package secp

import (
	"math/rand"
	"testing"

	"github.com/btcsuite/btcd/btcec/v2"
	"github.com/stretchr/testify/require"
)

func randScalar(r *rand.Rand) btcec.ModNScalar {
	var b [32]byte
	r.Read(b[:])
	var s btcec.ModNScalar
	s.SetBytes(&b)
	return s
}

func scalarFromHex(t testing.TB, h string) btcec.ModNScalar {
	t.Helper()
	var s btcec.ModNScalar
	require.False(t, s.SetByteSlice(mustHex(t, h)), "scalar %s overflows", h)
	return s
}

func TestScalarMultMatchesBtcec(t *testing.T) {
	r := rand.New(rand.NewSource(1))
	edge := []string{
		"00", "01", "02", "03", "0f", "10", "11",
		"fffffffffffffffffffffffffffffffebaaedce6af48a03bbfd25e8cd0364140", // n-1
		"fffffffffffffffffffffffffffffffebaaedce6af48a03bbfd25e8cd036413f", // n-2
		"7fffffffffffffffffffffffffffffff5d576e7357a4501ddfe92f46681b20a0", // n/2
		"7fffffffffffffffffffffffffffffff5d576e7357a4501ddfe92f46681b20a1",
		"5363ad4cc05c30e0a5261c028812645a122e22ea20816678df02967c1b23bd72", // λ
		"0100000000000000000000000000000000",
		"ffffffffffffffffffffffffffffffff",
	}
	var scalars []btcec.ModNScalar
	for _, h := range edge {
		scalars = append(scalars, scalarFromHex(t, h))
	}
	for i := 0; i < 300; i++ {
		scalars = append(scalars, randScalar(r))
	}
	for i, k := range scalars {
		pk := randScalar(r)
		if i%7 == 0 {
			// The generator itself, and its negation.
			pk.SetInt(1)
			if i%14 == 0 {
				pk.Negate()
			}
		}
		ga, ok := requireScalarMultMatches(t, &k, &pk, "case %d", i)
		if !ok {
			continue
		}
		var gc [33]byte
		ga.Compress(&gc)
		// The point round-trips through compression.
		var back Affine
		require.True(t, back.Decompress(&gc), "case %d: decompress", i)
		require.Equal(t, ga, back, "case %d: decompress", i)
	}
}

// requireScalarMultMatches checks ScalarMult's k·(m·G) against btcec's
// ScalarMultNonConst, and returns the product in affine coordinates unless
// it is the point at infinity. m must not be zero.
func requireScalarMultMatches(t testing.TB, k, m *btcec.ModNScalar, msgAndArgs ...any) (Affine, bool) {
	t.Helper()
	var p btcec.JacobianPoint
	btcec.ScalarBaseMultNonConst(m, &p)
	p.ToAffine()
	var want btcec.JacobianPoint
	btcec.ScalarMultNonConst(k, &p, &want)
	pa := AffineFromPubKey(btcec.NewPublicKey(&p.X, &p.Y))
	var got Point
	ScalarMult(k, &pa, &got)
	require.Equal(t, want.Z.IsZero(), got.IsInfinity(), msgAndArgs...)
	if got.IsInfinity() {
		return Affine{}, false
	}
	want.ToAffine()
	ga := got.Affine()
	var gc [33]byte
	ga.Compress(&gc)
	require.Equal(t, btcec.NewPublicKey(&want.X, &want.Y).SerializeCompressed(), gc[:], msgAndArgs...)
	return ga, true
}

func TestSplitScalarBounds(t *testing.T) {
	r := rand.New(rand.NewSource(2))
	glv := newGLVConstants()
	for i := 0; i < 2000; i++ {
		k := randScalar(r)
		k1, k2, n1, n2 := splitScalar(&k, &glv)
		require.Equal(t, uint64(0), k1[2]|k1[3]|k2[2]|k2[3], "split of %v not below 2^128", k)
		// Recombine: k1 + k2·λ == k.
		var s1, s2 btcec.ModNScalar
		s1.SetByteSlice(limbBytes(k1))
		s2.SetByteSlice(limbBytes(k2))
		if n1 {
			s1.Negate()
		}
		if n2 {
			s2.Negate()
		}
		s2.Mul(&glv.lambda).Add(&s1)
		require.True(t, s2.Equals(&k), "split of %v does not recombine", k)
	}
}

func limbBytes(l [4]uint64) []byte {
	b := make([]byte, 32)
	for i := 0; i < 4; i++ {
		for j := 0; j < 8; j++ {
			b[31-8*i-j] = byte(l[i] >> (8 * j))
		}
	}
	return b
}

func BenchmarkScalarMult(b *testing.B) {
	r := rand.New(rand.NewSource(4))
	k := randScalar(r)
	pk := randScalar(r)
	p := AffineFromPubKey(btcec.PrivKeyFromScalar(&pk).PubKey())
	var out Point
	b.ReportAllocs()
	for i := 0; i < b.N; i++ {
		ScalarMult(&k, &p, &out)
	}
}

func BenchmarkScalarMultBtcec(b *testing.B) {
	r := rand.New(rand.NewSource(4))
	k := randScalar(r)
	var p btcec.JacobianPoint
	pk := randScalar(r)
	btcec.ScalarBaseMultNonConst(&pk, &p)
	p.ToAffine()
	var out btcec.JacobianPoint
	b.ReportAllocs()
	for i := 0; i < b.N; i++ {
		btcec.ScalarMultNonConst(&k, &p, &out)
	}
}

func TestDecompressRejects(t *testing.T) {
	for _, h := range []string{
		"04" + "79be667ef9dcbbac55a06295ce870b07029bfcdb2dce28d959f2815b16f81798",
		"02" + "0000000000000000000000000000000000000000000000000000000000000005", // not on the curve
		"02" + "fffffffffffffffffffffffffffffffffffffffffffffffffffffffefffffc2f", // x = p
		"03" + "ffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff",
	} {
		var b [33]byte
		copy(b[:], mustHex(t, h))
		var a Affine
		require.False(t, a.Decompress(&b), "%s accepted", h)
	}
}

func TestPointAddSpecialCases(t *testing.T) {
	r := rand.New(rand.NewSource(5))
	k := randScalar(r)
	p := AffineFromPubKey(btcec.PrivKeyFromScalar(&k).PubKey())
	var pj, sum, dbl Point
	pj.fromAffine(&p)
	// P + P doubles.
	pointAddAffine(&sum, &pj, &p)
	pointDouble(&dbl, &pj)
	require.Equal(t, dbl.Affine(), sum.Affine(), "P + P != 2P")
	// P + (-P) is the point at infinity, and ∞ + P is P.
	neg := p
	feNeg(&neg.y, &p.y)
	pointAddAffine(&sum, &pj, &neg)
	require.True(t, sum.IsInfinity(), "P - P is not infinity")
	pointAddAffine(&sum, &sum, &p)
	require.Equal(t, p, sum.Affine(), "∞ + P != P")
	pointDouble(&dbl, &Point{})
	require.True(t, dbl.IsInfinity(), "2∞ != ∞")
	// The same holds with a non-trivial Z.
	pointDouble(&dbl, &pj)
	pointAddAffine(&sum, &dbl, &neg) // 2P - P = P
	pointAddAffine(&sum, &sum, &p)   // P + P through the doubling branch
	require.Equal(t, dbl.Affine(), sum.Affine(), "(2P - P) + P != 2P")
}
