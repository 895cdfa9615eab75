package keys

import (
	"crypto/sha256"
	"testing"

	"github.com/lnkit/lnkit/wire"
)

// BenchmarkSecretStoreInsert inserts a full run of 1024 consecutive secrets
// into an empty store (one op = 1024 inserts, with every derivation check).
func BenchmarkSecretStoreInsert(b *testing.B) {
	const run = 1024
	seed := [32]byte{0xff}
	secrets := make([][32]byte, run)
	for i := range secrets {
		secrets[i] = PerCommitmentSecret(seed, must(ShachainIndex(uint64(i))))
	}
	b.ReportAllocs()
	for b.Loop() {
		var s SecretStore
		for i := range secrets {
			if err := s.Insert(must(ShachainIndex(uint64(i))), secrets[i]); err != nil {
				b.Fatal(err)
			}
		}
	}
	b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N*run), "ns/insert")
}

// BenchmarkSecretStoreLookup looks up secrets spread over a store holding
// 1024 secrets.
func BenchmarkSecretStoreLookup(b *testing.B) {
	const run = 1024
	seed := [32]byte{0xff}
	var s SecretStore
	for i := uint64(0); i < run; i++ {
		if err := s.Insert(must(ShachainIndex(i)), PerCommitmentSecret(seed, must(ShachainIndex(i)))); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportAllocs()
	i := uint64(0)
	for b.Loop() {
		if _, err := s.Lookup(must(ShachainIndex(i % run))); err != nil {
			b.Fatal(err)
		}
		i += 37
	}
}

// BenchmarkPerCommitmentSecret generates a secret from a seed (worst case:
// all 48 index bits set).
func BenchmarkPerCommitmentSecret(b *testing.B) {
	b.ReportAllocs()
	for b.Loop() {
		_ = PerCommitmentSecret([32]byte{1}, MaxShachainIndex)
	}
}

// BenchmarkDeriveCommitmentKeys derives all the keys of one commitment:
// revocation, local delayed, local and remote HTLC, to_remote.
func BenchmarkDeriveCommitmentKeys(b *testing.B) {
	e := NewDeterministicEntropy([32]byte{1})
	local, remote := randomChannelKeys(e), randomChannelKeys(e)
	pcp := PerCommitmentPoint([32]byte{2}, MaxShachainIndex)
	b.ReportAllocs()
	for b.Loop() {
		_ = DeriveCommitmentKeys(pcp, local, remote)
	}
}

// BenchmarkDeriveCommitmentPubKeys derives the same keys as public keys
// with the revocation basepoint's table (made once, outside the loop), as
// commit.Channel does.
func BenchmarkDeriveCommitmentPubKeys(b *testing.B) {
	e := NewDeterministicEntropy([32]byte{1})
	local, remote := randomChannelKeys(e), randomChannelKeys(e)
	pcp := PerCommitmentPoint([32]byte{2}, MaxShachainIndex)
	rev := NewFixedBase(remote.RevocationBasepoint)
	b.ReportAllocs()
	for b.Loop() {
		_, _, _, _, _ = DeriveCommitmentPubKeys(pcp, rev, local.DelayedPaymentBasepoint, local.HTLCBasepoint, remote.HTLCBasepoint)
	}
}

// BenchmarkDeriveKeysSeparately derives the same keys with the individual
// functions, for comparison.
func BenchmarkDeriveKeysSeparately(b *testing.B) {
	e := NewDeterministicEntropy([32]byte{1})
	local, remote := randomChannelKeys(e), randomChannelKeys(e)
	pcp := PerCommitmentPoint([32]byte{2}, MaxShachainIndex)
	b.ReportAllocs()
	for b.Loop() {
		_ = DeriveRevocationPubKey(remote.RevocationBasepoint, pcp)
		_ = DerivePubKey(local.DelayedPaymentBasepoint, pcp)
		_ = DerivePubKey(local.HTLCBasepoint, pcp)
		_ = DerivePubKey(remote.HTLCBasepoint, pcp)
	}
}

// BenchmarkECDH is the BOLT 8 ECDH with the node key.
func BenchmarkECDH(b *testing.B) {
	m := NewManager(Seed{1}, Config{})
	pub := NewManager(Seed{2}, Config{}).PublicKey()
	b.ReportAllocs()
	for b.Loop() {
		if _, err := m.ECDH(pub); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkSignMessage signs a short message the lnd way.
func BenchmarkSignMessage(b *testing.B) {
	m := NewManager(Seed{1}, Config{})
	msg := []byte("prove you own this node")
	b.ReportAllocs()
	for b.Loop() {
		if _, err := m.SignMessage(msg); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkVerifyMessage recovers the signer of a message signature.
func BenchmarkVerifyMessage(b *testing.B) {
	m := NewManager(Seed{1}, Config{})
	msg := []byte("prove you own this node")
	sig, _ := m.SignMessage(msg)
	b.ReportAllocs()
	for b.Loop() {
		if _, err := RecoverMessageSigner(msg, sig); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkSignHTLC signs with a derived HTLC key.
func BenchmarkSignHTLC(b *testing.B) {
	s := NewManager(Seed{1}, Config{}).ChannelKeys(ChannelKeyIDFromCounter(0))
	pcp := PerCommitmentPoint([32]byte{2}, MaxShachainIndex)
	hash := wire.Digest(sha256.Sum256(nil))
	b.ReportAllocs()
	for b.Loop() {
		if _, err := s.SignHTLC(pcp, hash); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkChannelKeys derives a channel signer from the seed.
func BenchmarkChannelKeys(b *testing.B) {
	m := NewManager(Seed{1}, Config{})
	b.ReportAllocs()
	for b.Loop() {
		_ = m.ChannelKeys(ChannelKeyIDFromCounter(0))
	}
}
