package outbound

import (
	"bytes"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/lnkit/lnkit/wire"
)

// TestDecodePaymentMalformedFields builds records whose TLV framing is
// valid but whose values are not, field by field.
func TestDecodePaymentMalformedFields(t *testing.T) {
	p := testPayment(t)
	addTestAttempt(t, p, 1, 2, testAmount)
	header := headerBytes(p)
	attempts := appendAttempts(nil, p.Attempts)
	// hopCountAt is the offset of the first attempt's hop count.
	hopCountAt := 2 + attemptFixLen - 1

	with := func(recs ...wire.TLVRecord) []byte {
		b, err := PaymentFormat.Append(nil, recs)
		require.NoError(t, err)
		return b
	}
	patched := func(b []byte, at int, v ...byte) []byte {
		b = bytes.Clone(b)
		copy(b[at:], v)
		return b
	}
	hdr := wire.TLVRecord{Type: recHeader, Value: header}
	att := func(v []byte) wire.TLVRecord { return wire.TLVRecord{Type: recAttempts, Value: v} }
	tests := []struct {
		name string
		data []byte
		want string
	}{
		{"missing header", with(att(attempts)), "header"},
		{"missing attempts", with(hdr), "attempts"},
		{"short header", with(wire.TLVRecord{Type: recHeader, Value: header[:10]}, att(attempts)), "bytes wanted"},
		{"long header", with(wire.TLVRecord{Type: recHeader, Value: append(bytes.Clone(header), 0)}, att(attempts)), "trailing"},
		{"unknown header flag", with(wire.TLVRecord{Type: recHeader, Value: patched(header, 32+32+8+1, 0x80)}, att(attempts)), "flags"},
		{"short secret", with(hdr, wire.TLVRecord{Type: recSecret, Value: []byte{1}}, att(attempts)), "bytes wanted"},
		{"long metadata", with(hdr, wire.TLVRecord{Type: recMetadata, Value: make([]byte, MaxMetadataLen+1)}, att(attempts)), "metadata"},
		{"short preimage", with(hdr, wire.TLVRecord{Type: recPreimage, Value: []byte{1}}, att(attempts)), "bytes wanted"},
		{"preimage of another hash", with(hdr, wire.TLVRecord{Type: recPreimage, Value: make([]byte, 32)}, att(attempts)), "preimage"},
		{"too many attempts", with(hdr, att(patched(attempts, 0, 0x03, 0xe9))), "attempts in"},
		{"attempt count beyond the bytes", with(hdr, att(patched(attempts, 0, 0, 2))), "attempts in"},
		{"no attempt count", with(hdr, att(nil)), "bytes wanted"},
		{"zero hops", with(hdr, att(patched(attempts, hopCountAt, 0))), "hops"},
		{"28 hops", with(hdr, att(patched(attempts, hopCountAt, MaxHops+1))), "hops"},
		{"hops beyond the bytes", with(hdr, att(patched(attempts, hopCountAt, 3))), "hops"},
		{"unknown attempt flag", with(hdr, att(patched(attempts, 2+32+8, 0x02))), "flags"},
		{"attempts trailing byte", with(hdr, att(append(bytes.Clone(attempts), 0))), "trailing"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			_, err := DecodePayment(tc.data)
			require.ErrorIs(t, err, ErrCorruptRecord)
			require.Contains(t, err.Error(), tc.want)
			require.True(t, strings.HasPrefix(err.Error(), "outbound: "), err.Error())
		})
	}
	// The unpatched pieces decode.
	_, err := DecodePayment(with(hdr, att(attempts)))
	require.NoError(t, err)
}

func TestValidateFields(t *testing.T) {
	tests := []struct {
		name string
		mut  func(p *Payment)
	}{
		{"metadata too long", func(p *Payment) { p.Metadata = make([]byte, MaxMetadataLen+1) }},
		{"too many attempts", func(p *Payment) { p.Attempts = make([]Attempt, MaxAttempts+1) }},
		{"preimage while pending", func(p *Payment) { p.Preimage = wire.Some(testPreimage()) }},
		{"fee limit out of range", func(p *Payment) { p.MaxFee = MaxAmount + 1 }},
		{"succeeded attempt never added", func(p *Payment) {
			addTestAttempt(t, p, 1, 1, 1)
			p.Attempts[0].Status = AttemptSucceeded
		}},
		{"route amount out of range", func(p *Payment) {
			addTestAttempt(t, p, 1, 1, 1)
			p.Attempts[0].Route.TotalAmount = MaxAmount + 1
		}},
		{"route delivering nothing", func(p *Payment) {
			addTestAttempt(t, p, 1, 1, 1)
			p.Attempts[0].Route.Hops[0].AmountToForward = 0
		}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			p := testPayment(t)
			tc.mut(p)
			require.Error(t, p.Validate())
		})
	}
}

func TestErrorMessages(t *testing.T) {
	p := testPayment(t)
	p.Status = StatusFailed
	_, err := p.AddAttempt(Attempt{})
	require.EqualError(t, err, "outbound: add attempt: payment is failed")
	p.Status = StatusPending
	addTestAttempt(t, p, 1, 1, 1)
	err = p.AttemptAdded(0, wire.ChannelID{}, 0)
	require.NoError(t, err)
	err = p.AttemptAdded(0, wire.ChannelID{}, 0)
	require.EqualError(t, err, "outbound: mark added, attempt 0: already added")
}
