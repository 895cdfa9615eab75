package secp

import (
	"crypto/sha256"
	"math/big"
	"math/rand"
	"testing"

	"github.com/btcsuite/btcd/btcec/v2"
	"github.com/btcsuite/btcd/btcec/v2/ecdsa"
	"github.com/stretchr/testify/require"
)

// decredVerify is the reference: btcec's (decred's) verification.
func decredVerify(r, s *btcec.ModNScalar, hash []byte, pub *btcec.PublicKey) bool {
	return ecdsa.NewSignature(r, s).Verify(hash, pub)
}

// sigScalars returns the r and s of a parsed signature.
func sigScalars(sig *ecdsa.Signature) (btcec.ModNScalar, btcec.ModNScalar) {
	return sig.R(), sig.S()
}

// pubFromScalar returns k·G (k must not be zero).
func pubFromScalar(k *btcec.ModNScalar) *btcec.PublicKey {
	return btcec.PrivKeyFromScalar(k).PubKey()
}

// wrapAroundPoint returns a point R of the curve whose x coordinate is at
// least n (so x mod n = x - n), found by walking x = n+1, n+2, ….
func wrapAroundPoint(t testing.TB, odd bool) *btcec.PublicKey {
	t.Helper()
	n := btcec.S256().N
	for d := int64(1); d < 1000; d++ { // x = n would make r zero
		x := new(big.Int).Add(n, big.NewInt(d))
		var fx, fy btcec.FieldVal
		fx.SetByteSlice(x.Bytes())
		if btcec.DecompressY(&fx, odd, &fy) {
			fy.Normalize()
			return btcec.NewPublicKey(&fx, &fy)
		}
	}
	t.Fatal("no point with x >= n found")
	return nil
}

// signatureForPoint returns a public key Q, a hash and (r, s) such that
// u1·G + u2·Q = R for the given point R, with u1 and u2 drawn from rng:
// a valid signature whose R is chosen (its discrete log unknown).
func signatureForPoint(rng *rand.Rand, rp *btcec.PublicKey) (*btcec.PublicKey, [32]byte, btcec.ModNScalar, btcec.ModNScalar) {
	u1, u2 := randScalar(rng), randScalar(rng)
	// Q = u2⁻¹·(R − u1·G)
	var u1G, rj, diff, q btcec.JacobianPoint
	btcec.ScalarBaseMultNonConst(&u1, &u1G)
	u1G.Y.Normalize().Negate(1).Normalize()
	rp.AsJacobian(&rj)
	btcec.AddNonConst(&rj, &u1G, &diff)
	var u2Inv btcec.ModNScalar
	u2Inv.InverseValNonConst(&u2)
	btcec.ScalarMultNonConst(&u2Inv, &diff, &q)
	q.ToAffine()
	pub := btcec.NewPublicKey(&q.X, &q.Y)
	// r = R.x mod n; u2 = r/s, so s = r/u2; u1 = e/s, so e = u1·s.
	rx := rp.X()
	rx.Mod(rx, btcec.S256().N)
	var r btcec.ModNScalar
	r.SetByteSlice(rx.Bytes())
	var s, e btcec.ModNScalar
	s.Mul2(&r, &u2Inv)
	e.Mul2(&u1, &s)
	return pub, e.Bytes(), r, s
}

func TestOrderConstants(t *testing.T) {
	n := orderFe()
	require.Equal(t, 0, feToBig(&n).Cmp(btcec.S256().N))
	pn := primeMinusOrder()
	require.Equal(t, 0, feToBig(&pn).Cmp(new(big.Int).Sub(btcec.S256().P, btcec.S256().N)))
}

// TestVerifyMatchesDecred compares Verify with decred on valid signatures
// and on every kind of corruption of them.
func TestVerifyMatchesDecred(t *testing.T) {
	rng := rand.New(rand.NewSource(21))
	accepted := 0
	for i := 0; i < 200; i++ {
		priv := btcec.PrivKeyFromScalar(ptr(randScalar(rng)))
		var hash [32]byte
		rng.Read(hash[:])
		r, s := sigScalars(ecdsa.Sign(priv, hash[:]))
		pub := priv.PubKey()
		other := btcec.PrivKeyFromScalar(ptr(randScalar(rng))).PubKey()
		var highS btcec.ModNScalar
		highS.NegateVal(&s)
		flippedHash := hash
		flippedHash[rng.Intn(32)] ^= 1 << rng.Intn(8)
		flipR := flipBit(&r, rng.Intn(256))
		flipS := flipBit(&s, rng.Intn(256))
		var zero btcec.ModNScalar
		cases := []struct {
			name string
			r, s btcec.ModNScalar
			hash []byte
			pub  *btcec.PublicKey
		}{
			{"valid", r, s, hash[:], pub},
			{"high s", r, highS, hash[:], pub},
			{"other key", r, s, hash[:], other},
			{"flipped hash", r, s, flippedHash[:], pub},
			{"flipped r", flipR, s, hash[:], pub},
			{"flipped s", r, flipS, hash[:], pub},
			{"swapped r s", s, r, hash[:], pub},
			{"r zero", zero, s, hash[:], pub},
			{"s zero", r, zero, hash[:], pub},
			{"short hash", r, s, hash[:16], pub},
			{"empty hash", r, s, nil, pub},
			{"long hash", r, s, append(hash[:], 7, 8, 9), pub},
		}
		for _, tc := range cases {
			want := decredVerify(&tc.r, &tc.s, tc.hash, tc.pub)
			got := Verify(&tc.r, &tc.s, tc.hash, tc.pub)
			require.Equal(t, want, got, "case %d %s", i, tc.name)
			if got {
				accepted++
			}
			if tc.name == "valid" || tc.name == "high s" {
				require.True(t, got, "case %d %s", i, tc.name)
			}
		}
	}
	require.Equal(t, 600, accepted, "only the valid, high-s and long-hash (truncated) signatures verify")
}

// TestVerifyEdgeCases covers the wrap-around of R.x, small multiples of G
// as keys, a sum at infinity, a sum that doubles, hashes at and above n and
// a key that is not on the curve.
func TestVerifyEdgeCases(t *testing.T) {
	rng := rand.New(rand.NewSource(22))
	n := btcec.S256().N
	type tc struct {
		name string
		r, s btcec.ModNScalar
		hash []byte
		pub  *btcec.PublicKey
		want bool
	}
	var cases []tc
	for i, odd := range []bool{false, true} {
		rp := wrapAroundPoint(t, odd)
		pub, hash, r, s := signatureForPoint(rng, rp)
		cases = append(cases, tc{name: "wrap-around R.x >= n", r: r, s: s, hash: hash[:], pub: pub, want: true})
		_ = i
		// The same r, but the signature made for R.x = r exactly (which
		// is off the curve or another point): must not verify through the
		// wrap-around.
		var other btcec.ModNScalar
		other.SetInt(uint32(3 + i))
		cases = append(cases, tc{name: "wrap-around wrong s", r: r, s: other, hash: hash[:], pub: pub})
	}
	// A signature whose R has x = r + n where r < p - n, but checked for a
	// point with x < n.
	for _, k := range []string{"01", "02", "03", "07",
		"fffffffffffffffffffffffffffffffebaaedce6af48a03bbfd25e8cd0364140", // n-1: -G
		"7fffffffffffffffffffffffffffffff5d576e7357a4501ddfe92f46681b20a0"} {
		d := scalarFromHex(t, k)
		pub := pubFromScalar(&d)
		priv := btcec.PrivKeyFromScalar(&d)
		var hash [32]byte
		rng.Read(hash[:])
		r, s := sigScalars(ecdsa.Sign(priv, hash[:]))
		cases = append(cases, tc{name: "small multiple " + k, r: r, s: s, hash: hash[:], pub: pub, want: true})
		// e = -r·d: u1·G + u2·Q = (e + r·d)/s·G = infinity.
		var e btcec.ModNScalar
		e.Mul2(&r, &d).Negate()
		eb := e.Bytes()
		cases = append(cases, tc{name: "sum at infinity " + k, r: r, s: s, hash: eb[:], pub: pub})
		// e = r·d: u1·G = u2·Q, the sum doubles.
		e.Mul2(&r, &d)
		eb = e.Bytes()
		cases = append(cases, tc{name: "sum doubles " + k, r: r, s: s, hash: eb[:], pub: pub})
	}
	// Hashes equal to n and above it reduce modulo n.
	priv := btcec.PrivKeyFromScalar(ptr(randScalar(rng)))
	nb := n.Bytes()
	ff := make([]byte, 32)
	for i := range ff {
		ff[i] = 0xff
	}
	for _, h := range [][]byte{nb, ff, make([]byte, 32)} {
		var e btcec.ModNScalar
		e.SetByteSlice(h)
		eb := e.Bytes()
		r, s := sigScalars(ecdsa.Sign(priv, eb[:]))
		cases = append(cases, tc{name: "hash reduced", r: r, s: s, hash: h, pub: priv.PubKey(), want: true})
	}
	// A key off the curve goes to decred.
	var fx, fy btcec.FieldVal
	fx.SetInt(5)
	fy.SetInt(7)
	r, s := sigScalars(ecdsa.Sign(priv, nb))
	cases = append(cases, tc{name: "key off the curve", r: r, s: s, hash: nb, pub: btcec.NewPublicKey(&fx, &fy)})
	for _, c := range cases {
		want := decredVerify(&c.r, &c.s, c.hash, c.pub)
		require.Equal(t, c.want, want, "%s: the case is not what it claims", c.name)
		require.Equal(t, want, Verify(&c.r, &c.s, c.hash, c.pub), c.name)
	}
}

func TestVerifySignature(t *testing.T) {
	priv := testKeys(1)[0]
	hash := sha256.Sum256([]byte("m"))
	sig := ecdsa.Sign(priv, hash[:])
	require.True(t, VerifySignature(sig, hash[:], priv.PubKey()))
	hash[0] ^= 1
	require.False(t, VerifySignature(sig, hash[:], priv.PubKey()))
}

func ptr[T any](v T) *T { return &v }

// flipBit returns s with bit i of its 32-byte encoding flipped, reduced
// modulo n.
func flipBit(s *btcec.ModNScalar, i int) btcec.ModNScalar {
	b := s.Bytes()
	b[31-i/8] ^= 1 << (i % 8)
	var out btcec.ModNScalar
	out.SetBytes(&b)
	return out
}

func BenchmarkVerify(b *testing.B) {
	priv := testKeys(1)[0]
	hash := sha256.Sum256([]byte("m"))
	r, s := sigScalars(ecdsa.Sign(priv, hash[:]))
	pub := priv.PubKey()
	b.Run("fast", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			if !Verify(&r, &s, hash[:], pub) {
				b.Fatal("does not verify")
			}
		}
	})
	b.Run("decred", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			if !decredVerify(&r, &s, hash[:], pub) {
				b.Fatal("does not verify")
			}
		}
	})
}
