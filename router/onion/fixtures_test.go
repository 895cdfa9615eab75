package onion

import (
	"encoding/hex"
	"testing"

	"github.com/lnkit/lnkit/internal/vectors"
	"github.com/stretchr/testify/require"

	"github.com/btcsuite/btcd/btcec/v2"
)

func mustHex(t testing.TB, s string) []byte {
	t.Helper()
	b, err := hex.DecodeString(s)
	require.NoError(t, err, "bad hex %q", s)
	return b
}

func mustPub(t testing.TB, s string) *btcec.PublicKey {
	t.Helper()
	pub, err := btcec.ParsePubKey(mustHex(t, s))
	require.NoError(t, err, "bad pubkey %s", s)
	return pub
}

func mustPriv(t testing.TB, s string) *btcec.PrivateKey {
	t.Helper()
	priv, _ := btcec.PrivKeyFromBytes(mustHex(t, s))
	return priv
}

// loadVector decodes a shared vector file into v; a missing file fails the test.
func loadVector(t testing.TB, name string, v any) {
	t.Helper()
	vectors.Load(t, name, v)
}

func hexEq(t testing.TB, what string, got []byte, want string) {
	t.Helper()
	g := hex.EncodeToString(got)
	require.Equal(t, want, g, "%s:\n got  %s\n want %s", what, g, want)
}

func toHex(b []byte) string { return hex.EncodeToString(b) }
