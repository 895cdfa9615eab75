package wire

import (
	"testing"

	"github.com/stretchr/testify/require"
)

func benchDecode(b *testing.B, m Message) {
	b.Helper()
	p, err := m.Encode(nil)
	require.NoError(b, err)
	dst := NewMessage(m.Type())
	b.SetBytes(int64(len(p)))
	b.ReportAllocs()
	for b.Loop() {
		if err := dst.Decode(p); err != nil {
			b.Fatal(err)
		}
	}
}

func benchEncode(b *testing.B, m Message) {
	b.Helper()
	buf := make([]byte, 0, MaxMessageSize)
	b.ReportAllocs()
	for b.Loop() {
		if _, err := m.Encode(buf[:0]); err != nil {
			b.Fatal(err)
		}
	}
}

func benchChannelUpdate() *ChannelUpdate {
	return &ChannelUpdate{ShortChannelID: ShortChannelID{800000, 1234, 1}, Timestamp: 1700000000,
		MessageFlags: ChanUpdateMustBeOne, CLTVExpiryDelta: 80, HTLCMinimumMsat: 1000,
		FeeBaseMsat: 1000, FeeProportionalMillionths: 100, HTLCMaximumMsat: 1 << 32}
}

func benchReplyChannelRange(b *testing.B, enc QueryEncoding) *ReplyChannelRange {
	b.Helper()
	g := newGossipRand(b, 7)
	m := &ReplyChannelRange{NumBlocks: 1000, SyncComplete: true, Encoding: enc, ShortChannelIDs: g.scids(2000),
		Timestamps: Some(TimestampsTLV{Encoding: enc}), Checksums: Some([]ChannelUpdateChecksums(nil))}
	for range 2000 {
		m.Timestamps.Value.Timestamps = append(m.Timestamps.Value.Timestamps, ChannelUpdateTimestamps{g.r.Uint32(), g.r.Uint32()})
		m.Checksums.Value = append(m.Checksums.Value, ChannelUpdateChecksums{g.r.Uint32(), g.r.Uint32()})
	}
	return m
}

func BenchmarkDecodeChannelUpdate(b *testing.B) { benchDecode(b, benchChannelUpdate()) }
func BenchmarkEncodeChannelUpdate(b *testing.B) { benchEncode(b, benchChannelUpdate()) }

func BenchmarkChannelUpdateChecksum(b *testing.B) {
	m := benchChannelUpdate()
	b.ReportAllocs()
	for b.Loop() {
		_ = m.Checksum()
	}
}

func BenchmarkDecodeChannelAnnouncement(b *testing.B) {
	benchDecode(b, newGossipRand(b, 8).message(MsgChannelAnnouncement))
}

func BenchmarkDecodeNodeAnnouncement(b *testing.B) {
	g := newGossipRand(b, 9)
	m := &NodeAnnouncement{NodeID: NodeID(g.point()), Features: NewFeatureVector(lndInitBits()...)}
	m.Addresses = []NetAddress{
		{Type: AddressIPv4, Addr: []byte{1, 2, 3, 4}, Port: 9735},
		{Type: AddressTorV3, Addr: make([]byte, 35), Port: 9735},
	}
	benchDecode(b, m)
}

func BenchmarkDecodeReplyChannelRange2000(b *testing.B) {
	benchDecode(b, benchReplyChannelRange(b, QueryEncodingUncompressed))
}

func BenchmarkDecodeReplyChannelRange2000Zlib(b *testing.B) {
	benchDecode(b, benchReplyChannelRange(b, QueryEncodingZlib))
}

func BenchmarkEncodeReplyChannelRange2000(b *testing.B) {
	benchEncode(b, benchReplyChannelRange(b, QueryEncodingUncompressed))
}
