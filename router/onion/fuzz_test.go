package onion

import (
	"bytes"
	"errors"
	"reflect"
	"testing"

	"github.com/btcsuite/btcd/btcec/v2"
	"github.com/lnkit/lnkit/wire"
	"github.com/stretchr/testify/require"
)

// fuzzKeys are the fixed node and session keys of the fuzz targets.
func fuzzKeys(t testing.TB) (node, session *btcec.PrivateKey) {
	t.Helper()
	return mustPriv(t, "4141414141414141414141414141414141414141414141414141414141414141"),
		mustPriv(t, "0303030303030303030303030303030303030303030303030303030303030303")
}

// FuzzProcess processes hostile packets at a hop. With sealed false the
// input is the raw packet (header and HMAC included); with sealed true it
// is the plaintext of hop_payloads, encrypted and authenticated for the
// node so that the payload parsing is reached.
func FuzzProcess(f *testing.F) {
	node, session := fuzzKeys(f)
	var v onionTestVector
	loadVector(f, "bolt04-onion-test.json", &v)
	f.Add(mustHex(f, v.Onion), false)
	for _, h := range v.Generate.Hops {
		p := mustHex(f, h.Payload)
		f.Add(append(p, bytes.Repeat([]byte{0}, HMACSize)...), true)
		f.Add(append(p, bytes.Repeat([]byte{7}, HMACSize)...), true)
	}
	f.Add([]byte{0}, true)
	f.Add([]byte{0xfd, 0x05, 0x00}, true)
	f.Add([]byte{0xff, 0, 0, 0, 0, 0, 0, 0, 9}, true)
	// A final payload with an even custom record, then with an odd one.
	f.Add(framed(mustHex(f, "02020100040132fe0001000201bb"), 0), true)
	f.Add(framed(mustHex(f, "02020100040132fe0001000101bb"), 0), true)

	ad := bytes.Repeat([]byte{0x42}, 32)
	f.Fuzz(func(t *testing.T, data []byte, sealed bool) {
		var pkt *Packet
		if sealed {
			if len(data) > HopPayloadsSize {
				data = data[:HopPayloadsSize]
			}
			pkt = rawPacket(t, session, node.PubKey(), data, ad)
		} else {
			pkt = new(Packet)
			if err := pkt.Decode(data); err != nil {
				require.ErrorIs(t, err, ErrPacketSize)
				b := make([]byte, PacketSize)
				copy(b, data)
				require.NoError(t, pkt.Decode(b))
			}
		}
		proc, err := NewProcessor(ProcessorConfig{ECDH: PrivateKeyECDH{Key: node}})
		require.NoError(t, err)
		out, err := proc.Process(pkt, ad, testExpiry)
		if err != nil {
			var pe *ProcessError
			require.ErrorAs(t, err, &pe, "untyped error %v", err)
			if pe.Code.IsBadOnion() {
				require.Equal(t, pkt.Hash(), pe.OnionHash, "BADONION error without the onion hash")
			}
			return
		}
		require.GreaterOrEqual(t, len(out.RawPayload), MinPayloadLen, "payload of %d bytes", len(out.RawPayload))
		require.LessOrEqual(t, len(out.RawPayload), HopPayloadsSize, "payload of %d bytes", len(out.RawPayload))
		require.NoError(t, out.Payload.Validate(out.Final, false), "accepted an invalid payload")
		for _, c := range out.Payload.Custom {
			require.NotEqual(t, uint64(0), c.Type%2, "accepted unknown even custom record %d", c.Type)
		}
		if !out.Final {
			require.True(t, out.Next.EphemeralKey.IsValid(), "next ephemeral key is not a point")
		}
	})
}

// FuzzHopPayload decodes hostile hop payloads; what decodes must encode
// to a stream that decodes to the same payload.
func FuzzHopPayload(f *testing.F) {
	var v onionTestVector
	loadVector(f, "bolt04-onion-test.json", &v)
	for _, h := range v.Generate.Hops {
		f.Add(stripLength(f, mustHex(f, h.Payload)))
	}
	var bv blindedPaymentVector
	loadVector(f, "bolt04-blinded-payment-onion-test.json", &bv)
	for _, h := range bv.Generate.FullRoute.Hops {
		f.Add(stripLength(f, mustHex(f, h.Payload)))
	}
	f.Add(mustHex(f, "02000400fe000100000107ff0000000146c6616c20"+toHex(make([]byte, 32))+"ff000001000000000000"))
	f.Add(mustHex(f, "0202000104020032"))
	f.Fuzz(func(t *testing.T, data []byte) {
		var p HopPayload
		if err := p.Decode(data); err != nil {
			var pe *PayloadError
			require.ErrorAs(t, err, &pe, "untyped error %v", err)
			require.ErrorIs(t, err, ErrInvalidPayload, "untyped error %v", err)
			require.GreaterOrEqual(t, pe.Offset, 0, "offset %d out of range", pe.Offset)
			require.LessOrEqual(t, pe.Offset, len(data), "offset %d out of range", pe.Offset)
			return
		}
		enc, err := p.Encode(nil)
		require.NoError(t, err, "decoded payload does not encode")
		var q HopPayload
		require.NoError(t, q.Decode(enc), "re-decode")
		require.True(t, reflect.DeepEqual(normalise(p), normalise(q)), "round trip changed the payload:\n%+v\n%+v", p, q)
		require.LessOrEqual(t, len(enc), len(data), "encoding grew from %d to %d bytes", len(data), len(enc))
	})
}

// FuzzDecryptFailure reads hostile failure packets and attribution data
// at the origin of a fixed 20-hop route.
func FuzzDecryptFailure(f *testing.F) {
	secrets := make([]SharedSecret, 20)
	for i := range secrets {
		secrets[i][0], secrets[i][31] = byte(i), 0x5a
	}
	msg, _ := EncodeFailureMessage(nil, &IncorrectOrUnknownPaymentDetails{HTLCMsat: 1, Height: 2}, nil)
	for _, src := range []int{0, 7, 19} {
		reason, attr, err := NewFailure(secrets[src], msg, FailureOptions{Attribution: true, HoldTime: 9})
		require.NoError(f, err)
		for i := src - 1; i >= 0; i-- {
			ForwardFailure(secrets[i], reason, attr, uint32(i))
		}
		f.Add(reason, attr[:])
		f.Add(reason, []byte(nil))
	}
	var ev onionErrorVector
	loadVector(f, "bolt04-onion-error-test.json", &ev)
	f.Add(mustHex(f, ev.ErrorPacket), []byte(nil))
	var av attributableVector
	loadVector(f, "bolt04-attributable-errors.json", &av)
	last := av.Forwarding[len(av.Forwarding)-1]
	f.Add(mustHex(f, last.ErrorPacket), mustHex(f, last.AttributionData))

	f.Fuzz(func(t *testing.T, reason, attrBytes []byte) {
		var attr *AttributionData
		if len(attrBytes) > 0 {
			attr = new(AttributionData)
			copy(attr[:], attrBytes)
		}
		d, err := DecryptFailure(secrets, reason, attr)
		if err != nil {
			var ue *UnreadableFailureError
			require.True(t, errors.Is(err, ErrInvalidFailure) || errors.As(err, &ue), "untyped error %v", err)
			return
		}
		require.GreaterOrEqual(t, d.SenderIndex, 0, "result %+v", d)
		require.Less(t, d.SenderIndex, len(secrets), "result %+v", d)
		require.LessOrEqual(t, len(d.Message), len(reason), "result %+v", d)
		if attr != nil {
			require.LessOrEqual(t, len(d.HoldTimes), d.SenderIndex+1, "%d hold times for sender %d", len(d.HoldTimes), d.SenderIndex)
		}
		_, _, _ = d.Decode()
		if len(attrBytes) > 0 {
			_, _ = DecryptSuccessAttribution(secrets, attr)
		}
	})
}

// FuzzFailureMessage decodes hostile failure messages; what decodes must
// encode back to a message that decodes the same.
func FuzzFailureMessage(f *testing.F) {
	f.Add(mustHex(f, "2002"))
	f.Add(mustHex(f, "100b00000000000001020002cafe"))
	f.Add(mustHex(f, "4016fd12340003"))
	f.Add(mustHex(f, "400f0000000000000064000c3500fd84d1fd012c"+toHex(bytes.Repeat([]byte{0x80}, 300))))
	f.Add(mustHex(f, "c005"+toHex(make([]byte, 32))+"0100"))
	f.Fuzz(func(t *testing.T, data []byte) {
		m, ext, err := DecodeFailureMessage(data)
		if err != nil {
			require.ErrorIs(t, err, ErrInvalidFailure, "untyped error %v", err)
			return
		}
		enc, err := EncodeFailureMessage(nil, m, ext)
		if err != nil {
			if _, unknown := m.(*UnknownFailure); unknown || errors.Is(err, ErrFailureTooLarge) {
				return
			}
			require.NoError(t, err, "decoded message does not encode")
		}
		m2, ext2, err := DecodeFailureMessage(enc)
		require.NoError(t, err, "round trip: %v\n%#v %v\n%#v %v", err, m, ext, m2, ext2)
		require.True(t, reflect.DeepEqual(m, m2), "round trip: %v\n%#v %v\n%#v %v", err, m, ext, m2, ext2)
		require.True(t, reflect.DeepEqual(ext, ext2), "round trip: %v\n%#v %v\n%#v %v", err, m, ext, m2, ext2)
		require.LessOrEqual(t, len(enc), len(data), "re-encoding differs")
		require.Equal(t, data[:len(enc)], enc, "re-encoding differs")
		_ = wire.TLVRecords(ext).Validate()
	})
}
