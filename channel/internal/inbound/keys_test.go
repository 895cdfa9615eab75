package inbound

import (
	"bytes"
	"crypto/hkdf"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/binary"
	"encoding/hex"
	"errors"
	"fmt"
	"log/slog"
	"math/rand/v2"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/lnkit/lnkit/keys"
	"github.com/lnkit/lnkit/wire"
)

// randomParams draws encodable Params from r.
func randomParams(r *rand.Rand) Params {
	p := Params{
		Expiry:                  1 + r.Uint64N(MaxExpiry),
		MinFinalCLTVExpiryDelta: uint16(1 + r.IntN(0xffff)),
	}
	switch r.IntN(4) {
	case 0: // absent
	case 1:
		p.Amount = wire.Some(MaxAmount)
	case 2:
		p.Amount = wire.Some[wire.MilliSatoshi](0)
	default:
		p.Amount = wire.Some(wire.MilliSatoshi(r.Uint64N(uint64(MaxAmount))))
	}
	return p
}

// TestCreateVerifyRoundTrip is the property: what Create and CreateForHash
// encode, Verify returns, for many random parameters.
func TestCreateVerifyRoundTrip(t *testing.T) {
	k := testKeys(t)
	r := rand.New(rand.NewPCG(1, 2))
	for i := range 2000 {
		p := randomParams(r)
		var iv [16]byte
		for j := range iv {
			iv[j] = byte(r.Uint32())
		}
		hash, secret, preimage, err := k.Create(p, iv)
		require.NoError(t, err)
		require.Equal(t, preimage.Hash(), hash)
		require.Equal(t, iv[:], secret[:16], "the iv is the prefix")
		got, gotPre, err := k.Verify(hash, secret)
		require.NoError(t, err, "derived %d", i)
		require.Equal(t, p, got)
		require.NotNil(t, gotPre)
		require.Equal(t, preimage, *gotPre)

		appHash := wire.PaymentHash(preimage) // any 32 bytes
		appHash[0] ^= byte(i)
		appSecret, err := k.CreateForHash(appHash, p)
		require.NoError(t, err)
		got, gotPre, err = k.Verify(appHash, appSecret)
		require.NoError(t, err, "application hash %d", i)
		require.Equal(t, p, got)
		require.Nil(t, gotPre)
	}
}

// TestCreateDeterministic checks that the same key, params and iv give
// the same payment, and that another iv or another key does not.
func TestCreateDeterministic(t *testing.T) {
	k := testKeys(t)
	h1, s1, p1, err := k.Create(testParams(), testIV(1))
	require.NoError(t, err)
	h2, s2, p2, err := testKeys(t).Create(testParams(), testIV(1))
	require.NoError(t, err)
	require.Equal(t, h1, h2)
	require.Equal(t, s1, s2)
	require.Equal(t, p1, p2)

	h3, _, _, err := k.Create(testParams(), testIV(2))
	require.NoError(t, err)
	require.NotEqual(t, h1, h3)

	other := NewKeys(keys.NewManager(keys.Seed{1}, keys.Config{}).InboundPaymentKey())
	_, _, err = other.Verify(h1, s1)
	require.ErrorIs(t, err, ErrUnknownPayment, "another node's keys")
	h4, _, _, err := other.Create(testParams(), testIV(1))
	require.NoError(t, err)
	require.NotEqual(t, h1, h4)
}

// TestCreateParamsErrors checks the parameters the secret cannot carry.
func TestCreateParamsErrors(t *testing.T) {
	k := testKeys(t)
	tests := []struct {
		name  string
		edit  func(*Params)
		field string
	}{
		{"amount above MaxAmount", func(p *Params) { p.Amount = wire.Some(MaxAmount + 1) }, "Amount"},
		{"amount max uint64", func(p *Params) { p.Amount = wire.Some(wire.MilliSatoshi(1<<64 - 1)) }, "Amount"},
		{"zero expiry", func(p *Params) { p.Expiry = 0 }, "Expiry"},
		{"expiry above MaxExpiry", func(p *Params) { p.Expiry = MaxExpiry + 1 }, "Expiry"},
		{"zero cltv delta", func(p *Params) { p.MinFinalCLTVExpiryDelta = 0 }, "MinFinalCLTVExpiryDelta"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p := testParams()
			tt.edit(&p)
			_, _, _, err := k.Create(p, testIV(1))
			require.ErrorIs(t, err, ErrInvalidParams)
			var pe *ParamsError
			require.True(t, errors.As(err, &pe))
			require.Equal(t, tt.field, pe.Field)
			_, err = k.CreateForHash(wire.PaymentHash{1}, p)
			require.ErrorIs(t, err, ErrInvalidParams)
		})
	}
	// The limits themselves fit.
	p := Params{Amount: wire.Some(MaxAmount), Expiry: MaxExpiry, MinFinalCLTVExpiryDelta: 0xffff}
	hash, secret, _, err := k.Create(p, testIV(9))
	require.NoError(t, err)
	got, _, err := k.Verify(hash, secret)
	require.NoError(t, err)
	require.Equal(t, p, got)
}

// TestVerifyTamperedSecret flips every bit of the secret, and of the
// payment hash, in both modes: Verify must fail each time.
func TestVerifyTamperedSecret(t *testing.T) {
	k := testKeys(t)
	hash, secret, _, err := k.Create(testParams(), testIV(3))
	require.NoError(t, err)
	appHash := wire.PaymentHash{0xab, 0xcd}
	appSecret, err := k.CreateForHash(appHash, testParams())
	require.NoError(t, err)

	for _, c := range []struct {
		name   string
		hash   wire.PaymentHash
		secret wire.PaymentSecret
	}{{"derived", hash, secret}, {"application hash", appHash, appSecret}} {
		for bit := range 256 {
			s := c.secret
			s[bit/8] ^= 1 << (bit % 8)
			_, pre, err := k.Verify(c.hash, s)
			require.ErrorIs(t, err, ErrUnknownPayment, "%s: secret bit %d", c.name, bit)
			require.Nil(t, pre)

			h := c.hash
			h[bit/8] ^= 1 << (bit % 8)
			_, _, err = k.Verify(h, c.secret)
			require.ErrorIs(t, err, ErrUnknownPayment, "%s: hash bit %d", c.name, bit)
		}
	}
	// A derived secret is not valid as an application secret for its own
	// hash's neighbours, nor the other way round.
	_, _, err = k.Verify(appHash, secret)
	require.ErrorIs(t, err, ErrUnknownPayment)
	_, _, err = k.Verify(hash, appSecret)
	require.ErrorIs(t, err, ErrUnknownPayment)
	_, _, err = k.Verify(wire.PaymentHash{}, wire.PaymentSecret{})
	require.ErrorIs(t, err, ErrUnknownPayment)
}

// TestKeysRedacted prints and logs Keys and checks no sub-key appears.
func TestKeysRedacted(t *testing.T) {
	k := testKeys(t)
	var buf bytes.Buffer
	slog.New(slog.NewJSONHandler(&buf, nil)).Info("k", "keys", k, "value", *k)
	for _, verb := range []string{"%v", "%+v", "%#v", "%s", "%x", "%d"} {
		fmt.Fprintf(&buf, verb+"\n", k)
		fmt.Fprintf(&buf, verb+"\n", *k)
	}
	slog.New(slog.NewTextHandler(&buf, nil)).Info("k", "keys", k, "value", *k)
	out := buf.String()
	for _, mk := range []macKey{k.metadataKey, k.hashAuthKey, k.preimageKey} {
		require.NotContains(t, out, hex.EncodeToString(mk.ipad[:]))
		require.NotContains(t, out, fmt.Sprint(mk.opad[:4]))
	}
	require.Contains(t, out, "redacted")
	subs := documentedSubKeys(t)
	for name, sub := range subs {
		require.NotContains(t, out, hex.EncodeToString(sub), name)
		require.NotContains(t, out, fmt.Sprint(sub[:4]), name)
	}
	require.Len(t, subs, 3)
	require.NotEqual(t, subs["metadata encryption"], subs["preimage"])
}

// TestSecretLayoutPinned pins one secret and preimage so that a change of
// the key schedule or layout (which would orphan every issued invoice)
// fails a test.
func TestSecretLayoutPinned(t *testing.T) {
	k := testKeys(t)
	hash, secret, preimage, err := k.Create(testParams(), testIV(1))
	require.NoError(t, err)
	appSecret, err := k.CreateForHash(wire.PaymentHash{1, 2, 3}, testParams())
	require.NoError(t, err)
	require.Equal(t, "01a55b030405060708090a0b0c0d0e01fe0c5fb1710aaf042356be62fddab3b1", secret.Hex())
	require.Equal(t, "4147a6a5be8b417c4570926b5f685ae1afdaf937f45d14349dc8225e6a738acc", preimage.Hex())
	require.Equal(t, "f7029cf23ee58497d117daadd9f5546dce7fd2e34bef7612899c8abb8ee80f39", hash.String())
	require.Equal(t, "71264f5263b60a31decf6536e376c39c58fd24365381b97e5452c9a66a02e668", appSecret.Hex())
}

// TestSecretLayoutDocumented recomputes a derived-preimage secret and an
// application-hash secret from the scheme written in doc.go, with the
// standard library alone.
func TestSecretLayoutDocumented(t *testing.T) {
	subs := documentedSubKeys(t)
	sub := func(info string) []byte { return subs[info] }
	hm := func(key []byte, parts ...[]byte) []byte {
		m := hmac.New(sha256.New, key)
		for _, p := range parts {
			m.Write(p)
		}
		return m.Sum(nil)
	}
	// amount 100000 present, expiry 1700003600, delta 40.
	meta := make([]byte, 16)
	binary.BigEndian.PutUint64(meta[0:8], 1<<62|100_000)
	meta[8], meta[9] = 0, 0
	binary.BigEndian.PutUint32(meta[10:14], 1_700_003_600)
	binary.BigEndian.PutUint16(meta[14:16], 40)
	seal := func(prefix []byte) []byte {
		ks := hm(sub("metadata encryption"), prefix)
		out := append([]byte{}, prefix...)
		for i := range 16 {
			out = append(out, meta[i]^ks[i])
		}
		return out
	}

	iv := testIV(1)
	wantPreimage := hm(sub("preimage"), iv[:], meta)
	wantHash := sha256.Sum256(wantPreimage)
	hash, secret, preimage, err := testKeys(t).Create(testParams(), iv)
	require.NoError(t, err)
	require.Equal(t, wantPreimage, preimage[:])
	require.Equal(t, wantHash[:], hash[:])
	require.Equal(t, seal(iv[:]), secret[:])

	appHash := wire.PaymentHash{1, 2, 3}
	meta[0] |= 0x80
	tag := hm(sub("application hash authentication"), meta, appHash[:])[:16]
	appSecret, err := testKeys(t).CreateForHash(appHash, testParams())
	require.NoError(t, err)
	require.Equal(t, seal(tag), appSecret[:])
}

// documentedSubKeys derives the test node's sub-keys as doc.go writes
// them, by HKDF-Expand info.
func documentedSubKeys(t *testing.T) map[string][]byte {
	t.Helper()
	ipk := testManager(t).InboundPaymentKey()
	prk, err := hkdf.Extract(sha256.New, ipk[:], []byte("lnkit inbound payment v1"))
	require.NoError(t, err)
	out := map[string][]byte{}
	for _, info := range []string{"metadata encryption", "application hash authentication", "preimage"} {
		out[info], err = hkdf.Expand(sha256.New, prk, info, 32)
		require.NoError(t, err)
	}
	return out
}
