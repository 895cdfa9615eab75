package keys

import (
	"crypto/sha256"
	"encoding/hex"
	"testing"

	"github.com/btcsuite/btcd/btcec/v2"
	"github.com/stretchr/testify/require"

	"github.com/lnkit/lnkit/internal/secp"
	"github.com/lnkit/lnkit/wire"
)

// Interfaces that lnkit's other packages declare where they consume a key
// manager; Manager must satisfy them.
type (
	nodeIdentity interface {
		NodeID() wire.NodeID
	}
	hashSigner interface {
		SignHash(digest wire.Digest) (wire.Signature, error)
	}
	invoiceSigner interface {
		SignInvoice(digest wire.Digest) (wire.Signature, byte, error)
	}
	messageSigner interface {
		SignMessage(msg []byte) (string, error)
		VerifyMessage(msg []byte, zbase32Sig string) (wire.NodeID, error)
	}
	channelKeySource interface {
		ChannelKeys(keyID [32]byte) *InMemorySigner
	}
	channelSigner interface {
		Basepoints() ChannelPublicKeys
		PerCommitmentPoint(commitmentNumber uint64) (*btcec.PublicKey, error)
		PerCommitmentSecret(commitmentNumber uint64) ([32]byte, error)
		SignFunding(digest wire.Digest) (wire.Signature, error)
		SignHTLC(perCommitmentPoint *btcec.PublicKey, digest wire.Digest) (wire.Signature, error)
		SignDelayedPayment(perCommitmentPoint *btcec.PublicKey, digest wire.Digest) (wire.Signature, error)
		SignPayment(digest wire.Digest) (wire.Signature, error)
		SignRevocation(perCommitmentSecret [32]byte, digest wire.Digest) (wire.Signature, error)
	}
)

var (
	_ nodeIdentity     = (*Manager)(nil)
	_ ECDH             = (*Manager)(nil)
	_ hashSigner       = (*Manager)(nil)
	_ invoiceSigner    = (*Manager)(nil)
	_ messageSigner    = (*Manager)(nil)
	_ channelKeySource = (*Manager)(nil)
	_ channelSigner    = (*InMemorySigner)(nil)
	_ EntropySource    = CryptoEntropy{}
	_ EntropySource    = (*DeterministicEntropy)(nil)
)

// TestDerivationSchemePinned pins the seed derivation scheme of doc.go. The
// expected values were computed by an independent Python implementation of
// that description (HMAC-SHA256 HKDF and affine secp256k1 arithmetic). If
// this test fails, existing nodes would change identity and lose their
// channel keys: do not update the values, fix the code.
func TestDerivationSchemePinned(t *testing.T) {
	var seq Seed
	for i := range seq {
		seq[i] = byte(i)
	}
	tests := []struct {
		seed                                              Seed
		nodeID                                            string
		funding, revocation, payment, delayed, htlc, comm string
	}{
		{
			seed:       Seed{},
			nodeID:     "0253dd1084a67fcd88bc2cd6dbff75c42a6a9078b89dedc00a149c681393285331",
			funding:    "022f030c1aee56dbcec4ae09e274c1d2667da3ef12908b7d595e0c2194f9e65560",
			revocation: "03dde78e82d8bd74052b179ec8a5170d3a1513a25e33d03a6fb129ea868c85b850",
			payment:    "038d024d2e6a8b5a7978716ddfb88bdd5d6c8468f6b1a9aea06c2008ba36b2a4aa",
			delayed:    "0339db0d478378c07a19789d3cdfd7cff3d6df50ab48a1e37cd2a4476ee1465424",
			htlc:       "031338cdd017b91dc1a329550ebf14d650989f22fd0586c19c47ca1fce330e2376",
			comm:       "ab8bdc5cb7a45d9af525afe9797353514ee205b916d8216ca0af31b53d1c6e46",
		},
		{
			seed:       seq,
			nodeID:     "030b3b1d2906ae82ea7155244b36cb52d67bfd282bce363e4f27a2b5a337df82d3",
			funding:    "0296e94638770bca1252dd844f2fb53ba9347c073df07aa440350b45017b242a0a",
			revocation: "03a7ee38e1a895783b0dcd533e7b2a06e861928d6e427f196d1441a14e20d7d7cf",
			payment:    "0246b79c306d4a8c9170a3a33458ec7c9d842174fdb435662d3a64780b17a8c790",
			delayed:    "023538b7a81e8a76b67f40a80e9bc31bfe43d024aef17e3d03e44422e0c5b18efd",
			htlc:       "03c95fc39bb5aba5f89af75ec3df70354104f9f157e9a0394af136ab61458c5c95",
			comm:       "250861be52c396184453729d4c5ede0f9fc83a6f89aa66c7ad00832dedaa27fb",
		},
	}
	for _, tc := range tests {
		m := NewManager(tc.seed, Config{})
		require.Equal(t, tc.nodeID, m.NodeID().String())
		require.Equal(t, tc.nodeID, pubHex(m.PublicKey()))
		s := m.ChannelKeys(ChannelKeyIDFromCounter(0))
		bp := s.Basepoints()
		require.Equal(t, tc.funding, pubHex(bp.FundingKey))
		require.Equal(t, tc.revocation, pubHex(bp.RevocationBasepoint))
		require.Equal(t, tc.payment, pubHex(bp.PaymentBasepoint))
		require.Equal(t, tc.delayed, pubHex(bp.DelayedPaymentBasepoint))
		require.Equal(t, tc.htlc, pubHex(bp.HTLCBasepoint))
		require.Equal(t, tc.comm, hex.EncodeToString(s.commitmentSeed[:]))
	}
}

func TestManagerDeterminism(t *testing.T) {
	seed := GenerateSeed(NewDeterministicEntropy([32]byte{42}))
	a, b := NewManager(seed, Config{}), NewManager(seed, Config{Entropy: NewDeterministicEntropy([32]byte{1})})
	require.Equal(t, a.NodeID(), b.NodeID())

	keyID := ChannelKeyIDFromCounter(7)
	sa, sb := a.ChannelKeys(keyID), b.ChannelKeys(keyID)
	require.Equal(t, sa.Basepoints(), sb.Basepoints())
	require.Equal(t, must(sa.PerCommitmentSecret(3)), must(sb.PerCommitmentSecret(3)))
	require.Equal(t, keyID, sa.KeyID())
	hash := wire.Digest(sha256.Sum256([]byte("x")))
	require.Equal(t, must(a.SignHash(hash)), must(b.SignHash(hash)))
	require.Equal(t, must(sa.SignFunding(hash)), must(sb.SignFunding(hash)))

	// Another seed, another node; another key id, other channel keys.
	c := NewManager(Seed{1}, Config{})
	require.NotEqual(t, a.NodeID(), c.NodeID())
	other := a.ChannelKeys(ChannelKeyIDFromCounter(8)).Basepoints()
	require.False(t, other.FundingKey.IsEqual(sa.Basepoints().FundingKey))
	require.NotEqual(t, sa.commitmentSeed, a.ChannelKeys(ChannelKeyIDFromCounter(8)).commitmentSeed)

	// All five channel keys and the node key differ.
	bp := sa.Basepoints()
	seen := map[string]bool{a.NodeID().String(): true}
	for _, k := range []*btcec.PublicKey{bp.FundingKey, bp.RevocationBasepoint, bp.PaymentBasepoint, bp.DelayedPaymentBasepoint, bp.HTLCBasepoint} {
		require.False(t, seen[pubHex(k)])
		seen[pubHex(k)] = true
	}
}

func TestNewManagerConfig(t *testing.T) {
	e := NewDeterministicEntropy([32]byte{3})
	m := NewManager(Seed{}, Config{Entropy: e})
	want := NewDeterministicEntropy([32]byte{3}).GetSecureRandomBytes()
	require.Equal(t, want, m.NewChannelKeyID())
	// The zero Config means the defaults: the entropy is crypto/rand.
	d := NewManager(Seed{}, Config{})
	require.NotEqual(t, d.NewChannelKeyID(), d.NewChannelKeyID())
}

func TestSignHash(t *testing.T) {
	m := NewManager(Seed{8}, Config{})
	hash := wire.Digest(sha256.Sum256([]byte("channel_update")))
	sig := must(m.SignHash(hash))
	require.True(t, sig.Verify(hash[:], m.PublicKey()))
	requireLowS(t, sig)
}

// requireLowS checks s <= n/2.
func requireLowS(t *testing.T, sig wire.Signature) {
	t.Helper()
	var s btcec.ModNScalar
	require.False(t, s.SetByteSlice(sig[32:]))
	require.False(t, s.IsOverHalfOrder(), "high-S signature")
}

// TestECDHVectors checks ECDH against the shared secrets of the BOLT 8
// handshake test vector.
func TestECDHVectors(t *testing.T) {
	var v struct {
		Initiator []struct {
			Name  string `json:"name"`
			RsPub string `json:"rs_pub"`
			EPriv string `json:"e_priv"`
			Trace []struct {
				Act  string `json:"act"`
				Line string `json:"line"`
			} `json:"trace"`
		} `json:"initiator"`
	}
	loadVectors(t, "bolt08-transport.json", &v)
	require.NotEmpty(t, v.Initiator)
	in := v.Initiator[0]
	var actOneSS, actTwoRE, actTwoSS string
	for _, tr := range in.Trace {
		switch {
		case tr.Act == "act_one" && len(tr.Line) > 5 && tr.Line[:5] == "ss=0x":
			actOneSS = tr.Line[5:]
		case tr.Act == "act_two" && len(tr.Line) > 5 && tr.Line[:5] == "re=0x":
			actTwoRE = tr.Line[5:]
		case tr.Act == "act_two" && len(tr.Line) > 5 && tr.Line[:5] == "ss=0x":
			actTwoSS = tr.Line[5:]
		}
	}
	require.NotEmpty(t, actOneSS)
	require.NotEmpty(t, actTwoSS)

	e := privKey(t, in.EPriv)
	ss, ok := secp.ECDH(&e.Key, parsePub(t, in.RsPub))
	require.True(t, ok)
	require.Equal(t, actOneSS, hex.EncodeToString(ss[:]), "act one es")
	ss, ok = secp.ECDH(&e.Key, parsePub(t, actTwoRE))
	require.True(t, ok)
	require.Equal(t, actTwoSS, hex.EncodeToString(ss[:]), "act two ee")
}

func TestManagerECDH(t *testing.T) {
	a, b := NewManager(Seed{1}, Config{}), NewManager(Seed{2}, Config{})
	ab, err := a.ECDH(b.PublicKey())
	require.NoError(t, err)
	ba, err := b.ECDH(a.PublicKey())
	require.NoError(t, err)
	require.Equal(t, ab, ba)

	_, err = a.ECDH(nil)
	require.ErrorIs(t, err, ErrInvalidPublicKey)
	var x, y btcec.FieldVal
	x.SetInt(1)
	y.SetInt(1)
	_, err = a.ECDH(btcec.NewPublicKey(&x, &y))
	require.ErrorIs(t, err, ErrInvalidPublicKey)
}

func TestChannelKeyIDs(t *testing.T) {
	require.NotEqual(t, ChannelKeyIDFromCounter(0), ChannelKeyIDFromCounter(1))
	require.Equal(t, ChannelKeyIDFromCounter(5), ChannelKeyIDFromCounter(5))
	e := NewDeterministicEntropy([32]byte{})
	require.NotEqual(t, NewChannelKeyID(e), NewChannelKeyID(e))
	require.NotEqual(t, NewChannelKeyID(nil), NewChannelKeyID(nil))
}

// must returns v, failing the test run (by panicking) if err is not nil.
func must[T any](v T, err error) T {
	if err != nil {
		panic(err)
	}
	return v
}
