package keys

import (
	"bytes"
	"encoding/hex"
	"fmt"
	"log/slog"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"
)

// TestSecretsRedacted logs and prints every secret-holding type and checks
// that no secret appears, in hex or as decimal bytes.
func TestSecretsRedacted(t *testing.T) {
	seed := Seed{0xde, 0xad, 0xbe, 0xef, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16, 17, 18, 19, 20, 21, 22, 23, 24, 25, 26, 27, 28}
	m := NewManager(seed, Config{})
	signer := m.ChannelKeys(ChannelKeyIDFromCounter(0))
	var store SecretStore
	storeSecret := PerCommitmentSecret(seed, MaxShachainIndex)
	require.NoError(t, store.Insert(MaxShachainIndex, storeSecret))
	entropy := NewDeterministicEntropy(seed)

	secrets := map[string][]byte{
		"seed":            seed[:],
		"master key":      m.master[:],
		"node key":        m.nodeKey.Serialize(),
		"funding key":     signer.funding.Serialize(),
		"revocation key":  signer.revocation.Serialize(),
		"payment key":     signer.payment.Serialize(),
		"delayed key":     signer.delayed.Serialize(),
		"htlc key":        signer.htlc.Serialize(),
		"commitment seed": signer.commitmentSeed[:],
		"stored secret":   storeSecret[:],
	}

	var buf bytes.Buffer
	logger := slog.New(slog.NewJSONHandler(&buf, nil))
	logger.Info("values",
		"seed", seed, "seed_ptr", &seed,
		"manager", m, "manager_value", *m,
		"signer", signer, "signer_value", *signer,
		"store", &store, "store_value", store,
		"entropy", entropy,
	)
	logger.Info("any", slog.Any("m", m), slog.Any("s", signer), slog.Any("seed", seed))
	text := slog.New(slog.NewTextHandler(&buf, nil))
	text.Info("text", "seed", seed, "manager", m, "signer", signer, "store", store)
	for _, verb := range []string{"%v", "%+v", "%#v", "%s", "%x", "%X", "%d", "%q"} {
		fmt.Fprintf(&buf, verb+"\n", seed)
		fmt.Fprintf(&buf, verb+"\n", m)
		fmt.Fprintf(&buf, verb+"\n", *m)
		fmt.Fprintf(&buf, verb+"\n", signer)
		fmt.Fprintf(&buf, verb+"\n", *signer)
		fmt.Fprintf(&buf, verb+"\n", store)
		fmt.Fprintf(&buf, verb+"\n", &store)
		fmt.Fprintf(&buf, verb+"\n", entropy)
	}
	fmt.Fprintln(&buf, seed.String(), seed.GoString(), m.String(), signer.String(), store.String())

	// A zero signer prints without panicking.
	fmt.Fprintln(&buf, InMemorySigner{}.String(), SecretStore{}.String())

	out := buf.String()
	require.Contains(t, out, m.NodeID().String(), "the node id is logged")
	for name, secret := range secrets {
		require.NotContains(t, strings.ToLower(out), hex.EncodeToString(secret), name)
		require.NotContains(t, out, fmt.Sprint(secret), name) // [222 173 ...]
		require.NotContains(t, out, fmt.Sprintf("%d", secret[:4]), name)
	}
}
