package wire

import "encoding/hex"

// Error is the error message (BOLT 1, type 17): the sender fails the channel
// ChannelID, or every channel with the receiver when ChannelID is all zero.
type Error struct {
	// ChannelID is the failed channel, or all zero for every channel.
	ChannelID ChannelID
	// Data is the diagnostic data, usually text. It may be empty.
	Data []byte
	// ExtraTLVs holds the unknown odd records of the extension.
	ExtraTLVs TLVRecords
}

// Type implements Message.
func (m *Error) Type() MessageType { return MsgError }

// Text returns Data for display: verbatim when it is printable ASCII,
// otherwise hex-encoded (BOLT 1: such data SHOULD NOT be printed verbatim).
func (m *Error) Text() string { return printableText(m.Data) }

// Encode implements Message.
func (m *Error) Encode(b []byte) ([]byte, error) {
	return appendChannelData(b, "error", m.ChannelID, m.Data, m.ExtraTLVs)
}

// Decode implements Message.
func (m *Error) Decode(payload []byte) error {
	*m = Error{}
	r := newReader(MsgError, payload)
	r.fixed("channel_id", m.ChannelID[:])
	m.Data = r.bytes16("data")
	m.ExtraTLVs = r.tlvs(nil)
	return r.done()
}

// appendChannelData encodes the layout shared by error and warning.
func appendChannelData(b []byte, msg string, id ChannelID, data []byte, extra TLVRecords) ([]byte, error) {
	if err := validateExtraTLVs(msg, extra); err != nil {
		return b, err
	}
	start := len(b)
	b = append(b, id[:]...)
	b, err := appendBytes16(b, msg+".data", data)
	if err != nil {
		return b[:start], err
	}
	w := tlvWriter{b: b, extra: extra}
	return w.finish(), nil
}

// printableText returns data verbatim if every byte is printable ASCII
// (32 to 126), otherwise "hex:" followed by its hex encoding.
func printableText(data []byte) string {
	for _, c := range data {
		if c < 32 || c > 126 {
			return "hex:" + hex.EncodeToString(data)
		}
	}
	return string(data)
}
