package wire

import (
	"bytes"
	"compress/zlib"
	"encoding/hex"
	"errors"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"
)

func gossipHex(t *testing.T, parts ...string) []byte {
	t.Helper()
	b, err := hex.DecodeString(strings.Join(parts, ""))
	require.NoError(t, err)
	return b
}

func zlibBytes(t *testing.T, plain []byte) []byte {
	t.Helper()
	var buf bytes.Buffer
	w := zlib.NewWriter(&buf)
	_, err := w.Write(plain)
	require.NoError(t, err)
	require.NoError(t, w.Close())
	return buf.Bytes()
}

// encodedIDs returns a u16 length and the array (encoding byte first).
func encodedIDs(enc byte, data []byte) []byte {
	b := appendU16(nil, uint16(1+len(data)))
	b = append(b, enc)
	return append(b, data...)
}

// TestGossipDecodeInvalid feeds malformed payloads to every decoder and
// checks the error's sentinel and, where given, the field.
func TestGossipDecodeInvalid(t *testing.T) {
	chain := strings.Repeat("06", 32)
	g := newGossipRand(t, 3)
	valid := func(typ MessageType) []byte {
		t.Helper()

		b, err := g.message(typ).Encode(nil)
		require.NoError(t, err)
		return b
	}
	channelUpdate := valid(MsgChannelUpdate)
	chanAnn := (&ChannelAnnouncement{NodeID1: NodeID(g.point()), NodeID2: NodeID(g.point()), BitcoinKey1: g.point(), BitcoinKey2: g.point()})
	chanAnnBytes, err := chanAnn.Encode(nil)
	require.NoError(t, err)
	badKey := bytes.Clone(chanAnnBytes)
	badKey[len(badKey)-33] = 0x04 // bitcoin_key_2 prefix
	badNode := bytes.Clone(chanAnnBytes)
	copy(badNode[256+2+32+8:], bytes.Repeat([]byte{0xff}, 33)) // node_id_1 off the curve

	nodeAnn := func(addrs []byte) []byte {
		t.Helper()

		m := &NodeAnnouncement{NodeID: NodeID(g.point())}
		b, err := m.Encode(nil)
		require.NoError(t, err)
		b = b[:len(b)-2]
		b = appendU16(b, uint16(len(addrs)))
		return append(b, addrs...)
	}

	zeros := make([]byte, 1<<20)
	bomb := zlibBytes(t, zeros)
	exact := zlibBytes(t, make([]byte, 8*8191))
	justOver := zlibBytes(t, make([]byte, MaxDecompressedSize+1))
	good := zlibBytes(t, make([]byte, 16))
	badSum := bytes.Clone(good)
	badSum[len(badSum)-1] ^= 1

	qscid := func(ids []byte, tlvs ...string) []byte {
		return append(append(gossipHex(t, chain), ids...), gossipHex(t, tlvs...)...)
	}
	rcr := func(ids []byte, tlvs ...string) []byte {
		return append(append(gossipHex(t, chain, "00000001", "00000002", "01"), ids...), gossipHex(t, tlvs...)...)
	}
	twoIDs := encodedIDs(0, make([]byte, 16))
	bigTLV := func(typ, value string) string { // type, BigSize length, value (hex)
		return typ + hex.EncodeToString(AppendBigSize(nil, uint64(len(value)/2))) + value
	}

	tests := []struct {
		name    string
		msg     Message
		payload []byte
		err     error
		field   string // "" means not checked
	}{
		{"announcement_signatures empty", &AnnouncementSignatures{}, nil, ErrTruncated, "channel_id"},
		{"announcement_signatures short", &AnnouncementSignatures{}, valid(MsgAnnouncementSignatures)[:32+8+64+63], ErrTruncated, "bitcoin_signature"},
		{"channel_update without htlc_maximum_msat", &ChannelUpdate{}, channelUpdate[:64+32+8+4+1+1+2+8+4+4], ErrTruncated, "htlc_maximum_msat"},
		{"channel_update one byte short", &ChannelUpdate{}, channelUpdate[:64+32+8+4+1+1+2+8+4+4+7], ErrTruncated, "htlc_maximum_msat"},
		{"channel_announcement bad bitcoin key", &ChannelAnnouncement{}, badKey, ErrInvalidPoint, "bitcoin_key_2"},
		{"channel_announcement bad node id", &ChannelAnnouncement{}, badNode, ErrInvalidPoint, "node_id_1"},
		{"channel_announcement features past end", &ChannelAnnouncement{}, append(make([]byte, 256), 0xff, 0xff, 0x00), ErrTruncated, "features"},
		{"node_announcement addrlen past end", &NodeAnnouncement{}, nodeAnn(nil)[:64+2+4+33+3+32], ErrTruncated, "addrlen"},
		{"node_announcement addresses past end", &NodeAnnouncement{}, append(nodeAnn(nil)[:64+2+4+33+3+32], 0x00, 0x05, 0x01), ErrTruncated, "addresses"},
		{"node_announcement ipv4 cut short", &NodeAnnouncement{}, nodeAnn(gossipHex(t, "01", "7f000001", "26")), ErrTruncated, "addresses"},
		{"node_announcement ipv6 cut short", &NodeAnnouncement{}, nodeAnn(gossipHex(t, "02", strings.Repeat("00", 17))), ErrTruncated, "addresses"},
		{"node_announcement torv3 cut short", &NodeAnnouncement{}, nodeAnn(gossipHex(t, "04", strings.Repeat("00", 36))), ErrTruncated, "addresses"},
		{"node_announcement dns without length", &NodeAnnouncement{}, nodeAnn(gossipHex(t, "05")), ErrTruncated, "addresses"},
		{"node_announcement dns cut short", &NodeAnnouncement{}, nodeAnn(gossipHex(t, "05", "05", "6162636465", "26")), ErrTruncated, "addresses"},
		{"node_announcement bad node id", &NodeAnnouncement{}, append(append(make([]byte, 64+2+4), 0x05), make([]byte, 32+3+32+2)...), ErrInvalidPoint, "node_id"},
		{"query_short_channel_ids len past end", &QueryShortChanIDs{}, qscid(gossipHex(t, "0009", "00")), ErrTruncated, "encoded_short_ids"},
		{"query_short_channel_ids unknown encoding", &QueryShortChanIDs{}, qscid(encodedIDs(2, make([]byte, 8))), ErrUnknownEncoding, "encoded_short_ids"},
		{"query_short_channel_ids partial id", &QueryShortChanIDs{}, qscid(encodedIDs(0, make([]byte, 12))), ErrArrayLength, "encoded_short_ids"},
		{"query_short_channel_ids zlib bomb", &QueryShortChanIDs{}, qscid(encodedIDs(1, bomb)), ErrDecompressedTooLarge, "encoded_short_ids"},
		{"query_short_channel_ids zlib one byte over", &QueryShortChanIDs{}, qscid(encodedIDs(1, justOver)), ErrDecompressedTooLarge, "encoded_short_ids"},
		{"query_short_channel_ids zlib bad checksum", &QueryShortChanIDs{}, qscid(encodedIDs(1, badSum)), ErrInvalidZlib, "encoded_short_ids"},
		{"query_short_channel_ids zlib truncated", &QueryShortChanIDs{}, qscid(encodedIDs(1, good[:len(good)-3])), ErrInvalidZlib, "encoded_short_ids"},
		{"query_short_channel_ids zlib trailing bytes", &QueryShortChanIDs{}, qscid(encodedIDs(1, append(bytes.Clone(good), 0))), ErrInvalidZlib, "encoded_short_ids"},
		{"query_short_channel_ids zlib garbage", &QueryShortChanIDs{}, qscid(encodedIDs(1, []byte{0x78, 0x9c, 0xff, 0xff})), ErrInvalidZlib, "encoded_short_ids"},
		{"query_flags count", &QueryShortChanIDs{}, qscid(twoIDs, "0102", "0001"), ErrArrayCount, "tlvs[1]"},
		{"query_flags non-canonical", &QueryShortChanIDs{}, qscid(twoIDs, "0105", "00", "fd0001", "01"), ErrNonCanonical, "tlvs[1]"},
		{"query_flags truncated bigsize", &QueryShortChanIDs{}, qscid(twoIDs, "0103", "00", "01", "fd"), ErrTruncated, "tlvs[1]"},
		{"query_flags no encoding byte", &QueryShortChanIDs{}, qscid(twoIDs, "0100"), ErrArrayCount, "tlvs[1]"},
		{"query_flags unknown encoding", &QueryShortChanIDs{}, qscid(twoIDs, "0103", "05", "0101"), ErrUnknownEncoding, "tlvs[1]"},
		{"tlv unknown even", &QueryShortChanIDs{}, qscid(twoIDs, "0200"), ErrUnknownEvenType, "tlvs[2]"},
		{"tlv out of order", &QueryShortChanIDs{}, qscid(twoIDs, "0500", "0300"), ErrTLVOrder, "tlvs[3]"},
		{"tlv duplicate", &QueryShortChanIDs{}, qscid(twoIDs, "0500", "0500"), ErrTLVOrder, "tlvs[5]"},
		{"tlv value past end", &QueryShortChanIDs{}, qscid(twoIDs, "0502", "00"), ErrTruncated, "tlvs[5].value"},
		{"tlv non-canonical type", &QueryShortChanIDs{}, qscid(twoIDs, "fd0005", "00"), ErrNonCanonical, "tlvs.type"},
		{"tlv non-canonical length", &QueryShortChanIDs{}, qscid(twoIDs, "05", "fd0001", "00"), ErrNonCanonical, "tlvs[5].length"},
		{"tlv missing length", &QueryShortChanIDs{}, qscid(twoIDs, "05"), ErrTruncated, "tlvs[5].length"},
		{"query_channel_range short", &QueryChannelRange{}, gossipHex(t, chain, "00000001", "000000"), ErrTruncated, "number_of_blocks"},
		{"query_option trailing byte", &QueryChannelRange{}, gossipHex(t, chain, "00000001", "00000002", "0102", "0300"), ErrTLVLength, "tlvs[1]"},
		{"query_option non-canonical", &QueryChannelRange{}, gossipHex(t, chain, "00000001", "00000002", "0103", "fd0003"), ErrNonCanonical, "tlvs[1]"},
		{"query_option empty", &QueryChannelRange{}, gossipHex(t, chain, "00000001", "00000002", "0100"), ErrTruncated, "tlvs[1]"},
		{"query_short_channel_ids zlib one byte", &QueryShortChanIDs{}, qscid(encodedIDs(1, []byte{0x78})), ErrInvalidZlib, "encoded_short_ids"},
		{"query_channel_range unknown even tlv", &QueryChannelRange{}, gossipHex(t, chain, "00000001", "00000002", "0101", "03", "0400"), ErrUnknownEvenType, "tlvs[4]"},
		{"reply_channel_range short", &ReplyChannelRange{}, gossipHex(t, chain, "00000001", "00000002"), ErrTruncated, "sync_complete"},
		{"reply_channel_range ids unknown encoding", &ReplyChannelRange{}, rcr(encodedIDs(7, nil)), ErrUnknownEncoding, "encoded_short_ids"},
		{"timestamps count", &ReplyChannelRange{}, rcr(twoIDs, bigTLV("01", "00"+strings.Repeat("00", 8))), ErrArrayCount, "tlvs[1]"},
		{"timestamps partial", &ReplyChannelRange{}, rcr(twoIDs, bigTLV("01", "00"+strings.Repeat("00", 12))), ErrArrayLength, "tlvs[1]"},
		{"timestamps zlib bomb", &ReplyChannelRange{}, rcr(twoIDs, bigTLV("01", "01"+hex.EncodeToString(bomb))), ErrDecompressedTooLarge, "tlvs[1]"},
		{"checksums count", &ReplyChannelRange{}, rcr(twoIDs, bigTLV("03", strings.Repeat("00", 24))), ErrArrayCount, "tlvs[3]"},
		{"checksums partial", &ReplyChannelRange{}, rcr(twoIDs, bigTLV("03", strings.Repeat("00", 9))), ErrArrayLength, "tlvs[3]"},
		{"checksums before timestamps", &ReplyChannelRange{}, rcr(twoIDs, bigTLV("03", strings.Repeat("00", 16)), bigTLV("01", "00"+strings.Repeat("00", 16))), ErrTLVOrder, "tlvs[1]"},
		{"reply_channel_range unknown even tlv", &ReplyChannelRange{}, rcr(twoIDs, "0200"), ErrUnknownEvenType, "tlvs[2]"},
		{"reply_short_channel_ids_end short", &ReplyShortChanIDsEnd{}, gossipHex(t, chain), ErrTruncated, "full_information"},
		{"reply_short_channel_ids_end bad extension", &ReplyShortChanIDsEnd{}, gossipHex(t, chain, "01", "0201"), ErrTruncated, "tlvs[2].value"},
		{"reply_short_channel_ids_end unknown even extension", &ReplyShortChanIDsEnd{}, gossipHex(t, chain, "01", "0200"), ErrUnknownEvenType, "tlvs[2]"},
		{"announcement_signatures bad extension", &AnnouncementSignatures{}, append(make([]byte, 32+8+128), 0xfd), ErrTruncated, "tlvs.type"},
		{"gossip_timestamp_filter unknown even extension", &GossipTimestampFilter{}, gossipHex(t, chain, "00000001", "00000002", "0000"), ErrUnknownEvenType, "tlvs[0]"},
		{"gossip_timestamp_filter short", &GossipTimestampFilter{}, gossipHex(t, chain, "00000001", "00"), ErrTruncated, "timestamp_range"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := tt.msg.Decode(tt.payload)
			require.ErrorIs(t, err, tt.err)
			var de *DecodeError
			require.True(t, errors.As(err, &de), "%T: %v", err, err)
			require.Equal(t, tt.msg.Type(), de.Type)
			if tt.field != "" {
				require.Equal(t, tt.field, de.Field, "%v", err)
			}
			require.True(t, strings.HasPrefix(err.Error(), "wire: "), err.Error())
		})
	}

	// The largest array an uncompressed message could carry inflates fine.
	var q QueryShortChanIDs
	require.NoError(t, q.Decode(qscid(encodedIDs(1, exact))))
	require.Len(t, q.ShortChannelIDs, 8191)
}

// TestGossipDecodeAccepts covers inputs that are odd but valid.
func TestGossipDecodeAccepts(t *testing.T) {
	g := newGossipRand(t, 4)
	chain := strings.Repeat("06", 32)

	t.Run("node_announcement unknown address type stops parsing", func(t *testing.T) {
		m := &NodeAnnouncement{NodeID: NodeID(g.point())}
		base, err := m.Encode(nil)
		require.NoError(t, err)
		addrs := gossipHex(t, "01", "7f000001", "2607", "07", "ffff", "01", "0a000001", "2607")
		p := append(append(base[:len(base)-2], appendU16(nil, uint16(len(addrs)))...), addrs...)
		p = append(p, 0xaa, 0xbb) // future fields
		var got NodeAnnouncement
		require.NoError(t, got.Decode(p))
		require.Len(t, got.Addresses, 1)
		require.Equal(t, "127.0.0.1:9735", got.Addresses[0].String())
		require.Equal(t, gossipHex(t, "07", "ffff", "01", "0a000001", "2607"), got.UnknownAddresses)
		require.Equal(t, []byte{0xaa, 0xbb}, got.ExtraData)
		out, err := got.Encode(nil)
		require.NoError(t, err)
		require.Equal(t, p, out)
	})
	t.Run("node_announcement zero type stops parsing", func(t *testing.T) {
		m := &NodeAnnouncement{NodeID: NodeID(g.point())}
		base, err := m.Encode(nil)
		require.NoError(t, err)
		addrs := gossipHex(t, "00", "01", "7f000001", "2607")
		p := append(append(base[:len(base)-2], appendU16(nil, uint16(len(addrs)))...), addrs...)
		var got NodeAnnouncement
		require.NoError(t, got.Decode(p))
		require.Empty(t, got.Addresses)
		require.Equal(t, addrs, got.UnknownAddresses)
	})
	t.Run("node_announcement tor v2 and port 0 kept", func(t *testing.T) {
		m := &NodeAnnouncement{NodeID: NodeID(g.point())}
		base, err := m.Encode(nil)
		require.NoError(t, err)
		addrs := gossipHex(t, "01", "7f000001", "0000", "03", strings.Repeat("11", 10), "2607", "05", "00", "0001")
		p := append(append(base[:len(base)-2], appendU16(nil, uint16(len(addrs)))...), addrs...)
		var got NodeAnnouncement
		require.NoError(t, got.Decode(p))
		require.Len(t, got.Addresses, 3)
		require.Equal(t, AddressTorV2, got.Addresses[1].Type)
		require.Error(t, got.Addresses[0].Validate()) // port 0
		require.Error(t, got.Addresses[2].Validate()) // empty hostname
		out, err := got.Encode(nil)
		require.NoError(t, err)
		require.Equal(t, p, out)
	})
	t.Run("channel_update must_be_one clear", func(t *testing.T) {
		m := &ChannelUpdate{MessageFlags: 0, HTLCMaximumMsat: 5}
		b, err := m.Encode(nil)
		require.NoError(t, err)
		var got ChannelUpdate
		require.NoError(t, got.Decode(b))
		require.Equal(t, MilliSatoshi(5), got.HTLCMaximumMsat)
	})
	t.Run("booleans: any non-zero byte is true", func(t *testing.T) {
		var e ReplyShortChanIDsEnd
		require.NoError(t, e.Decode(gossipHex(t, chain, "02")))
		require.True(t, e.FullInformation)
		var r ReplyChannelRange
		require.NoError(t, r.Decode(append(gossipHex(t, chain, "00000001", "00000002", "ff"), encodedIDs(0, nil)...)))
		require.True(t, r.SyncComplete)
		require.Empty(t, r.ShortChannelIDs)
	})
	t.Run("unknown odd tlvs kept", func(t *testing.T) {
		p := append(append(gossipHex(t, chain), encodedIDs(0, make([]byte, 8))...), gossipHex(t, "0102", "0001", "0502", "abcd", "fe00010001", "00")...)
		var q QueryShortChanIDs
		require.NoError(t, q.Decode(p))
		require.Equal(t, []QueryFlag{1}, q.QueryFlags.Value.Flags)
		require.Equal(t, TLVRecords{{Type: 5, Value: []byte{0xab, 0xcd}}, {Type: 0x10001}}, q.ExtraTLVs)
		out, err := q.Encode(nil)
		require.NoError(t, err)
		require.Equal(t, p, out)
	})
	// Empty arrays come in several forms; each decodes as empty and
	// re-encodes as received.
	for _, tt := range []struct {
		name string
		ids  []byte
		tlvs string
		enc  QueryEncoding
	}{
		{"zlib stream of nothing", encodedIDs(1, zlibBytes(t, nil)), "", QueryEncodingZlib},
		{"zlib without data (lnd)", encodedIDs(1, nil), "", QueryEncodingZlib},
		{"no encoding byte", gossipHex(t, "0000"), "", QueryEncodingUncompressed},
		{"uncompressed", encodedIDs(0, nil), "", QueryEncodingUncompressed},
		{"query flags without encoding byte", gossipHex(t, "0000"), "0100", QueryEncodingUncompressed},
		{"query flags zlib without data", encodedIDs(1, nil), "010101", QueryEncodingZlib},
	} {
		t.Run("empty array: "+tt.name, func(t *testing.T) {
			p := append(append(gossipHex(t, chain), tt.ids...), gossipHex(t, tt.tlvs)...)
			var q QueryShortChanIDs
			require.NoError(t, q.Decode(p))
			require.Empty(t, q.ShortChannelIDs)
			require.Equal(t, tt.enc, q.Encoding)
			require.Equal(t, tt.tlvs != "", q.QueryFlags.Present)
			require.Empty(t, q.QueryFlags.Value.Flags)
			out, err := q.Encode(nil)
			require.NoError(t, err)
			require.Equal(t, p, out)
			// Adding an id drops the remembered form.
			q.ShortChannelIDs = []ShortChannelID{{1, 2, 3}}
			q.QueryFlags = Option[QueryFlagsTLV]{}
			out, err = q.Encode(nil)
			require.NoError(t, err)
			var again QueryShortChanIDs
			require.NoError(t, again.Decode(out))
			require.Equal(t, q.ShortChannelIDs, again.ShortChannelIDs)
			require.Equal(t, tt.enc, again.Encoding)
		})
	}
}

// TestGossipEncodeInvalid checks that Encode refuses what it could not
// decode back.
func TestGossipEncodeInvalid(t *testing.T) {
	ids := []ShortChannelID{{1, 2, 3}}
	tests := []struct {
		name string
		msg  Message
		err  error
	}{
		{"query flags count", &QueryShortChanIDs{ShortChannelIDs: ids, QueryFlags: Some(QueryFlagsTLV{})}, ErrArrayCount},
		{"unknown ids encoding", &QueryShortChanIDs{Encoding: 2}, ErrUnknownEncoding},
		{"unknown flags encoding", &QueryShortChanIDs{ShortChannelIDs: ids, QueryFlags: Some(QueryFlagsTLV{Encoding: 9, Flags: []QueryFlag{1}})}, ErrUnknownEncoding},
		{"extra tlv is a known type", &QueryShortChanIDs{ExtraTLVs: TLVRecords{{Type: 1}}}, ErrInvalidValue},
		{"extra tlvs out of order", &QueryChannelRange{ExtraTLVs: TLVRecords{{Type: 7}, {Type: 5}}}, ErrTLVOrder},
		{"extra tlv is checksums", &ReplyChannelRange{ExtraTLVs: TLVRecords{{Type: 3}}}, ErrInvalidValue},
		{"extra tlv duplicated", &AnnouncementSignatures{ExtraTLVs: TLVRecords{{Type: 7}, {Type: 7}}}, ErrTLVOrder},
		{"extra tlv duplicated end", &ReplyShortChanIDsEnd{ExtraTLVs: TLVRecords{{Type: 9}, {Type: 9}}}, ErrTLVOrder},
		{"extra tlv duplicated filter", &GossipTimestampFilter{ExtraTLVs: TLVRecords{{Type: 9}, {Type: 9}}}, ErrTLVOrder},
		{"timestamps count", &ReplyChannelRange{ShortChannelIDs: ids, Timestamps: Some(TimestampsTLV{})}, ErrArrayCount},
		{"checksums count", &ReplyChannelRange{Checksums: Some(make([]ChannelUpdateChecksums, 1))}, ErrArrayCount},
		{"timestamps encoding", &ReplyChannelRange{ShortChannelIDs: ids, Timestamps: Some(TimestampsTLV{Encoding: 3, Timestamps: make([]ChannelUpdateTimestamps, 1)})}, ErrUnknownEncoding},
		{"too many ids", &ReplyChannelRange{ShortChannelIDs: make([]ShortChannelID, 8192)}, ErrMessageTooLarge},
		{"unknown address type", &NodeAnnouncement{Addresses: []NetAddress{{Type: 9, Addr: []byte{1}}}}, ErrInvalidValue},
		{"short ipv4", &NodeAnnouncement{Addresses: []NetAddress{{Type: AddressIPv4, Addr: []byte{1, 2, 3}}}}, ErrInvalidValue},
		{"long hostname", &NodeAnnouncement{Addresses: []NetAddress{{Type: AddressDNS, Addr: make([]byte, 256)}}}, ErrInvalidValue},
		{"huge features", &ChannelAnnouncement{Features: FeatureVectorFromBytes(make([]byte, 70000))}, ErrMessageTooLarge},
		{"huge node features", &NodeAnnouncement{Features: FeatureVectorFromBytes(make([]byte, 70000))}, ErrMessageTooLarge},
		{"huge addresses", &NodeAnnouncement{UnknownAddresses: make([]byte, 70000)}, ErrMessageTooLarge},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			prefix := []byte{0xde, 0xad}
			out, err := tt.msg.Encode(prefix)
			require.ErrorIs(t, err, tt.err)
			require.Equal(t, prefix, out, "a failed Encode returns b unchanged")
		})
	}
	// Whole messages over 65535 bytes are refused by Encode.
	_, err := Encode(nil, &ChannelUpdate{ExtraData: make([]byte, MaxMessageSize)})
	require.ErrorIs(t, err, ErrMessageTooLarge)
}
