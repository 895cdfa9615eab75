package invoice

import (
	"encoding/hex"
	"strings"
	"testing"
	"time"

	"github.com/btcsuite/btcd/chaincfg"
	"github.com/stretchr/testify/require"

	"github.com/lnkit/lnkit/wire"
)

// vectorNetworks maps the vectors' network names to chain parameters.
func vectorNetwork(t *testing.T, name string) *chaincfg.Params {
	t.Helper()
	switch name {
	case "mainnet":
		return &chaincfg.MainNetParams
	case "testnet":
		return &chaincfg.TestNet3Params
	}
	require.Failf(t, "unexpected vector network", "%q", name)
	return nil
}

// TestVectorsValid decodes every valid BOLT 11 example and checks every
// value the JSON gives, then re-encodes it byte for byte.
func TestVectorsValid(t *testing.T) {
	vf := loadVectors(t)
	for _, v := range vf.Valid {
		t.Run(v.Title, func(t *testing.T) {
			inv, err := Decode(v.Invoice)
			require.NoError(t, err, "Decode")
			got := inv.String()
			require.Equal(t, v.Invoice, got, "re-encoding differs:\n got %s\nwant %s", got, v.Invoice)
			require.Same(t, vectorNetwork(t, v.Network), inv.Network(), "network %s, want %s", inv.Network().Name, v.Network)
			require.Equal(t, v.HRP, inv.HumanReadablePart(), "hrp %q, want %q", inv.HumanReadablePart(), v.HRP)
			amt, ok := inv.Amount()
			require.Equal(t, v.AmountMsat != nil, ok, "amount %v (%v), want %v", amt, ok, v.AmountMsat)
			if ok {
				require.Equal(t, *v.AmountMsat, uint64(amt), "amount")
			}
			require.True(t, inv.Timestamp().Equal(time.Unix(v.Timestamp, 0)), "timestamp %v, want %d", inv.Timestamp(), v.Timestamp)
			ph := inv.PaymentHash()
			require.Equal(t, v.PaymentHash, hex.EncodeToString(ph[:]), "payment hash %x, want %s", ph, v.PaymentHash)
			ps := inv.PaymentSecret()
			require.Equal(t, v.PaymentSecret, ps.Hex(), "payment secret %s, want %s", ps.Hex(), v.PaymentSecret)
			desc, hasDesc := inv.Description()
			require.Equal(t, v.Description != nil, hasDesc, "description %q (%v), want %v", desc, hasDesc, v.Description)
			if hasDesc {
				require.Equal(t, *v.Description, desc, "description")
			}
			dh, hasDH := inv.DescriptionHash()
			require.Equal(t, v.DescriptionHash != nil, hasDH, "description hash %x (%v), want %v", dh, hasDH, v.DescriptionHash)
			if hasDH {
				require.Equal(t, *v.DescriptionHash, hex.EncodeToString(dh[:]), "description hash")
			}
			if v.DescriptionHashPreimage != nil {
				require.NoError(t, inv.VerifyDescription(*v.DescriptionHashPreimage), "VerifyDescription")
				err = inv.VerifyDescription("something else")
				require.ErrorIs(t, err, ErrDescriptionHashMismatch, "VerifyDescription(other) = %v, want ErrDescriptionHashMismatch", err)
			}
			require.Nil(t, v.PayeeNodeIDField, "payee field %v / %v: no valid vector has one", v.PayeeNodeIDField, inv.HasPayeeField())
			require.False(t, inv.HasPayeeField(), "payee field %v / %v: no valid vector has one", v.PayeeNodeIDField, inv.HasPayeeField())
			meta, hasMeta := inv.Metadata()
			require.Equal(t, v.Metadata != nil, hasMeta, "metadata %x (%v), want %v", meta, hasMeta, v.Metadata)
			if hasMeta {
				require.Equal(t, *v.Metadata, hex.EncodeToString(meta), "metadata")
			}
			wantExpiry := uint64(3600)
			if v.Expiry != nil {
				wantExpiry = *v.Expiry
			}
			require.Equal(t, v.Expiry != nil, inv.HasExpiry(), "expiry %d (%v), want %v", inv.ExpirySeconds(), inv.HasExpiry(), v.Expiry)
			require.Equal(t, wantExpiry, inv.ExpirySeconds(), "expiry %d (%v), want %v", inv.ExpirySeconds(), inv.HasExpiry(), v.Expiry)
			require.Equal(t, time.Duration(wantExpiry)*time.Second, inv.Expiry(), "expiry %d (%v), want %v", inv.ExpirySeconds(), inv.HasExpiry(), v.Expiry)
			wantCLTV := uint64(18)
			if v.MinFinalCLTV != nil {
				wantCLTV = *v.MinFinalCLTV
			}
			require.Equal(t, inv.HasMinFinalCLTVExpiryDelta(), v.MinFinalCLTV != nil, "min_final_cltv_expiry_delta %d, want %v", inv.MinFinalCLTVExpiryDelta(), v.MinFinalCLTV)
			require.Equal(t, wantCLTV, inv.MinFinalCLTVExpiryDelta(), "min_final_cltv_expiry_delta %d, want %v", inv.MinFinalCLTVExpiryDelta(), v.MinFinalCLTV)
			checkVectorFallbacks(t, inv, v)
			checkVectorRouteHints(t, inv, v)
			checkVectorFeatures(t, inv, v)
			checkVectorFields(t, inv, v)

			sig, recID := inv.Signature()
			require.Equal(t, v.Signature, hex.EncodeToString(sig[:]), "signature %x/%d, want %s/%d", sig, recID, v.Signature, v.RecoveryID)
			require.Equal(t, v.RecoveryID, recID, "signature %x/%d, want %s/%d", sig, recID, v.Signature, v.RecoveryID)
			sh := inv.SigningHash()
			require.Equal(t, v.SigningHash, hex.EncodeToString(sh[:]), "signing hash %x, want %s", sh, v.SigningHash)
			// Quirk 1 of the vectors' README: for the high-S example the
			// payee is the key plain recovery gives (recovered_pubkey), as
			// libsecp256k1 and lnd compute it, not the signer.
			got = inv.Payee().String()
			require.Equal(t, v.RecoveredPubkey, got, "payee %s, want recovered key %s", got, v.RecoveredPubkey)
			require.NotEqual(t, v.RecoveredPubkey == v.SignerPubkey, v.SignatureHighS, "high-S %v but recovered == signer is %v", v.SignatureHighS, v.RecoveredPubkey == v.SignerPubkey)

			ts := time.Unix(v.Timestamp, 0)
			require.NoError(t, inv.CheckPayable(ts), "CheckPayable at creation")
			late := ts.Add(time.Duration(wantExpiry)*time.Second + time.Second)
			err = inv.CheckPayable(late)
			require.ErrorIs(t, err, ErrExpired, "CheckPayable after expiry = %v, want ErrExpired", err)
		})
	}
}

func checkVectorFallbacks(t *testing.T, inv *Invoice, v validVector) {
	t.Helper()
	fbs := inv.Fallbacks()
	addrs := inv.FallbackAddresses()
	require.Len(t, fbs, len(v.Fallbacks), "%d fallbacks, %d addresses, want %d", len(fbs), len(addrs), len(v.Fallbacks))
	require.Len(t, addrs, len(v.Fallbacks), "%d fallbacks, %d addresses, want %d", len(fbs), len(addrs), len(v.Fallbacks))
	for i, want := range v.Fallbacks {
		require.Equal(t, want.Version, int(fbs[i].Version), "fallback %d: %d/%x, want %d/%s", i, fbs[i].Version, fbs[i].Program, want.Version, want.Program)
		require.Equal(t, want.Program, hex.EncodeToString(fbs[i].Program), "fallback %d: %d/%x, want %d/%s", i, fbs[i].Version, fbs[i].Program, want.Version, want.Program)
		require.Equal(t, want.Address, addrs[i].EncodeAddress(), "fallback %d address %s, want %s", i, addrs[i].EncodeAddress(), want.Address)
		require.True(t, addrs[i].IsForNet(inv.Network()), "fallback %d address %s, want %s", i, addrs[i].EncodeAddress(), want.Address)
		_, err := fbs[i].PkScript()
		require.NoError(t, err, "fallback %d PkScript", i)
	}
}

func checkVectorRouteHints(t *testing.T, inv *Invoice, v validVector) {
	t.Helper()
	hints := inv.RouteHints()
	require.Len(t, hints, len(v.RouteHints), "%d route hints, want %d", len(hints), len(v.RouteHints))
	for i, want := range v.RouteHints {
		require.Len(t, hints[i], len(want), "route hint %d: %d hops, want %d", i, len(hints[i]), len(want))
		for j, w := range want {
			h := hints[i][j]
			var scid [8]byte
			u := h.ShortChannelID.ToUint64()
			for k := range scid {
				scid[k] = byte(u >> (56 - 8*k))
			}
			require.Equal(t, w.Pubkey, h.NodeID.String(), "hint %d hop %d: %+v, want %+v", i, j, h, w)
			require.Equal(t, w.ShortChannelID, hex.EncodeToString(scid[:]), "hint %d hop %d: %+v, want %+v", i, j, h, w)
			require.Equal(t, w.ShortChannelIDBxTxO, h.ShortChannelID.String(), "hint %d hop %d: %+v, want %+v", i, j, h, w)
			require.Equal(t, w.FeeBaseMsat, h.FeeBaseMsat, "hint %d hop %d: %+v, want %+v", i, j, h, w)
			require.Equal(t, w.FeeProportionalMillionths, h.FeeProportionalMillionths, "hint %d hop %d: %+v, want %+v", i, j, h, w)
			require.Equal(t, w.CLTVExpiryDelta, h.CLTVExpiryDelta, "hint %d hop %d: %+v, want %+v", i, j, h, w)
		}
	}
}

func checkVectorFeatures(t *testing.T, inv *Invoice, v validVector) {
	t.Helper()
	f := inv.Features()
	var got []int
	for _, b := range f.Bits() {
		got = append(got, int(b))
	}
	require.Len(t, got, len(v.Features.Bits), "feature bits %v, want %v", got, v.Features.Bits)
	for i := range got {
		require.Equal(t, v.Features.Bits[i], got[i], "feature bits %v, want %v", got, v.Features.Bits)
	}
	g := groupsString(appendFeatureGroups(nil, f))
	require.Equal(t, v.Features.Data5, g, "features re-encode to %q, want %q", g, v.Features.Data5)
	want := wire.NewFeatureVector()
	for _, b := range v.Features.Bits {
		want.Set(wire.FeatureBit(b))
	}
	require.Equal(t, want.Bytes(), f.Bytes(), "features %s, want %s", f, want)
}

func checkVectorFields(t *testing.T, inv *Invoice, v validVector) {
	t.Helper()
	fields := inv.Fields()
	require.Len(t, fields, len(v.Fields), "%d fields, want %d", len(fields), len(v.Fields))
	var skipped []Field
	for i, w := range v.Fields {
		f := fields[i]
		require.Equal(t, w.Tag, f.Tag.String(), "field %d: %s/%d/%s, want %s/%d/%s", i, f.Tag, len(f.Data), groupsString(f.Data), w.Tag, w.DataLength, w.Data5)
		require.Len(t, f.Data, w.DataLength, "field %d: %s/%d/%s, want %s/%d/%s", i, f.Tag, len(f.Data), groupsString(f.Data), w.Tag, w.DataLength, w.Data5)
		require.Equal(t, w.Data5, groupsString(f.Data), "field %d: %s/%d/%s, want %s/%d/%s", i, f.Tag, len(f.Data), groupsString(f.Data), w.Tag, w.DataLength, w.Data5)
		if f.Skipped {
			skipped = append(skipped, f)
		}
	}
	require.Len(t, skipped, len(v.IgnoredFields), "%d skipped fields, want %d", len(skipped), len(v.IgnoredFields))
	for i, w := range v.IgnoredFields {
		require.Equal(t, w.Tag, skipped[i].Tag.String(), "skipped field %d: %s/%s, want %s/%s (%s)", i, skipped[i].Tag, groupsString(skipped[i].Data), w.Tag, w.Data5, w.Reason)
		require.Equal(t, w.Data5, groupsString(skipped[i].Data), "skipped field %d: %s/%s, want %s/%s (%s)", i, skipped[i].Tag, groupsString(skipped[i].Data), w.Tag, w.Data5, w.Reason)
	}
}

// expected is the error an invalid example must produce.
type expected struct{ err error }

// invalidReasons maps each invalid example's stated reason to the error
// lnkit gives. The feature 100 example decodes (BOLT 11: the payer "MUST
// fail the payment"), and CheckPayable refuses it.
func invalidReason(reason string) (expected, bool, bool) {
	switch reason {
	case "Same, but adding invalid unknown feature 100":
		return expected{ErrUnknownRequiredFeature}, true, true
	case "Bech32 checksum is invalid":
		return expected{ErrInvalidChecksum}, false, true
	case "Malformed bech32 string (no 1)":
		return expected{ErrMissingSeparator}, false, true
	case "Malformed bech32 string (mixed case)":
		return expected{ErrMixedCase}, false, true
	case "Signature is not recoverable":
		return expected{ErrInvalidSignature}, false, true
	case "String is too short":
		return expected{ErrTooShort}, false, true
	case "Invalid multiplier":
		return expected{ErrInvalidMultiplier}, false, true
	case "Invalid sub-millisatoshi precision":
		return expected{ErrSubMillisatoshi}, false, true
	case "Missing required `s` field":
		return expected{ErrMissingPaymentSecret}, false, true
	case "Non canonical signature (high-S) with 'n' field defined":
		return expected{ErrHighS}, false, true
	}
	return expected{}, false, false
}

// TestVectorsInvalid checks every invalid example fails for its stated
// reason.
func TestVectorsInvalid(t *testing.T) {
	vf := loadVectors(t)
	for _, v := range vf.Invalid {
		t.Run(v.Title, func(t *testing.T) {
			exp, atPayment, ok := invalidReason(v.Reason)
			want := exp.err
			require.True(t, ok, "no expected error for reason %q", v.Reason)
			inv, err := Decode(v.Invoice)
			if !atPayment {
				require.ErrorIs(t, err, want, "Decode error %v, want %v", err, want)
				var e *Error
				require.ErrorAs(t, err, &e, "error %T is not an *Error", err)
				require.True(t, strings.HasPrefix(err.Error(), "invoice: "), "message %q lacks the package prefix", err)
				return
			}
			require.NoError(t, err, "Decode")
			require.Equal(t, v.Invoice, inv.String(), "re-encoding differs")
			err = inv.CheckPayable(inv.Timestamp())
			require.ErrorIs(t, err, want, "CheckPayable error %v, want %v", err, want)
			var fe *wire.UnknownRequiredFeaturesError
			require.ErrorAs(t, err, &fe, "CheckPayable error %v does not name bit 100", err)
			require.Len(t, fe.Bits, 1, "CheckPayable error %v does not name bit 100", err)
			require.Equal(t, wire.FeatureBit(100), fe.Bits[0], "CheckPayable error %v does not name bit 100", err)
		})
	}
}
