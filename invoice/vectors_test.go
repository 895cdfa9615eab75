package invoice

import (
	"bytes"
	"encoding/hex"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/btcsuite/btcd/chaincfg"

	"github.com/lnkit/lnkit/wire"
)

// vectorNetworks maps the vectors' network names to chain parameters.
func vectorNetwork(t *testing.T, name string) *chaincfg.Params {
	switch name {
	case "mainnet":
		return &chaincfg.MainNetParams
	case "testnet":
		return &chaincfg.TestNet3Params
	}
	t.Fatalf("unexpected vector network %q", name)
	return nil
}

// TestVectorsValid decodes every valid BOLT 11 example and checks every
// value the JSON gives, then re-encodes it byte for byte.
func TestVectorsValid(t *testing.T) {
	vf := loadVectors(t)
	for _, v := range vf.Valid {
		t.Run(v.Title, func(t *testing.T) {
			inv, err := Decode(v.Invoice)
			if err != nil {
				t.Fatalf("Decode: %v", err)
			}
			if got := inv.String(); got != v.Invoice {
				t.Fatalf("re-encoding differs:\n got %s\nwant %s", got, v.Invoice)
			}
			if inv.Network() != vectorNetwork(t, v.Network) {
				t.Errorf("network %s, want %s", inv.Network().Name, v.Network)
			}
			if inv.HumanReadablePart() != v.HRP {
				t.Errorf("hrp %q, want %q", inv.HumanReadablePart(), v.HRP)
			}
			amt, ok := inv.Amount()
			switch {
			case v.AmountMsat == nil && ok:
				t.Errorf("amount %v, want none", amt)
			case v.AmountMsat != nil && (!ok || uint64(amt) != *v.AmountMsat):
				t.Errorf("amount %v (%v), want %d msat", amt, ok, *v.AmountMsat)
			}
			if !inv.Timestamp().Equal(time.Unix(v.Timestamp, 0)) {
				t.Errorf("timestamp %v, want %d", inv.Timestamp(), v.Timestamp)
			}
			ph := inv.PaymentHash()
			if hex.EncodeToString(ph[:]) != v.PaymentHash {
				t.Errorf("payment hash %x, want %s", ph, v.PaymentHash)
			}
			ps := inv.PaymentSecret()
			if ps.Hex() != v.PaymentSecret {
				t.Errorf("payment secret %s, want %s", ps.Hex(), v.PaymentSecret)
			}
			desc, hasDesc := inv.Description()
			if (v.Description != nil) != hasDesc || (hasDesc && desc != *v.Description) {
				t.Errorf("description %q (%v), want %v", desc, hasDesc, v.Description)
			}
			dh, hasDH := inv.DescriptionHash()
			if (v.DescriptionHash != nil) != hasDH || (hasDH && hex.EncodeToString(dh[:]) != *v.DescriptionHash) {
				t.Errorf("description hash %x (%v), want %v", dh, hasDH, v.DescriptionHash)
			}
			if v.DescriptionHashPreimage != nil {
				if err := inv.VerifyDescription(*v.DescriptionHashPreimage); err != nil {
					t.Errorf("VerifyDescription: %v", err)
				}
				if err := inv.VerifyDescription("something else"); !errors.Is(err, ErrDescriptionHashMismatch) {
					t.Errorf("VerifyDescription(other) = %v, want ErrDescriptionHashMismatch", err)
				}
			}
			if v.PayeeNodeIDField != nil || inv.HasPayeeField() {
				t.Errorf("payee field %v / %v: no valid vector has one", v.PayeeNodeIDField, inv.HasPayeeField())
			}
			meta, hasMeta := inv.Metadata()
			if (v.Metadata != nil) != hasMeta || (hasMeta && hex.EncodeToString(meta) != *v.Metadata) {
				t.Errorf("metadata %x (%v), want %v", meta, hasMeta, v.Metadata)
			}
			wantExpiry := uint64(3600)
			if v.Expiry != nil {
				wantExpiry = *v.Expiry
			}
			if inv.HasExpiry() != (v.Expiry != nil) || inv.ExpirySeconds() != wantExpiry || inv.Expiry() != time.Duration(wantExpiry)*time.Second {
				t.Errorf("expiry %d (%v), want %v", inv.ExpirySeconds(), inv.HasExpiry(), v.Expiry)
			}
			wantCLTV := uint64(18)
			if v.MinFinalCLTV != nil {
				wantCLTV = *v.MinFinalCLTV
			}
			if inv.HasMinFinalCLTVExpiryDelta() != (v.MinFinalCLTV != nil) || inv.MinFinalCLTVExpiryDelta() != wantCLTV {
				t.Errorf("min_final_cltv_expiry_delta %d, want %v", inv.MinFinalCLTVExpiryDelta(), v.MinFinalCLTV)
			}
			checkVectorFallbacks(t, inv, v)
			checkVectorRouteHints(t, inv, v)
			checkVectorFeatures(t, inv, v)
			checkVectorFields(t, inv, v)

			sig, recID := inv.Signature()
			if hex.EncodeToString(sig[:]) != v.Signature || recID != v.RecoveryID {
				t.Errorf("signature %x/%d, want %s/%d", sig, recID, v.Signature, v.RecoveryID)
			}
			sh := inv.SigningHash()
			if hex.EncodeToString(sh[:]) != v.SigningHash {
				t.Errorf("signing hash %x, want %s", sh, v.SigningHash)
			}
			// Quirk 1 of the vectors' README: for the high-S example the
			// payee is the key plain recovery gives (recovered_pubkey), as
			// libsecp256k1 and lnd compute it, not the signer.
			if got := inv.Payee().String(); got != v.RecoveredPubkey {
				t.Errorf("payee %s, want recovered key %s", got, v.RecoveredPubkey)
			}
			if v.SignatureHighS == (v.RecoveredPubkey == v.SignerPubkey) {
				t.Errorf("high-S %v but recovered == signer is %v", v.SignatureHighS, v.RecoveredPubkey == v.SignerPubkey)
			}

			ts := time.Unix(v.Timestamp, 0)
			if err := inv.CheckPayable(ts); err != nil {
				t.Errorf("CheckPayable at creation: %v", err)
			}
			late := ts.Add(time.Duration(wantExpiry)*time.Second + time.Second)
			if err := inv.CheckPayable(late); !errors.Is(err, ErrExpired) {
				t.Errorf("CheckPayable after expiry = %v, want ErrExpired", err)
			}
		})
	}
}

func checkVectorFallbacks(t *testing.T, inv *Invoice, v validVector) {
	t.Helper()
	fbs := inv.Fallbacks()
	addrs := inv.FallbackAddresses()
	if len(fbs) != len(v.Fallbacks) || len(addrs) != len(v.Fallbacks) {
		t.Fatalf("%d fallbacks, %d addresses, want %d", len(fbs), len(addrs), len(v.Fallbacks))
	}
	for i, want := range v.Fallbacks {
		if int(fbs[i].Version) != want.Version || hex.EncodeToString(fbs[i].Program) != want.Program {
			t.Errorf("fallback %d: %d/%x, want %d/%s", i, fbs[i].Version, fbs[i].Program, want.Version, want.Program)
		}
		if addrs[i].EncodeAddress() != want.Address || !addrs[i].IsForNet(inv.Network()) {
			t.Errorf("fallback %d address %s, want %s", i, addrs[i].EncodeAddress(), want.Address)
		}
		if _, err := fbs[i].PkScript(); err != nil {
			t.Errorf("fallback %d PkScript: %v", i, err)
		}
	}
}

func checkVectorRouteHints(t *testing.T, inv *Invoice, v validVector) {
	t.Helper()
	hints := inv.RouteHints()
	if len(hints) != len(v.RouteHints) {
		t.Fatalf("%d route hints, want %d", len(hints), len(v.RouteHints))
	}
	for i, want := range v.RouteHints {
		if len(hints[i]) != len(want) {
			t.Fatalf("route hint %d: %d hops, want %d", i, len(hints[i]), len(want))
		}
		for j, w := range want {
			h := hints[i][j]
			var scid [8]byte
			u := h.ShortChannelID.ToUint64()
			for k := range scid {
				scid[k] = byte(u >> (56 - 8*k))
			}
			if h.NodeID.String() != w.Pubkey || hex.EncodeToString(scid[:]) != w.ShortChannelID ||
				h.ShortChannelID.String() != w.ShortChannelIDBxTxO || h.FeeBaseMsat != w.FeeBaseMsat ||
				h.FeeProportionalMillionths != w.FeeProportionalMillionths || h.CLTVExpiryDelta != w.CLTVExpiryDelta {
				t.Errorf("hint %d hop %d: %+v, want %+v", i, j, h, w)
			}
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
	if len(got) != len(v.Features.Bits) {
		t.Fatalf("feature bits %v, want %v", got, v.Features.Bits)
	}
	for i := range got {
		if got[i] != v.Features.Bits[i] {
			t.Fatalf("feature bits %v, want %v", got, v.Features.Bits)
		}
	}
	if g := groupsString(appendFeatureGroups(nil, f)); g != v.Features.Data5 {
		t.Errorf("features re-encode to %q, want %q", g, v.Features.Data5)
	}
	want := wire.NewFeatureVector()
	for _, b := range v.Features.Bits {
		want.Set(wire.FeatureBit(b))
	}
	if !bytes.Equal(f.Bytes(), want.Bytes()) {
		t.Errorf("features %s, want %s", f, want)
	}
}

func checkVectorFields(t *testing.T, inv *Invoice, v validVector) {
	t.Helper()
	fields := inv.Fields()
	if len(fields) != len(v.Fields) {
		t.Fatalf("%d fields, want %d", len(fields), len(v.Fields))
	}
	var skipped []Field
	for i, w := range v.Fields {
		f := fields[i]
		if f.Tag.String() != w.Tag || len(f.Data) != w.DataLength || groupsString(f.Data) != w.Data5 {
			t.Errorf("field %d: %s/%d/%s, want %s/%d/%s", i, f.Tag, len(f.Data), groupsString(f.Data), w.Tag, w.DataLength, w.Data5)
		}
		if f.Skipped {
			skipped = append(skipped, f)
		}
	}
	if len(skipped) != len(v.IgnoredFields) {
		t.Fatalf("%d skipped fields, want %d", len(skipped), len(v.IgnoredFields))
	}
	for i, w := range v.IgnoredFields {
		if skipped[i].Tag.String() != w.Tag || groupsString(skipped[i].Data) != w.Data5 {
			t.Errorf("skipped field %d: %s/%s, want %s/%s (%s)", i, skipped[i].Tag, groupsString(skipped[i].Data), w.Tag, w.Data5, w.Reason)
		}
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
			if !ok {
				t.Fatalf("no expected error for reason %q", v.Reason)
			}
			inv, err := Decode(v.Invoice)
			if !atPayment {
				if !errors.Is(err, want) {
					t.Fatalf("Decode error %v, want %v", err, want)
				}
				var e *Error
				if !errors.As(err, &e) {
					t.Fatalf("error %T is not an *Error", err)
				}
				if !strings.HasPrefix(err.Error(), "invoice: ") {
					t.Errorf("message %q lacks the package prefix", err)
				}
				return
			}
			if err != nil {
				t.Fatalf("Decode: %v", err)
			}
			if inv.String() != v.Invoice {
				t.Fatalf("re-encoding differs")
			}
			err = inv.CheckPayable(inv.Timestamp())
			if !errors.Is(err, want) {
				t.Fatalf("CheckPayable error %v, want %v", err, want)
			}
			var fe *wire.UnknownRequiredFeaturesError
			if !errors.As(err, &fe) || len(fe.Bits) != 1 || fe.Bits[0] != 100 {
				t.Fatalf("CheckPayable error %v does not name bit 100", err)
			}
		})
	}
}
