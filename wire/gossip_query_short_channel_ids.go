package wire

import (
	"fmt"

	"github.com/btcsuite/btcd/chaincfg/chainhash"
)

// QueryFlag is one entry of encoded_query_flags: what the sender of
// query_short_channel_ids wants for one short_channel_id.
type QueryFlag uint64

// Query flag bits of BOLT 7.
const (
	// QueryFlagChannelAnnouncement asks for the channel_announcement.
	QueryFlagChannelAnnouncement QueryFlag = 1 << 0
	// QueryFlagChannelUpdate1 asks for node_id_1's channel_update.
	QueryFlagChannelUpdate1 QueryFlag = 1 << 1
	// QueryFlagChannelUpdate2 asks for node_id_2's channel_update.
	QueryFlagChannelUpdate2 QueryFlag = 1 << 2
	// QueryFlagNodeAnnouncement1 asks for node_id_1's node_announcement.
	QueryFlagNodeAnnouncement1 QueryFlag = 1 << 3
	// QueryFlagNodeAnnouncement2 asks for node_id_2's node_announcement.
	QueryFlagNodeAnnouncement2 QueryFlag = 1 << 4
)

// TLV types of query_short_channel_ids_tlvs.
const qsciTLVQueryFlags = 1

// QueryFlagsTLV is the value of the query_flags record of
// query_short_channel_ids: one flag per short_channel_id.
type QueryFlagsTLV struct {
	// Encoding is the encoding of encoded_query_flags.
	Encoding QueryEncoding
	// Flags holds one flag per short_channel_id, in the same order.
	Flags []QueryFlag

	origin *arrayOrigin
}

// QueryShortChanIDs is query_short_channel_ids (BOLT 7, type 261): a request
// for the announcements and updates of specific channels.
type QueryShortChanIDs struct {
	// ChainHash identifies the chain the ids refer to.
	ChainHash chainhash.Hash
	// Encoding is the encoding of encoded_short_ids.
	Encoding QueryEncoding
	// ShortChannelIDs are the channels asked for (BOLT 7: in ascending
	// order; the decoder does not enforce it).
	ShortChannelIDs []ShortChannelID
	// QueryFlags is the query_flags record (type 1): what is wanted for
	// each channel. It must have exactly one flag per short channel id.
	QueryFlags Option[QueryFlagsTLV]
	// ExtraTLVs holds the unknown odd records of the extension.
	ExtraTLVs TLVRecords

	origin *arrayOrigin
}

// Type implements Message.
func (m *QueryShortChanIDs) Type() MessageType { return MsgQueryShortChanIDs }

// Encode implements Message. Encoding or the query flags' encoding may be
// QueryEncodingZlib only for compatibility: BOLT 7 forbids sending it.
func (m *QueryShortChanIDs) Encode(b []byte) ([]byte, error) {
	const msg = "query_short_channel_ids"
	q, hasFlags := m.QueryFlags.Get()
	if hasFlags && len(q.Flags) != len(m.ShortChannelIDs) {
		return b, fmt.Errorf("wire: %s: %d query flags for %d ids: %w", msg, len(q.Flags), len(m.ShortChannelIDs), ErrArrayCount)
	}
	if err := validateExtraTLVs(msg, m.ExtraTLVs, qsciTLVQueryFlags); err != nil {
		return b, err
	}
	start := len(b)
	b = append(b, m.ChainHash[:]...)
	b, err := appendEncodedShortIDs(b, msg, m.Encoding, m.ShortChannelIDs, m.origin)
	if err != nil {
		return b[:start], err
	}
	w := tlvWriter{b: b, extra: m.ExtraTLVs}
	switch {
	case hasFlags && q.Encoding == QueryEncodingUncompressed && q.origin == nil:
		n := 1
		for _, f := range q.Flags {
			n += BigSizeLen(uint64(f))
		}
		w.header(qsciTLVQueryFlags, n)
		w.b = append(w.b, byte(q.Encoding))
		for _, f := range q.Flags {
			w.b = AppendBigSize(w.b, uint64(f))
		}
	case hasFlags:
		plain := make([]byte, 0, len(q.Flags))
		for _, f := range q.Flags {
			plain = AppendBigSize(plain, uint64(f))
		}
		value, err := appendQueryArray(nil, q.Encoding, plain, q.origin)
		if err != nil {
			return b[:start], fmt.Errorf("wire: %s.query_flags: %w", msg, err)
		}
		w.header(qsciTLVQueryFlags, len(value))
		w.b = append(w.b, value...)
	}
	return w.finish(), nil
}

// Decode implements Message. It fails on an unknown encoding, an array
// that is not a whole number of ids, zlib data that is corrupt or inflates
// beyond MaxDecompressedSize, and query flags that are not one per id.
func (m *QueryShortChanIDs) Decode(payload []byte) error {
	r := newReader(MsgQueryShortChanIDs, payload)
	var out QueryShortChanIDs
	r.fixed("chain_hash", out.ChainHash[:])
	if ids := r.take("encoded_short_ids", int(r.u16("len"))); ids != nil {
		var err error
		if out.Encoding, out.ShortChannelIDs, out.origin, err = decodeEncodedShortIDs(ids); err != nil {
			r.fail("encoded_short_ids", err)
		}
	}
	out.ExtraTLVs = r.tlvs(func(typ uint64, v []byte) (bool, error) {
		if typ != qsciTLVQueryFlags {
			return false, nil
		}
		q, err := decodeQueryFlags(v)
		if err != nil {
			return true, err
		}
		if len(q.Flags) != len(out.ShortChannelIDs) {
			return true, fmt.Errorf("%w: %d flags for %d ids", ErrArrayCount, len(q.Flags), len(out.ShortChannelIDs))
		}
		out.QueryFlags = Some(q)
		return true, nil
	})
	if err := r.done(); err != nil {
		return err
	}
	*m = out
	return nil
}

// decodeQueryFlags decodes the value of a query_flags record: an encoding
// byte and minimally-encoded BigSize flags.
func decodeQueryFlags(v []byte) (QueryFlagsTLV, error) {
	enc, plain, origin, err := decodeQueryArray(v)
	if err != nil {
		return QueryFlagsTLV{}, err
	}
	q := QueryFlagsTLV{Encoding: enc, origin: origin}
	for len(plain) > 0 {
		f, n, err := ReadBigSize(plain)
		if err != nil {
			return QueryFlagsTLV{}, err
		}
		q.Flags = append(q.Flags, QueryFlag(f))
		plain = plain[n:]
	}
	return q, nil
}

// ReplyShortChanIDsEnd is reply_short_channel_ids_end (BOLT 7, type 262):
// the end of the answers to a query_short_channel_ids.
type ReplyShortChanIDsEnd struct {
	// ChainHash identifies the chain of the query.
	ChainHash chainhash.Hash
	// FullInformation is false when the sender does not keep up-to-date
	// information for the chain (the field was once called complete).
	// Any non-zero byte decodes as true.
	FullInformation bool
	// ExtraTLVs holds the unknown odd records of the extension.
	ExtraTLVs TLVRecords
}

// Type implements Message.
func (m *ReplyShortChanIDsEnd) Type() MessageType { return MsgReplyShortChanIDsEnd }

// Encode implements Message.
func (m *ReplyShortChanIDsEnd) Encode(b []byte) ([]byte, error) {
	if err := validateExtraTLVs("reply_short_channel_ids_end", m.ExtraTLVs); err != nil {
		return b, err
	}
	b = append(b, m.ChainHash[:]...)
	b = append(b, gossipBoolByte(m.FullInformation))
	w := tlvWriter{b: b, extra: m.ExtraTLVs}
	return w.finish(), nil
}

// Decode implements Message.
func (m *ReplyShortChanIDsEnd) Decode(payload []byte) error {
	r := newReader(MsgReplyShortChanIDsEnd, payload)
	var out ReplyShortChanIDsEnd
	r.fixed("chain_hash", out.ChainHash[:])
	out.FullInformation = r.u8("full_information") != 0
	out.ExtraTLVs = r.tlvs(nil)
	if err := r.done(); err != nil {
		return err
	}
	*m = out
	return nil
}

// gossipBoolByte returns 1 for true and 0 for false.
func gossipBoolByte(v bool) byte {
	if v {
		return 1
	}
	return 0
}
