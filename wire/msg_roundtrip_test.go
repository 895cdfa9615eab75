package wire_test

import (
	"bytes"
	"errors"
	"net/netip"
	"reflect"
	"testing"

	"github.com/btcsuite/btcd/chaincfg/chainhash"
	"github.com/stretchr/testify/require"

	"github.com/lnkit/lnkit/wire"
)

// TestMessageRoundTrip is the round-trip property: random valid messages
// encode, decode to an equal message, and re-encode to the same bytes.
func TestMessageRoundTrip(t *testing.T) {
	iterations := 500
	if testing.Short() {
		iterations = 50
	}
	for _, c := range msgCases() {
		t.Run(c.name, func(t *testing.T) {
			g := newMsgGen(int64(c.typ))
			for i := 0; i < iterations; i++ {
				g.noTLV = i%5 == 0
				m := c.gen(g)
				require.Equal(t, c.typ, m.Type())
				raw, err := wire.Encode(nil, m)
				require.NoError(t, err)

				got, err := wire.Decode(raw)
				require.NoError(t, err)
				require.True(t, reflect.DeepEqual(m, got), "iteration %d:\nwant %#v\ngot  %#v", i, m, got)

				again, err := wire.Encode([]byte{0xAA}, got)
				require.NoError(t, err)
				require.Equal(t, byte(0xAA), again[0], "Encode appends")
				require.Equal(t, raw, again[1:])
			}
		})
	}
}

// TestMessageRegistry checks that every BOLT 1/2 type decodes to its own
// struct and that unknown types follow the "it's ok to be odd" rule.
func TestMessageRegistry(t *testing.T) {
	for _, c := range msgCases() {
		m := wire.NewMessage(c.typ)
		require.NotNil(t, m, c.name)
		require.Equal(t, c.typ, m.Type())
		require.Equal(t, c.name, c.typ.String())
	}
	_, err := wire.Decode([]byte{0x00, 0x62}) // 98: unknown even
	var ume *wire.UnknownMessageError
	require.ErrorAs(t, err, &ume)
	require.ErrorIs(t, err, wire.ErrUnknownMessage)
	m, err := wire.Decode([]byte{0x00, 0x63, 0x01}) // 99: unknown odd
	require.NoError(t, err)
	require.IsType(t, &wire.Unknown{}, m)
	_, err = wire.Decode([]byte{0x00, 0x10, 0x00}) // init cut short
	var de *wire.DecodeError
	require.ErrorAs(t, err, &de)
	require.Equal(t, wire.MsgInit, de.Type)
	require.Equal(t, "wire: init.globalfeatures.len: truncated input", err.Error())
}

// TestEveryMessageHasACase checks the round-trip, invalid-input and fuzz
// tables cover every message of wire's table: a message added to the table
// without a test case fails here. BOLT 7 messages have their own tables
// (gossipMessageTypes, checked by TestGossipRegistry).
func TestEveryMessageHasACase(t *testing.T) {
	covered := make(map[wire.MessageType]bool)
	for _, c := range msgCases() {
		covered[c.typ] = true
	}
	for _, typ := range wire.KnownMessageTypes() {
		if typ >= 256 && typ < 512 {
			continue
		}
		require.True(t, covered[typ], "no msgCase for %v", typ)
	}
}

// baseEncoding returns the payload of a message without any TLV record, so
// that it ends with the message's last fixed field.
func baseEncoding(t *testing.T, c msgCase, seed int64) (wire.Message, []byte) {
	t.Helper()
	g := newMsgGen(seed)
	g.noTLV = true
	m := c.gen(g)
	b, err := m.Encode(nil)
	require.NoError(t, err)
	return m, b
}

func decodeAs(c msgCase, payload []byte) (wire.Message, error) {
	m := wire.NewMessage(c.typ)
	return m, m.Decode(payload)
}

func requireDecodeError(t *testing.T, err error, target error, msg string) {
	t.Helper()
	require.ErrorIs(t, err, target)
	var de *wire.DecodeError
	require.ErrorAs(t, err, &de)
	require.Equal(t, msg, de.Type.String())
}

func TestMessageInvalid(t *testing.T) {
	for _, c := range msgCases() {
		t.Run(c.name, func(t *testing.T) {
			m, base := baseEncoding(t, c, 7)

			t.Run("truncated", func(t *testing.T) {
				for n := 0; n < len(base); n++ {
					_, err := decodeAs(c, base[:n])
					requireDecodeError(t, err, wire.ErrTruncated, c.name)
				}
				_, err := decodeAs(c, base)
				require.NoError(t, err)
			})

			t.Run("unknown even tlv", func(t *testing.T) {
				for _, typ := range []uint64{10, 254, 1 << 16, 1 << 40} {
					payload := wire.AppendTLVRecord(bytes.Clone(base), typ, []byte{1, 2, 3})
					_, err := decodeAs(c, payload)
					requireDecodeError(t, err, wire.ErrUnknownEvenType, c.name)
				}
			})

			t.Run("unknown odd tlv kept", func(t *testing.T) {
				payload := wire.AppendTLVRecord(bytes.Clone(base), 1<<16+1, []byte{1, 2, 3})
				payload = wire.AppendTLVRecord(payload, 1<<32+1, nil)
				got, err := decodeAs(c, payload)
				require.NoError(t, err)
				extra := reflect.ValueOf(got).Elem().FieldByName("ExtraTLVs").Interface().(wire.TLVRecords)
				require.Equal(t, wire.TLVRecords{{Type: 1<<16 + 1, Value: []byte{1, 2, 3}}, {Type: 1<<32 + 1}}, extra)
				again, err := got.Encode(nil)
				require.NoError(t, err)
				require.Equal(t, payload, again)
			})

			t.Run("tlv order", func(t *testing.T) {
				payload := wire.AppendTLVRecord(bytes.Clone(base), 1001, nil)
				_, err := decodeAs(c, wire.AppendTLVRecord(payload, 1001, nil))
				requireDecodeError(t, err, wire.ErrTLVOrder, c.name)
				_, err = decodeAs(c, wire.AppendTLVRecord(payload, 999, nil))
				requireDecodeError(t, err, wire.ErrTLVOrder, c.name)
			})

			t.Run("tlv non-canonical", func(t *testing.T) {
				payload := append(bytes.Clone(base), 0xfd, 0x00, 0x21, 0x00) // type 33 in 3 bytes
				_, err := decodeAs(c, payload)
				requireDecodeError(t, err, wire.ErrNonCanonical, c.name)
				payload = append(bytes.Clone(base), 0x21, 0xfd, 0x00, 0x01, 0x00) // length 1 in 3 bytes
				_, err = decodeAs(c, payload)
				requireDecodeError(t, err, wire.ErrNonCanonical, c.name)
			})

			t.Run("tlv length beyond input", func(t *testing.T) {
				payload := append(bytes.Clone(base), 0x21, 0xfe, 0x7f, 0xff, 0xff, 0xff, 0x00)
				_, err := decodeAs(c, payload)
				requireDecodeError(t, err, wire.ErrTruncated, c.name)
			})

			t.Run("known tlv wrong length", func(t *testing.T) {
				for _, rec := range c.badTLVs {
					_, err := decodeAs(c, wire.AppendTLVRecord(bytes.Clone(base), rec.Type, rec.Value))
					require.Error(t, err, "record %d of %d bytes", rec.Type, len(rec.Value))
					var de *wire.DecodeError
					require.ErrorAs(t, err, &de)
					require.True(t, errors.Is(err, wire.ErrTLVLength) || errors.Is(err, wire.ErrInvalidPoint), err.Error())
				}
			})

			t.Run("bad point", func(t *testing.T) {
				if c.points == nil {
					return
				}
				for i := range c.points(m) {
					for _, bad := range invalidPoints() {
						_, b := baseEncoding(t, c, 7)
						mm, err := decodeAs(c, b)
						require.NoError(t, err)
						*c.points(mm)[i] = bad
						b, err = mm.Encode(nil)
						require.NoError(t, err)
						_, err = decodeAs(c, b)
						requireDecodeError(t, err, wire.ErrInvalidPoint, c.name)
					}
				}
			})

			t.Run("extra tlvs checked on encode", func(t *testing.T) {
				mm, err := decodeAs(c, base)
				require.NoError(t, err)
				extra := reflect.ValueOf(mm).Elem().FieldByName("ExtraTLVs")
				extra.Set(reflect.ValueOf(wire.TLVRecords{{Type: 7}, {Type: 5}}))
				_, err = mm.Encode(nil)
				require.ErrorIs(t, err, wire.ErrTLVOrder)
				for _, rec := range c.badTLVs {
					extra.Set(reflect.ValueOf(wire.TLVRecords{{Type: rec.Type}}))
					_, err = mm.Encode(nil)
					require.ErrorIs(t, err, wire.ErrInvalidValue, "known type %d in ExtraTLVs", rec.Type)
				}
			})

			t.Run("no aliasing", func(t *testing.T) {
				g := newMsgGen(11)
				for i := 0; i < 20; i++ {
					raw, err := c.gen(g).Encode(nil)
					require.NoError(t, err)
					got, err := decodeAs(c, raw)
					require.NoError(t, err)
					before, err := got.Encode(nil)
					require.NoError(t, err)
					for j := range raw {
						raw[j] ^= 0x5a
					}
					after, err := got.Encode(nil)
					require.NoError(t, err)
					require.Equal(t, before, after, "decoded message shares memory with its input")
				}
			})
		})
	}
}

// invalidPoints are 33-byte values that are not compressed points.
func invalidPoints() []wire.Point {
	var zero, badPrefix, notOnCurve, overflow wire.Point
	badPrefix[0] = 0x04
	notOnCurve[0] = 0x02
	notOnCurve[32] = 0x05 // x = 5: x^3+7 = 132 is not a square mod p
	overflow[0] = 0x03
	for i := 1; i < 33; i++ {
		overflow[i] = 0xff // x >= p
	}
	return []wire.Point{zero, badPrefix, notOnCurve, overflow}
}

func TestInvalidPointsAreInvalid(t *testing.T) {
	for _, p := range invalidPoints() {
		require.False(t, p.IsValid(), p.String())
	}
}

func TestUpdateAddHTLCBlindingPoint(t *testing.T) {
	g := newMsgGen(3)
	g.noTLV = true
	m := g.updateAddHTLC()
	for _, bad := range invalidPoints() {
		m.PathKey = wire.Some(bad)
		b, err := m.Encode(nil)
		require.NoError(t, err)
		var got wire.UpdateAddHTLC
		requireDecodeError(t, got.Decode(b), wire.ErrInvalidPoint, "update_add_htlc")
	}
	m.PathKey = wire.Some(g.point())
	b, err := m.Encode(nil)
	require.NoError(t, err)
	// Decoding into a struct that held other records clears them.
	got := wire.UpdateAddHTLC{ExtraTLVs: wire.TLVRecords{{Type: 9}}}
	require.NoError(t, got.Decode(b))
	require.Equal(t, *m, got)
}

func TestMessageTooLarge(t *testing.T) {
	_, err := wire.Decode(make([]byte, wire.MaxMessageSize+1))
	require.ErrorIs(t, err, wire.ErrMessageTooLarge)

	// A u16-length field cannot carry more than 65535 bytes.
	_, err = (&wire.Error{Data: make([]byte, 65536)}).Encode(nil)
	require.ErrorIs(t, err, wire.ErrMessageTooLarge)
	_, err = (&wire.Shutdown{ScriptPubKey: make([]byte, 65536)}).Encode(nil)
	require.ErrorIs(t, err, wire.ErrMessageTooLarge)
	_, err = (&wire.UpdateFailHTLC{Reason: make([]byte, 65536)}).Encode(nil)
	require.ErrorIs(t, err, wire.ErrMessageTooLarge)
	_, err = (&wire.CommitmentSigned{HTLCSignatures: make([]wire.Signature, 65536)}).Encode(nil)
	require.ErrorIs(t, err, wire.ErrMessageTooLarge)
	_, err = (&wire.TxSignatures{Witnesses: make([][]byte, 65536)}).Encode(nil)
	require.ErrorIs(t, err, wire.ErrMessageTooLarge)
	_, err = (&wire.TxSignatures{Witnesses: [][]byte{make([]byte, 65536)}}).Encode(nil)
	require.ErrorIs(t, err, wire.ErrMessageTooLarge)
	_, err = (&wire.ClosingComplete{CloseeScriptPubKey: make([]byte, 65536)}).Encode(nil)
	require.ErrorIs(t, err, wire.ErrMessageTooLarge)
	_, err = (&wire.PeerStorage{Blob: make([]byte, 65536)}).Encode(nil)
	require.ErrorIs(t, err, wire.ErrMessageTooLarge)
	_, err = (&wire.Init{Features: wire.NewFeatureVector(65535)}).Encode(nil)
	require.NoError(t, err, "8192 bytes of features fit")

	// A message over 65535 bytes in total fails in wire.Encode, which then
	// leaves the buffer as it was.
	buf := []byte{1, 2, 3}
	out, err := wire.Encode(buf, &wire.Ping{IgnoredLen: 65531})
	require.ErrorIs(t, err, wire.ErrMessageTooLarge)
	require.Equal(t, buf, out)
	_, err = wire.Encode(nil, &wire.Ping{IgnoredLen: 65529})
	require.NoError(t, err)
	_, err = wire.Encode(nil, &wire.Pong{IgnoredLen: wire.MaxPongBytes})
	require.NoError(t, err)
	_, err = wire.Encode(nil, &wire.CommitmentSigned{HTLCSignatures: make([]wire.Signature, 1100)})
	require.ErrorIs(t, err, wire.ErrMessageTooLarge)
}

func TestCommitmentSignedCountBoundedByInput(t *testing.T) {
	// num_htlcs = 65535 with only 10 signatures' worth of bytes: fails
	// before allocating 4 MB of signatures.
	payload := make([]byte, 32+64)
	payload = append(payload, 0xff, 0xff)
	payload = append(payload, make([]byte, 640)...)
	var m wire.CommitmentSigned
	var err error
	allocs := testing.AllocsPerRun(100, func() { err = m.Decode(payload) })
	requireDecodeError(t, err, wire.ErrTruncated, "commitment_signed")
	require.LessOrEqual(t, allocs, 1.0, "only the error is allocated")

	// 483 is a channel limit, not a decoding one.
	g := newMsgGen(1)
	cs := g.commitmentSigned()
	cs.HTLCSignatures = make([]wire.Signature, 600)
	raw, err := wire.Encode(nil, cs)
	require.NoError(t, err)
	got, err := wire.Decode(raw)
	require.NoError(t, err)
	require.Len(t, got.(*wire.CommitmentSigned).HTLCSignatures, 600)
}

func TestPingWantsPong(t *testing.T) {
	for _, c := range []struct {
		n    uint16
		want bool
	}{{0, true}, {65531, true}, {65532, false}, {65535, false}} {
		require.Equal(t, c.want, (&wire.Ping{NumPongBytes: c.n}).WantsPong(), c.n)
	}
	// The ignored bytes are sent as zeros and only counted on decode.
	raw := []byte{0x00, 0x04, 0x00, 0x03, 0xde, 0xad, 0xbf}
	var p wire.Ping
	require.NoError(t, p.Decode(raw))
	require.Equal(t, wire.Ping{NumPongBytes: 4, IgnoredLen: 3}, p)
	out, err := p.Encode(nil)
	require.NoError(t, err)
	require.Equal(t, []byte{0x00, 0x04, 0x00, 0x03, 0, 0, 0}, out)
}

func TestErrorText(t *testing.T) {
	require.Equal(t, "channel closed", (&wire.Error{Data: []byte("channel closed")}).Text())
	require.Equal(t, "hex:410a", (&wire.Warning{Data: []byte("A\n")}).Text())
	require.Equal(t, "", (&wire.Error{}).Text())
}

func TestInitFeatures(t *testing.T) {
	m := &wire.Init{
		GlobalFeatures: wire.NewFeatureVector(1, 3),
		Features:       wire.NewFeatureVector(3, 12, 17),
	}
	got := m.CombinedFeatures()
	require.Equal(t, []wire.FeatureBit{1, 3, 12, 17}, got.Bits())

	// Leading zero bytes are accepted and dropped.
	raw := []byte{0x00, 0x02, 0x00, 0x02, 0x00, 0x03, 0x00, 0x00, 0x02}
	var im wire.Init
	require.NoError(t, im.Decode(raw))
	require.Equal(t, []wire.FeatureBit{1}, im.GlobalFeatures.Bits())
	require.Equal(t, []wire.FeatureBit{1}, im.Features.Bits())
	out, err := im.Encode(nil)
	require.NoError(t, err)
	require.Equal(t, []byte{0x00, 0x01, 0x02, 0x00, 0x01, 0x02}, out)

	// An empty networks record is present but empty.
	im = wire.Init{Networks: wire.Some[[]chainhash.Hash](nil), RemoteAddr: wire.Some(wire.NewIPAddress(netip.MustParseAddrPort("127.0.0.1:9735")))}
	out, err = im.Encode(nil)
	require.NoError(t, err)
	require.Equal(t, []byte{0, 0, 0, 0, 0x01, 0x00, 0x03, 0x07, 1, 127, 0, 0, 1, 0x26, 0x07}, out)
	var back wire.Init
	require.NoError(t, back.Decode(out))
	require.Equal(t, im, back)
}

func TestOpenChannelUpfrontShutdownPresence(t *testing.T) {
	g := newMsgGen(5)
	g.noTLV = true
	m := g.openChannel()
	base, err := m.Encode(nil)
	require.NoError(t, err)

	// A present zero-length script (0x0000) differs from an absent one.
	m.UpfrontShutdownScript = wire.Some[[]byte](nil)
	m.ChannelType = wire.Some(wire.NewFeatureVector(12, 22))
	raw, err := m.Encode(nil)
	require.NoError(t, err)
	require.Equal(t, append(bytes.Clone(base), 0x00, 0x00, 0x01, 0x03, 0x40, 0x10, 0x00), raw)
	var got wire.OpenChannel
	require.NoError(t, got.Decode(raw))
	require.True(t, got.UpfrontShutdownScript.Present)
	require.Empty(t, got.UpfrontShutdownScript.Value)
	require.Equal(t, []wire.FeatureBit{12, 22}, got.ChannelType.Value.Bits())
	require.False(t, got.AnnounceChannel() != (got.ChannelFlags&1 == 1))
}

func TestTxSignaturesWitnessesBoundedByInput(t *testing.T) {
	// 65535 witnesses announced, three present: fails before allocating.
	payload := make([]byte, 32+32)
	payload = append(payload, 0xff, 0xff, 0x00, 0x01, 0xaa, 0x00, 0x00, 0x00, 0x02, 0xbb, 0xcc)
	var m wire.TxSignatures
	var err error
	allocs := testing.AllocsPerRun(100, func() { err = m.Decode(payload) })
	requireDecodeError(t, err, wire.ErrTruncated, "tx_signatures")
	require.LessOrEqual(t, allocs, 1.0, "only the error is allocated")

	payload[64], payload[65] = 0, 3
	require.NoError(t, m.Decode(payload))
	require.Equal(t, [][]byte{{0xaa}, nil, {0xbb, 0xcc}}, m.Witnesses)
}

// TestInitRemoteAddr checks remote_addr decodes into a NetAddress, that a
// value that is not one known descriptor is kept raw (and written back),
// and that Encode refuses an address it could not decode back.
func TestInitRemoteAddr(t *testing.T) {
	dns, err := wire.NewDNSAddress("node.example.com", 9735)
	require.NoError(t, err)
	tests := []struct {
		name  string
		value []byte
		want  wire.Option[wire.NetAddress]
	}{
		{"ipv4", []byte{1, 8, 8, 8, 8, 0x26, 0x07}, wire.Some(wire.NewIPAddress(netip.MustParseAddrPort("8.8.8.8:9735")))},
		{"ipv6", append(append([]byte{2, 0x20, 0x01}, make([]byte, 14)...), 0, 1),
			wire.Some(wire.NewIPAddress(netip.MustParseAddrPort("[2001::]:1")))},
		{"dns", append(append([]byte{5, 16}, "node.example.com"...), 0x26, 0x07), wire.Some(dns)},
		{"unknown type", []byte{9, 9, 9}, wire.Option[wire.NetAddress]{}},
		{"truncated", []byte{1, 8, 8, 8, 8, 0x26}, wire.Option[wire.NetAddress]{}},
		{"trailing bytes", []byte{1, 8, 8, 8, 8, 0x26, 0x07, 0}, wire.Option[wire.NetAddress]{}},
		{"empty", nil, wire.Option[wire.NetAddress]{}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			payload := append([]byte{0, 0, 0, 0, 3, byte(len(tt.value))}, tt.value...)
			var im wire.Init
			require.NoError(t, im.Decode(payload))
			require.Equal(t, tt.want, im.RemoteAddr)
			if !tt.want.Present {
				require.Equal(t, wire.TLVRecords{{Type: 3, Value: tt.value}}, im.ExtraTLVs)
			}
			out, err := im.Encode(nil)
			require.NoError(t, err)
			require.Equal(t, payload, out)
		})
	}
	bad := wire.Init{RemoteAddr: wire.Some(wire.NetAddress{Type: wire.AddressIPv4, Addr: []byte{1, 2, 3}})}
	_, err = bad.Encode(nil)
	require.ErrorIs(t, err, wire.ErrInvalidValue)
	both := wire.Init{
		RemoteAddr: wire.Some(wire.NewIPAddress(netip.MustParseAddrPort("8.8.8.8:9735"))),
		ExtraTLVs:  wire.TLVRecords{{Type: 3, Value: []byte{9}}},
	}
	_, err = both.Encode(nil)
	require.ErrorIs(t, err, wire.ErrInvalidValue)
}
