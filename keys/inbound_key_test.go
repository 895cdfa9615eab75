package keys

import (
	"bytes"
	"crypto/hkdf"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"log/slog"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"
)

// TestInboundPaymentKeyDeterministic checks that the key depends on the
// seed only, differs across seeds and from the other derived secrets.
func TestInboundPaymentKeyDeterministic(t *testing.T) {
	seedA := Seed{1, 2, 3}
	seedB := Seed{1, 2, 4}
	a1 := NewManager(seedA, Config{}).InboundPaymentKey()
	a2 := NewManager(seedA, Config{Entropy: NewDeterministicEntropy(seedB)}).InboundPaymentKey()
	b := NewManager(seedB, Config{}).InboundPaymentKey()
	require.Equal(t, a1, a2, "same seed, same key")
	require.NotEqual(t, a1, b, "different seeds, different keys")
	require.NotEqual(t, InboundPaymentKey{}, a1)

	m := NewManager(seedA, Config{})
	signer := m.ChannelKeys(ChannelKeyIDFromCounter(0))
	require.NotEqual(t, a1[:], m.nodeKey.Serialize())
	require.NotEqual(t, a1[:], signer.commitmentSeed[:])
}

// TestInboundPaymentKeyScheme pins the documented derivation: a change of
// the scheme would invalidate every invoice already issued.
func TestInboundPaymentKeyScheme(t *testing.T) {
	var seed Seed
	for i := range seed {
		seed[i] = byte(i)
	}
	prk, err := hkdf.Extract(sha256.New, seed[:], []byte("lnkit keys v1"))
	require.NoError(t, err)
	want, err := hkdf.Expand(sha256.New, prk, "lnkit inbound payment key\x00", 32)
	require.NoError(t, err)
	got := NewManager(seed, Config{}).InboundPaymentKey()
	require.Equal(t, want, got[:])
	require.Equal(t, "af1d2df26309c5125faa8e86d4464edcc4074643a6876259dec8b4a5edc7cb3f", hex.EncodeToString(got[:]))
}

// TestInboundPaymentKeyRedacted prints and logs the key in every way and
// checks that its bytes never appear.
func TestInboundPaymentKeyRedacted(t *testing.T) {
	k := NewManager(Seed{9, 9, 9}, Config{}).InboundPaymentKey()
	var buf bytes.Buffer
	slog.New(slog.NewJSONHandler(&buf, nil)).Info("k", "key", k, "ptr", &k, "any", slog.Any("k", k))
	slog.New(slog.NewTextHandler(&buf, nil)).Info("k", "key", k)
	for _, verb := range []string{"%v", "%+v", "%#v", "%s", "%x", "%X", "%d", "%q"} {
		fmt.Fprintf(&buf, verb+"\n", k)
		fmt.Fprintf(&buf, verb+"\n", &k)
	}
	fmt.Fprintln(&buf, k.String(), k.GoString())
	out := buf.String()
	require.Contains(t, out, "redacted")
	require.NotContains(t, strings.ToLower(out), hex.EncodeToString(k[:]))
	require.NotContains(t, out, fmt.Sprint(k[:]))
	require.NotContains(t, out, fmt.Sprintf("%d", k[:4]))
}
