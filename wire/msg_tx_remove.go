package wire

// TxRemoveInput is the tx_remove_input message (BOLT 2, type 68): the
// sender removes an input it added.
type TxRemoveInput struct {
	// ChannelID is the channel (or temporary channel id).
	ChannelID ChannelID
	// SerialID is the removed input's serial id.
	SerialID uint64
	// ExtraTLVs holds the unknown odd records of the extension.
	ExtraTLVs TLVRecords
}

// Type implements Message.
func (m *TxRemoveInput) Type() MessageType { return MsgTxRemoveInput }

// Encode implements Message.
func (m *TxRemoveInput) Encode(b []byte) ([]byte, error) {
	return appendSerial(b, "tx_remove_input", m.ChannelID, m.SerialID, m.ExtraTLVs)
}

// Decode implements Message.
func (m *TxRemoveInput) Decode(payload []byte) error {
	*m = TxRemoveInput{}
	r := newReader(MsgTxRemoveInput, payload)
	r.fixed("channel_id", m.ChannelID[:])
	m.SerialID = r.u64("serial_id")
	m.ExtraTLVs = r.tlvs(nil)
	return r.done()
}

// TxRemoveOutput is the tx_remove_output message (BOLT 2, type 69): the
// sender removes an output it added.
type TxRemoveOutput struct {
	// ChannelID is the channel (or temporary channel id).
	ChannelID ChannelID
	// SerialID is the removed output's serial id.
	SerialID uint64
	// ExtraTLVs holds the unknown odd records of the extension.
	ExtraTLVs TLVRecords
}

// Type implements Message.
func (m *TxRemoveOutput) Type() MessageType { return MsgTxRemoveOutput }

// Encode implements Message.
func (m *TxRemoveOutput) Encode(b []byte) ([]byte, error) {
	return appendSerial(b, "tx_remove_output", m.ChannelID, m.SerialID, m.ExtraTLVs)
}

// Decode implements Message.
func (m *TxRemoveOutput) Decode(payload []byte) error {
	*m = TxRemoveOutput{}
	r := newReader(MsgTxRemoveOutput, payload)
	r.fixed("channel_id", m.ChannelID[:])
	m.SerialID = r.u64("serial_id")
	m.ExtraTLVs = r.tlvs(nil)
	return r.done()
}

// appendSerial encodes the layout of tx_remove_input and tx_remove_output.
func appendSerial(b []byte, msg string, id ChannelID, serial uint64, extra TLVRecords) ([]byte, error) {
	if err := validateExtraTLVs(msg, extra); err != nil {
		return b, err
	}
	b = append(b, id[:]...)
	b = appendU64(b, serial)
	w := tlvWriter{b: b, extra: extra}
	return w.finish(), nil
}
