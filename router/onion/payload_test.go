package onion

import (
	"bytes"
	"errors"
	"reflect"
	"strings"
	"testing"

	"github.com/lnkit/lnkit/wire"
	"github.com/stretchr/testify/require"
)

func TestHopPayloadRoundTrip(t *testing.T) {
	var secret wire.PaymentSecret
	for i := range secret {
		secret[i] = byte(i)
	}
	var preimage wire.Preimage
	for i := range preimage {
		preimage[i] = 0xaa
	}
	pathKey := wire.Point(mustHex(t, "02eec7245d6b7d2ccb30380bfbe2a3648cd7a942653f5aa340edcea1f283686619"))
	tests := []struct {
		name string
		p    HopPayload
		hex  string
	}{
		{
			name: "intermediate",
			p: HopPayload{
				AmountToForward: wire.Some(wire.MilliSatoshi(15000)),
				OutgoingCLTV:    wire.Some(uint32(1500)),
				ShortChannelID:  wire.Some(wire.NewShortChannelID(1)),
			},
			hex: "02023a98040205dc06080000000000000001",
		},
		{
			name: "zero amount and cltv are empty values",
			p:    HopPayload{AmountToForward: wire.Some(wire.MilliSatoshi(0)), OutgoingCLTV: wire.Some(uint32(0))},
			hex:  "02000400",
		},
		{
			name: "final with payment data and metadata",
			p: HopPayload{
				AmountToForward: wire.Some(wire.MilliSatoshi(1 << 40)),
				OutgoingCLTV:    wire.Some(uint32(0xffffffff)),
				PaymentData:     wire.Some(PaymentData{PaymentSecret: secret, TotalMsat: 0x0102}),
				PaymentMetadata: wire.Some([]byte{0xde, 0xad}),
			},
			hex: "0206010000000000" + "0404ffffffff0822" + toHex(secret[:]) + "01021002dead",
		},
		{
			name: "empty metadata is present",
			p: HopPayload{
				AmountToForward: wire.Some(wire.MilliSatoshi(0)),
				OutgoingCLTV:    wire.Some(uint32(0)),
				PaymentMetadata: wire.Some([]byte{}),
			},
			hex: "020004001000",
		},
		{
			name: "blinded final",
			p: HopPayload{
				AmountToForward:        wire.Some(wire.MilliSatoshi(1)),
				OutgoingCLTV:           wire.Some(uint32(2)),
				EncryptedRecipientData: wire.Some([]byte{1, 2, 3}),
				CurrentPathKey:         wire.Some(pathKey),
				TotalAmountMsat:        wire.Some(wire.MilliSatoshi(3)),
			},
			hex: "020101040102" + "0a030102030c21" + toHex(pathKey[:]) + "120103",
		},
		{
			name: "keysend between custom records",
			p: HopPayload{
				AmountToForward: wire.Some(wire.MilliSatoshi(0)),
				OutgoingCLTV:    wire.Some(uint32(0)),
				KeysendPreimage: wire.Some(preimage),
				Custom:          wire.TLVRecords{{Type: 65536, Value: []byte{7}}, {Type: 1 << 40, Value: []byte{}}},
			},
			hex: "02000400" + "fe00010000" + "0107" + "ff0000000146c6616c" + "20" + toHex(preimage[:]) + "ff0000010000000000" + "00",
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			enc, err := tt.p.Encode(nil)
			require.NoError(t, err)
			hexEq(t, "encoding", enc, tt.hex)
			var got HopPayload
			require.NoError(t, got.Decode(enc))
			require.True(t, reflect.DeepEqual(normalise(got), normalise(tt.p)), "decoded %+v\nwant %+v", got, tt.p)
		})
	}
}

// normalise makes empty custom values comparable with DeepEqual.
func normalise(p HopPayload) HopPayload {
	for i := range p.Custom {
		if len(p.Custom[i].Value) == 0 {
			p.Custom[i].Value = nil
		}
	}
	return p
}

func TestHopPayloadDecodeErrors(t *testing.T) {
	tests := []struct {
		name   string
		hex    string
		typ    uint64
		offset int
		cause  error
	}{
		{"amount not minimal", "02020001", 2, 0, wire.ErrNotMinimal},
		{"amount too long", "0209010203040506070809", 2, 0, wire.ErrTLVLength},
		{"cltv too long", "020004050102030405", 4, 2, wire.ErrTLVLength},
		{"cltv not minimal", "0200040200ff", 4, 2, wire.ErrNotMinimal},
		{"short channel id short", "060700000000000001", 6, 0, wire.ErrTLVLength},
		{"payment data short", "081f" + strings.Repeat("00", 31), 8, 0, wire.ErrTLVLength},
		{"payment data total not minimal", "0821" + strings.Repeat("00", 32) + "00", 8, 0, wire.ErrNotMinimal},
		{"path key not a point", "0c21" + strings.Repeat("00", 33), 12, 0, wire.ErrInvalidPoint},
		{"path key length", "0c20" + strings.Repeat("00", 32), 12, 0, wire.ErrTLVLength},
		{"keysend length", "ff0000000146c6616c1f" + strings.Repeat("00", 31), TypeKeysendPreimage, 0, wire.ErrTLVLength},
		{"unknown even type", "02000400fd03e800", 1000, 4, wire.ErrUnknownEvenType},
		{"types not increasing", "04000200", 2, 2, wire.ErrTLVOrder},
		{"duplicate type", "02000200", 2, 2, wire.ErrTLVOrder},
		{"value truncated", "0205010203", 2, 0, wire.ErrTruncated},
		{"length missing", "02", 2, 0, wire.ErrTruncated},
		{"type not canonical", "fd0002" + "00", 0, 0, wire.ErrNonCanonical},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var p HopPayload
			err := p.Decode(mustHex(t, tt.hex))
			var pe *PayloadError
			require.ErrorAs(t, err, &pe, "error %v is not a *PayloadError", err)
			require.ErrorIs(t, err, ErrInvalidPayload, "error %v does not wrap %v", err, tt.cause)
			require.ErrorIs(t, err, tt.cause, "error %v does not wrap %v", err, tt.cause)
			require.Equal(t, tt.typ, pe.Type, "type %d offset %d, want %d %d", pe.Type, pe.Offset, tt.typ, tt.offset)
			require.Equal(t, tt.offset, pe.Offset, "type %d offset %d, want %d %d", pe.Type, pe.Offset, tt.typ, tt.offset)
		})
	}
}

func TestHopPayloadUnknownOddSkipped(t *testing.T) {
	// 0x0201 is odd and unknown (below the custom range): skipped.
	b := mustHex(t, "020236b00402057806080000000000000002fd02013c"+toHex(bytes.Repeat([]byte{1}, 60)))
	var p HopPayload
	require.NoError(t, p.Decode(b))
	require.Equal(t, wire.Some(wire.MilliSatoshi(0x36b0)), p.AmountToForward, "decoded %+v", p)
	require.Empty(t, p.Custom, "decoded %+v", p)
}

func TestHopPayloadEncodeErrors(t *testing.T) {
	for _, custom := range []wire.TLVRecords{
		{{Type: 65535}},
		{{Type: TypeKeysendPreimage, Value: make([]byte, 32)}},
		{{Type: 70000}, {Type: 70000}},
		{{Type: 70001}, {Type: 70000}},
	} {
		p := HopPayload{Custom: custom}
		_, err := p.Encode(nil)
		require.True(t, errors.Is(err, ErrInvalidPayload) || errors.Is(err, wire.ErrTLVOrder), "custom %v: %v", custom, err)
	}
}

func TestHopPayloadValidate(t *testing.T) {
	amt := wire.Some(wire.MilliSatoshi(1000))
	cltv := wire.Some(uint32(500))
	scid := wire.Some(wire.NewShortChannelID(42))
	blob := wire.Some([]byte{1})
	key := wire.Some(wire.Point{})
	base := HopPayload{AmountToForward: amt, OutgoingCLTV: cltv, ShortChannelID: scid}
	blindedFinal := HopPayload{
		AmountToForward: amt, OutgoingCLTV: cltv, TotalAmountMsat: wire.Some(wire.MilliSatoshi(1000)),
		EncryptedRecipientData: blob,
	}
	with := func(p HopPayload, f func(*HopPayload)) HopPayload { f(&p); return p }
	tests := []struct {
		name           string
		p              HopPayload
		final, blinded bool
		badType        uint64 // 0: valid
	}{
		{"intermediate", base, false, false, 0},
		{"final", with(base, func(p *HopPayload) { p.ShortChannelID.Present = false }), true, false, 0},
		{"final may name a channel", base, true, false, 0},
		{"missing amount", with(base, func(p *HopPayload) { p.AmountToForward.Present = false }), false, false, TypeAmountToForward},
		{"missing cltv", with(base, func(p *HopPayload) { p.OutgoingCLTV.Present = false }), true, false, TypeOutgoingCLTV},
		{"intermediate without scid", with(base, func(p *HopPayload) { p.ShortChannelID.Present = false }), false, false, TypeShortChannelID},
		{"intermediate with payment data", with(base, func(p *HopPayload) { p.PaymentData.Present = true }), false, false, TypePaymentData},
		{"path key without blinded data", with(base, func(p *HopPayload) { p.CurrentPathKey = key }), false, false, TypeCurrentPathKey},
		{"update path key without blinded data", base, false, true, TypeEncryptedRecipientData},
		{"blinded final", blindedFinal, true, true, 0},
		{"blinded final missing total", with(blindedFinal, func(p *HopPayload) { p.TotalAmountMsat.Present = false }), true, true, TypeTotalAmountMsat},
		{"blinded final missing amount", with(blindedFinal, func(p *HopPayload) { p.AmountToForward.Present = false }), true, true, TypeAmountToForward},
		{"blinded final with scid", with(blindedFinal, func(p *HopPayload) { p.ShortChannelID = scid }), true, true, TypeShortChannelID},
		{"blinded final with metadata", with(blindedFinal, func(p *HopPayload) { p.PaymentMetadata = blob }), true, true, TypePaymentMetadata},
		{"blinded without any path key", blindedFinal, true, false, TypeCurrentPathKey},
		{"blinded with both path keys", with(blindedFinal, func(p *HopPayload) { p.CurrentPathKey = key }), true, true, TypeCurrentPathKey},
		{"introduction node", HopPayload{EncryptedRecipientData: blob, CurrentPathKey: key}, false, false, 0},
		{"blinded intermediate", HopPayload{EncryptedRecipientData: blob}, false, true, 0},
		{"blinded intermediate with amount", HopPayload{EncryptedRecipientData: blob, AmountToForward: amt}, false, true, TypeAmountToForward},
		{"blinded intermediate with custom", HopPayload{EncryptedRecipientData: blob, Custom: wire.TLVRecords{{Type: 65537}}}, false, true, 65537},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := tt.p.Validate(tt.final, tt.blinded)
			if tt.badType == 0 {
				require.NoError(t, err)
				return
			}
			var pe *PayloadError
			require.ErrorAs(t, err, &pe, "error %v, want type %d", err, tt.badType)
			require.Equal(t, tt.badType, pe.Type, "error %v, want type %d", err, tt.badType)
			require.ErrorIs(t, err, ErrInvalidPayload, "error %v, want type %d", err, tt.badType)
		})
	}
}

func TestHopPayloadLogValueHidesSecrets(t *testing.T) {
	var pd PaymentData
	pd.PaymentSecret[0] = 0x42
	var pre wire.Preimage
	pre[0] = 0x43
	p := HopPayload{PaymentData: wire.Some(pd), KeysendPreimage: wire.Some(pre)}
	s := p.LogValue().String()
	require.False(t, bytes.Contains([]byte(s), []byte("42")), "log value leaks: %s", s)
	require.False(t, bytes.Contains([]byte(s), []byte("43")), "log value leaks: %s", s)
}
