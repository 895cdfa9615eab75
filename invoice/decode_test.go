package invoice

import (
	"bytes"
	"errors"
	"log/slog"
	"strings"
	"testing"
	"time"

	"github.com/btcsuite/btcd/btcec/v2"
	"github.com/btcsuite/btcd/chaincfg"

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
		if err != nil {
			t.Fatal(err)
		}
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
	if _, err := Decode(good); err != nil {
		t.Fatalf("baseline: %v", err)
	}
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
		if err != nil {
			t.Fatal(err)
		}
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
			if !errors.Is(err, c.want) {
				t.Fatalf("Decode = %v, %v; want %v", inv, err, c.want)
			}
			var e *Error
			if !errors.As(err, &e) || !strings.HasPrefix(err.Error(), "invoice: ") {
				t.Fatalf("error %T %q", err, err)
			}
		})
	}
}

func bytesRepeat(b byte, n int) []byte { return []byte(strings.Repeat(string([]byte{b}), n)) }

// signatureOf signs an unrelated hash with key.
func signatureOf(t testing.TB, key *btcec.PrivateKey, what string) []byte {
	s, rec, _ := keySigner{key}.SignInvoice(signingHash(what, nil))
	return append(s[:], rec)
}

// truncatedHeader builds an invoice whose fields end with a 2-group stub.
func truncatedHeader(t testing.TB, key *btcec.PrivateKey) string {
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
	if err != nil {
		t.Fatal(err)
	}
	if inv.String() != in {
		t.Fatal("re-encoding differs")
	}
	upper := strings.ToUpper(in)
	if inv2, err := Decode(upper); err != nil || inv2.String() != upper {
		t.Fatalf("upper case: %v", err)
	}
	if inv.PaymentHash() != (wire.PaymentHash{}) {
		t.Error("the first p field must count")
	}
	if d, _ := inv.Description(); d != "first" {
		t.Errorf("description %q", d)
	}
	if !inv.HasExpiry() || inv.ExpirySeconds() != 0 {
		t.Errorf("expiry %d", inv.ExpirySeconds())
	}
	if !inv.Features().IsEmpty() {
		t.Errorf("features %s", inv.Features())
	}
	if inv.MinFinalCLTVExpiryDelta() != 1<<64-1 {
		t.Errorf("cltv %d", inv.MinFinalCLTVExpiryDelta())
	}
	if !inv.HasPayeeField() || inv.Payee() != id {
		t.Errorf("payee %s", inv.Payee())
	}
	addrs := inv.FallbackAddresses()
	if len(addrs) != 1 || !strings.HasPrefix(addrs[0].String(), "bcrt1p") {
		t.Errorf("fallbacks %v", addrs)
	}
	if fb := inv.Fallbacks(); len(fb) != 1 || fb[0].Version != 1 || len(fb[0].Program) != 20 {
		t.Errorf("fallback %+v", fb)
	}
	var skipped string
	for _, f := range inv.Fields() {
		if f.Skipped {
			skipped += f.Tag.String()
		}
	}
	if skipped != "pdftx" {
		t.Errorf("skipped %q, want pdftx", skipped)
	}
}

// TestExpiryLimits checks expiry arithmetic at the extremes.
func TestExpiryLimits(t *testing.T) {
	key, _ := btcec.NewPrivateKey()
	in := craft(t, "lnbc", key, nil, with(craftField{TagExpiry, []byte{15, 31, 31, 31, 31, 31, 31, 31, 31, 31, 31, 31, 31}})...)
	inv, err := Decode(in)
	if err != nil {
		t.Fatal(err)
	}
	if inv.Expiry() <= 0 || inv.ExpirySeconds() != 1<<64-1 {
		t.Errorf("expiry %v", inv.Expiry())
	}
	if inv.IsExpired(time.Unix(1<<40, 0)) {
		t.Error("expired too early")
	}
	if err := inv.CheckPayable(time.Unix(1<<35, 0)); err != nil {
		t.Errorf("CheckPayable: %v", err)
	}
	var zero Invoice
	if err := zero.CheckPayable(time.Now()); !errors.Is(err, ErrMissingPaymentSecret) {
		t.Errorf("zero invoice: %v", err)
	}
}

// TestCheckPayableFeatures checks the feature checks before paying.
func TestCheckPayableFeatures(t *testing.T) {
	key, _ := btcec.NewPrivateKey()
	build := func(f wire.FeatureVector) *Invoice {
		t.Helper()
		in := craft(t, "lnbc", key, nil, with(craftField{TagFeatures, appendFeatureGroups(nil, f)})...)
		inv, err := Decode(in)
		if err != nil {
			t.Fatal(err)
		}
		return inv
	}
	now := time.Unix(1<<34, 0)
	unknownOdd := build(wire.NewFeatureVector(wire.VarOnionOptinRequired, wire.PaymentSecretRequired, 301))
	if err := unknownOdd.CheckPayable(now); err != nil {
		t.Errorf("unknown odd bit: %v", err)
	}
	unknownEven := build(wire.NewFeatureVector(wire.VarOnionOptinRequired, wire.PaymentSecretRequired, 300))
	err := unknownEven.CheckPayable(now)
	var fe *wire.UnknownRequiredFeaturesError
	if !errors.Is(err, ErrUnknownRequiredFeature) || !errors.Is(err, wire.ErrUnknownRequiredFeature) || !errors.As(err, &fe) || fe.Bits[0] != 300 {
		t.Errorf("unknown even bit: %v", err)
	}
	known := PayerFeatures()
	known.Set(300)
	if err := unknownEven.CheckPayableWith(now, known); err != nil {
		t.Errorf("known even bit: %v", err)
	}
	mppNoSecret := build(wire.NewFeatureVector(wire.VarOnionOptinRequired, wire.BasicMPPOptional))
	if err := mppNoSecret.CheckPayable(now); !errors.Is(err, ErrMissingFeatureDependency) {
		t.Errorf("basic_mpp without payment_secret: %v", err)
	}
}

// TestLogValueRedacts checks structured logs never carry the payment
// secret or the invoice string.
func TestLogValueRedacts(t *testing.T) {
	key, _ := btcec.NewPrivateKey()
	secret := wire.PaymentSecret{0xab, 0xcd, 0xef}
	inv, err := NewBuilder(&chaincfg.MainNetParams, time.Unix(1, 0)).Amount(1000).
		PaymentHash(wire.PaymentHash{1}).PaymentSecret(secret).Build(keySigner{key})
	if err != nil {
		t.Fatal(err)
	}
	var buf bytes.Buffer
	slog.New(slog.NewTextHandler(&buf, nil)).Info("paying", "invoice", inv)
	out := buf.String()
	if strings.Contains(out, secret.Hex()) || strings.Contains(out, inv.String()) || !strings.Contains(out, "amount_msat=1000") {
		t.Fatalf("log line %q", out)
	}
	var zero Invoice
	if zero.SigningHash() != (wire.Digest{}) || zero.String() == "" {
		t.Error("zero invoice")
	}
}
