package keys

import (
	"fmt"
	"testing"

	"github.com/btcsuite/btcd/btcec/v2"
	"github.com/stretchr/testify/require"

	"github.com/lnkit/lnkit/wire"
)

func TestKeyDerivationVectors(t *testing.T) {
	var v keyDerivationVectors
	loadVectors(t, "bolt03-key-derivation.json", &v)
	require.Len(t, v.Cases, 4)

	baseSecret := privKey(t, v.Inputs.BaseSecret)
	pcs := privKey(t, v.Inputs.PerCommitmentSecret)
	basepoint := parsePub(t, v.Inputs.BasePoint)
	pcp := parsePub(t, v.Inputs.PerCommitmentPoint)
	require.Equal(t, v.Inputs.BasePoint, pubHex(baseSecret.PubKey()))
	require.Equal(t, v.Inputs.PerCommitmentPoint, pubHex(pcs.PubKey()))

	for _, c := range v.Cases {
		t.Run(c.OutputName, func(t *testing.T) {
			var got string
			switch c.OutputName {
			case "localpubkey":
				got = pubHex(DerivePubKey(basepoint, pcp))
			case "localprivkey":
				got = privHex(DerivePrivKey(baseSecret, pcp))
			case "revocationpubkey":
				got = pubHex(DeriveRevocationPubKey(basepoint, pcp))
			case "revocationprivkey":
				got = privHex(DeriveRevocationPrivKey(baseSecret, pcs))
			default:
				require.Fail(t, fmt.Sprintf("unknown output %q", c.OutputName))
			}
			require.Equal(t, c.Output, got)
		})
	}
}

// TestDerivedKeysMatch checks every private derivation against its public
// counterpart for many random keys.
func TestDerivedKeysMatch(t *testing.T) {
	e := NewDeterministicEntropy([32]byte{1})
	for i := 0; i < 20; i++ {
		base, _ := btcec.PrivKeyFromBytes(randBytes(e))
		pcs, _ := btcec.PrivKeyFromBytes(randBytes(e))
		pcp := pcs.PubKey()

		require.True(t, DerivePrivKey(base, pcp).PubKey().IsEqual(DerivePubKey(base.PubKey(), pcp)))
		require.True(t, DeriveRevocationPrivKey(base, pcs).PubKey().IsEqual(DeriveRevocationPubKey(base.PubKey(), pcp)))
	}
}

func randBytes(e EntropySource) []byte {
	b := e.GetSecureRandomBytes()
	return b[:]
}

// randomChannelKeys returns a side's random channel keys.
func randomChannelKeys(e EntropySource) *ChannelPublicKeys {
	pub := func() *btcec.PublicKey {
		_, p := btcec.PrivKeyFromBytes(randBytes(e))
		return p
	}
	return &ChannelPublicKeys{
		FundingKey:              pub(),
		RevocationBasepoint:     pub(),
		PaymentBasepoint:        pub(),
		DelayedPaymentBasepoint: pub(),
		HTLCBasepoint:           pub(),
	}
}

func TestDeriveCommitmentKeys(t *testing.T) {
	e := NewDeterministicEntropy([32]byte{2})
	for i := 0; i < 10; i++ {
		local, remote := randomChannelKeys(e), randomChannelKeys(e)
		_, pcp := btcec.PrivKeyFromBytes(randBytes(e))
		got := DeriveCommitmentKeys(pcp, local, remote)
		want := CommitmentKeys{
			PerCommitmentPoint: wire.NewPoint(pcp),
			RevocationKey:      wire.NewPoint(DeriveRevocationPubKey(remote.RevocationBasepoint, pcp)),
			LocalDelayedKey:    wire.NewPoint(DerivePubKey(local.DelayedPaymentBasepoint, pcp)),
			LocalHTLCKey:       wire.NewPoint(DerivePubKey(local.HTLCBasepoint, pcp)),
			RemoteHTLCKey:      wire.NewPoint(DerivePubKey(remote.HTLCBasepoint, pcp)),
			ToRemoteKey:        wire.NewPoint(remote.PaymentBasepoint),
		}
		require.Equal(t, want, got)
	}
}

// TestDeriveCommitmentPubKeys: the batched derivation gives the keys of
// the individual functions, and the BOLT 3 vector's.
func TestDeriveCommitmentPubKeys(t *testing.T) {
	e := NewDeterministicEntropy([32]byte{4})
	for range 10 {
		local, remote := randomChannelKeys(e), randomChannelKeys(e)
		_, pcp := btcec.PrivKeyFromBytes(randBytes(e))
		rev, delayed, localHTLC, remoteHTLC, ok := DeriveCommitmentPubKeys(pcp, NewFixedBase(remote.RevocationBasepoint),
			local.DelayedPaymentBasepoint, local.HTLCBasepoint, remote.HTLCBasepoint)
		require.True(t, ok)
		require.True(t, rev.IsEqual(DeriveRevocationPubKey(remote.RevocationBasepoint, pcp)))
		require.True(t, delayed.IsEqual(DerivePubKey(local.DelayedPaymentBasepoint, pcp)))
		require.True(t, localHTLC.IsEqual(DerivePubKey(local.HTLCBasepoint, pcp)))
		require.True(t, remoteHTLC.IsEqual(DerivePubKey(remote.HTLCBasepoint, pcp)))
	}
	var v keyDerivationVectors
	loadVectors(t, "bolt03-key-derivation.json", &v)
	basepoint := parsePub(t, v.Inputs.BasePoint)
	pcp := parsePub(t, v.Inputs.PerCommitmentPoint)
	want := map[string]string{}
	for _, c := range v.Cases {
		want[c.OutputName] = c.Output
	}
	rev, delayed, localHTLC, remoteHTLC, ok := DeriveCommitmentPubKeys(pcp, NewFixedBase(basepoint), basepoint, basepoint, basepoint)
	require.True(t, ok)
	for _, k := range []*btcec.PublicKey{delayed, localHTLC, remoteHTLC} {
		require.Equal(t, want["localpubkey"], wire.NewPoint(k).String())
	}
	require.Equal(t, want["revocationpubkey"], wire.NewPoint(rev).String())
}

// TestDeriveCommitmentKeysVector checks DeriveCommitmentKeys against the
// BOLT 3 key derivation vector, using its basepoint for every basepoint.
func TestDeriveCommitmentKeysVector(t *testing.T) {
	var v keyDerivationVectors
	loadVectors(t, "bolt03-key-derivation.json", &v)
	basepoint := parsePub(t, v.Inputs.BasePoint)
	pcp := parsePub(t, v.Inputs.PerCommitmentPoint)
	side := &ChannelPublicKeys{
		FundingKey: basepoint, RevocationBasepoint: basepoint, PaymentBasepoint: basepoint,
		DelayedPaymentBasepoint: basepoint, HTLCBasepoint: basepoint,
	}
	want := map[string]string{}
	for _, c := range v.Cases {
		want[c.OutputName] = c.Output
	}
	keys := DeriveCommitmentKeys(pcp, side, side)
	require.Equal(t, want["localpubkey"], keys.LocalDelayedKey.String())
	require.Equal(t, want["localpubkey"], keys.LocalHTLCKey.String())
	require.Equal(t, want["localpubkey"], keys.RemoteHTLCKey.String())
	require.Equal(t, want["revocationpubkey"], keys.RevocationKey.String())
	require.Equal(t, v.Inputs.BasePoint, keys.ToRemoteKey.String())
	require.Equal(t, v.Inputs.PerCommitmentPoint, keys.PerCommitmentPoint.String())
}

func TestBatchToAffine(t *testing.T) {
	e := NewDeterministicEntropy([32]byte{3})
	for _, n := range []int{1, 2, 4, 8, 9, 17} {
		pts := make([]*btcec.JacobianPoint, n)
		want := make([]btcec.JacobianPoint, n)
		for i := range pts {
			var k btcec.ModNScalar
			b := e.GetSecureRandomBytes()
			k.SetBytes(&b)
			var p btcec.JacobianPoint
			btcec.ScalarBaseMultNonConst(&k, &p)
			// Add G so Z is not 1.
			var g btcec.JacobianPoint
			btcec.GeneratorJacobian(&g)
			btcec.AddNonConst(&p, &g, &p)
			if i == 1 {
				p = btcec.JacobianPoint{} // infinity stays untouched
			}
			pts[i] = &btcec.JacobianPoint{}
			pts[i].Set(&p)
			want[i].Set(&p)
			if i != 1 {
				want[i].ToAffine()
			}
		}
		batchToAffine(pts)
		for i := range pts {
			require.True(t, pts[i].X.Equals(&want[i].X), "n=%d i=%d", n, i)
			require.True(t, pts[i].Y.Equals(&want[i].Y), "n=%d i=%d", n, i)
		}
	}
}
