package keys

import (
	"crypto/sha256"
	"math"
	"testing"

	"github.com/btcsuite/btcd/btcec/v2"
	"github.com/stretchr/testify/require"

	"github.com/lnkit/lnkit/wire"
)

// TestSignerSignatures checks every signing method against the public key
// BOLT 3 says the counterparty verifies it with.
func TestSignerSignatures(t *testing.T) {
	alice := NewManager(Seed{1}, Config{}).ChannelKeys(ChannelKeyIDFromCounter(0))
	bob := NewManager(Seed{2}, Config{}).ChannelKeys(ChannelKeyIDFromCounter(0))
	ab, bb := alice.Basepoints(), bob.Basepoints()
	hash := wire.Digest(sha256.Sum256([]byte("sighash")))

	for _, n := range []uint64{0, 1, 2, 1000, MaxCommitmentNumber} {
		pcp := must(bob.PerCommitmentPoint(n)) // Bob's commitment number n

		// Funding and payment keys are static.
		sig := must(alice.SignFunding(hash))
		require.True(t, sig.Verify(hash[:], ab.FundingKey))
		requireLowS(t, sig)
		sig = must(alice.SignPayment(hash))
		require.True(t, sig.Verify(hash[:], ab.PaymentBasepoint))

		// Alice's HTLC key on Bob's commitment (remote_htlcpubkey).
		sig = must(alice.SignHTLC(pcp, hash))
		require.True(t, sig.Verify(hash[:], DerivePubKey(ab.HTLCBasepoint, pcp)))
		requireLowS(t, sig)

		// Bob's delayed key on his own commitment (local_delayedpubkey).
		sig = must(bob.SignDelayedPayment(pcp, hash))
		require.True(t, sig.Verify(hash[:], DerivePubKey(bb.DelayedPaymentBasepoint, pcp)))

		// Bob revokes commitment n: Alice can sign with the revocation key.
		secret := must(bob.PerCommitmentSecret(n))
		require.True(t, PerCommitmentPointFromSecret(secret).IsEqual(pcp))
		sig, err := alice.SignRevocation(secret, hash)
		require.NoError(t, err)
		require.True(t, sig.Verify(hash[:], DeriveRevocationPubKey(ab.RevocationBasepoint, pcp)))
		requireLowS(t, sig)

		// The keys of DeriveCommitmentKeys are the ones signed with.
		ck := DeriveCommitmentKeys(pcp, &bb, &ab)
		require.Equal(t, ck.RevocationKey.String(), pubHex(DeriveRevocationPubKey(ab.RevocationBasepoint, pcp)))
		require.Equal(t, ck.RemoteHTLCKey.String(), pubHex(DerivePubKey(ab.HTLCBasepoint, pcp)))
	}
}

func TestSignerPerCommitment(t *testing.T) {
	s := NewManager(Seed{3}, Config{}).ChannelKeys(ChannelKeyIDFromCounter(1))
	for _, n := range []uint64{0, 1, 77} {
		require.Equal(t, PerCommitmentSecret(s.commitmentSeed, MaxShachainIndex-n), must(s.PerCommitmentSecret(n)))
		secret := must(s.PerCommitmentSecret(n))
		_, want := btcec.PrivKeyFromBytes(secret[:])
		require.True(t, want.IsEqual(must(s.PerCommitmentPoint(n))))
	}
	for _, n := range []uint64{MaxCommitmentNumber + 1, math.MaxUint64} {
		_, err := s.PerCommitmentSecret(n)
		require.ErrorIs(t, err, ErrCommitmentNumberTooLarge)
		_, err = s.PerCommitmentPoint(n)
		require.ErrorIs(t, err, ErrCommitmentNumberTooLarge)
	}

	// The counterparty stores our secrets compactly as we reveal them.
	var store SecretStore
	for n := uint64(0); n < 100; n++ {
		require.NoError(t, store.Insert(must(ShachainIndex(n)), must(s.PerCommitmentSecret(n))))
	}
	got, err := store.Lookup(must(ShachainIndex(42)))
	require.NoError(t, err)
	require.Equal(t, must(s.PerCommitmentSecret(42)), got)
}

func TestSignRevocationInvalidSecret(t *testing.T) {
	s := NewManager(Seed{4}, Config{}).ChannelKeys(ChannelKeyIDFromCounter(0))
	hash := wire.Digest(sha256.Sum256(nil))
	_, err := s.SignRevocation([32]byte{}, hash)
	require.ErrorIs(t, err, ErrInvalidSecret)
	var over [32]byte
	for i := range over {
		over[i] = 0xff
	}
	_, err = s.SignRevocation(over, hash)
	require.ErrorIs(t, err, ErrInvalidSecret)
}

// TestSignDerivedNilPoint checks a nil per-commitment point is an error,
// not a panic.
func TestSignDerivedNilPoint(t *testing.T) {
	s := NewManager(Seed{5}, Config{}).ChannelKeys(ChannelKeyIDFromCounter(0))
	_, err := s.SignHTLC(nil, wire.Digest{})
	require.ErrorIs(t, err, ErrInvalidPublicKey)
	_, err = s.SignDelayedPayment(nil, wire.Digest{})
	require.ErrorIs(t, err, ErrInvalidPublicKey)
}
