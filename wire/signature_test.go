package wire

import (
	"crypto/sha256"
	"testing"

	"github.com/btcsuite/btcd/btcec/v2"
	"github.com/btcsuite/btcd/btcec/v2/ecdsa"
	"github.com/stretchr/testify/require"
)

// TestSignatureVerifyMatchesDecred checks Signature.Verify accepts exactly
// what parsing with ToECDSA and verifying with btcec (decred) accepts: valid
// and high-S signatures, and not zero, out-of-range or corrupted r and s.
func TestSignatureVerifyMatchesDecred(t *testing.T) {
	order := btcec.S256().N.FillBytes(make([]byte, 32))
	for i := range 40 {
		seed := sha256.Sum256([]byte{byte(i), 's'})
		priv, pub := btcec.PrivKeyFromBytes(seed[:])
		hash := sha256.Sum256(seed[:])
		sig := NewSignatureFromECDSA(ecdsa.Sign(priv, hash[:]))
		var s, highS btcec.ModNScalar
		s.SetByteSlice(sig[32:])
		highS.NegateVal(&s)
		high := sig
		hb := highS.Bytes()
		copy(high[32:], hb[:])
		flipped := sig
		flipped[i%64] ^= 1 << (i % 8)
		rZero, sZero, rOrder, sOrder := sig, sig, sig, sig
		clear(rZero[:32])
		clear(sZero[32:])
		copy(rOrder[:32], order)
		copy(sOrder[32:], order)
		for name, c := range map[string]Signature{
			"valid": sig, "high s": high, "flipped": flipped,
			"r zero": rZero, "s zero": sZero, "r = n": rOrder, "s = n": sOrder,
		} {
			want := false
			if parsed, err := c.ToECDSA(); err == nil {
				want = parsed.Verify(hash[:], pub)
			}
			require.Equal(t, want, c.Verify(hash[:], pub), "case %d %s", i, name)
			if name == "valid" || name == "high s" {
				require.True(t, want, "case %d %s", i, name)
			}
		}
	}
}
