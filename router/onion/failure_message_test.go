package onion

import (
	"bytes"
	"errors"
	"reflect"
	"strings"
	"testing"

	"github.com/lnkit/lnkit/wire"
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
			if got := tt.msg.Code().String(); got != tt.name {
				t.Fatalf("name %s", got)
			}
			enc, err := EncodeFailureMessage(nil, tt.msg, nil)
			if err != nil {
				t.Fatal(err)
			}
			hexEq(t, "encoding", enc, tt.hex)
			got, ext, err := DecodeFailureMessage(enc)
			if err != nil {
				t.Fatal(err)
			}
			if ext != nil || !reflect.DeepEqual(got, tt.msg) {
				t.Fatalf("decoded %#v ext %v", got, ext)
			}
			// Every truncation of the data fails (except where the data
			// is empty), with a typed error.
			if _, ok := tt.msg.(*UnknownFailure); ok {
				return
			}
			for cut := 2; cut < len(enc); cut++ {
				if _, _, err := DecodeFailureMessage(enc[:cut]); !errors.Is(err, ErrInvalidFailure) || !errors.Is(err, wire.ErrTruncated) {
					t.Fatalf("truncated at %d: %v", cut, err)
				}
			}
		})
	}
}

func TestFailureCodeFlags(t *testing.T) {
	c := CodeInvalidOnionHMAC
	if !c.IsBadOnion() || !c.IsPermanent() || c.IsNode() || c.IsUpdate() {
		t.Fatal("invalid_onion_hmac flags")
	}
	if !CodeTemporaryNodeFailure.IsNode() || CodeTemporaryNodeFailure.IsPermanent() {
		t.Fatal("temporary_node_failure flags")
	}
	if !CodeChannelDisabled.IsUpdate() {
		t.Fatal("channel_disabled flags")
	}
	if s := FailureCode(0xe0ff).String(); s != "unknown_failure(BADONION|PERM|NODE|255)" {
		t.Fatal(s)
	}
}

func TestFailureMessageExtension(t *testing.T) {
	ext := wire.TLVRecords{{Type: 1, Value: []byte{9}}, {Type: 34001, Value: bytes.Repeat([]byte{0x80}, 300)}}
	enc, err := EncodeFailureMessage(nil, &PermanentChannelFailure{}, ext)
	if err != nil {
		t.Fatal(err)
	}
	_, got, err := DecodeFailureMessage(enc)
	if err != nil || !reflect.DeepEqual(got, ext) {
		t.Fatalf("extension %v: %v", got, err)
	}
	// Extra bytes that are not a TLV stream are ignored.
	m, got, err := DecodeFailureMessage(append(mustHex(t, "4008"), 0xfd, 0x00))
	if err != nil || got != nil || m.Code() != CodePermanentChannelFailure {
		t.Fatalf("junk extension: %v %v %v", m, got, err)
	}
	// Out of order records are refused on encoding.
	if _, err := EncodeFailureMessage(nil, &MPPTimeout{}, wire.TLVRecords{{Type: 3}, {Type: 1}}); !errors.Is(err, wire.ErrTLVOrder) {
		t.Fatal(err)
	}
	if _, err := EncodeFailureMessage(nil, &UnknownFailure{FailureCode: 1}, ext); !errors.Is(err, ErrInvalidFailure) {
		t.Fatal(err)
	}
	if _, err := EncodeFailureMessage(nil, nil, nil); !errors.Is(err, ErrInvalidFailure) {
		t.Fatal(err)
	}
	if _, err := EncodeFailureMessage(nil, &ExpiryTooSoon{ChannelUpdate: make([]byte, 0x10000)}, nil); !errors.Is(err, ErrFailureTooLarge) {
		t.Fatal(err)
	}
	if _, _, err := DecodeFailureMessage([]byte{0x20}); !errors.Is(err, wire.ErrTruncated) {
		t.Fatal(err)
	}
}

func TestFailurePacketErrors(t *testing.T) {
	secrets := []SharedSecret{{1}, {2}, {3}}
	if _, err := DecryptFailure(nil, make([]byte, 300), nil); !errors.Is(err, ErrEmptyRoute) {
		t.Fatal(err)
	}
	for _, n := range []int{0, minFailurePacketSize - 1, MaxFailurePacketSize + 1} {
		if _, err := DecryptFailure(secrets, make([]byte, n), nil); !errors.Is(err, ErrInvalidFailure) {
			t.Fatalf("%d bytes: %v", n, err)
		}
	}
	// Garbage matches no hop; with attribution data the first hop is
	// blamed.
	var ue *UnreadableFailureError
	_, err := DecryptFailure(secrets, make([]byte, 292), nil)
	if !errors.As(err, &ue) || !errors.Is(err, ErrUnknownFailureSource) || ue.AttributionFailedAt != -1 {
		t.Fatal(err)
	}
	_, err = DecryptFailure(secrets, make([]byte, 292), new(AttributionData))
	if !errors.As(err, &ue) || ue.AttributionFailedAt != 0 || !strings.Contains(err.Error(), "hop 0") {
		t.Fatal(err)
	}
	// A failure too large for the packet is refused by the erring node.
	if _, _, err := NewFailure(secrets[0], make([]byte, 0x10000), FailureOptions{}); !errors.Is(err, ErrFailureTooLarge) {
		t.Fatal(err)
	}
	if _, _, err := NewFailure(secrets[0], []byte{0x20, 0x02}, FailureOptions{PaddedLen: 0xffff}); !errors.Is(err, ErrFailureTooLarge) {
		t.Fatal(err)
	}
	// Padding: 256 by default, the next multiple of 256 above that.
	for _, tt := range []struct{ msg, want int }{{2, 256}, {256, 256}, {257, 512}, {600, 768}} {
		reason, _, err := NewFailure(secrets[0], make([]byte, tt.msg), FailureOptions{})
		if err != nil || len(reason) != minFailurePacketSize+tt.want {
			t.Fatalf("message of %d: %d bytes, %v", tt.msg, len(reason), err)
		}
		got, err := DecryptFailure(secrets, reason, nil)
		if err != nil || got.SenderIndex != 0 || len(got.Message) != tt.msg {
			t.Fatalf("message of %d: %v", tt.msg, err)
		}
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
	if _, err := DecryptFailure(secrets, reason, nil); !errors.Is(err, ErrInvalidFailure) {
		t.Fatal(err)
	}
	// Success attribution errors.
	if _, err := DecryptSuccessAttribution(nil, new(AttributionData)); !errors.Is(err, ErrEmptyRoute) {
		t.Fatal(err)
	}
	a := NewSuccessAttribution(secrets[2], 1)
	ForwardSuccessAttribution(secrets[1], a, 2)
	ForwardSuccessAttribution(secrets[0], a, 3)
	a[holdTimesSize] ^= 1 // hop 0's HMAC for its own position
	var ae *AttributionError
	if _, err := DecryptSuccessAttribution(secrets, a); !errors.As(err, &ae) || ae.Index != 0 || ae.Error() == "" {
		t.Fatal(err)
	}
}
