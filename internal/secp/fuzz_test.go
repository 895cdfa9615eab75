package secp

import (
	"testing"

	"github.com/btcsuite/btcd/btcec/v2"
	"github.com/btcsuite/btcd/btcec/v2/ecdsa"
	"github.com/stretchr/testify/require"
)

// FuzzParseCompressed checks ParseCompressed accepts exactly the
// compressed keys btcec.ParsePubKey accepts, and that a parsed point
// compresses back to its input.
func FuzzParseCompressed(f *testing.F) {
	for _, k := range testKeys(4) {
		f.Add(k.PubKey().SerializeCompressed())
	}
	f.Add(append([]byte{0x02}, make([]byte, 32)...))
	f.Add(append([]byte{0x04}, make([]byte, 32)...))
	f.Fuzz(func(t *testing.T, b []byte) {
		var p btcec.JacobianPoint
		ok := ParseCompressed(b, &p)
		pub, err := btcec.ParsePubKey(b)
		want := err == nil && len(b) == CompressedSize
		require.Equal(t, want, ok, "ParseCompressed = %v, btcec accepts a compressed key: %v", ok, want)
		if !ok {
			return
		}
		var c [CompressedSize]byte
		PutCompressed(&p, &c)
		require.Equal(t, string(b), string(c[:]), "round trip of %x gave %x", b, c)
		require.Equal(t, c, CompressPubKey(pub), "round trip of %x gave %x", b, c)
	})
}

// fuzzKey derives a private key from fuzz bytes (never zero).
func fuzzKey(b []byte) *btcec.PrivateKey {
	var k btcec.ModNScalar
	k.SetByteSlice(b)
	if k.IsZero() {
		k.SetInt(1)
	}
	return btcec.PrivKeyFromScalar(&k)
}

// FuzzVerify checks Verify accepts exactly what decred accepts. With a
// 64-byte sig the fuzzer's (r, s) is verified against key's public key (or
// the compressed key pub when it parses); otherwise key signs hash and bit
// flip (if below 512) of the signature is flipped, so that valid and
// nearly valid signatures are both explored.
func FuzzVerify(f *testing.F) {
	f.Add([]byte{1}, []byte("hash"), []byte(nil), []byte(nil), uint16(0xffff))
	f.Add([]byte{2}, make([]byte, 32), []byte(nil), []byte(nil), uint16(3))
	f.Add([]byte{3}, make([]byte, 32), make([]byte, 64), []byte(nil), uint16(0))
	f.Fuzz(func(t *testing.T, key, hash, sig, pub []byte, flip uint16) {
		priv := fuzzKey(key)
		pk := priv.PubKey()
		if p, err := btcec.ParsePubKey(pub); err == nil {
			pk = p
		}
		var r, s btcec.ModNScalar
		if len(sig) == 64 {
			r.SetByteSlice(sig[:32])
			s.SetByteSlice(sig[32:])
		} else {
			r, s = sigScalars(ecdsa.Sign(priv, hash))
			if flip < 512 {
				if flip < 256 {
					r = flipBit(&r, int(flip))
				} else {
					s = flipBit(&s, int(flip-256))
				}
			}
		}
		require.Equal(t, decredVerify(&r, &s, hash, pk), Verify(&r, &s, hash, pk))
	})
}

// FuzzRecover checks RecoverCompact returns decred's key or error. With a
// 65-byte sig the fuzzer's signature is recovered; otherwise key signs
// hash and the header byte is replaced by header unless it is zero.
func FuzzRecover(f *testing.F) {
	f.Add([]byte{1}, []byte("hash"), []byte(nil), byte(0))
	f.Add([]byte{2}, make([]byte, 32), []byte(nil), byte(29))
	f.Add([]byte{3}, make([]byte, 32), make([]byte, 65), byte(0))
	f.Fuzz(func(t *testing.T, key, hash, sig []byte, header byte) {
		if len(sig) != 65 {
			sig = ecdsa.SignCompact(fuzzKey(key), hash, len(key)%2 == 0)
			if header != 0 {
				sig[0] = header
			}
		}
		requireRecoverMatches(t, sig, hash)
	})
}

// FuzzECDH checks ECDH against btcec's product for a scalar and a key
// from the input (the compressed key pub when it parses, else key·G), and
// ScalarBaseMultNonConst of the scalar against btcec's.
func FuzzECDH(f *testing.F) {
	f.Add([]byte{1}, []byte{2}, []byte(nil))
	f.Add(make([]byte, 32), []byte{2}, []byte(nil))
	f.Add([]byte{0xff, 0xff}, []byte{7}, testKeys(1)[0].PubKey().SerializeCompressed())
	f.Fuzz(func(t *testing.T, scalar, key, pub []byte) {
		var k btcec.ModNScalar
		k.SetByteSlice(scalar)
		pk := fuzzKey(key).PubKey()
		if p, err := btcec.ParsePubKey(pub); err == nil {
			pk = p
		}
		want, wantOK := btcecECDH(&k, pk)
		got, ok := ECDH(&k, pk)
		require.Equal(t, wantOK, ok)
		require.Equal(t, want, got)
		requireBaseMultMatches(t, &k)
	})
}
