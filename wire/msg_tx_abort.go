package wire

// TxAbort is the tx_abort message (BOLT 2, type 74): the sender abandons
// the interactive transaction construction.
type TxAbort struct {
	// ChannelID is the channel (or temporary channel id).
	ChannelID ChannelID
	// Data is the diagnostic data, usually text. It may be empty.
	Data []byte
	// ExtraTLVs holds the unknown odd records of the extension.
	ExtraTLVs TLVRecords
}

// Type implements Message.
func (m *TxAbort) Type() MessageType { return MsgTxAbort }

// Text returns Data for display: verbatim when it is printable ASCII,
// otherwise hex-encoded.
func (m *TxAbort) Text() string { return printableText(m.Data) }

// Encode implements Message.
func (m *TxAbort) Encode(b []byte) ([]byte, error) {
	return appendChannelData(b, "tx_abort", m.ChannelID, m.Data, m.ExtraTLVs)
}

// Decode implements Message.
func (m *TxAbort) Decode(payload []byte) error {
	*m = TxAbort{}
	r := newReader(MsgTxAbort, payload)
	r.fixed("channel_id", m.ChannelID[:])
	m.Data = r.bytes16("data")
	m.ExtraTLVs = r.tlvs(nil)
	return r.done()
}
