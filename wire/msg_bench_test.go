package wire_test

import (
	"testing"

	"github.com/lnkit/lnkit/wire"
	"github.com/stretchr/testify/require"
)

func benchUpdateAddHTLC() *wire.UpdateAddHTLC {
	g := newMsgGen(1)
	g.noTLV = true
	return g.updateAddHTLC()
}

func benchCommitmentSigned483() *wire.CommitmentSigned {
	g := newMsgGen(1)
	g.noTLV = true
	m := g.commitmentSigned()
	m.HTLCSignatures = make([]wire.Signature, 483)
	for i := range m.HTLCSignatures {
		m.HTLCSignatures[i] = g.sig()
	}
	return m
}

// benchEncode encodes m into a reused buffer.
func benchEncode(b *testing.B, m wire.Message) {
	b.Helper()
	buf, err := wire.Encode(nil, m)
	require.NoError(b, err)
	b.SetBytes(int64(len(buf)))
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		if buf, err = wire.Encode(buf[:0], m); err != nil {
			b.Fatal(err)
		}
	}
}

// benchDecodeInto decodes a payload into one reused message.
func benchDecodeInto(b *testing.B, m wire.Message) {
	b.Helper()
	payload, err := m.Encode(nil)
	require.NoError(b, err)
	into := wire.NewMessage(m.Type())
	b.SetBytes(int64(len(payload)))
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		if err := into.Decode(payload); err != nil {
			b.Fatal(err)
		}
	}
}

// benchDecode decodes whole messages with wire.Decode, which allocates the
// message itself.
func benchDecode(b *testing.B, m wire.Message) {
	b.Helper()
	raw, err := wire.Encode(nil, m)
	require.NoError(b, err)
	b.SetBytes(int64(len(raw)))
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		if _, err := wire.Decode(raw); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkUpdateAddHTLCEncode(b *testing.B)     { benchEncode(b, benchUpdateAddHTLC()) }
func BenchmarkUpdateAddHTLCDecodeInto(b *testing.B) { benchDecodeInto(b, benchUpdateAddHTLC()) }
func BenchmarkUpdateAddHTLCDecode(b *testing.B)     { benchDecode(b, benchUpdateAddHTLC()) }

func BenchmarkCommitmentSigned483Encode(b *testing.B) { benchEncode(b, benchCommitmentSigned483()) }
func BenchmarkCommitmentSigned483DecodeInto(b *testing.B) {
	benchDecodeInto(b, benchCommitmentSigned483())
}
func BenchmarkCommitmentSigned483Decode(b *testing.B) { benchDecode(b, benchCommitmentSigned483()) }

// BenchmarkUpdateAddHTLCBlindedDecodeInto decodes an update_add_htlc with a
// path_key and an unknown odd record (which is copied: 2 allocations).
func BenchmarkUpdateAddHTLCBlindedDecodeInto(b *testing.B) {
	m := benchUpdateAddHTLC()
	m.PathKey = wire.Some(newMsgGen(2).point())
	m.ExtraTLVs = wire.TLVRecords{{Type: 106823, Value: []byte{1}}}
	benchDecodeInto(b, m)
}

// benchTypes returns the types of msgCases and the gossip messages, the
// known types a lookup in wire's message table resolves.
func benchTypes() []wire.MessageType {
	var types []wire.MessageType
	for _, c := range msgCases() {
		types = append(types, c.typ)
	}
	return append(types, wire.MsgChannelAnnouncement, wire.MsgChannelUpdate, wire.MsgGossipTimestampFilter)
}

// BenchmarkMessageTypeString looks names up across the known types (the
// message table's lookup without the allocation of NewMessage).
func BenchmarkMessageTypeString(b *testing.B) {
	types := benchTypes()
	b.ReportAllocs()
	n := 0
	for i := 0; b.Loop(); i++ {
		n += len(types[i%len(types)].String())
	}
	require.NotEqual(b, 0, n, "no names")
}

// BenchmarkNewMessage makes an empty message of each known type in turn.
func BenchmarkNewMessage(b *testing.B) {
	types := benchTypes()
	b.ReportAllocs()
	for i := 0; b.Loop(); i++ {
		if wire.NewMessage(types[i%len(types)]) == nil {
			b.Fatal("nil")
		}
	}
}
