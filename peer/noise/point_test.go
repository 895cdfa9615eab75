package noise

import (
	"math/rand/v2"
	"testing"

	"github.com/btcsuite/btcd/btcec/v2"
	"github.com/stretchr/testify/require"
)

func TestToAffineMatchesBtcec(t *testing.T) {
	rng := rand.New(rand.NewPCG(60, 61))
	for i := range 300 {
		k := randomKey(t, rng)
		var p btcec.JacobianPoint
		switch i % 3 {
		case 0:
			btcec.ScalarBaseMultNonConst(&k.Key, &p)
		case 1:
			var base btcec.JacobianPoint
			randomKey(t, rng).PubKey().AsJacobian(&base)
			btcec.ScalarMultNonConst(&k.Key, &base, &p)
		default:
			k.PubKey().AsJacobian(&p) // Z = 1 already
		}
		want := p
		want.ToAffine()
		got := p
		toAffine(&got)
		require.True(t, want.X.Equals(&got.X), "case %d", i)
		require.True(t, want.Y.Equals(&got.Y), "case %d", i)
		require.True(t, got.Z.IsOne(), "case %d", i)
		require.Equal(t, btcec.NewPublicKey(&want.X, &want.Y).SerializeCompressed(), func() []byte {
			c := compressJacobian(&p)
			return c[:]
		}(), "case %d", i)
	}
}

func TestECDHMatchesBtcec(t *testing.T) {
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

func TestParsePoint(t *testing.T) {
	rng := rand.New(rand.NewPCG(64, 65))
	for range 100 {
		pub := randomKey(t, rng).PubKey()
		var p btcec.JacobianPoint
		require.True(t, parsePoint(pub.SerializeCompressed(), &p))
		c := compressJacobian(&p)
		require.Equal(t, pub.SerializeCompressed(), c[:])
	}
	var p btcec.JacobianPoint
	for _, bad := range [][]byte{nil, {2}, make([]byte, 33), make([]byte, 34), append([]byte{4}, make([]byte, 32)...)} {
		require.False(t, parsePoint(bad, &p))
	}
}
