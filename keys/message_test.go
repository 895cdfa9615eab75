package keys

import (
	"testing"

	"github.com/btcsuite/btcd/btcec/v2"
	"github.com/stretchr/testify/require"

	"github.com/lnkit/lnkit/wire"
)

// messageVectors are message signatures made by other implementations.
var messageVectors = []struct {
	name    string
	nodeID  string
	message string
	sig     string // zbase32
}{
	{
		// lnd signmessage output, from the ln-verifymessagejs tests.
		name:    "lnd signmessage",
		nodeID:  "02ac77f9f7397a64861b573c9e8b8652ce2e67a05150fd166831e9fc167670dfd8",
		message: "test",
		sig:     "rbwzq7bjg1iw4xthgt463a1d88w5k4zmum9z3xtfbnhc7r3qoizrn8edgwtp8m5m6xfms7pcyccjuggr934tkkjwzewsid44zqub4iux",
	},
	// Signatures by real nodes, from Core Lightning's test_misc.py (also
	// used by LDK's message_signing tests).
	{
		name:    "@bitconner",
		nodeID:  "02b80cabdf82638aac86948e4c06e82064f547768dcef977677b9ea931ea75bab5",
		message: "is this compatible?",
		sig:     "rbgfioj114mh48d8egqx8o9qxqw4fmhe8jbeeabdioxnjk8z3t1ma1hu1fiswpakgucwwzwo6ofycffbsqusqdimugbh41n1g698hr9t",
	},
	{
		name:    "@duck1123",
		nodeID:  "02de60d194e1ca5947b59fe8e2efd6aadeabfb67f2e89e13ae1a799c1e08e4a43b",
		message: "hi",
		sig:     "rnrphcjswusbacjnmmmrynh9pqip7sy5cx695h6mfu64iac6qmcmsd8xnsyczwmpqp9shqkth3h4jmkgyqu5z47jfn1q7gpxtaqpx4xg",
	},
	{
		name:    "@jochemin",
		nodeID:  "022b8ece90ee891cbcdac0c1cc6af46b73c47212d8defbce80265ac81a6b794931",
		message: "hi",
		sig:     "ry8bbsopmduhxy3dr5d9ekfeabdpimfx95kagdem7914wtca79jwamtbw4rxh69hg7n6x9ty8cqk33knbxaqftgxsfsaeprxkn1k48p3",
	},
}

func TestMessageVectors(t *testing.T) {
	for _, v := range messageVectors {
		t.Run(v.name, func(t *testing.T) {
			sig := v.sig
			nodeID, err := wire.ParseNodeID(v.nodeID)
			require.NoError(t, err)

			got, err := RecoverMessageSigner([]byte(v.message), sig)
			require.NoError(t, err)
			require.Equal(t, nodeID, got)
			require.NoError(t, VerifyMessageFrom([]byte(v.message), sig, nodeID))

			// Changing the message changes the recovered key.
			require.ErrorIs(t, VerifyMessageFrom([]byte(v.message+"!"), sig, nodeID), ErrSignerMismatch)
		})
	}
}

// TestSignMessageLDKVector signs with the private key 1, as LDK's
// message_signing test does; RFC 6979 makes the signature reproducible
// across implementations.
func TestSignMessageLDKVector(t *testing.T) {
	var one btcec.ModNScalar
	one.SetInt(1)
	key := btcec.PrivKeyFromScalar(&one)
	const want = "d9tibmnic9t5y41hg7hkakdcra94akas9ku3rmmj4ag9mritc8ok4p5qzefs78c9pqfhpuftqqzhydbdwfg7u6w6wdxcqpqn4sj4e73e"
	require.Equal(t, want, signMessage(key, []byte("test message")))
	got, err := RecoverMessageSigner([]byte("test message"), want)
	require.NoError(t, err)
	require.Equal(t, wire.NewNodeID(key.PubKey()), got)
}

func TestSignMessageRoundTrip(t *testing.T) {
	m := NewManager(Seed{1, 2, 3}, Config{})
	other := NewManager(Seed{4, 5, 6}, Config{})
	for _, msg := range []string{"", "hello", "Lightning Signed Message:", string(make([]byte, 10000))} {
		sig, err := m.SignMessage([]byte(msg))
		require.NoError(t, err)
		require.Len(t, sig, 104)

		// Deterministic (RFC 6979).
		sig2, err := m.SignMessage([]byte(msg))
		require.NoError(t, err)
		require.Equal(t, sig, sig2)

		raw, err := DecodeZBase32(sig)
		require.NoError(t, err)
		require.GreaterOrEqual(t, raw[0], byte(31), "compressed-key recovery byte")
		require.LessOrEqual(t, raw[0], byte(34), "compressed-key recovery byte")

		got, err := m.VerifyMessage([]byte(msg), sig)
		require.NoError(t, err)
		require.Equal(t, m.NodeID(), got)
		require.NoError(t, VerifyMessageFrom([]byte(msg), sig, m.NodeID()))
		require.ErrorIs(t, VerifyMessageFrom([]byte(msg), sig, other.NodeID()), ErrSignerMismatch)
	}
}

func TestVerifyMessageErrors(t *testing.T) {
	m := NewManager(Seed{1}, Config{})
	sig, err := m.SignMessage([]byte("x"))
	require.NoError(t, err)
	raw, err := DecodeZBase32(sig)
	require.NoError(t, err)

	badRecovery := append([]byte{}, raw...)
	badRecovery[0] = 26
	zeroR := append([]byte{}, raw...)
	clear(zeroR[1:33])

	tests := []struct{ name, sig string }{
		{"empty", ""},
		{"short", sig[:103]},
		{"long", sig + "y"},
		{"bad character", "0" + sig[1:]},
		{"bad recovery byte", EncodeZBase32(badRecovery)},
		{"zero r", EncodeZBase32(zeroR)},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			_, err := RecoverMessageSigner([]byte("x"), tc.sig)
			require.ErrorIs(t, err, ErrInvalidMessageSignature)
			require.ErrorIs(t, VerifyMessageFrom([]byte("x"), tc.sig, m.NodeID()), ErrInvalidMessageSignature)
		})
	}
}

func FuzzVerifyMessage(f *testing.F) {
	m := NewManager(Seed{9}, Config{})
	for _, msg := range []string{"", "test", "hello world"} {
		sig, err := m.SignMessage([]byte(msg))
		require.NoError(f, err)
		f.Add([]byte(msg), sig)
	}
	for _, v := range messageVectors {
		f.Add([]byte(v.message), v.sig)
	}
	f.Fuzz(func(t *testing.T, msg []byte, sig string) {
		id, err := RecoverMessageSigner(msg, sig)
		if err != nil {
			require.ErrorIs(t, err, ErrInvalidMessageSignature, "untyped error: %v", err)
			return
		}
		require.True(t, wire.Point(id).IsValid(), "recovered an invalid node id %x", id)
		require.NoError(t, VerifyMessageFrom(msg, sig, id), "verify against the recovered id")
	})
}
