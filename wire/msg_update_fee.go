package wire

// UpdateFee is the update_fee message (BOLT 2, type 134): the channel's
// funder changes the commitment fee rate.
type UpdateFee struct {
	// ChannelID is the channel.
	ChannelID ChannelID
	// FeeRate is feerate_per_kw.
	FeeRate FeeRate
	// ExtraTLVs holds the unknown odd records of the extension.
	ExtraTLVs TLVRecords
}

// Type implements Message.
func (m *UpdateFee) Type() MessageType { return MsgUpdateFee }

// Encode implements Message.
func (m *UpdateFee) Encode(b []byte) ([]byte, error) {
	if err := validateExtraTLVs("update_fee", m.ExtraTLVs); err != nil {
		return b, err
	}
	b = append(b, m.ChannelID[:]...)
	b = appendU32(b, uint32(m.FeeRate))
	w := tlvWriter{b: b, extra: m.ExtraTLVs}
	return w.finish(), nil
}

// Decode implements Message.
func (m *UpdateFee) Decode(payload []byte) error {
	r := newReader(MsgUpdateFee, payload)
	r.fixed("channel_id", m.ChannelID[:])
	m.FeeRate = FeeRate(r.u32("feerate_per_kw"))
	m.ExtraTLVs = r.tlvs(nil)
	return r.done()
}
