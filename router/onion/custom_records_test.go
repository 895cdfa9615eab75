package onion

import (
	"math/rand"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/lnkit/lnkit/wire"
)

// TestProcessCustomRecords checks BOLT 1's rule for custom records in a
// hop payload: an even type the application did not declare fails the
// HTLC with invalid_onion_payload naming the type and the record's offset;
// a declared even type and any odd type are handed over.
func TestProcessCustomRecords(t *testing.T) {
	// amt_to_forward and outgoing_cltv_value take 7 bytes; the custom
	// records follow.
	const base = "02020100040132"
	const (
		rec65537 = "fe0001000101aa"   // odd, 7 bytes
		rec65538 = "fe0001000201bb"   // even, 7 bytes
		rec65540 = "fe000100040201cc" // even, 8 bytes
	)
	tests := []struct {
		name    string
		payload string
		known   []uint64
		// wantType is the refused type (0: accepted).
		wantType   uint64
		wantOffset uint16
		wantCustom []uint64
	}{
		{"unknown even refused", base + rec65538, nil, 65538, 7, nil},
		{"unknown odd accepted", base + rec65537, nil, 0, 0, []uint64{65537}},
		{"declared even accepted", base + rec65538, []uint64{65538}, 0, 0, []uint64{65538}},
		{"declared and odd accepted", base + rec65537 + rec65538, []uint64{65538, 70001}, 0, 0, []uint64{65537, 65538}},
		{"second even unknown", base + rec65537 + rec65538 + rec65540, []uint64{65538}, 65540, 21, nil},
		{"first even unknown", base + rec65538 + rec65540, []uint64{65540}, 65538, 7, nil},
		{"other declared type does not help", base + rec65538, []uint64{65540}, 65538, 7, nil},
	}
	r := rand.New(rand.NewSource(12))
	node := randPrivKey(t, r)
	ad := make([]byte, 32)
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			proc, err := NewProcessor(ProcessorConfig{ECDH: PrivateKeyECDH{Key: node}, KnownCustomTypes: tc.known})
			require.NoError(t, err)
			pkt := rawPacket(t, randPrivKey(t, r), node.PubKey(), framed(mustHex(t, tc.payload), 0), ad)
			out, err := proc.Process(pkt, ad, testExpiry)
			if tc.wantType == 0 {
				require.NoError(t, err)
				var got []uint64
				for _, c := range out.Payload.Custom {
					got = append(got, c.Type)
				}
				require.Equal(t, tc.wantCustom, got)
				return
			}
			require.ErrorIs(t, err, ErrInvalidPayload)
			require.ErrorIs(t, err, wire.ErrUnknownEvenType)
			var pe *ProcessError
			require.ErrorAs(t, err, &pe)
			require.Equal(t, CodeInvalidOnionPayload, pe.Code)
			require.False(t, pe.Code.IsBadOnion())
			require.Equal(t, tc.wantType, pe.PayloadType)
			require.Equal(t, tc.wantOffset, pe.PayloadOffset)

			// The failure message sent back carries the type and offset.
			msg, err := EncodeFailureMessage(nil, pe.FailureMessage(), nil)
			require.NoError(t, err)
			back, _, err := DecodeFailureMessage(msg)
			require.NoError(t, err)
			require.Equal(t, &InvalidOnionPayload{Type: tc.wantType, Offset: tc.wantOffset}, back)
		})
	}
}

// TestProcessCustomRecordIntermediate checks that an intermediate hop
// refuses an unknown even custom record too.
func TestProcessCustomRecordIntermediate(t *testing.T) {
	r := rand.New(rand.NewSource(13))
	node := randPrivKey(t, r)
	ad := make([]byte, 32)
	// amt, cltv, short_channel_id (17 bytes), then type 65538.
	payload := "02020100040132" + "06080000010000020003" + "fe0001000201bb"
	proc, err := NewProcessor(ProcessorConfig{ECDH: PrivateKeyECDH{Key: node}})
	require.NoError(t, err)
	pkt := rawPacket(t, randPrivKey(t, r), node.PubKey(), framed(mustHex(t, payload), 1), ad)
	_, err = proc.Process(pkt, ad, testExpiry)
	var pe *ProcessError
	require.ErrorAs(t, err, &pe)
	require.Equal(t, CodeInvalidOnionPayload, pe.Code)
	require.Equal(t, uint64(65538), pe.PayloadType)
	require.Equal(t, uint16(17), pe.PayloadOffset)
}
