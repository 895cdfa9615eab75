package invoice

import (
	"encoding/hex"
	"encoding/json"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/lnkit/lnkit/internal/vectors"
	"github.com/stretchr/testify/require"

	"github.com/btcsuite/btcd/btcec/v2"
	"github.com/btcsuite/btcd/btcec/v2/ecdsa"

	"github.com/lnkit/lnkit/wire"
)

// keySigner signs invoices with a raw private key, as keys.Manager does
// with the node key.
type keySigner struct{ key *btcec.PrivateKey }

func (k keySigner) SignInvoice(hash wire.Digest) (wire.Signature, byte, error) {
	c := ecdsa.SignCompact(k.key, hash[:], true)
	var s wire.Signature
	copy(s[:], c[1:])
	return s, c[0] - 31, nil
}

// nodeSigner is a keySigner that also states its node id, like keys.Manager.
type nodeSigner struct {
	keySigner
	id wire.NodeID
}

func (n nodeSigner) NodeID() wire.NodeID { return n.id }

// vectorFile is bolt11-invoices.json.
type vectorFile struct {
	PrivateKey   string          `json:"private_key"`
	SignerPubkey string          `json:"signer_pubkey"`
	Valid        []validVector   `json:"valid"`
	Invalid      []invalidVector `json:"invalid"`
}

type vectorField struct {
	Tag        string `json:"tag"`
	DataLength int    `json:"data_length"`
	Data5      string `json:"data_5bit"`
	Reason     string `json:"reason"`
}

type vectorFallback struct {
	Version int    `json:"version"`
	Type    string `json:"type"`
	Program string `json:"program"`
	Address string `json:"address"`
}

type vectorHop struct {
	Pubkey                    string `json:"pubkey"`
	ShortChannelID            string `json:"short_channel_id"`
	ShortChannelIDBxTxO       string `json:"short_channel_id_bxtxo"`
	FeeBaseMsat               uint32 `json:"fee_base_msat"`
	FeeProportionalMillionths uint32 `json:"fee_proportional_millionths"`
	CLTVExpiryDelta           uint16 `json:"cltv_expiry_delta"`
}

type validVector struct {
	Title                   string           `json:"title"`
	Invoice                 string           `json:"invoice"`
	Network                 string           `json:"network"`
	HRP                     string           `json:"hrp"`
	AmountMsat              *uint64          `json:"amount_msat"`
	Timestamp               int64            `json:"timestamp"`
	PaymentHash             string           `json:"payment_hash"`
	PaymentSecret           string           `json:"payment_secret"`
	Description             *string          `json:"description"`
	DescriptionHash         *string          `json:"description_hash"`
	DescriptionHashPreimage *string          `json:"description_hash_preimage"`
	PayeeNodeIDField        *string          `json:"payee_node_id_field"`
	Metadata                *string          `json:"metadata"`
	Expiry                  *uint64          `json:"expiry"`
	MinFinalCLTV            *uint64          `json:"min_final_cltv_expiry_delta"`
	Fallbacks               []vectorFallback `json:"fallback_addresses"`
	RouteHints              [][]vectorHop    `json:"route_hints"`
	Features                struct {
		Data5 string `json:"data_5bit"`
		Bits  []int  `json:"bits"`
	} `json:"features"`
	IgnoredFields   []vectorField `json:"ignored_fields"`
	Fields          []vectorField `json:"fields"`
	Signature       string        `json:"signature"`
	RecoveryID      byte          `json:"recovery_id"`
	SignatureHighS  bool          `json:"signature_high_s"`
	SigningHash     string        `json:"signing_hash"`
	RecoveredPubkey string        `json:"recovered_pubkey"`
	SignerPubkey    string        `json:"signer_pubkey"`
}

type invalidVector struct {
	Title   string `json:"title"`
	Invoice string `json:"invoice"`
	Reason  string `json:"reason"`
}

// vectorsDir finds /work/shared/vectors from the repository root (the
// directory holding go.mod).
func vectorsDir(t testing.TB) string {
	t.Helper()
	return vectors.Dir(t)
}

// loadVectors reads bolt11-invoices.json; the test fails if it is missing.
func loadVectors(t testing.TB) vectorFile {
	t.Helper()
	raw, err := os.ReadFile(filepath.Join(vectorsDir(t), "bolt11-invoices.json"))
	require.NoError(t, err, "read vectors")
	var v vectorFile
	require.NoError(t, json.Unmarshal(raw, &v), "parse vectors")
	require.Len(t, v.Valid, 16, "want 16 valid and 10 invalid vectors, got %d and %d", len(v.Valid), len(v.Invalid))
	require.Len(t, v.Invalid, 10, "want 16 valid and 10 invalid vectors, got %d and %d", len(v.Valid), len(v.Invalid))
	return v
}

// vectorKey returns the private key the BOLT 11 examples are signed with.
func vectorKey(t testing.TB, hexKey string) *btcec.PrivateKey {
	t.Helper()
	b, err := hex.DecodeString(hexKey)
	require.NoError(t, err, "bad vector private key %q", hexKey)
	require.Len(t, b, 32, "bad vector private key %q", hexKey)
	key, _ := btcec.PrivKeyFromBytes(b)
	return key
}

// mustHex decodes hex or fails the test.
func mustHex(t testing.TB, s string) []byte {
	t.Helper()
	b, err := hex.DecodeString(s)
	require.NoError(t, err, "bad hex %q", s)
	return b
}

// groupsString renders 5-bit groups as bech32 characters.
func groupsString(g []byte) string {
	b := make([]byte, len(g))
	for i, v := range g {
		b[i] = bech32Charset[v]
	}
	return string(b)
}

// vectorTimestamp is the timestamp of the BOLT 11 examples.
var vectorTimestamp = time.Unix(1496314658, 0)
