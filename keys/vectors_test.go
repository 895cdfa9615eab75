package keys

import (
	"encoding/hex"
	"testing"

	"github.com/lnkit/lnkit/internal/vectors"

	"github.com/btcsuite/btcd/btcec/v2"
	"github.com/stretchr/testify/require"

	"github.com/lnkit/lnkit/wire"
)

// loadVectors decodes /work/shared/vectors/<name> (found relative to the
// repository root) into v. A missing file fails the test.
func loadVectors(t testing.TB, name string, v any) {
	t.Helper()
	vectors.Load(t, name, v)
}

// unhex decodes hex or fails the test.
func unhex(t testing.TB, s string) []byte {
	t.Helper()
	b, err := hex.DecodeString(s)
	require.NoError(t, err)
	return b
}

// unhex32 decodes 32 bytes of hex.
func unhex32(t testing.TB, s string) [32]byte {
	t.Helper()
	b := unhex(t, s)
	require.Len(t, b, 32)
	return [32]byte(b)
}

// parsePub parses a hex public key.
func parsePub(t testing.TB, s string) *btcec.PublicKey {
	t.Helper()
	pub, err := btcec.ParsePubKey(unhex(t, s))
	require.NoError(t, err)
	return pub
}

// privKey returns the private key with the given 32 hex bytes.
func privKey(t testing.TB, s string) *btcec.PrivateKey {
	t.Helper()
	k, _ := btcec.PrivKeyFromBytes(unhex(t, s))
	return k
}

// pubHex returns the compressed public key in hex.
func pubHex(pub *btcec.PublicKey) string { return hex.EncodeToString(pub.SerializeCompressed()) }

// privHex returns the private key's 32 bytes in hex.
func privHex(k *btcec.PrivateKey) string { return hex.EncodeToString(k.Serialize()) }

// keyDerivationVectors is bolt03-key-derivation.json.
type keyDerivationVectors struct {
	Inputs struct {
		BaseSecret          string `json:"base_secret"`
		PerCommitmentSecret string `json:"per_commitment_secret"`
		BasePoint           string `json:"base_point"`
		PerCommitmentPoint  string `json:"per_commitment_point"`
	} `json:"inputs"`
	Cases []struct {
		Name       string `json:"name"`
		OutputName string `json:"output_name"`
		Output     string `json:"output"`
	} `json:"cases"`
}

// secretVectors is bolt03-per-commitment-secrets.json.
type secretVectors struct {
	Generation []struct {
		Name   string `json:"name"`
		Seed   string `json:"seed"`
		Index  uint64 `json:"index"`
		Output string `json:"output"`
	} `json:"generation"`
	StorageSeed string `json:"storage_seed"`
	Storage     []struct {
		Name  string `json:"name"`
		Steps []struct {
			Index    uint64 `json:"index"`
			Secret   string `json:"secret"`
			Expected string `json:"expected"`
		} `json:"steps"`
	} `json:"storage"`
}

// errTruncated is wire.ErrTruncated (a function keeps the import local).
func errTruncated() error { return wire.ErrTruncated }
