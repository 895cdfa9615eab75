package keys

import (
	"testing"

	"github.com/btcsuite/btcd/btcec/v2"
	"github.com/stretchr/testify/require"

	"github.com/lnkit/lnkit/internal/secp"
)

// TestFixedBaseMul: the comb gives ScalarMultNonConst's product for
// random scalars and for the edges (zero, one, the order minus one, single
// bits across every tooth, all bits set).
func TestFixedBaseMul(t *testing.T) {
	e := NewDeterministicEntropy([32]byte{5})
	var scalars []btcec.ModNScalar
	var k btcec.ModNScalar
	scalars = append(scalars, k) // zero
	k.SetInt(1)
	scalars = append(scalars, k)
	k.NegateVal(&k) // n-1
	scalars = append(scalars, k)
	for _, bit := range []int{1, 42, 43, 44, 85, 86, 128, 172, 215, 254, 255} {
		var b [32]byte
		b[31-bit/8] = 1 << (bit % 8)
		k.SetBytes(&b)
		scalars = append(scalars, k)
	}
	var ones [32]byte
	for i := range ones {
		ones[i] = 0xff
	}
	k.SetBytes(&ones) // reduced mod n
	scalars = append(scalars, k)
	for range 32 {
		b := e.GetSecureRandomBytes()
		k.SetBytes(&b)
		scalars = append(scalars, k)
	}
	for range 3 {
		_, pub := btcec.PrivKeyFromBytes(randBytes(e))
		f := NewFixedBase(pub)
		require.Same(t, pub, f.PublicKey())
		var p btcec.JacobianPoint
		secp.LoadPubKey(pub, &p)
		for i := range scalars {
			var got, want btcec.JacobianPoint
			f.mul(&scalars[i], &got)
			btcec.ScalarMultNonConst(&scalars[i], &p, &want)
			if scalars[i].IsZero() {
				require.True(t, got.Z.IsZero() || (got.X.IsZero() && got.Y.IsZero()), "zero scalar gives infinity")
				continue
			}
			got.ToAffine()
			want.ToAffine()
			require.True(t, got.X.Equals(&want.X) && got.Y.Equals(&want.Y), "scalar %d", i)
		}
	}
}

// BenchmarkFixedBaseMul compares the comb with ScalarMultNonConst.
func BenchmarkFixedBaseMul(b *testing.B) {
	e := NewDeterministicEntropy([32]byte{6})
	_, pub := btcec.PrivKeyFromBytes(randBytes(e))
	var k btcec.ModNScalar
	kb := e.GetSecureRandomBytes()
	k.SetBytes(&kb)
	var p, r btcec.JacobianPoint
	secp.LoadPubKey(pub, &p)
	b.Run("comb", func(b *testing.B) {
		f := NewFixedBase(pub)
		for b.Loop() {
			f.mul(&k, &r)
		}
	})
	b.Run("variable", func(b *testing.B) {
		for b.Loop() {
			btcec.ScalarMultNonConst(&k, &p, &r)
		}
	})
	b.Run("table", func(b *testing.B) {
		for b.Loop() {
			_ = NewFixedBase(pub)
		}
	})
}
