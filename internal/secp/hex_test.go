package secp

import (
	"encoding/hex"
	"testing"

	"github.com/stretchr/testify/require"
)

// mustHex decodes a hex literal of a test.
func mustHex(t testing.TB, s string) []byte {
	t.Helper()
	b, err := hex.DecodeString(s)
	require.NoError(t, err, "bad hex %q", s)
	return b
}
