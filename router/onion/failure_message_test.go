package onion

import (
	"bytes"
	"reflect"
	"testing"

	"github.com/lnkit/lnkit/wire"
	"github.com/stretchr/testify/require"
)

func TestFailureMessageEncoding(t *testing.T) {
	h := [32]byte{1, 2, 3}
	upd := []byte{0xca, 0xfe}
	hash := toHex(h[:])
	tests := []struct {
		msg  FailureMessage
		name string
		hex  string
	}{
		{&TemporaryNodeFailure{}, "temporary_node_failure", "2002"},
		{&PermanentNodeFailure{}, "permanent_node_failure", "6002"},
		{&RequiredNodeFeatureMissing{}, "required_node_feature_missing", "6003"},
		{&InvalidOnionVersion{OnionHash: h}, "invalid_onion_version", "c004" + hash},
		{&InvalidOnionHMAC{OnionHash: h}, "invalid_onion_hmac", "c005" + hash},
		{&InvalidOnionKey{OnionHash: h}, "invalid_onion_key", "c006" + hash},
		{&TemporaryChannelFailure{ChannelUpdate: upd}, "temporary_channel_failure", "10070002cafe"},
		{&TemporaryChannelFailure{}, "temporary_channel_failure", "10070000"},
		{&PermanentChannelFailure{}, "permanent_channel_failure", "4008"},
		{&RequiredChannelFeatureMissing{}, "required_channel_feature_missing", "4009"},
		{&UnknownNextPeer{}, "unknown_next_peer", "400a"},
		{&AmountBelowMinimum{HTLCMsat: 0x0102, ChannelUpdate: upd}, "amount_below_minimum", "100b00000000000001020002cafe"},
		{&FeeInsufficient{HTLCMsat: 7, ChannelUpdate: upd}, "fee_insufficient", "100c00000000000000070002cafe"},
		{&IncorrectCLTVExpiry{CLTVExpiry: 9, ChannelUpdate: upd}, "incorrect_cltv_expiry", "100d000000090002cafe"},
		{&ExpiryTooSoon{ChannelUpdate: upd}, "expiry_too_soon", "100e0002cafe"},
		{&IncorrectOrUnknownPaymentDetails{HTLCMsat: 100, Height: 800000}, "incorrect_or_unknown_payment_details", "400f0000000000000064000c3500"},
		{&FinalIncorrectCLTVExpiry{CLTVExpiry: 5}, "final_incorrect_cltv_expiry", "001200000005"},
		{&FinalIncorrectHTLCAmount{IncomingHTLCAmount: 6}, "final_incorrect_htlc_amount", "00130000000000000006"},
		{&ChannelDisabled{DisabledFlags: 1, ChannelUpdate: upd}, "channel_disabled", "101400010002cafe"},
		{&ExpiryTooFar{}, "expiry_too_far", "0015"},
		{&InvalidOnionPayload{Type: 0x1234, Offset: 3}, "invalid_onion_payload", "4016fd12340003"},
		{&MPPTimeout{}, "mpp_timeout", "0017"},
		{&InvalidOnionBlinding{OnionHash: h}, "invalid_onion_blinding", "c018" + hash},
		{&UnknownFailure{FailureCode: 0x1099, Data: []byte{1, 2}}, "unknown_failure(UPDATE|153)", "10990102"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			require.Equal(t, tt.name, tt.msg.Code().String(), "name")
			enc, err := EncodeFailureMessage(nil, tt.msg, nil)
			require.NoError(t, err)
			hexEq(t, "encoding", enc, tt.hex)
			got, ext, err := DecodeFailureMessage(enc)
			require.NoError(t, err)
			require.Nil(t, ext, "decoded %#v ext %v", got, ext)
			require.True(t, reflect.DeepEqual(got, tt.msg), "decoded %#v ext %v", got, ext)
			// Every truncation of the data fails (except where the data
			// is empty), with a typed error.
			if _, ok := tt.msg.(*UnknownFailure); ok {
				return
			}
			for cut := 2; cut < len(enc); cut++ {
				_, _, err = DecodeFailureMessage(enc[:cut])
				require.ErrorIs(t, err, ErrInvalidFailure, "truncated at %d: %v", cut, err)
				require.ErrorIs(t, err, wire.ErrTruncated, "truncated at %d: %v", cut, err)
			}
		})
	}
}

func TestFailureCodeFlags(t *testing.T) {
	c := CodeInvalidOnionHMAC
	require.True(t, c.IsBadOnion(), "invalid_onion_hmac flags")
	require.True(t, c.IsPermanent(), "invalid_onion_hmac flags")
	require.False(t, c.IsNode(), "invalid_onion_hmac flags")
	require.False(t, c.IsUpdate(), "invalid_onion_hmac flags")
	require.True(t, CodeTemporaryNodeFailure.IsNode(), "temporary_node_failure flags")
	require.False(t, CodeTemporaryNodeFailure.IsPermanent(), "temporary_node_failure flags")
	require.True(t, CodeChannelDisabled.IsUpdate(), "channel_disabled flags")
	s := FailureCode(0xe0ff).String()
	require.Equal(t, "unknown_failure(BADONION|PERM|NODE|255)", s, s)
}

func TestFailureMessageExtension(t *testing.T) {
	ext := wire.TLVRecords{{Type: 1, Value: []byte{9}}, {Type: 34001, Value: bytes.Repeat([]byte{0x80}, 300)}}
	enc, err := EncodeFailureMessage(nil, &PermanentChannelFailure{}, ext)
	require.NoError(t, err)
	_, got, err := DecodeFailureMessage(enc)
	require.NoError(t, err, "extension %v", got)
	require.True(t, reflect.DeepEqual(got, ext), "extension %v: %v", got, err)
	// Extra bytes that are not a TLV stream are ignored.
	m, got, err := DecodeFailureMessage(append(mustHex(t, "4008"), 0xfd, 0x00))
	require.NoError(t, err, "junk extension: %v %v", m, got)
	require.Nil(t, got, "junk extension: %v %v %v", m, got, err)
	require.Equal(t, CodePermanentChannelFailure, m.Code(), "junk extension: %v %v %v", m, got, err)
	// Out of order records are refused on encoding.
	_, err = EncodeFailureMessage(nil, &MPPTimeout{}, wire.TLVRecords{{Type: 3}, {Type: 1}})
	require.ErrorIs(t, err, wire.ErrTLVOrder)
	_, err = EncodeFailureMessage(nil, &UnknownFailure{FailureCode: 1}, ext)
	require.ErrorIs(t, err, ErrInvalidFailure)
	_, err = EncodeFailureMessage(nil, nil, nil)
	require.ErrorIs(t, err, ErrInvalidFailure)
	_, err = EncodeFailureMessage(nil, &ExpiryTooSoon{ChannelUpdate: make([]byte, 0x10000)}, nil)
	require.ErrorIs(t, err, ErrFailureTooLarge)
	_, _, err = DecodeFailureMessage([]byte{0x20})
	require.ErrorIs(t, err, wire.ErrTruncated)
}

func TestFailurePacketErrors(t *testing.T) {
	secrets := []SharedSecret{{1}, {2}, {3}}
	_, err := DecryptFailure(nil, make([]byte, 300), nil)
	require.ErrorIs(t, err, ErrEmptyRoute)
	for _, n := range []int{0, minFailurePacketSize - 1, MaxFailurePacketSize + 1} {
		_, err := DecryptFailure(secrets, make([]byte, n), nil)
		require.ErrorIs(t, err, ErrInvalidFailure, "%d bytes: %v", n, err)
	}
	// Garbage matches no hop; with attribution data the first hop is
	// blamed.
	var ue *UnreadableFailureError
	_, err = DecryptFailure(secrets, make([]byte, 292), nil)
	require.ErrorAs(t, err, &ue)
	require.ErrorIs(t, err, ErrUnknownFailureSource)
	require.Equal(t, -1, ue.AttributionFailedAt)
	_, err = DecryptFailure(secrets, make([]byte, 292), new(AttributionData))
	require.ErrorAs(t, err, &ue)
	require.Equal(t, 0, ue.AttributionFailedAt)
	require.Contains(t, err.Error(), "hop 0")
	// A failure too large for the packet is refused by the erring node.
	_, _, err = NewFailure(secrets[0], make([]byte, 0x10000), FailureOptions{})
	require.ErrorIs(t, err, ErrFailureTooLarge)
	_, _, err = NewFailure(secrets[0], []byte{0x20, 0x02}, FailureOptions{PaddedLen: 0xffff})
	require.ErrorIs(t, err, ErrFailureTooLarge)
	// Padding: 256 by default, the next multiple of 256 above that.
	for _, tt := range []struct{ msg, want int }{{2, 256}, {256, 256}, {257, 512}, {600, 768}} {
		reason, _, err := NewFailure(secrets[0], make([]byte, tt.msg), FailureOptions{})
		require.NoError(t, err, "message of %d: %d bytes", tt.msg, len(reason))
		require.Len(t, reason, minFailurePacketSize+tt.want, "message of %d: %d bytes, %v", tt.msg, len(reason), err)
		got, err := DecryptFailure(secrets, reason, nil)
		require.NoError(t, err, "message of %d", tt.msg)
		require.Equal(t, 0, got.SenderIndex, "message of %d: %v", tt.msg, err)
		require.Len(t, got.Message, tt.msg, "message of %d: %v", tt.msg, err)
	}
	// An erring node whose framing lies about failure_len.
	reason, _, _ := NewFailure(secrets[1], []byte{0x20, 0x02}, FailureOptions{})
	ammag := generateKey(keyAmmag, (*[32]byte)(&secrets[1]))
	xorStream(&ammag, reason, 0)
	reason[HMACSize], reason[HMACSize+1] = 0xff, 0xff
	um := generateKey(keyUm, (*[32]byte)(&secrets[1]))
	mac := hmac256(&um, reason[HMACSize:])
	copy(reason, mac[:])
	xorStream(&ammag, reason, 0)
	ForwardFailure(secrets[0], reason, nil, 0)
	_, err = DecryptFailure(secrets, reason, nil)
	require.ErrorIs(t, err, ErrInvalidFailure)
	// Success attribution errors.
	_, err = DecryptSuccessAttribution(nil, new(AttributionData))
	require.ErrorIs(t, err, ErrEmptyRoute)
	a := NewSuccessAttribution(secrets[2], 1)
	ForwardSuccessAttribution(secrets[1], a, 2)
	ForwardSuccessAttribution(secrets[0], a, 3)
	a[holdTimesSize] ^= 1 // hop 0's HMAC for its own position
	var ae *AttributionError
	_, err = DecryptSuccessAttribution(secrets, a)
	require.ErrorAs(t, err, &ae)
	require.Equal(t, 0, ae.Index)
	require.NotEqual(t, "", ae.Error())
}
