package secp

import (
	"crypto/hmac"
	"crypto/sha256"
	"testing"

	"github.com/btcsuite/btcd/btcec/v2"
	"github.com/stretchr/testify/require"
)

// testKeys returns n deterministic private keys.
func testKeys(n int) []*btcec.PrivateKey {
	out := make([]*btcec.PrivateKey, n)
	for i := range out {
		h := sha256.Sum256([]byte{byte(i), 'k'})
		out[i], _ = btcec.PrivKeyFromBytes(h[:])
	}
	return out
}

func TestCompressParse(t *testing.T) {
	for _, k := range testKeys(32) {
		pub := k.PubKey()
		want := pub.SerializeCompressed()
		c := CompressPubKey(pub)
		require.Equal(t, want, c[:])

		var p btcec.JacobianPoint
		require.True(t, ParseCompressed(want, &p))
		var back [CompressedSize]byte
		PutCompressed(&p, &back)
		require.Equal(t, want, back[:])

		// A point with Z != 1 (k·G in Jacobian form) compresses the same.
		var j btcec.JacobianPoint
		btcec.ScalarBaseMultNonConst(&k.Key, &j)
		require.Equal(t, want, func() []byte { c := Compress(&j); return c[:] }())
	}
}

func TestParseCompressedRejects(t *testing.T) {
	valid := testKeys(1)[0].PubKey().SerializeCompressed()
	notOnCurve := append([]byte{0x02}, make([]byte, 32)...)
	notOnCurve[32] = 5 // x = 5: x³+7 = 132 is not a square mod p
	overflow := append([]byte{0x02}, make([]byte, 32)...)
	for i := 1; i < 33; i++ {
		overflow[i] = 0xff
	}
	for name, b := range map[string][]byte{
		"empty":          nil,
		"short":          valid[:32],
		"long":           append(append([]byte{}, valid...), 0),
		"uncompressed":   append([]byte{0x04}, valid[1:]...),
		"x not on curve": notOnCurve,
		"x above p":      overflow,
	} {
		var p btcec.JacobianPoint
		require.False(t, ParseCompressed(b, &p), name)
	}
}

func TestToAffineMatchesBtcec(t *testing.T) {
	ks := testKeys(60)
	for i, k := range ks {
		var p btcec.JacobianPoint
		switch i % 3 {
		case 0:
			btcec.ScalarBaseMultNonConst(&k.Key, &p)
		case 1:
			var base btcec.JacobianPoint
			ks[(i+1)%len(ks)].PubKey().AsJacobian(&base)
			btcec.ScalarMultNonConst(&k.Key, &base, &p)
		default:
			k.PubKey().AsJacobian(&p) // Z = 1 already
		}
		want := p
		want.ToAffine()
		got := p
		ToAffine(&got)
		require.True(t, want.X.Equals(&got.X), "case %d", i)
		require.True(t, want.Y.Equals(&got.Y), "case %d", i)
		require.True(t, got.Z.IsOne(), "case %d", i)
	}
}

func TestECDHMatchesBtcec(t *testing.T) {
	ks := testKeys(9)
	for i := 0; i+1 < len(ks); i++ {
		// BOLT 8's ECDH is SHA-256 of the compressed point (not of its x
		// alone, as btcec.GenerateSharedSecret returns), computed here
		// independently with the big-integer curve.
		kb := ks[i].Key.Bytes()
		//lint:ignore SA1019 the deprecated big-integer curve is the independent reference here
		x, y := btcec.S256().ScalarMult(ks[i+1].PubKey().X(), ks[i+1].PubKey().Y(), kb[:])
		var fx, fy btcec.FieldVal
		fx.SetByteSlice(x.Bytes())
		fy.SetByteSlice(y.Bytes())
		expect := sha256.Sum256(btcec.NewPublicKey(&fx, &fy).SerializeCompressed())

		got, ok := ECDH(&ks[i].Key, ks[i+1].PubKey())
		require.True(t, ok)
		require.Equal(t, expect, got)
		// Symmetric.
		back, ok := ECDH(&ks[i+1].Key, ks[i].PubKey())
		require.True(t, ok)
		require.Equal(t, got, back)
	}
}

func TestECDHRejects(t *testing.T) {
	k := testKeys(1)[0]
	_, ok := ECDH(&k.Key, nil)
	require.False(t, ok)
	var zero btcec.ModNScalar
	_, ok = ECDH(&zero, k.PubKey())
	require.False(t, ok, "zero scalar gives the point at infinity")
}

func TestHMACSHA256(t *testing.T) {
	tests := []struct {
		key   [32]byte
		parts [][]byte
	}{
		{},
		{key: [32]byte{1, 2, 3}, parts: [][]byte{[]byte("rho")}},
		{key: sha256.Sum256([]byte("k")), parts: [][]byte{make([]byte, 1300), []byte("assoc"), nil}},
		{key: sha256.Sum256([]byte("k2")), parts: [][]byte{{1}, {2}, {3}, make([]byte, 64)}},
	}
	for _, tc := range tests {
		m := hmac.New(sha256.New, tc.key[:])
		for _, p := range tc.parts {
			m.Write(p)
		}
		require.Equal(t, m.Sum(nil), func() []byte { h := HMACSHA256(&tc.key, tc.parts...); return h[:] }())
	}
}

// TestNoAllocations checks the helpers on the hot paths (not the scalar
// multiplication, which btcec allocates in) do not allocate.
func TestNoAllocations(t *testing.T) {
	ks := testKeys(2)
	pub := ks[1].PubKey()
	ser := pub.SerializeCompressed()
	key := [32]byte{7}
	msg := make([]byte, 1300)
	var sink [32]byte
	allocs := testing.AllocsPerRun(50, func() {
		c := CompressPubKey(pub)
		var p btcec.JacobianPoint
		ParseCompressed(ser, &p)
		var x [32]byte
		p.X.PutBytes(&x)
		sink = HMACSHA256(&key, msg, c[:], x[:])
	})
	_ = sink
	require.Zero(t, allocs)
}

func BenchmarkHMACSHA256(b *testing.B) {
	key := [32]byte{7}
	msg := make([]byte, 1300)
	b.ReportAllocs()
	for b.Loop() {
		HMACSHA256(&key, msg, []byte("x"))
	}
}

func BenchmarkECDH(b *testing.B) {
	ks := testKeys(2)
	pub := ks[1].PubKey()
	b.Run("fast", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			ECDH(&ks[0].Key, pub)
		}
	})
	b.Run("btcec", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			btcecECDH(&ks[0].Key, pub)
		}
	})
}

func TestInvertFieldMatchesBtcec(t *testing.T) {
	var fs []btcec.FieldVal
	for _, v := range []uint16{0, 1, 2, 977} {
		var f btcec.FieldVal
		f.SetInt(v)
		fs = append(fs, f)
	}
	var pMinus1 btcec.FieldVal
	pMinus1.SetInt(1).Negate(1)
	fs = append(fs, pMinus1)
	for _, k := range testKeys(20) {
		var p btcec.JacobianPoint
		btcec.ScalarBaseMultNonConst(&k.Key, &p)
		fs = append(fs, p.Z) // not normalized
	}
	for i, f := range fs {
		want := f
		want.Inverse()
		got := f
		require.Same(t, &got, InvertField(&got))
		require.True(t, want.Normalize().Equals(&got), "case %d", i)
	}
}
