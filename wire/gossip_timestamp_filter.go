package wire

import "github.com/btcsuite/btcd/chaincfg/chainhash"

// GossipTimestampFilter is gossip_timestamp_filter (BOLT 7, type 265): the
// range of gossip timestamps the sender wants relayed to it.
type GossipTimestampFilter struct {
	// ChainHash identifies the chain.
	ChainHash chainhash.Hash
	// FirstTimestamp is the first timestamp wanted.
	FirstTimestamp uint32
	// TimestampRange is the number of seconds wanted from FirstTimestamp.
	TimestampRange uint32
	// ExtraTLVs holds the unknown odd records of the extension.
	ExtraTLVs TLVRecords
}

// Type implements Message.
func (m *GossipTimestampFilter) Type() MessageType { return MsgGossipTimestampFilter }

// EndTimestamp returns FirstTimestamp + TimestampRange, the first
// timestamp past the filter, computed without overflow.
func (m *GossipTimestampFilter) EndTimestamp() uint64 {
	return uint64(m.FirstTimestamp) + uint64(m.TimestampRange)
}

// Matches reports whether a gossip message with timestamp ts passes the
// filter: FirstTimestamp <= ts < FirstTimestamp + TimestampRange.
func (m *GossipTimestampFilter) Matches(ts uint32) bool {
	return ts >= m.FirstTimestamp && uint64(ts) < m.EndTimestamp()
}

// Encode implements Message.
func (m *GossipTimestampFilter) Encode(b []byte) ([]byte, error) {
	if err := validateExtraTLVs("gossip_timestamp_filter", m.ExtraTLVs); err != nil {
		return b, err
	}
	b = append(b, m.ChainHash[:]...)
	b = appendU32(b, m.FirstTimestamp)
	b = appendU32(b, m.TimestampRange)
	w := tlvWriter{b: b, extra: m.ExtraTLVs}
	return w.finish(), nil
}

// Decode implements Message.
func (m *GossipTimestampFilter) Decode(payload []byte) error {
	r := newReader(MsgGossipTimestampFilter, payload)
	var out GossipTimestampFilter
	r.fixed("chain_hash", out.ChainHash[:])
	out.FirstTimestamp = r.u32("first_timestamp")
	out.TimestampRange = r.u32("timestamp_range")
	out.ExtraTLVs = r.tlvs(nil)
	if err := r.done(); err != nil {
		return err
	}
	*m = out
	return nil
}
