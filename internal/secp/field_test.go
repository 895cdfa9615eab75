package secp

import (
	"bytes"
	"math/big"
	"math/rand"
	"testing"

	"github.com/btcsuite/btcd/btcec/v2"
	"github.com/stretchr/testify/require"
)

func feFromBig(x *big.Int) fe {
	var b [32]byte
	x.FillBytes(b[:])
	var r fe
	if !feSetBytes(&r, &b) {
		panic("not reduced")
	}
	return r
}

func feToBig(a *fe) *big.Int {
	var b [32]byte
	fePutBytes(b[:], a)
	return new(big.Int).SetBytes(b[:])
}

// fieldSamples returns edge values and random values below p.
func fieldSamples(r *rand.Rand, n int) []*big.Int {
	p := feToBig(&fe{feP0, feP1, feP1, feP1})
	edges := []*big.Int{
		big.NewInt(0), big.NewInt(1), big.NewInt(2), big.NewInt(feC),
		new(big.Int).Sub(p, big.NewInt(1)), new(big.Int).Sub(p, big.NewInt(2)),
		new(big.Int).Sub(p, big.NewInt(feC)), new(big.Int).Lsh(big.NewInt(1), 255),
		new(big.Int).Sub(new(big.Int).Lsh(big.NewInt(1), 255), big.NewInt(1)),
		new(big.Int).Lsh(big.NewInt(1), 64), new(big.Int).Sub(new(big.Int).Lsh(big.NewInt(1), 192), big.NewInt(1)),
		new(big.Int).Sub(p, new(big.Int).Lsh(big.NewInt(1), 128)),
	}
	out := append([]*big.Int(nil), edges...)
	for i := 0; i < n; i++ {
		var b [32]byte
		r.Read(b[:])
		switch i % 4 {
		case 1: // many high ones
			for j := 0; j < 24; j++ {
				b[j] = 0xff
			}
		case 2: // small
			for j := 0; j < 24; j++ {
				b[j] = 0
			}
		}
		x := new(big.Int).SetBytes(b[:])
		out = append(out, x.Mod(x, p))
	}
	return out
}

func TestFieldMatchesBig(t *testing.T) {
	rng := rand.New(rand.NewSource(11))
	p := feToBig(&fe{feP0, feP1, feP1, feP1})
	xs := fieldSamples(rng, 400)
	for i, x := range xs {
		y := xs[(i*7+3)%len(xs)]
		a, b := feFromBig(x), feFromBig(y)
		check := func(op string, got fe, want *big.Int) {
			t.Helper()
			want = new(big.Int).Mod(want, p)
			require.Equal(t, 0, feToBig(&got).Cmp(want), "%s(%x, %x) = %x, want %x", op, x, y, feToBig(&got), want)
			require.Less(t, feToBig(&got).Cmp(p), 0, "%s(%x, %x) = %x, want %x", op, x, y, feToBig(&got), want)
		}
		var r fe
		feAdd(&r, &a, &b)
		check("add", r, new(big.Int).Add(x, y))
		feSub(&r, &a, &b)
		check("sub", r, new(big.Int).Sub(x, y))
		feNeg(&r, &a)
		check("neg", r, new(big.Int).Neg(x))
		feMul(&r, &a, &b)
		check("mul", r, new(big.Int).Mul(x, y))
		feSqr(&r, &a)
		check("sqr", r, new(big.Int).Mul(x, x))
		// Aliased operands.
		r = a
		feMul(&r, &r, &r)
		check("mul aliased", r, new(big.Int).Mul(x, x))
		if x.Sign() != 0 {
			feInv(&r, &a)
			check("inv", r, new(big.Int).ModInverse(x, p))
		}
		ok := feSqrt(&r, &a)
		isSquare := big.Jacobi(x, p) >= 0
		require.Equal(t, isSquare, ok, "sqrt(%x): ok %v, square %v", x, ok, isSquare)
		if ok {
			var sq fe
			feSqr(&sq, &r)
			require.Equal(t, a, sq, "sqrt(%x)² != x", x)
		}
	}
	var zero, r fe
	feInv(&r, &zero)
	require.True(t, r.isZero(), "inverse of zero")
	var b [32]byte
	for i := range b {
		b[i] = 0xff
	}
	require.False(t, feSetBytes(&r, &b), "2^256-1 accepted")
	fePutBytes(b[:], &fe{feP0, feP1, feP1, feP1})
	require.False(t, feSetBytes(&r, &b), "p accepted")
}

func BenchmarkFieldMul(b *testing.B) {
	x, y := fe{1, 2, 3, 4}, fe{5, 6, 7, 0xfff}
	for i := 0; i < b.N; i++ {
		feMul(&x, &x, &y)
	}
}

func BenchmarkFieldSqr(b *testing.B) {
	x := fe{1, 2, 3, 4}
	for i := 0; i < b.N; i++ {
		feSqr(&x, &x)
	}
}

func BenchmarkFieldInv(b *testing.B) {
	x := fe{1, 2, 3, 4}
	for i := 0; i < b.N; i++ {
		feInv(&x, &x)
	}
}

// FuzzFieldAndScalarMult checks the field arithmetic against math/big and
// the scalar multiplication against btcec on arbitrary inputs.
func FuzzFieldAndScalarMult(f *testing.F) {
	f.Add(make([]byte, 64))
	f.Add(bytes.Repeat([]byte{0xff}, 64))
	f.Add(append(mustHex(f, "fffffffffffffffffffffffffffffffffffffffffffffffffffffffefffffc2e"), bytes.Repeat([]byte{1}, 32)...))
	f.Add(append(mustHex(f, "fffffffffffffffffffffffffffffffebaaedce6af48a03bbfd25e8cd0364140"), bytes.Repeat([]byte{0x80}, 32)...))
	p := feToBig(&fe{feP0, feP1, feP1, feP1})
	f.Fuzz(func(t *testing.T, data []byte) {
		var buf [64]byte
		copy(buf[:], data)
		x := new(big.Int).SetBytes(buf[:32])
		y := new(big.Int).SetBytes(buf[32:])
		x.Mod(x, p)
		y.Mod(y, p)
		a, b := feFromBig(x), feFromBig(y)
		var r fe
		feMul(&r, &a, &b)
		require.Equal(t, 0, feToBig(&r).Cmp(new(big.Int).Mod(new(big.Int).Mul(x, y), p)), "mul %x %x", x, y)
		feSqr(&r, &a)
		require.Equal(t, 0, feToBig(&r).Cmp(new(big.Int).Mod(new(big.Int).Mul(x, x), p)), "sqr %x", x)
		feAdd(&r, &a, &b)
		require.Equal(t, 0, feToBig(&r).Cmp(new(big.Int).Mod(new(big.Int).Add(x, y), p)), "add %x %x", x, y)
		feSub(&r, &a, &b)
		require.Equal(t, 0, feToBig(&r).Cmp(new(big.Int).Mod(new(big.Int).Sub(x, y), p)), "sub %x %x", x, y)

		// k·(m·G) against btcec, k and m taken from the input.
		var k, m btcec.ModNScalar
		k.SetByteSlice(buf[:32])
		m.SetByteSlice(buf[32:])
		if m.IsZero() {
			return
		}
		requireScalarMultMatches(t, &k, &m, "k=%v m=%v", k, m)
	})
}
