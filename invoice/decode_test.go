package invoice

import (
	"bytes"
	"log/slog"
	"strings"
	"testing"
	"time"

	"github.com/btcsuite/btcd/btcec/v2"
	"github.com/btcsuite/btcd/chaincfg"
	"github.com/stretchr/testify/require"

	"github.com/lnkit/lnkit/wire"
)

// craft assembles an invoice from raw parts: hrp, a timestamp and tagged
// fields (tag, groups), signed by key with recovery (sig nil) or with the
// given 65-byte signature.
type craftField struct {
	tag    Tag
	groups []byte
}

func craft(t testing.TB, hrp string, key *btcec.PrivateKey, sig []byte, fields ...craftField) string {
	t.Helper()
	data := appendUint64Groups(nil, 1<<34) // 7 groups
	for _, f := range fields {
		data = append(data, byte(f.tag), byte(len(f.groups)>>5), byte(len(f.groups)&31))
		data = append(data, f.groups...)
	}
	if sig == nil {
		s, rec, err := keySigner{key}.SignInvoice(signingHash(hrp, data))
		require.NoError(t, err)
		sig = append(s[:], rec)
	}
	data = appendGroups(data, sig)
	return string(appendBech32(nil, hrp, data, bech32Const))
}

// Field helpers.
func bytesField(tag Tag, b []byte) craftField { return craftField{tag, appendGroups(nil, b)} }
func hashField(tag Tag) craftField            { return bytesField(tag, make([]byte, 32)) }
func descField(d string) craftField           { return bytesField(TagDescription, []byte(d)) }

// required returns p, s and d fields.
func required() []craftField {
	return []craftField{hashField(TagPaymentHash), hashField(TagPaymentSecret), descField("x")}
}

func with(extra ...craftField) []craftField { return append(required(), extra...) }

// TestDecodeErrors checks each malformed input fails with its sentinel.
func TestDecodeErrors(t *testing.T) {
	key, _ := btcec.NewPrivateKey()
	other, _ := btcec.NewPrivateKey()
	good := craft(t, "lnbc", key, nil, required()...)
	_, err := Decode(good)
	require.NoError(t, err, "baseline")
	paddedHash := appendGroups(nil, make([]byte, 32))
	paddedHash[51] = 1 // a padding bit
	badPoint := make([]byte, 33)
	badPoint[0] = 2
	for i := 1; i < 33; i++ {
		badPoint[i] = 0xff
	}
	var sig65 [65]byte
	sig65[31], sig65[63] = 1, 1
	sig65[64] = 4
	var zeroR [65]byte
	zeroR[63] = 1
	bech32m := func() string {
		hrp, data, _, err := decodeBech32(good)
		require.NoError(t, err)
		return string(appendBech32(nil, hrp, data, bech32mConst))
	}()
	cases := []struct {
		name string
		in   string
		want error
	}{
		{"empty", "", ErrMissingSeparator},
		{"too long", "lnbc1" + strings.Repeat("q", MaxLength), ErrTooLong},
		{"space", "lnbc1 " + good[5:], ErrInvalidCharacter},
		{"non-ascii", "lnbc1é" + good[7:], ErrInvalidCharacter},
		{"char outside alphabet", "lnbc1b" + good[6:], ErrInvalidCharacter},
		{"mixed case", "LNBC1" + good[5:], ErrMixedCase},
		{"separator only", "1qqqqqq", ErrMissingSeparator},
		{"no checksum", "lnbc1qqq", ErrTooShort},
		{"bech32m checksum", bech32m, ErrInvalidChecksum},
		{"flipped char", good[:10] + string(bech32Charset[(strings.IndexByte(bech32Charset, good[10])+1)%32]) + good[11:], ErrInvalidChecksum},
		{"too short", string(appendBech32(nil, "lnbc", make([]byte, 110), bech32Const)), ErrTooShort},
		{"unknown network", craft(t, "lnxy", key, nil, required()...), ErrUnknownNetwork},
		{"not lightning", craft(t, "bc", key, nil, required()...), ErrUnknownNetwork},
		{"prefix then letter", craft(t, "lnbcx", key, nil, required()...), ErrUnknownNetwork},
		{"zero amount", craft(t, "lnbc0", key, nil, required()...), ErrInvalidAmount},
		{"leading zero", craft(t, "lnbc01m", key, nil, required()...), ErrInvalidAmount},
		{"letter in amount", craft(t, "lnbc2m5", key, nil, required()...), ErrInvalidAmount},
		{"multiplier only", craft(t, "lnbc1mm", key, nil, required()...), ErrInvalidAmount},
		{"21 digits", craft(t, "lnbc123456789012345678901", key, nil, required()...), ErrInvalidAmount},
		{"btc overflow", craft(t, "lnbc184467441", key, nil, required()...), ErrInvalidAmount},
		{"pico overflow", craft(t, "lnbc184467440737095516160p", key, nil, required()...), ErrInvalidAmount},
		{"bad multiplier", craft(t, "lnbc1k", key, nil, required()...), ErrInvalidMultiplier},
		{"sub-msat", craft(t, "lnbc15p", key, nil, required()...), ErrSubMillisatoshi},
		{"missing p", craft(t, "lnbc", key, nil, hashField(TagPaymentSecret), descField("x")), ErrMissingPaymentHash},
		{"p of wrong length only", craft(t, "lnbc", key, nil, craftField{TagPaymentHash, make([]byte, 51)}, hashField(TagPaymentSecret), descField("x")), ErrMissingPaymentHash},
		{"missing s", craft(t, "lnbc", key, nil, hashField(TagPaymentHash), descField("x")), ErrMissingPaymentSecret},
		{"missing d and h", craft(t, "lnbc", key, nil, hashField(TagPaymentHash), hashField(TagPaymentSecret)), ErrMissingDescription},
		{"d and h", craft(t, "lnbc", key, nil, with(hashField(TagDescriptionHash))...), ErrBothDescriptions},
		{"p padding", craft(t, "lnbc", key, nil, craftField{TagPaymentHash, paddedHash}, hashField(TagPaymentSecret), descField("x")), ErrInvalidField},
		{"d not utf-8", craft(t, "lnbc", key, nil, hashField(TagPaymentHash), hashField(TagPaymentSecret), bytesField(TagDescription, []byte{0xc3})), ErrInvalidField},
		{"d excess padding", craft(t, "lnbc", key, nil, hashField(TagPaymentHash), hashField(TagPaymentSecret), craftField{TagDescription, []byte{0}}), ErrInvalidField},
		{"9 non-minimal", craft(t, "lnbc", key, nil, with(craftField{TagFeatures, []byte{0, 1}})...), ErrNonMinimal},
		{"x overflow", craft(t, "lnbc", key, nil, with(craftField{TagExpiry, append([]byte{16}, make([]byte, 12)...)})...), ErrInvalidField},
		{"m padding", craft(t, "lnbc", key, nil, with(craftField{TagMetadata, []byte{0, 1}})...), ErrInvalidField},
		{"n not a point", craft(t, "lnbc", key, nil, with(bytesField(TagPayee, badPoint))...), ErrInvalidField},
		{"n of another key", craft(t, "lnbc", key, nil, with(bytesField(TagPayee, other.PubKey().SerializeCompressed()))...), ErrInvalidSignature},
		{"f empty", craft(t, "lnbc", key, nil, with(craftField{TagFallback, nil})...), ErrInvalidField},
		{"f p2pkh 19 bytes", craft(t, "lnbc", key, nil, with(craftField{TagFallback, appendGroups([]byte{17}, make([]byte, 19))})...), ErrInvalidField},
		{"f v0 25 bytes", craft(t, "lnbc", key, nil, with(craftField{TagFallback, appendGroups([]byte{0}, make([]byte, 25))})...), ErrInvalidField},
		{"f v1 1 byte", craft(t, "lnbc", key, nil, with(craftField{TagFallback, appendGroups([]byte{1}, make([]byte, 1))})...), ErrInvalidField},
		{"f v2 41 bytes", craft(t, "lnbc", key, nil, with(craftField{TagFallback, appendGroups([]byte{2}, make([]byte, 41))})...), ErrInvalidField},
		{"r 50 bytes", craft(t, "lnbc", key, nil, with(bytesField(TagRouteHint, make([]byte, 50)))...), ErrInvalidField},
		{"r empty", craft(t, "lnbc", key, nil, with(craftField{TagRouteHint, nil})...), ErrInvalidField},
		{"r bad pubkey", craft(t, "lnbc", key, nil, with(bytesField(TagRouteHint, make([]byte, 51)))...), ErrInvalidField},
		{"truncated header", truncatedHeader(t, key), ErrInvalidField},
		{"length past signature", lengthOverrun(t, key), ErrInvalidField},
		{"recovery id 4", craft(t, "lnbc", key, sig65[:], required()...), ErrInvalidSignature},
		{"r zero", craft(t, "lnbc", key, zeroR[:], required()...), ErrInvalidSignature},
		{"s zero", craft(t, "lnbc", key, append(append([]byte{}, sig65[:32]...), make([]byte, 33)...), required()...), ErrInvalidSignature},
		{"r above order", craft(t, "lnbc", key, append(bytesRepeat(0xff, 64), 0), required()...), ErrInvalidSignature},
		{"signature of other data with n", craft(t, "lnbc", key, signatureOf(t, key, "lnbc1"), with(bytesField(TagPayee, key.PubKey().SerializeCompressed()))...), ErrInvalidSignature},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			inv, err := Decode(c.in)
			require.ErrorIs(t, err, c.want, "Decode = %v, %v; want %v", inv, err, c.want)
			var e *Error
			require.ErrorAs(t, err, &e, "error %T %q", err, err)
			require.True(t, strings.HasPrefix(err.Error(), "invoice: "), "error %T %q", err, err)
		})
	}
}

func bytesRepeat(b byte, n int) []byte { return []byte(strings.Repeat(string([]byte{b}), n)) }

// signatureOf signs an unrelated hash with key.
func signatureOf(t testing.TB, key *btcec.PrivateKey, what string) []byte {
	t.Helper()
	s, rec, _ := keySigner{key}.SignInvoice(signingHash(what, nil))
	return append(s[:], rec)
}

// truncatedHeader builds an invoice whose fields end with a 2-group stub.
func truncatedHeader(t testing.TB, key *btcec.PrivateKey) string {
	t.Helper()
	data := appendUint64Groups(nil, 1<<34)
	for _, f := range required() {
		data = append(data, byte(f.tag), byte(len(f.groups)>>5), byte(len(f.groups)&31))
		data = append(data, f.groups...)
	}
	data = append(data, 1, 0)
	s, rec, _ := keySigner{key}.SignInvoice(signingHash("lnbc", data))
	data = appendGroups(data, append(s[:], rec))
	return string(appendBech32(nil, "lnbc", data, bech32Const))
}

// lengthOverrun builds an invoice whose last field claims more data than
// there is before the signature.
func lengthOverrun(t testing.TB, key *btcec.PrivateKey) string {
	t.Helper()
	data := appendUint64Groups(nil, 1<<34)
	for _, f := range required() {
		data = append(data, byte(f.tag), byte(len(f.groups)>>5), byte(len(f.groups)&31))
		data = append(data, f.groups...)
	}
	data = append(data, 2, 0, 5, 0)
	s, rec, _ := keySigner{key}.SignInvoice(signingHash("lnbc", data))
	data = appendGroups(data, append(s[:], rec))
	return string(appendBech32(nil, "lnbc", data, bech32Const))
}

// TestDecodeLenient checks what Decode accepts and skips.
func TestDecodeLenient(t *testing.T) {
	key, _ := btcec.NewPrivateKey()
	id := wire.NewNodeID(key.PubKey())
	secondHash := make([]byte, 32)
	secondHash[0] = 9
	in := craft(t, "lnbcrt", key, nil,
		hashField(TagPaymentHash),
		bytesField(TagPaymentHash, secondHash), // repeat: skipped
		hashField(TagPaymentSecret),
		descField("first"),
		descField("second"),          // repeat: skipped
		craftField{TagExpiry, nil},   // zero-length x: expiry 0
		craftField{TagFeatures, nil}, // empty 9
		craftField{TagFallback, appendGroups([]byte{19}, make([]byte, 20))}, // unknown version: skipped
		craftField{TagFallback, appendGroups([]byte{1}, make([]byte, 20))},  // v1, 20 bytes: future address
		craftField{11, []byte{1, 2, 3}},                                     // t (unknown here): skipped
		bytesField(TagPayee, id[:]),
		craftField{TagMinFinalCLTVExpiry, []byte{15, 31, 31, 31, 31, 31, 31, 31, 31, 31, 31, 31, 31}}, // 2^64-1
		craftField{TagExpiry, []byte{1}},                                                              // repeat: skipped
	)
	inv, err := Decode(in)
	require.NoError(t, err)
	require.Equal(t, in, inv.String(), "re-encoding differs")
	upper := strings.ToUpper(in)
	inv2, err := Decode(upper)
	require.NoError(t, err, "upper case")
	require.Equal(t, upper, inv2.String(), "upper case: %v", err)
	require.Equal(t, wire.PaymentHash{}, inv.PaymentHash(), "the first p field must count")
	d, _ := inv.Description()
	require.Equal(t, "first", d, "description %q", d)
	require.True(t, inv.HasExpiry(), "expiry %d", inv.ExpirySeconds())
	require.Equal(t, uint64(0), inv.ExpirySeconds(), "expiry %d", inv.ExpirySeconds())
	require.True(t, inv.Features().IsEmpty(), "features %s", inv.Features())
	require.Equal(t, uint64(1<<64-1), inv.MinFinalCLTVExpiryDelta(), "cltv %d", inv.MinFinalCLTVExpiryDelta())
	require.True(t, inv.HasPayeeField(), "payee %s", inv.Payee())
	require.Equal(t, id, inv.Payee(), "payee %s", inv.Payee())
	addrs := inv.FallbackAddresses()
	require.Len(t, addrs, 1, "fallbacks %v", addrs)
	require.True(t, strings.HasPrefix(addrs[0].String(), "bcrt1p"), "fallbacks %v", addrs)
	fb := inv.Fallbacks()
	require.Len(t, fb, 1, "fallback %+v", fb)
	require.Equal(t, byte(1), fb[0].Version, "fallback %+v", fb)
	require.Len(t, fb[0].Program, 20, "fallback %+v", fb)
	var skipped string
	for _, f := range inv.Fields() {
		if f.Skipped {
			skipped += f.Tag.String()
		}
	}
	require.Equal(t, "pdftx", skipped, "skipped %q, want pdftx", skipped)
}

// TestExpiryLimits checks expiry arithmetic at the extremes.
func TestExpiryLimits(t *testing.T) {
	key, _ := btcec.NewPrivateKey()
	in := craft(t, "lnbc", key, nil, with(craftField{TagExpiry, []byte{15, 31, 31, 31, 31, 31, 31, 31, 31, 31, 31, 31, 31}})...)
	inv, err := Decode(in)
	require.NoError(t, err)
	require.Greater(t, inv.Expiry(), time.Duration(0), "expiry %v", inv.Expiry())
	require.Equal(t, uint64(1<<64-1), inv.ExpirySeconds(), "expiry %v", inv.Expiry())
	require.False(t, inv.IsExpired(time.Unix(1<<40, 0)), "expired too early")
	require.NoError(t, inv.CheckPayable(time.Unix(1<<35, 0)), "CheckPayable")
	var zero Invoice
	require.ErrorIs(t, zero.CheckPayable(time.Now()), ErrMissingPaymentSecret, "zero invoice")
}

// TestCheckPayableFeatures checks the feature checks before paying.
func TestCheckPayableFeatures(t *testing.T) {
	key, _ := btcec.NewPrivateKey()
	build := func(f wire.FeatureVector) *Invoice {
		t.Helper()
		in := craft(t, "lnbc", key, nil, with(craftField{TagFeatures, appendFeatureGroups(nil, f)})...)
		inv, err := Decode(in)
		require.NoError(t, err)
		return inv
	}
	now := time.Unix(1<<34, 0)
	unknownOdd := build(wire.NewFeatureVector(wire.VarOnionOptinRequired, wire.PaymentSecretRequired, 301))
	require.NoError(t, unknownOdd.CheckPayable(now), "unknown odd bit")
	unknownEven := build(wire.NewFeatureVector(wire.VarOnionOptinRequired, wire.PaymentSecretRequired, 300))
	err := unknownEven.CheckPayable(now)
	var fe *wire.UnknownRequiredFeaturesError
	require.ErrorIs(t, err, ErrUnknownRequiredFeature, "unknown even bit: %v", err)
	require.ErrorIs(t, err, wire.ErrUnknownRequiredFeature, "unknown even bit: %v", err)
	require.ErrorAs(t, err, &fe, "unknown even bit: %v", err)
	require.Equal(t, wire.FeatureBit(300), fe.Bits[0], "unknown even bit: %v", err)
	known := PayerFeatures()
	known.Set(300)
	require.NoError(t, unknownEven.CheckPayableWith(now, known), "known even bit")
	mppNoSecret := build(wire.NewFeatureVector(wire.VarOnionOptinRequired, wire.BasicMPPOptional))
	require.ErrorIs(t, mppNoSecret.CheckPayable(now), ErrMissingFeatureDependency, "basic_mpp without payment_secret")
}

// TestLogValueRedacts checks structured logs never carry the payment
// secret or the invoice string.
func TestLogValueRedacts(t *testing.T) {
	key, _ := btcec.NewPrivateKey()
	secret := wire.PaymentSecret{0xab, 0xcd, 0xef}
	inv, err := NewBuilder(&chaincfg.MainNetParams, time.Unix(1, 0)).Amount(1000).
		PaymentHash(wire.PaymentHash{1}).PaymentSecret(secret).Build(keySigner{key})
	require.NoError(t, err)
	var buf bytes.Buffer
	slog.New(slog.NewTextHandler(&buf, nil)).Info("paying", "invoice", inv)
	out := buf.String()
	require.NotContains(t, out, secret.Hex(), "log line %q", out)
	require.NotContains(t, out, inv.String(), "log line %q", out)
	require.Contains(t, out, "amount_msat=1000", "log line %q", out)
	var zero Invoice
	require.Equal(t, wire.Digest{}, zero.SigningHash(), "zero invoice")
	require.NotEqual(t, "", zero.String(), "zero invoice")
}
