package secp

import (
	"testing"

	"github.com/btcsuite/btcd/btcec/v2"
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
