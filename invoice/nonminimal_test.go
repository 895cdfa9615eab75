package invoice

import (
	"encoding/hex"
	"fmt"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/btcsuite/btcd/btcec/v2"
	"github.com/btcsuite/btcd/chaincfg"
	"github.com/stretchr/testify/require"

	"github.com/lnkit/lnkit/wire"
)

// nonMinimalInvoice builds and signs an invoice whose x and c fields are
// written with the given groups verbatim, as another wallet may write them.
func nonMinimalInvoice(t testing.TB, x, c []byte) string {
	t.Helper()
	raw, err := hex.DecodeString("e126f68f7eafcc8b74f54d269fe206be715000f94dac067d1c04a8ca3b2db734")
	require.NoError(t, err)
	key, _ := btcec.PrivKeyFromBytes(raw)
	inv, err := NewBuilder(&chaincfg.MainNetParams, time.Unix(1_700_000_000, 0)).
		PaymentHash(wire.PaymentHash{1}).
		PaymentSecret(wire.PaymentSecret{2}).
		Description("zero expiry").
		RawField(TagExpiry, x).
		RawField(TagMinFinalCLTVExpiry, c).
		Build(keySigner{key})
	require.NoError(t, err)
	return inv.String()
}

// TestDecodeNonMinimalUint checks that x and c fields with leading zero
// groups decode (BOLT 11 asks only writers to be minimal), that the value
// is read, and that String gives back the invoice exactly as written.
func TestDecodeNonMinimalUint(t *testing.T) {
	tests := []struct {
		name       string
		x, c       []byte
		wantX      uint64
		wantC      uint64
		wantString string // the x and c data as bech32 characters
	}{
		{"zero as one q", []byte{0}, []byte{0}, 0, 0, "q"},
		{"one with a leading zero", []byte{0, 1}, []byte{0, 0, 1}, 1, 1, "qp"},
		{"60 with leading zeros", []byte{0, 0, 1, 28}, []byte{0, 18}, 60, 18, "qqpu"},
		{"64-bit max behind zeros", append([]byte{0, 0, 15}, repeatGroup(31, 12)...), []byte{0}, 1<<64 - 1, 0, "qq0"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			s := nonMinimalInvoice(t, tc.x, tc.c)
			inv, err := Decode(s)
			require.NoError(t, err)
			require.True(t, inv.HasExpiry())
			require.Equal(t, tc.wantX, inv.ExpirySeconds())
			require.True(t, inv.HasMinFinalCLTVExpiryDelta())
			require.Equal(t, tc.wantC, inv.MinFinalCLTVExpiryDelta())
			require.Equal(t, s, inv.String(), "re-encoding must be byte for byte")

			var gotX []byte
			for _, f := range inv.Fields() {
				if f.Tag == TagExpiry {
					gotX = f.Data
				}
			}
			require.Equal(t, tc.x, gotX, "the x field is kept as written")
			require.Contains(t, s, "x"+Tag(len(tc.x)>>5).String()+Tag(len(tc.x)&31).String()+tc.wantString)
		})
	}
}

// TestBuilderWritesMinimalUint checks that the Builder's own x and c
// setters still write the minimal encoding, zero as no groups.
func TestBuilderWritesMinimalUint(t *testing.T) {
	key, _ := btcec.NewPrivateKey()
	inv, err := NewBuilder(&chaincfg.MainNetParams, time.Unix(1_700_000_000, 0)).
		PaymentHash(wire.PaymentHash{1}).
		PaymentSecret(wire.PaymentSecret{2}).
		Description("d").
		Expiry(0).
		MinFinalCLTVExpiryDelta(40).
		Build(keySigner{key})
	require.NoError(t, err)
	for _, f := range inv.Fields() {
		switch f.Tag {
		case TagExpiry:
			require.Empty(t, f.Data)
		case TagMinFinalCLTVExpiry:
			require.Equal(t, []byte{1, 8}, f.Data)
		}
	}
}

// TestDecodeNonMinimalSeed checks that the committed fuzz seed is the
// invoice TestDecodeNonMinimalUint builds for a zero written as one q.
func TestDecodeNonMinimalSeed(t *testing.T) {
	s := nonMinimalInvoice(t, []byte{0}, []byte{0})
	want := fmt.Sprintf("go test fuzz v1\nstring(%q)\n", s)
	got, err := os.ReadFile(filepath.Join("testdata", "fuzz", "FuzzDecode", "zero-x-and-c-as-one-q"))
	require.NoError(t, err)
	require.Equal(t, want, string(got))
}

func repeatGroup(g byte, n int) []byte {
	out := make([]byte, n)
	for i := range out {
		out[i] = g
	}
	return out
}
