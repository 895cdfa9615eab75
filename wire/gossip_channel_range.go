package wire

import (
	"encoding/binary"
	"fmt"

	"github.com/btcsuite/btcd/chaincfg/chainhash"
)

// QueryOption is the query_option_flags bitfield of query_channel_range.
type QueryOption uint64

const (
	// QueryOptionWantTimestamps asks for channel_update timestamps.
	QueryOptionWantTimestamps QueryOption = 1 << 0
	// QueryOptionWantChecksums asks for channel_update checksums.
	QueryOptionWantChecksums QueryOption = 1 << 1
)

// TLV types of query_channel_range_tlvs and reply_channel_range_tlvs.
const (
	qcrTLVQueryOption = 1
	rcrTLVTimestamps  = 1
	rcrTLVChecksums   = 3
)

// QueryChannelRange is query_channel_range (BOLT 7, type 263): a request for
// the short channel ids of the channels opened in a range of blocks.
type QueryChannelRange struct {
	// ChainHash identifies the chain.
	ChainHash chainhash.Hash
	// FirstBlockHeight is the first block of the range.
	FirstBlockHeight uint32
	// NumBlocks is the number of blocks in the range (senders use 1 or more).
	NumBlocks uint32
	// QueryOption is the query_option record (type 1): extra information
	// wanted with the ids.
	QueryOption Option[QueryOption]
	// ExtraTLVs holds the unknown odd records of the extension.
	ExtraTLVs TLVRecords
}

// Type implements Message.
func (m *QueryChannelRange) Type() MessageType { return MsgQueryChannelRange }

// EndHeight returns FirstBlockHeight + NumBlocks, the first block after the
// range, computed without overflow.
func (m *QueryChannelRange) EndHeight() uint64 {
	return uint64(m.FirstBlockHeight) + uint64(m.NumBlocks)
}

// Encode implements Message.
func (m *QueryChannelRange) Encode(b []byte) ([]byte, error) {
	if err := validateExtraTLVs("query_channel_range", m.ExtraTLVs, qcrTLVQueryOption); err != nil {
		return b, err
	}
	b = append(b, m.ChainHash[:]...)
	b = appendU32(b, m.FirstBlockHeight)
	b = appendU32(b, m.NumBlocks)
	w := tlvWriter{b: b, extra: m.ExtraTLVs}
	if opt, ok := m.QueryOption.Get(); ok {
		w.header(qcrTLVQueryOption, BigSizeLen(uint64(opt)))
		w.b = AppendBigSize(w.b, uint64(opt))
	}
	return w.finish(), nil
}

// Decode implements Message. query_option must be one minimal BigSize
// filling its record.
func (m *QueryChannelRange) Decode(payload []byte) error {
	r := newReader(MsgQueryChannelRange, payload)
	var out QueryChannelRange
	r.fixed("chain_hash", out.ChainHash[:])
	out.FirstBlockHeight = r.u32("first_blocknum")
	out.NumBlocks = r.u32("number_of_blocks")
	out.ExtraTLVs = r.tlvs(func(typ uint64, v []byte) (bool, error) {
		if typ != qcrTLVQueryOption {
			return false, nil
		}
		opt, n, err := ReadBigSize(v)
		if err != nil {
			return true, err
		}
		if n != len(v) {
			return true, ErrTLVLength
		}
		out.QueryOption = Some(QueryOption(opt))
		return true, nil
	})
	if err := r.done(); err != nil {
		return err
	}
	*m = out
	return nil
}

// ChannelUpdateTimestamps are the timestamps of a channel's two
// channel_updates (0 where there is none).
type ChannelUpdateTimestamps struct {
	// Node1 is the timestamp of node_id_1's channel_update.
	Node1 uint32
	// Node2 is the timestamp of node_id_2's channel_update.
	Node2 uint32
}

// ChannelUpdateChecksums are the checksums (ChannelUpdate.Checksum) of a
// channel's two channel_updates (0 where there is none).
type ChannelUpdateChecksums struct {
	// Node1 is the checksum of node_id_1's channel_update.
	Node1 uint32
	// Node2 is the checksum of node_id_2's channel_update.
	Node2 uint32
}

// TimestampsTLV is the value of the timestamps_tlv record of
// reply_channel_range: one entry per short_channel_id.
type TimestampsTLV struct {
	// Encoding is the encoding of encoded_timestamps.
	Encoding QueryEncoding
	// Timestamps holds one entry per short_channel_id, in the same order.
	Timestamps []ChannelUpdateTimestamps

	origin *arrayOrigin
}

// ReplyChannelRange is reply_channel_range (BOLT 7, type 264): the short
// channel ids of a block range, in answer to query_channel_range.
type ReplyChannelRange struct {
	// ChainHash identifies the chain.
	ChainHash chainhash.Hash
	// FirstBlockHeight is the first block this reply covers.
	FirstBlockHeight uint32
	// NumBlocks is the number of blocks this reply covers.
	NumBlocks uint32
	// SyncComplete is set on the final reply. Any non-zero byte decodes
	// as true.
	SyncComplete bool
	// Encoding is the encoding of encoded_short_ids.
	Encoding QueryEncoding
	// ShortChannelIDs are the channels of the range, in ascending order
	// (the decoder does not enforce the order).
	ShortChannelIDs []ShortChannelID
	// Timestamps is the timestamps_tlv record (type 1): the update
	// timestamps, one entry per short channel id.
	Timestamps Option[TimestampsTLV]
	// Checksums is the checksums_tlv record (type 3): the update
	// checksums, one entry per short channel id.
	Checksums Option[[]ChannelUpdateChecksums]
	// ExtraTLVs holds the unknown odd records of the extension.
	ExtraTLVs TLVRecords

	origin *arrayOrigin
}

// Type implements Message.
func (m *ReplyChannelRange) Type() MessageType { return MsgReplyChannelRange }

// EndHeight returns FirstBlockHeight + NumBlocks, the first block after the
// range this reply covers, computed without overflow.
func (m *ReplyChannelRange) EndHeight() uint64 {
	return uint64(m.FirstBlockHeight) + uint64(m.NumBlocks)
}

// Encode implements Message. The encodings may be QueryEncodingZlib only
// for compatibility: BOLT 7 forbids sending it.
func (m *ReplyChannelRange) Encode(b []byte) ([]byte, error) {
	const msg = "reply_channel_range"
	ts, hasTS := m.Timestamps.Get()
	sums, hasSums := m.Checksums.Get()
	if hasTS && len(ts.Timestamps) != len(m.ShortChannelIDs) {
		return b, fmt.Errorf("wire: %s: %d timestamps for %d ids: %w", msg, len(ts.Timestamps), len(m.ShortChannelIDs), ErrArrayCount)
	}
	if hasSums && len(sums) != len(m.ShortChannelIDs) {
		return b, fmt.Errorf("wire: %s: %d checksums for %d ids: %w", msg, len(sums), len(m.ShortChannelIDs), ErrArrayCount)
	}
	if err := validateExtraTLVs(msg, m.ExtraTLVs, rcrTLVTimestamps, rcrTLVChecksums); err != nil {
		return b, err
	}
	start := len(b)
	b = append(b, m.ChainHash[:]...)
	b = appendU32(b, m.FirstBlockHeight)
	b = appendU32(b, m.NumBlocks)
	b = append(b, gossipBoolByte(m.SyncComplete))
	b, err := appendEncodedShortIDs(b, msg, m.Encoding, m.ShortChannelIDs, m.origin)
	if err != nil {
		return b[:start], err
	}
	w := tlvWriter{b: b, extra: m.ExtraTLVs}
	switch {
	case hasTS && ts.Encoding == QueryEncodingUncompressed && ts.origin == nil:
		w.header(rcrTLVTimestamps, 1+8*len(ts.Timestamps))
		w.b = append(w.b, byte(ts.Encoding))
		for _, t := range ts.Timestamps {
			w.b = appendU32(appendU32(w.b, t.Node1), t.Node2)
		}
	case hasTS:
		plain := make([]byte, 0, 8*len(ts.Timestamps))
		for _, t := range ts.Timestamps {
			plain = appendU32(appendU32(plain, t.Node1), t.Node2)
		}
		value, err := appendQueryArray(nil, ts.Encoding, plain, ts.origin)
		if err != nil {
			return b[:start], fmt.Errorf("wire: %s.timestamps_tlv: %w", msg, err)
		}
		w.header(rcrTLVTimestamps, len(value))
		w.b = append(w.b, value...)
	}
	if hasSums {
		w.header(rcrTLVChecksums, 8*len(sums))
		for _, c := range sums {
			w.b = appendU32(appendU32(w.b, c.Node1), c.Node2)
		}
	}
	return w.finish(), nil
}

// Decode implements Message. It fails on an unknown encoding, arrays that
// are not a whole number of entries, zlib data that is corrupt or inflates
// beyond MaxDecompressedSize, and timestamps or checksums that are not one
// per short channel id.
func (m *ReplyChannelRange) Decode(payload []byte) error {
	r := newReader(MsgReplyChannelRange, payload)
	var out ReplyChannelRange
	r.fixed("chain_hash", out.ChainHash[:])
	out.FirstBlockHeight = r.u32("first_blocknum")
	out.NumBlocks = r.u32("number_of_blocks")
	out.SyncComplete = r.u8("sync_complete") != 0
	if ids := r.take("encoded_short_ids", int(r.u16("len"))); ids != nil {
		var err error
		if out.Encoding, out.ShortChannelIDs, out.origin, err = decodeEncodedShortIDs(ids); err != nil {
			r.fail("encoded_short_ids", err)
		}
	}
	n := len(out.ShortChannelIDs)
	out.ExtraTLVs = r.tlvs(func(typ uint64, v []byte) (bool, error) {
		switch typ {
		case rcrTLVTimestamps:
			ts, err := decodeTimestampsTLV(v)
			if err != nil {
				return true, err
			}
			if len(ts.Timestamps) != n {
				return true, fmt.Errorf("%w: %d timestamps for %d ids", ErrArrayCount, len(ts.Timestamps), n)
			}
			out.Timestamps = Some(ts)
		case rcrTLVChecksums:
			sums, err := decodeChecksums(v)
			if err != nil {
				return true, err
			}
			if len(sums) != n {
				return true, fmt.Errorf("%w: %d checksums for %d ids", ErrArrayCount, len(sums), n)
			}
			out.Checksums = Some(sums)
		default:
			return false, nil
		}
		return true, nil
	})
	if err := r.done(); err != nil {
		return err
	}
	*m = out
	return nil
}

// decodeTimestampsTLV decodes the value of a timestamps_tlv record.
func decodeTimestampsTLV(v []byte) (TimestampsTLV, error) {
	enc, plain, origin, err := decodeQueryArray(v)
	if err != nil {
		return TimestampsTLV{}, err
	}
	if len(plain)%8 != 0 {
		return TimestampsTLV{}, ErrArrayLength
	}
	t := TimestampsTLV{Encoding: enc, origin: origin}
	if len(plain) > 0 {
		t.Timestamps = make([]ChannelUpdateTimestamps, len(plain)/8)
		for i := range t.Timestamps {
			t.Timestamps[i] = ChannelUpdateTimestamps{
				Node1: binary.BigEndian.Uint32(plain[8*i:]),
				Node2: binary.BigEndian.Uint32(plain[8*i+4:]),
			}
		}
	}
	return t, nil
}

// decodeChecksums decodes the value of a checksums_tlv record.
func decodeChecksums(v []byte) ([]ChannelUpdateChecksums, error) {
	if len(v)%8 != 0 {
		return nil, ErrArrayLength
	}
	if len(v) == 0 {
		return nil, nil
	}
	out := make([]ChannelUpdateChecksums, len(v)/8)
	for i := range out {
		out[i] = ChannelUpdateChecksums{
			Node1: binary.BigEndian.Uint32(v[8*i:]),
			Node2: binary.BigEndian.Uint32(v[8*i+4:]),
		}
	}
	return out, nil
}
