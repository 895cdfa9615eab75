package wire

import "github.com/btcsuite/btcd/chaincfg/chainhash"

// ChannelAnnouncement is channel_announcement (BOLT 7, type 256): proof that
// a funding output belongs to a channel between two nodes, signed by both
// nodes and both funding keys.
type ChannelAnnouncement struct {
	// NodeSignature1 is node_id_1's signature of the announcement.
	NodeSignature1 Signature
	// NodeSignature2 is node_id_2's signature of the announcement.
	NodeSignature2 Signature
	// BitcoinSignature1 is bitcoin_key_1's signature of the announcement.
	BitcoinSignature1 Signature
	// BitcoinSignature2 is bitcoin_key_2's signature of the announcement.
	BitcoinSignature2 Signature
	// Features are the channel's features. Their bytes are kept as
	// received (leading zero bytes included) because they are signed.
	Features FeatureVector
	// ChainHash identifies the chain (the genesis block hash, in wire order).
	ChainHash chainhash.Hash
	// ShortChannelID locates the funding output.
	ShortChannelID ShortChannelID
	// NodeID1 is the lexicographically lesser node id of the two.
	NodeID1 NodeID
	// NodeID2 is the other node id.
	NodeID2 NodeID
	// BitcoinKey1 is node_id_1's funding public key.
	BitcoinKey1 Point
	// BitcoinKey2 is node_id_2's funding public key.
	BitcoinKey2 Point
	// ExtraData is any data after bitcoin_key_2. It is covered by the
	// signatures, so it is kept as received.
	ExtraData []byte
}

// channelAnnouncementSigLen is the length of the four signatures that
// start a channel_announcement and are not signed themselves.
const channelAnnouncementSigLen = 4 * 64

// Type implements Message.
func (m *ChannelAnnouncement) Type() MessageType { return MsgChannelAnnouncement }

// Encode implements Message.
func (m *ChannelAnnouncement) Encode(b []byte) ([]byte, error) {
	start := len(b)
	b = append(b, m.NodeSignature1[:]...)
	b = append(b, m.NodeSignature2[:]...)
	b = append(b, m.BitcoinSignature1[:]...)
	b = append(b, m.BitcoinSignature2[:]...)
	b, err := m.appendSigned(b)
	if err != nil {
		return b[:start], err
	}
	return b, nil
}

// appendSigned appends the signed part: everything after the signatures.
func (m *ChannelAnnouncement) appendSigned(b []byte) ([]byte, error) {
	start := len(b)
	b, err := appendBytes16(b, "channel_announcement.features", m.Features.raw)
	if err != nil {
		return b[:start], err
	}
	b = append(b, m.ChainHash[:]...)
	b = appendU64(b, m.ShortChannelID.ToUint64())
	b = append(b, m.NodeID1[:]...)
	b = append(b, m.NodeID2[:]...)
	b = append(b, m.BitcoinKey1[:]...)
	b = append(b, m.BitcoinKey2[:]...)
	return append(b, m.ExtraData...), nil
}

// SignedData returns the bytes the four signatures sign: the message from
// offset 256 of the payload (after the signatures) to its end, future
// fields (ExtraData) included.
func (m *ChannelAnnouncement) SignedData() ([]byte, error) { return m.appendSigned(nil) }

// SignedDataHash returns the double SHA-256 of SignedData, the hash h the
// four signatures are made over.
func (m *ChannelAnnouncement) SignedDataHash() (chainhash.Hash, error) {
	data, err := m.SignedData()
	if err != nil {
		return chainhash.Hash{}, err
	}
	return chainhash.DoubleHashH(data), nil
}

// Decode implements Message. Node ids and bitcoin keys must be valid
// points; signatures are not verified here.
func (m *ChannelAnnouncement) Decode(payload []byte) error {
	r := newReader(MsgChannelAnnouncement, payload)
	var out ChannelAnnouncement
	r.fixed("node_signature_1", out.NodeSignature1[:])
	r.fixed("node_signature_2", out.NodeSignature2[:])
	r.fixed("bitcoin_signature_1", out.BitcoinSignature1[:])
	r.fixed("bitcoin_signature_2", out.BitcoinSignature2[:])
	out.Features = FeatureVector{raw: r.bytes16("features")}
	r.fixed("chain_hash", out.ChainHash[:])
	out.ShortChannelID = NewShortChannelID(r.u64("short_channel_id"))
	r.nodeID("node_id_1", &out.NodeID1)
	r.nodeID("node_id_2", &out.NodeID2)
	r.point("bitcoin_key_1", &out.BitcoinKey1)
	r.point("bitcoin_key_2", &out.BitcoinKey2)
	out.ExtraData = cloneBytes(r.rest())
	if err := r.done(); err != nil {
		return err
	}
	*m = out
	return nil
}
