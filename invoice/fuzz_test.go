package invoice

import (
	"strings"
	"testing"
	"time"

	"github.com/btcsuite/btcd/btcutil/bech32"
	"github.com/stretchr/testify/require"
)

// FuzzDecode feeds arbitrary strings to Decode, seeded with every BOLT 11
// example (valid and invalid). It checks that Decode never panics, that a
// decoded invoice re-encodes to its input, that every accessor works, and
// that the bech32 layer agrees with btcutil's bech32 package.
func FuzzDecode(f *testing.F) {
	vf := loadVectors(f)
	for _, v := range vf.Valid {
		f.Add(v.Invoice)
	}
	for _, v := range vf.Invalid {
		f.Add(v.Invoice)
	}
	f.Add("lnbcrt1")
	f.Add("LNBC1QQQQQQ")
	f.Fuzz(func(t *testing.T, s string) {
		hrp, data, _, bErr := decodeBech32(s)
		if len(s) <= MaxLength {
			rHRP, rData, version, rErr := bech32.DecodeNoLimitWithVersion(s)
			refOK := rErr == nil && version == bech32.Version0
			require.Equal(t, bErr == nil, refOK, "bech32 disagreement on %q: lnkit %v, btcutil %v (version %v)", s, bErr, rErr, version)
			if refOK {
				require.Equal(t, rHRP, hrp, "bech32 decodes %q differently", s)
				require.Equal(t, rData, data, "bech32 decodes %q differently", s)
			}
		}

		inv, err := Decode(s)
		if err != nil {
			_, ok := err.(*Error)
			require.True(t, ok, "error %T is not an *Error", err)
			require.True(t, strings.HasPrefix(err.Error(), "invoice: "), "message %q", err)
			return
		}
		got := inv.String()
		require.Equal(t, s, got, "re-encoding differs:\n got %q\nwant %q", got, s)
		again, err := Decode(inv.String())
		require.NoError(t, err, "decoding the re-encoding")
		require.Equal(t, inv.Payee(), again.Payee(), "decoding the re-encoding: %v", err)
		inv.Amount()
		inv.Description()
		inv.DescriptionHash()
		inv.Metadata()
		inv.Features().Bits()
		inv.Fallbacks()
		inv.FallbackAddresses()
		inv.RouteHints()
		inv.Fields()
		inv.Expiry()
		inv.ExpiresAt()
		inv.MinFinalCLTVExpiryDelta()
		_ = inv.CheckPayable(time.Unix(0, 0))
		_ = inv.VerifyDescription("")
	})
}

// FuzzDecodeFields fuzzes the parser behind the checksum: the input is a
// human-readable part and 5-bit data groups (each byte taken mod 32), given
// a valid checksum before Decode sees them. It is seeded with the data of
// every BOLT 11 example.
func FuzzDecodeFields(f *testing.F) {
	vf := loadVectors(f)
	for _, v := range vf.Valid {
		hrp, data, _, err := decodeBech32(v.Invoice)
		require.NoError(f, err)
		f.Add(hrp, data)
	}
	for _, v := range vf.Invalid {
		if hrp, data, _, err := decodeBech32(v.Invoice); err == nil {
			f.Add(hrp, data)
		}
	}
	f.Fuzz(func(t *testing.T, hrp string, data []byte) {
		hrp = strings.ToLower(hrp)
		for i := 0; i < len(hrp); i++ {
			if hrp[i] < 33 || hrp[i] > 126 {
				return
			}
		}
		if hrp == "" || len(hrp)+1+len(data)+checksumLen > MaxLength {
			return
		}
		groups := make([]byte, len(data))
		for i, b := range data {
			groups[i] = b & 31
		}
		s := string(appendBech32(nil, hrp, groups, bech32Const))
		inv, err := Decode(s)
		if err != nil {
			_, ok := err.(*Error)
			require.True(t, ok, "error %T is not an *Error", err)
			return
		}
		require.Equal(t, s, inv.String(), "re-encoding differs for %q", s)
		inv.FallbackAddresses()
		inv.RouteHints()
		inv.Fields()
		_ = inv.CheckPayable(time.Unix(0, 0))
	})
}
