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

// requireRecoverMatches checks RecoverCompact returns what decred returns:
// the same key and flag, or the same error.
func requireRecoverMatches(t testing.TB, sig, hash []byte, msgAndArgs ...any) (ok bool) {
	t.Helper()
	wantPub, wantComp, wantErr := ecdsa.RecoverCompact(sig, hash)
	gotPub, gotComp, gotErr := RecoverCompact(sig, hash)
	if wantErr != nil {
		require.Error(t, gotErr, msgAndArgs...)
		require.Equal(t, wantErr.Error(), gotErr.Error(), msgAndArgs...)
		require.Nil(t, gotPub, msgAndArgs...)
		return false
	}
	require.NoError(t, gotErr, msgAndArgs...)
	require.Equal(t, wantComp, gotComp, msgAndArgs...)
	require.Equal(t, wantPub.SerializeUncompressed(), gotPub.SerializeUncompressed(), msgAndArgs...)
	// The fast path produced it (not the delegation to decred).
	_, _, fast := recoverCompact(sig, hash)
	require.True(t, fast, msgAndArgs...)
	return true
}

// TestRecoverMatchesDecred compares RecoverCompact with decred on signed
// messages and their corruptions, with every header byte.
func TestRecoverMatchesDecred(t *testing.T) {
	rng := rand.New(rand.NewSource(31))
	recovered := 0
	for i := 0; i < 100; i++ {
		priv := btcec.PrivKeyFromScalar(ptr(randScalar(rng)))
		var hash [32]byte
		rng.Read(hash[:])
		sig := ecdsa.SignCompact(priv, hash[:], i%2 == 0)
		require.True(t, requireRecoverMatches(t, sig, hash[:], "case %d valid", i))
		pub, _, _ := RecoverCompact(sig, hash[:])
		require.True(t, pub.IsEqual(priv.PubKey()), "case %d: recovered another key", i)

		for h := 0; h < 256; h += 1 + rng.Intn(3) {
			mut := append([]byte(nil), sig...)
			mut[0] = byte(h)
			if requireRecoverMatches(t, mut, hash[:], "case %d header %d", i, h) {
				recovered++
			}
		}
		for range 8 {
			mut := append([]byte(nil), sig...)
			bit := rng.Intn(64 * 8)
			mut[1+bit/8] ^= 1 << (bit % 8)
			requireRecoverMatches(t, mut, hash[:], "case %d bit %d", i, bit)
		}
		// High s with the same id: another key, as decred computes it.
		var s, hs btcec.ModNScalar
		s.SetByteSlice(sig[33:])
		hs.NegateVal(&s)
		mut := append([]byte(nil), sig...)
		hsb := hs.Bytes()
		copy(mut[33:], hsb[:])
		requireRecoverMatches(t, mut, hash[:], "case %d high s", i)
		requireRecoverMatches(t, sig, hash[:16], "case %d short hash", i)
		requireRecoverMatches(t, sig, nil, "case %d no hash", i)
		requireRecoverMatches(t, sig[:64], hash[:], "case %d short sig", i)
		requireRecoverMatches(t, append(sig, 0), hash[:], "case %d long sig", i)
	}
	require.Greater(t, recovered, 150, "headers 27 to 34 of valid signatures recover keys")
}

// TestRecoverEdgeCases covers r or s zero or not below n, the overflow ids
// 2 and 3 (R.x = r + n) both when r + n is below p and when it is not, an x
// off the curve, and a recovered key at infinity.
func TestRecoverEdgeCases(t *testing.T) {
	rng := rand.New(rand.NewSource(32))
	n := btcec.S256().N
	var hash [32]byte
	rng.Read(hash[:])
	be := func(x *big.Int) []byte { return x.FillBytes(make([]byte, 32)) }
	compact := func(header byte, r, s []byte) []byte {
		return append(append([]byte{header}, r...), s...)
	}
	one := be(big.NewInt(1))
	var cases [][]byte
	for _, id := range []byte{0, 1, 2, 3} {
		h := 27 + 4 + id
		cases = append(cases,
			compact(h, make([]byte, 32), one),                       // r = 0
			compact(h, one, make([]byte, 32)),                       // s = 0
			compact(h, be(n), one),                                  // r = n
			compact(h, one, be(n)),                                  // s = n
			compact(h, be(new(big.Int).Sub(n, big.NewInt(1))), one), // r = n-1: r + n above p
		)
		// Small r: R.x = r + n below p for ids 2 and 3; about half of
		// these are on the curve.
		for v := int64(1); v < 40; v++ {
			cases = append(cases, compact(h, be(big.NewInt(v)), be(big.NewInt(v*7+3))))
		}
		// r just below p - n (the largest r the overflow ids allow) and
		// at it.
		pn := new(big.Int).Sub(btcec.S256().P, n)
		cases = append(cases,
			compact(h, be(new(big.Int).Sub(pn, big.NewInt(1))), one),
			compact(h, be(pn), one),
		)
	}
	// A signature made for R with x ≥ n, recovered through id 2 or 3.
	for _, odd := range []bool{false, true} {
		rp := wrapAroundPoint(t, odd)
		pub, h, r, s := signatureForPoint(rng, rp)
		rb, sb := r.Bytes(), s.Bytes()
		id := byte(2)
		if odd {
			id = 3
		}
		sig := compact(27+4+id, rb[:], sb[:])
		got, _, err := RecoverCompact(sig, h[:])
		require.NoError(t, err)
		require.True(t, got.IsEqual(pub), "wrap-around R: recovered another key")
		cases = append(cases, sig)
		hash = h
	}
	// The key at infinity: u1·G + u2·R = 0 when e = s·x(R)… take R = G:
	// r = G.x, and e = s·k with R = k·G (k = 1) makes s·R = e·G.
	g := btcec.Generator()
	gx := be(g.X())
	sv := be(big.NewInt(12345))
	infSig := compact(27, gx, sv)
	if g.Y().Bit(0) == 1 {
		infSig[0] = 28
	}
	_, _, err := ecdsa.RecoverCompact(infSig, sv)
	require.Error(t, err, "the key at infinity is not an error of decred")
	recovered := 0
	for i, c := range append(cases, infSig) {
		h := hash[:]
		if i == len(cases) {
			h = sv
		}
		if requireRecoverMatches(t, c, h, "edge case %d: %x", i, c) {
			recovered++
		}
	}
	require.Greater(t, recovered, 20, "the small r cases recover keys")
}

func BenchmarkRecover(b *testing.B) {
	priv := testKeys(1)[0]
	hash := sha256.Sum256([]byte("m"))
	sig := ecdsa.SignCompact(priv, hash[:], true)
	b.Run("fast", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			if _, _, err := RecoverCompact(sig, hash[:]); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("decred", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			if _, _, err := ecdsa.RecoverCompact(sig, hash[:]); err != nil {
				b.Fatal(err)
			}
		}
	})
}
