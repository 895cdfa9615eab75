package secp

import (
	"crypto/sha256"
	"math/rand"
	"testing"

	"github.com/btcsuite/btcd/btcec/v2"
	"github.com/stretchr/testify/require"
)

// btcecECDH is the reference: SHA-256 of the compressed btcec product.
func btcecECDH(k *btcec.ModNScalar, pub *btcec.PublicKey) ([32]byte, bool) {
	var p, r btcec.JacobianPoint
	pub.AsJacobian(&p)
	btcec.ScalarMultNonConst(k, &p, &r)
	if r.Z.Normalize().IsZero() {
		return [32]byte{}, false
	}
	r.ToAffine()
	return sha256.Sum256(btcec.NewPublicKey(&r.X, &r.Y).SerializeCompressed()), true
}

// edgeScalars returns scalars at the edges of the split and of the range.
func edgeScalars(t testing.TB) []btcec.ModNScalar {
	var out []btcec.ModNScalar
	for _, h := range []string{
		"00", "01", "02", "03", "0f", "10", "11",
		"fffffffffffffffffffffffffffffffebaaedce6af48a03bbfd25e8cd0364140", // n-1
		"7fffffffffffffffffffffffffffffff5d576e7357a4501ddfe92f46681b20a0", // n/2
		"5363ad4cc05c30e0a5261c028812645a122e22ea20816678df02967c1b23bd72", // λ
		"ffffffffffffffffffffffffffffffff",
	} {
		out = append(out, scalarFromHex(t, h))
	}
	return out
}

// TestECDHMatchesBtcecProduct compares ECDH and ECDHPoint with btcec's
// product on random and edge scalars and keys, with Z = 1 and Z ≠ 1.
func TestECDHMatchesBtcecProduct(t *testing.T) {
	rng := rand.New(rand.NewSource(41))
	ks := edgeScalars(t)
	for range 200 {
		ks = append(ks, randScalar(rng))
	}
	pubs := []btcec.ModNScalar{scalarFromHex(t, "01"), scalarFromHex(t, "02"),
		scalarFromHex(t, "fffffffffffffffffffffffffffffffebaaedce6af48a03bbfd25e8cd0364140")}
	for i, k := range ks {
		d := randScalar(rng)
		if i < len(pubs) {
			d = pubs[i]
		}
		pub := pubFromScalar(&d)
		want, wantOK := btcecECDH(&k, pub)
		got, ok := ECDH(&k, pub)
		require.Equal(t, wantOK, ok, "case %d", i)
		require.Equal(t, want, got, "case %d", i)
		// ECDHPoint with a point in Jacobian form (Z ≠ 1).
		var j btcec.JacobianPoint
		btcec.ScalarBaseMultNonConst(&d, &j)
		got, ok = ECDHPoint(&k, &j)
		require.Equal(t, wantOK, ok, "case %d jacobian", i)
		require.Equal(t, want, got, "case %d jacobian", i)
	}
	var inf btcec.JacobianPoint
	_, ok := ECDHPoint(&ks[1], &inf)
	require.False(t, ok, "the point at infinity")
	var fx, fy btcec.FieldVal
	fx.SetInt(5)
	fy.SetInt(7)
	_, ok = ECDH(&ks[1], btcec.NewPublicKey(&fx, &fy))
	require.False(t, ok, "a key off the curve")
}

// TestScalarMultNonConstMatchesBtcec checks the drop-in for
// btcec.ScalarMultNonConst gives the same point (Z = 1, Z ≠ 1 and
// infinity inputs) and leaves its input alone.
func TestScalarMultNonConstMatchesBtcec(t *testing.T) {
	rng := rand.New(rand.NewSource(42))
	ks := edgeScalars(t)
	for range 100 {
		ks = append(ks, randScalar(rng))
	}
	for i, k := range ks {
		d := randScalar(rng)
		var p btcec.JacobianPoint
		btcec.ScalarBaseMultNonConst(&d, &p)
		if i%2 == 0 {
			p.ToAffine()
		}
		in := p
		var want, got btcec.JacobianPoint
		btcec.ScalarMultNonConst(&k, &p, &want)
		ScalarMultNonConst(&k, &p, &got)
		require.Equal(t, in, p, "case %d: input modified", i)
		require.Equal(t, want.Z.Normalize().IsZero(), got.Z.IsZero(), "case %d", i)
		if got.Z.IsZero() {
			continue
		}
		want.ToAffine()
		got.ToAffine()
		require.True(t, want.X.Equals(&got.X) && want.Y.Equals(&got.Y), "case %d", i)
	}
	var inf, out btcec.JacobianPoint
	ScalarMultNonConst(&ks[1], &inf, &out)
	require.True(t, out.Z.IsZero(), "k·∞")
}
