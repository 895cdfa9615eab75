package invoice

import (
	"crypto/sha256"
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/btcsuite/btcd/btcec/v2"
	"github.com/btcsuite/btcd/btcutil"
	"github.com/btcsuite/btcd/chaincfg"
	"github.com/stretchr/testify/require"

	"github.com/lnkit/lnkit/wire"
)

// replay rebuilds a decoded invoice with the Builder, calling the typed
// setter of each field in the original order (RawField for the skipped
// ones), and signs it with signer.
func replay(t *testing.T, inv *Invoice, signer Signer) (*Invoice, error) {
	t.Helper()
	b := NewBuilder(inv.Network(), inv.Timestamp())
	if amt, ok := inv.Amount(); ok {
		b.Amount(amt)
	}
	fbs, hints := inv.Fallbacks(), inv.RouteHints()
	for _, f := range inv.Fields() {
		if f.Skipped {
			b.RawField(f.Tag, f.Data)
			continue
		}
		switch f.Tag {
		case TagPaymentHash:
			b.PaymentHash(inv.PaymentHash())
		case TagPaymentSecret:
			b.PaymentSecret(inv.PaymentSecret())
		case TagDescription:
			d, _ := inv.Description()
			b.Description(d)
		case TagDescriptionHash:
			h, _ := inv.DescriptionHash()
			b.DescriptionHash(h)
		case TagExpiry:
			b.Expiry(inv.Expiry())
		case TagMinFinalCLTVExpiry:
			b.MinFinalCLTVExpiryDelta(inv.MinFinalCLTVExpiryDelta())
		case TagFeatures:
			b.Features(inv.Features())
		case TagMetadata:
			m, _ := inv.Metadata()
			b.Metadata(m)
		case TagPayee:
			b.PayeeNodeID(inv.Payee())
		case TagFallback:
			addr, err := fbs[0].Address(inv.Network())
			require.NoError(t, err)
			b.Fallback(addr)
			fbs = fbs[1:]
		case TagRouteHint:
			b.RouteHint(hints[0]...)
			hints = hints[1:]
		default:
			require.Failf(t, "unexpected field", "%s", f.Tag)
		}
	}
	return b.Build(signer)
}

// TestBuilderReproducesVectors signs every valid example again with the
// examples' private key: RFC 6979 makes the signature, hence the whole
// string, identical. The high-S example rebuilds into the first example
// (the Builder signs low-S).
func TestBuilderReproducesVectors(t *testing.T) {
	vf := loadVectors(t)
	key := vectorKey(t, vf.PrivateKey)
	signer := nodeSigner{keySigner{key}, wire.NewNodeID(key.PubKey())}
	for i, v := range vf.Valid {
		t.Run(v.Title, func(t *testing.T) {
			inv, err := Decode(v.Invoice)
			require.NoError(t, err)
			built, err := replay(t, inv, signer)
			require.NoError(t, err, "Build")
			want := strings.ToLower(v.Invoice)
			if v.SignatureHighS {
				want = vf.Valid[0].Invoice
				require.NotEqual(t, 0, i, "first example is high-S")
			}
			got := built.String()
			require.Equal(t, want, got, "built\n %s\nwant\n %s", got, want)
			require.Equal(t, vf.SignerPubkey, built.Payee().String(), "payee %s, want %s", built.Payee(), vf.SignerPubkey)
		})
	}
}

// TestBuilderFirstExample builds the first BOLT 11 example with the typed
// setters and the default features.
func TestBuilderFirstExample(t *testing.T) {
	vf := loadVectors(t)
	key := vectorKey(t, vf.PrivateKey)
	var hash wire.PaymentHash
	copy(hash[:], mustHex(t, "0001020304050607080900010203040506070809000102030405060708090102"))
	var secret wire.PaymentSecret
	copy(secret[:], mustHex(t, strings.Repeat("11", 32)))
	inv, err := NewBuilder(&chaincfg.MainNetParams, time.Unix(1496314658, 0)).
		PaymentSecret(secret).
		PaymentHash(hash).
		Description("Please consider supporting this project").
		Build(keySigner{key})
	require.NoError(t, err)
	require.Equal(t, vf.Valid[0].Invoice, inv.String(), "got  %s\nwant %s", inv, vf.Valid[0].Invoice)
	require.Equal(t, uint64(3600), inv.ExpirySeconds(), "defaults: expiry %d, cltv %d", inv.ExpirySeconds(), inv.MinFinalCLTVExpiryDelta())
	require.Equal(t, uint64(18), inv.MinFinalCLTVExpiryDelta(), "defaults: expiry %d, cltv %d", inv.ExpirySeconds(), inv.MinFinalCLTVExpiryDelta())
	f := inv.Features()
	require.True(t, f.IsSet(wire.VarOnionOptinRequired), "default features %v", f.Bits())
	require.True(t, f.IsSet(wire.PaymentSecretRequired), "default features %v", f.Bits())
	require.Len(t, f.Bits(), 2, "default features %v", f.Bits())
}

// fixedEntropy is an EntropySource returning one value.
type fixedEntropy [32]byte

func (f fixedEntropy) GetSecureRandomBytes() [32]byte { return f }

// TestBuilderAllFields builds an invoice with every field, decodes its
// string and checks every accessor.
func TestBuilderAllFields(t *testing.T) {
	key, _ := btcec.PrivKeyFromBytes(sha256.New().Sum([]byte("lnkit invoice test key"))[:32])
	id := wire.NewNodeID(key.PubKey())
	net := &chaincfg.RegressionNetParams
	ts := time.Unix(1_700_000_000, 0)
	p2pkh, _ := btcutil.NewAddressPubKeyHash(make([]byte, 20), net)
	p2sh, _ := btcutil.NewAddressScriptHashFromHash(make([]byte, 20), net)
	p2wpkh, _ := btcutil.NewAddressWitnessPubKeyHash(make([]byte, 20), net)
	p2wsh, _ := btcutil.NewAddressWitnessScriptHash(make([]byte, 32), net)
	p2tr, _ := btcutil.NewAddressTaproot(make([]byte, 32), net)
	hop := func(i byte) HopHint {
		return HopHint{
			NodeID:                    id,
			ShortChannelID:            wire.ShortChannelID{BlockHeight: 700_000 + uint32(i), TxIndex: 5, OutputIndex: uint16(i)},
			FeeBaseMsat:               1000 + uint32(i),
			FeeProportionalMillionths: 100,
			CLTVExpiryDelta:           40 + uint16(i),
		}
	}
	descHash := sha256.Sum256([]byte("a long description"))
	features := wire.NewFeatureVector(wire.VarOnionOptinRequired, wire.PaymentSecretRequired,
		wire.BasicMPPOptional, wire.PaymentMetadataOptional)
	inv, err := NewBuilder(net, ts).
		Amount(1_234_567).
		PaymentHash(wire.PaymentHash{1}).
		RandomPaymentSecret(fixedEntropy{2}).
		DescriptionHash(descHash).
		Expiry(24*time.Hour).
		MinFinalCLTVExpiryDelta(144).
		Fallback(p2pkh).Fallback(p2sh).Fallback(p2wpkh).Fallback(p2wsh).Fallback(p2tr).
		FallbackProgram(Fallback{Version: 2, Program: []byte{1, 2, 3, 4}}).
		RouteHint(hop(1), hop(2)).
		RouteHint(hop(3)).
		Features(features).
		PayeeNodeID(id).
		Metadata([]byte{0xfa, 0xce}).
		Build(keySigner{key})
	require.NoError(t, err)
	dec, err := Decode(inv.String())
	require.NoError(t, err, "Decode(%s)", inv)
	require.Equal(t, inv.String(), dec.String(), "re-encoding differs")
	require.True(t, strings.HasPrefix(dec.String(), "lnbcrt12345670p1"), "hrp of %s", dec)
	amt, ok := dec.Amount()
	dh, _ := dec.DescriptionHash()
	m, _ := dec.Metadata()
	require.True(t, ok, "amount")
	require.EqualValues(t, 1_234_567, amt, "amount")
	require.Equal(t, wire.PaymentHash{1}, dec.PaymentHash(), "payment hash")
	require.Equal(t, wire.PaymentSecret{2}, dec.PaymentSecret(), "payment secret")
	require.Equal(t, descHash, dh, "description hash")
	require.Equal(t, 24*time.Hour, dec.Expiry(), "expiry")
	require.True(t, dec.ExpiresAt().Equal(ts.Add(24*time.Hour)), "expires at %v", dec.ExpiresAt())
	require.EqualValues(t, 144, dec.MinFinalCLTVExpiryDelta(), "cltv")
	require.True(t, dec.HasPayeeField(), "payee field")
	require.Equal(t, id, dec.Payee(), "payee")
	require.Equal(t, "\xfa\xce", string(m), "metadata")
	require.Equal(t, features.String(), dec.Features().String(), "features")
	require.Same(t, net, dec.Network(), "network")
	require.True(t, dec.Timestamp().Equal(ts), "timestamp %v, want %v", dec.Timestamp(), ts)
	addrs := dec.FallbackAddresses()
	want := []string{p2pkh.String(), p2sh.String(), p2wpkh.String(), p2wsh.String(), p2tr.String()}
	require.Len(t, addrs, 6, "%d fallbacks", len(addrs))
	for i, w := range want {
		require.Equal(t, w, addrs[i].String(), "fallback %d = %s, want %s", i, addrs[i], w)
	}
	v2, ok := addrs[5].(*WitnessAddress)
	require.True(t, ok, "future witness fallback %T %v", addrs[5], addrs[5])
	require.Equal(t, byte(2), v2.WitnessVersion(), "future witness fallback %T %v", addrs[5], addrs[5])
	require.True(t, strings.HasPrefix(v2.String(), "bcrt1z"), "future witness fallback %T %v", addrs[5], addrs[5])
	if decoded, err := btcutil.DecodeAddress(v2.String(), net); err == nil {
		t.Logf("btcutil decodes %s as %T", v2, decoded)
	}
	hints := dec.RouteHints()
	require.Len(t, hints, 2, "route hints %+v", hints)
	require.Len(t, hints[0], 2, "route hints %+v", hints)
	require.Len(t, hints[1], 1, "route hints %+v", hints)
	require.Equal(t, hop(2), hints[0][1], "route hints %+v", hints)
	require.Equal(t, hop(3), hints[1][0], "route hints %+v", hints)
}

// TestBuilderAmounts checks the shortest multiplier is chosen and amounts
// survive the round trip.
func TestBuilderAmounts(t *testing.T) {
	key, _ := btcec.NewPrivateKey()
	cases := []struct {
		msat wire.MilliSatoshi
		hrp  string
	}{
		{1, "lnbc10p"},
		{10, "lnbc100p"},
		{100, "lnbc1n"},
		{1000, "lnbc10n"},
		{100_000, "lnbc1u"},
		{250_000_000, "lnbc2500u"},
		{100_000_000, "lnbc1m"},
		{100_000_000_000, "lnbc1"},
		{2_100_000_000_000_000_000, "lnbc21000000"},
		{18_446_744_073_709_551_615, "lnbc184467440737095516150p"},
	}
	for _, c := range cases {
		inv, err := NewBuilder(&chaincfg.MainNetParams, time.Unix(1, 0)).
			Amount(c.msat).PaymentHash(wire.PaymentHash{}).PaymentSecret(wire.PaymentSecret{}).
			Build(keySigner{key})
		require.NoError(t, err, "%d", c.msat)
		require.Equal(t, c.hrp, inv.HumanReadablePart(), "%d msat: hrp %s, want %s", c.msat, inv.HumanReadablePart(), c.hrp)
		dec, err := Decode(inv.String())
		require.NoError(t, err, "%d", c.msat)
		amt, ok := dec.Amount()
		require.True(t, ok, "%d msat decoded as %d", c.msat, amt)
		require.Equal(t, c.msat, amt, "%d msat decoded as %d", c.msat, amt)
	}
}

// failingSigner always fails.
type failingSigner struct{}

var errHSM = errors.New("hsm offline")

func (failingSigner) SignInvoice(wire.Digest) (wire.Signature, byte, error) {
	return wire.Signature{}, 0, errHSM
}

// badRecIDSigner returns the wrong recovery id.
type badRecIDSigner struct{ nodeSigner }

func (s badRecIDSigner) SignInvoice(h wire.Digest) (wire.Signature, byte, error) {
	sig, rec, err := s.nodeSigner.SignInvoice(h)
	return sig, rec ^ 1, err
}

// TestBuilderErrors checks every refusal of the Builder.
func TestBuilderErrors(t *testing.T) {
	key, _ := btcec.NewPrivateKey()
	other, _ := btcec.NewPrivateKey()
	signer := keySigner{key}
	net := &chaincfg.MainNetParams
	base := func() *Builder {
		return NewBuilder(net, time.Unix(1_600_000_000, 0)).PaymentHash(wire.PaymentHash{1}).PaymentSecret(wire.PaymentSecret{2})
	}
	testnetAddr, _ := btcutil.NewAddressWitnessPubKeyHash(make([]byte, 20), &chaincfg.TestNet3Params)
	tooMany := make([]HopHint, 13)
	for i := range tooMany {
		tooMany[i].NodeID = wire.NewNodeID(key.PubKey())
	}
	cases := []struct {
		name   string
		b      *Builder
		signer Signer
		want   error
	}{
		{"unknown network", NewBuilder(&chaincfg.Params{Name: "x"}, time.Unix(1, 0)), signer, ErrUnknownNetwork},
		{"nil network", NewBuilder(nil, time.Unix(1, 0)), signer, ErrUnknownNetwork},
		{"negative timestamp", NewBuilder(net, time.Unix(-1, 0)), signer, ErrInvalidBuild},
		{"timestamp beyond 35 bits", NewBuilder(net, time.Unix(1<<35, 0)), signer, ErrInvalidBuild},
		{"no payment hash", NewBuilder(net, time.Unix(1, 0)).PaymentSecret(wire.PaymentSecret{}), signer, ErrMissingPaymentHash},
		{"no payment secret", NewBuilder(net, time.Unix(1, 0)).PaymentHash(wire.PaymentHash{}), signer, ErrMissingPaymentSecret},
		{"nil entropy", base().RandomPaymentSecret(nil), signer, ErrInvalidBuild},
		{"both descriptions", base().Description("x").DescriptionHash([32]byte{}), signer, ErrBothDescriptions},
		{"description too long", base().Description(strings.Repeat("x", 640)), signer, ErrInvalidBuild},
		{"description not utf-8", base().Description("\xff"), signer, ErrInvalidBuild},
		{"zero amount", base().Amount(0), signer, ErrInvalidBuild},
		{"negative expiry", base().Expiry(-time.Second), signer, ErrInvalidBuild},
		{"fallback of another network", base().Fallback(testnetAddr), signer, ErrInvalidBuild},
		{"nil fallback", base().Fallback(nil), signer, ErrInvalidBuild},
		{"bad fallback program", base().FallbackProgram(Fallback{Version: 0, Program: make([]byte, 21)}), signer, ErrInvalidBuild},
		{"unknown fallback version", base().FallbackProgram(Fallback{Version: 19, Program: make([]byte, 20)}), signer, ErrInvalidBuild},
		{"empty route hint", base().RouteHint(), signer, ErrInvalidBuild},
		{"13 hops", base().RouteHint(tooMany...), signer, ErrInvalidBuild},
		{"bad hop node id", base().RouteHint(HopHint{}), signer, ErrInvalidBuild},
		{"bad payee", base().PayeeNodeID(wire.NodeID{}), signer, ErrInvalidBuild},
		{"metadata too long", base().Metadata(make([]byte, 640)), signer, ErrInvalidBuild},
		{"raw tag above 31", base().RawField(32, nil), signer, ErrInvalidBuild},
		{"raw group above 31", base().RawField(2, []byte{32}), signer, ErrInvalidBuild},
		{"raw field too long", base().RawField(2, make([]byte, 1024)), signer, ErrInvalidBuild},
		{"malformed raw known field", base().RawField(TagFeatures, []byte{0, 1}), signer, ErrNonMinimal},
		{"no var_onion_optin", base().Features(wire.NewFeatureVector(wire.PaymentSecretRequired)), signer, ErrInvalidBuild},
		{"no payment_secret", base().Features(wire.NewFeatureVector(wire.VarOnionOptinRequired)), signer, ErrInvalidBuild},
		{"metadata without feature", base().Metadata([]byte{1}).Features(wire.NewFeatureVector(wire.VarOnionOptinRequired, wire.PaymentSecretRequired)), signer, ErrInvalidBuild},
		{"both bits", base().Features(wire.NewFeatureVector(wire.VarOnionOptinRequired, wire.PaymentSecretRequired, wire.PaymentSecretOptional)), signer, wire.ErrFeatureBothBits},
		{"feature out of context", base().Features(wire.NewFeatureVector(wire.VarOnionOptinRequired, wire.PaymentSecretRequired, wire.SpliceOptional)), signer, wire.ErrFeatureContext},
		{"too long", base().RawField(2, make([]byte, 1023)).RawField(2, make([]byte, 1023)).RawField(2, make([]byte, 1023)).
			RawField(2, make([]byte, 1023)).RawField(2, make([]byte, 1023)).RawField(2, make([]byte, 1023)).RawField(2, make([]byte, 1023)), signer, ErrInvalidBuild},
		{"nil signer", base(), nil, ErrInvalidBuild},
		{"signer fails", base(), failingSigner{}, errHSM},
		{"payee is not the signer", base().PayeeNodeID(wire.NewNodeID(other.PubKey())), signer, ErrSigner},
		{"wrong recovery id", base(), badRecIDSigner{nodeSigner{signer, wire.NewNodeID(key.PubKey())}}, ErrSigner},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			inv, err := c.b.Build(c.signer)
			require.ErrorIs(t, err, c.want, "Build = %v, %v; want %v", inv, err, c.want)
			var e *Error
			require.ErrorAs(t, err, &e, "%T is not an *Error", err)
		})
	}
}

// TestBuilderReplaceInPlace checks a single-valued setter called twice keeps
// its first position and the last value.
func TestBuilderReplaceInPlace(t *testing.T) {
	key, _ := btcec.NewPrivateKey()
	inv, err := NewBuilder(&chaincfg.SigNetParams, time.Unix(5, 0)).
		Description("first").PaymentHash(wire.PaymentHash{}).PaymentSecret(wire.PaymentSecret{}).
		Description("second").Expiry(0).
		Build(keySigner{key})
	require.NoError(t, err)
	var tags []string
	for _, f := range inv.Fields() {
		tags = append(tags, f.Tag.String())
	}
	got := strings.Join(tags, "")
	require.Equal(t, "dpsx9", got, "field order %s, want dpsx9", got)
	d, _ := inv.Description()
	require.Equal(t, "second", d, "description %q", d)
	require.True(t, inv.HasExpiry(), "zero expiry: %v", inv.Expiry())
	require.Equal(t, time.Duration(0), inv.Expiry(), "zero expiry: %v", inv.Expiry())
	require.True(t, inv.IsExpired(time.Unix(6, 0)), "zero expiry: %v", inv.Expiry())
	require.False(t, inv.IsExpired(time.Unix(5, 0)), "zero expiry: %v", inv.Expiry())
	require.True(t, strings.HasPrefix(inv.String(), "lntbs1"), "signet prefix: %s", inv)
	require.Equal(t, inv.String(), fmt.Sprint(inv), "fmt does not use String")
}
