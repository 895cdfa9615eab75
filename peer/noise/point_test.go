package noise

import (
	"math/rand/v2"
	"testing"

	"github.com/stretchr/testify/require"
)

// TestLocalKeyECDH checks LocalKey's ECDH is symmetric and its node id is
// the compressed public key (secp's own tests check the ECDH against
// big-integer arithmetic).
func TestLocalKeyECDH(t *testing.T) {
	rng := rand.New(rand.NewPCG(62, 63))
	for range 50 {
		a, b := randomKey(t, rng), randomKey(t, rng)
		ka, err := NewLocalKey(a)
		require.NoError(t, err)
		kb, err := NewLocalKey(b)
		require.NoError(t, err)
		sa, err := ka.ECDH(b.PubKey())
		require.NoError(t, err)
		sb, err := kb.ECDH(a.PubKey())
		require.NoError(t, err)
		require.Equal(t, sa, sb)
		id := ka.NodeID()
		require.Equal(t, a.PubKey().SerializeCompressed(), id[:])
	}
}
