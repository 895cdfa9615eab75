package wire

// Shutdown is the shutdown message (BOLT 2, type 38): the sender starts
// closing the channel and names the script it wants to be paid to.
type Shutdown struct {
	// ChannelID is the channel.
	ChannelID ChannelID
	// ScriptPubKey is where the sender's funds go. Its form (P2WPKH, P2WSH,
	// any segwit, OP_RETURN) is checked by the channel, not here.
	ScriptPubKey []byte
	// ExtraTLVs holds the unknown odd records of the extension.
	ExtraTLVs TLVRecords
}

// Type implements Message.
func (m *Shutdown) Type() MessageType { return MsgShutdown }

// Encode implements Message.
func (m *Shutdown) Encode(b []byte) ([]byte, error) {
	if err := validateExtraTLVs("shutdown", m.ExtraTLVs); err != nil {
		return b, err
	}
	start := len(b)
	b = append(b, m.ChannelID[:]...)
	b, err := appendBytes16(b, "shutdown.scriptpubkey", m.ScriptPubKey)
	if err != nil {
		return b[:start], err
	}
	w := tlvWriter{b: b, extra: m.ExtraTLVs}
	return w.finish(), nil
}

// Decode implements Message.
func (m *Shutdown) Decode(payload []byte) error {
	*m = Shutdown{}
	r := newReader(MsgShutdown, payload)
	r.fixed("channel_id", m.ChannelID[:])
	m.ScriptPubKey = r.bytes16("scriptpubkey")
	m.ExtraTLVs = r.tlvs(nil)
	return r.done()
}
