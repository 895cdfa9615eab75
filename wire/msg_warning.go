package wire

// Warning is the warning message (BOLT 1, type 1): a problem the receiver
// should log, which does not fail the channel. ChannelID is all zero when
// the warning is not about one channel.
type Warning struct {
	// ChannelID is the channel concerned, or all zero.
	ChannelID ChannelID
	// Data is the diagnostic data, usually text. It may be empty.
	Data []byte
	// ExtraTLVs holds the unknown odd records of the extension.
	ExtraTLVs TLVRecords
}

// Type implements Message.
func (m *Warning) Type() MessageType { return MsgWarning }

// Text returns Data for display: verbatim when it is printable ASCII,
// otherwise hex-encoded.
func (m *Warning) Text() string { return printableText(m.Data) }

// Encode implements Message.
func (m *Warning) Encode(b []byte) ([]byte, error) {
	return appendChannelData(b, "warning", m.ChannelID, m.Data, m.ExtraTLVs)
}

// Decode implements Message.
func (m *Warning) Decode(payload []byte) error {
	*m = Warning{}
	r := newReader(MsgWarning, payload)
	r.fixed("channel_id", m.ChannelID[:])
	m.Data = r.bytes16("data")
	m.ExtraTLVs = r.tlvs(nil)
	return r.done()
}
