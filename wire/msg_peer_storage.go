package wire

// MaxPeerStorageBlob is the largest blob peer_storage may carry (BOLT 1).
const MaxPeerStorageBlob = 65531

// PeerStorage is the peer_storage message (BOLT 1, type 7): an encrypted
// backup blob the sender asks an option_provide_storage peer to keep.
type PeerStorage struct {
	// Blob is the stored data (at most MaxPeerStorageBlob bytes).
	Blob []byte
	// ExtraTLVs holds the unknown odd records of the extension.
	ExtraTLVs TLVRecords
}

// Type implements Message.
func (m *PeerStorage) Type() MessageType { return MsgPeerStorage }

// Encode implements Message.
func (m *PeerStorage) Encode(b []byte) ([]byte, error) {
	return appendBlob(b, "peer_storage", m.Blob, m.ExtraTLVs)
}

// Decode implements Message.
func (m *PeerStorage) Decode(payload []byte) error {
	*m = PeerStorage{}
	r := newReader(MsgPeerStorage, payload)
	m.Blob = r.bytes16("blob")
	m.ExtraTLVs = r.tlvs(nil)
	return r.done()
}

// PeerStorageRetrieval is the peer_storage_retrieval message (BOLT 1,
// type 9): the last blob the sender stored for the receiver, returned after
// reconnection.
type PeerStorageRetrieval struct {
	// Blob is the stored data.
	Blob []byte
	// ExtraTLVs holds the unknown odd records of the extension.
	ExtraTLVs TLVRecords
}

// Type implements Message.
func (m *PeerStorageRetrieval) Type() MessageType { return MsgPeerStorageRetrieval }

// Encode implements Message.
func (m *PeerStorageRetrieval) Encode(b []byte) ([]byte, error) {
	return appendBlob(b, "peer_storage_retrieval", m.Blob, m.ExtraTLVs)
}

// Decode implements Message.
func (m *PeerStorageRetrieval) Decode(payload []byte) error {
	*m = PeerStorageRetrieval{}
	r := newReader(MsgPeerStorageRetrieval, payload)
	m.Blob = r.bytes16("blob")
	m.ExtraTLVs = r.tlvs(nil)
	return r.done()
}

// appendBlob encodes the layout of peer_storage and peer_storage_retrieval.
func appendBlob(b []byte, msg string, blob []byte, extra TLVRecords) ([]byte, error) {
	if err := validateExtraTLVs(msg, extra); err != nil {
		return b, err
	}
	start := len(b)
	b, err := appendBytes16(b, msg+".blob", blob)
	if err != nil {
		return b[:start], err
	}
	w := tlvWriter{b: b, extra: extra}
	return w.finish(), nil
}
