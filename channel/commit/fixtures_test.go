package commit

import (
	"encoding/hex"
	"encoding/json"
	"os"
	"path/filepath"
	"testing"

	"github.com/lnkit/lnkit/internal/vectors"
	"github.com/stretchr/testify/require"

	"github.com/btcsuite/btcd/btcec/v2"
	"github.com/btcsuite/btcd/btcec/v2/ecdsa"

	"github.com/lnkit/lnkit/keys"
	"github.com/lnkit/lnkit/wire"
)

// *keys.InMemorySigner is the production Signer.
var _ Signer = (*keys.InMemorySigner)(nil)

// vectorPath returns the path of the shared vector file name.
func vectorPath(t testing.TB, name string) string {
	t.Helper()
	return filepath.Join(vectors.Dir(t), name)
}

func loadJSON(t testing.TB, name string, v any) {
	t.Helper()
	b, err := os.ReadFile(vectorPath(t, name))
	require.NoError(t, err, "vector file")
	require.NoError(t, json.Unmarshal(b, v), "%s", name)
}

func mustHex(t testing.TB, s string) []byte {
	t.Helper()
	b, err := hex.DecodeString(s)
	require.NoError(t, err, "hex %q", s)
	return b
}

func mustPub(t testing.TB, s string) *btcec.PublicKey {
	t.Helper()
	k, err := btcec.ParsePubKey(mustHex(t, s))
	require.NoError(t, err, "pubkey %q", s)
	return k
}

// mustPriv parses a 32-byte key, or the spec's 33-byte form with the
// trailing 01 compression flag.
func mustPriv(t testing.TB, s string) *btcec.PrivateKey {
	t.Helper()
	b := mustHex(t, s)
	if len(b) == 33 && b[32] == 1 {
		b = b[:32]
	}
	require.Len(t, b, 32, "private key %q: length %d", s, len(b))
	k, _ := btcec.PrivKeyFromBytes(b)
	return k
}

// signWith makes the deterministic (RFC 6979) low-S signature the spec's
// vectors use.
func signWith(k *btcec.PrivateKey, hash wire.Digest) wire.Signature {
	sig, err := wire.NewSignatureFromCompact(ecdsa.SignCompact(k, hash[:], true))
	if err != nil {
		panic(err)
	}
	return sig
}

// testSigner implements Signer (and the sweep signatures the engine tests
// need) with raw private keys. It derives each per-commitment HTLC key
// once.
type testSigner struct {
	funding, payment, delayedBase, htlcBase, revocationBase *btcec.PrivateKey

	cachePoint *btcec.PublicKey
	cacheKey   *btcec.PrivateKey
}

func (s *testSigner) SignFunding(d wire.Digest) (wire.Signature, error) {
	return signWith(s.funding, d), nil
}

func (s *testSigner) SignHTLC(pcp *btcec.PublicKey, d wire.Digest) (wire.Signature, error) {
	if s.cachePoint == nil || !s.cachePoint.IsEqual(pcp) {
		s.cachePoint, s.cacheKey = pcp, keys.DerivePrivKey(s.htlcBase, pcp)
	}
	return signWith(s.cacheKey, d), nil
}

func (s *testSigner) SignPayment(d wire.Digest) (wire.Signature, error) {
	return signWith(s.payment, d), nil
}

func (s *testSigner) SignDelayedPayment(pcp *btcec.PublicKey, d wire.Digest) (wire.Signature, error) {
	return signWith(keys.DerivePrivKey(s.delayedBase, pcp), d), nil
}

func (s *testSigner) SignRevocation(perCommitmentSecret *btcec.PrivateKey, d wire.Digest) (wire.Signature, error) {
	return signWith(keys.DeriveRevocationPrivKey(s.revocationBase, perCommitmentSecret), d), nil
}

func (s *testSigner) basepoints() Basepoints {
	return Basepoints{
		Funding:        s.funding.PubKey(),
		Revocation:     s.revocationBase.PubKey(),
		Payment:        s.payment.PubKey(),
		DelayedPayment: s.delayedBase.PubKey(),
		HTLC:           s.htlcBase.PubKey(),
	}
}

func derHex(t testing.TB, sig wire.Signature) string {
	t.Helper()
	der, err := sig.DER()
	require.NoError(t, err)
	return hex.EncodeToString(der)
}

func sigFromDERHex(t testing.TB, s string) wire.Signature {
	t.Helper()
	sig, err := wire.NewSignatureFromDER(mustHex(t, s))
	require.NoError(t, err)
	return sig
}

func (s *testSigner) htlcKey(pcp *btcec.PublicKey) *btcec.PrivateKey {
	return keys.DerivePrivKey(s.htlcBase, pcp)
}
