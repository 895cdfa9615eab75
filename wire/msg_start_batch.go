package wire

// StartBatch is the start_batch message (BOLT 2, type 127): the next
// BatchSize messages for the channel (commitment_signed, one per pending
// splice) form one logical message.
type StartBatch struct {
	// ChannelID is the channel.
	ChannelID ChannelID
	// BatchSize is the number of messages in the batch. The limits BOLT 2
	// sets (more than 1, at most 20) are checked by the channel.
	BatchSize uint16
	// BatchType is the message_type record (type 1): the type of the
	// batched messages, MsgCommitmentSigned today.
	BatchType Option[MessageType]
	// ExtraTLVs holds the unknown odd records of the extension.
	ExtraTLVs TLVRecords
}

// TLV types of start_batch_tlvs.
const startBatchTLVMessageType = 1

// Type implements Message.
func (m *StartBatch) Type() MessageType { return MsgStartBatch }

// Encode implements Message.
func (m *StartBatch) Encode(b []byte) ([]byte, error) {
	if err := validateExtraTLVs("start_batch", m.ExtraTLVs, startBatchTLVMessageType); err != nil {
		return b, err
	}
	b = append(b, m.ChannelID[:]...)
	b = appendU16(b, m.BatchSize)
	w := tlvWriter{b: b, extra: m.ExtraTLVs}
	if m.BatchType.Present {
		w.header(startBatchTLVMessageType, 2)
		w.b = appendU16(w.b, uint16(m.BatchType.Value))
	}
	return w.finish(), nil
}

// Decode implements Message.
func (m *StartBatch) Decode(payload []byte) error {
	*m = StartBatch{}
	r := newReader(MsgStartBatch, payload)
	r.fixed("channel_id", m.ChannelID[:])
	m.BatchSize = r.u16("batch_size")
	m.ExtraTLVs = r.tlvs(func(typ uint64, v []byte) (bool, error) {
		if typ != startBatchTLVMessageType {
			return false, nil
		}
		if len(v) != 2 {
			return true, ErrTLVLength
		}
		m.BatchType = Some(MessageType(uint16(v[0])<<8 | uint16(v[1])))
		return true, nil
	})
	return r.done()
}
