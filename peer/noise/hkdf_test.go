package noise

import (
	stdhkdf "crypto/hkdf"
	"crypto/sha256"
	"math/rand/v2"
	"testing"

	"github.com/stretchr/testify/require"
)

func TestHKDFMatchesStdlib(t *testing.T) {
	rng := rand.New(rand.NewPCG(3, 4))
	for _, n := range []int{0, 1, 32} {
		var salt [32]byte
		fillRandom(rng, salt[:])
		ikm := make([]byte, n)
		fillRandom(rng, ikm)
		want, err := stdhkdf.Key(sha256.New, ikm, salt[:], "", 64)
		require.NoError(t, err)
		a, b := hkdf(&salt, ikm)
		require.Equal(t, want[:32], a[:], "ikm length %d", n)
		require.Equal(t, want[32:], b[:], "ikm length %d", n)
	}
}

func fillRandom(rng *rand.Rand, b []byte) {
	for i := range b {
		b[i] = byte(rng.Uint32())
	}
}
