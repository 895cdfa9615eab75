package wire

// TxComplete is the tx_complete message (BOLT 2, type 70): the sender has
// no more inputs or outputs to add.
type TxComplete struct {
	// ChannelID is the channel (or temporary channel id).
	ChannelID ChannelID
	// ExtraTLVs holds the unknown odd records of the extension.
	ExtraTLVs TLVRecords
}

// Type implements Message.
func (m *TxComplete) Type() MessageType { return MsgTxComplete }

// Encode implements Message.
func (m *TxComplete) Encode(b []byte) ([]byte, error) {
	if err := validateExtraTLVs("tx_complete", m.ExtraTLVs); err != nil {
		return b, err
	}
	w := tlvWriter{b: append(b, m.ChannelID[:]...), extra: m.ExtraTLVs}
	return w.finish(), nil
}

// Decode implements Message.
func (m *TxComplete) Decode(payload []byte) error {
	*m = TxComplete{}
	r := newReader(MsgTxComplete, payload)
	r.fixed("channel_id", m.ChannelID[:])
	m.ExtraTLVs = r.tlvs(nil)
	return r.done()
}
