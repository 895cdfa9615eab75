package channel

import (
	"testing"

	"github.com/btcsuite/btcd/btcec/v2"
	"github.com/stretchr/testify/require"

	"github.com/lnkit/lnkit/keys"
	"github.com/lnkit/lnkit/wire"
)

// reestablishTestSigner is a channel's real keys.InMemorySigner that fails
// the test when asked for a number above keys.MaxCommitmentNumber: peer
// numbers must be bounded before they reach the keys.
type reestablishTestSigner struct {
	t testing.TB
	s *keys.InMemorySigner
}

func (s reestablishTestSigner) check(n uint64) {
	if n > keys.MaxCommitmentNumber {
		s.t.Errorf("signer asked for commitment number %d, above 2^48-1", n)
	}
}

func (s reestablishTestSigner) PerCommitmentSecret(n uint64) ([32]byte, error) {
	s.check(n)
	return s.s.PerCommitmentSecret(n)
}

func (s reestablishTestSigner) PerCommitmentPoint(n uint64) (*btcec.PublicKey, error) {
	s.check(n)
	return s.s.PerCommitmentPoint(n)
}

// reestablishTestKeys returns the channel signer of node seed seedByte for
// the channel key id idByte, as the manager derives it.
func reestablishTestKeys(seedByte, idByte byte) *keys.InMemorySigner {
	var seed keys.Seed
	seed[0] = seedByte
	var id [32]byte
	id[0] = idByte
	return keys.NewManager(seed, keys.Config{}).ChannelKeys(id)
}

// reestablishChannelID is the channel of every test.
var reestablishChannelID = wire.ChannelID{0xc1}

// reestablishSecret returns the per-commitment secret n of s.
func reestablishSecret(t testing.TB, s *keys.InMemorySigner, n uint64) wire.PerCommitmentSecret {
	t.Helper()
	secret, err := s.PerCommitmentSecret(n)
	require.NoError(t, err)
	return secret
}

// reestablishPointOf returns the per-commitment point n of s.
func reestablishPointOf(t testing.TB, s *keys.InMemorySigner, n uint64) wire.Point {
	t.Helper()
	p, err := s.PerCommitmentPoint(n)
	require.NoError(t, err)
	return wire.NewPoint(p)
}
