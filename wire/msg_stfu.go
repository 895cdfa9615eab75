package wire

// Stfu is the stfu message (BOLT 2, type 2): the sender asks to quiesce the
// channel (option_quiesce), or agrees to.
type Stfu struct {
	// ChannelID is the channel to quiesce.
	ChannelID ChannelID
	// Initiator is 1 when the sender started quiescence and 0 when it
	// replies to the peer's stfu. Other values are kept as received.
	Initiator uint8
	// ExtraTLVs holds the unknown odd records of the extension.
	ExtraTLVs TLVRecords
}

// Type implements Message.
func (m *Stfu) Type() MessageType { return MsgStfu }

// IsInitiator reports whether the initiator field is non-zero.
func (m *Stfu) IsInitiator() bool { return m.Initiator != 0 }

// Encode implements Message.
func (m *Stfu) Encode(b []byte) ([]byte, error) {
	if err := validateExtraTLVs("stfu", m.ExtraTLVs); err != nil {
		return b, err
	}
	b = append(b, m.ChannelID[:]...)
	b = append(b, m.Initiator)
	w := tlvWriter{b: b, extra: m.ExtraTLVs}
	return w.finish(), nil
}

// Decode implements Message.
func (m *Stfu) Decode(payload []byte) error {
	*m = Stfu{}
	r := newReader(MsgStfu, payload)
	r.fixed("channel_id", m.ChannelID[:])
	m.Initiator = r.u8("initiator")
	m.ExtraTLVs = r.tlvs(nil)
	return r.done()
}
