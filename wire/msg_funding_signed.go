package wire

// FundingSigned is the funding_signed message (BOLT 2, type 35): the
// fundee's signature of the funder's first commitment transaction.
type FundingSigned struct {
	// ChannelID is the channel id derived from the funding outpoint.
	ChannelID ChannelID
	// Signature signs the funder's first commitment transaction.
	Signature Signature
	// ExtraTLVs holds the unknown odd records of the extension.
	ExtraTLVs TLVRecords
}

// Type implements Message.
func (m *FundingSigned) Type() MessageType { return MsgFundingSigned }

// Encode implements Message.
func (m *FundingSigned) Encode(b []byte) ([]byte, error) {
	if err := validateExtraTLVs("funding_signed", m.ExtraTLVs); err != nil {
		return b, err
	}
	b = append(b, m.ChannelID[:]...)
	b = append(b, m.Signature[:]...)
	w := tlvWriter{b: b, extra: m.ExtraTLVs}
	return w.finish(), nil
}

// Decode implements Message.
func (m *FundingSigned) Decode(payload []byte) error {
	*m = FundingSigned{}
	r := newReader(MsgFundingSigned, payload)
	r.fixed("channel_id", m.ChannelID[:])
	r.fixed("signature", m.Signature[:])
	m.ExtraTLVs = r.tlvs(nil)
	return r.done()
}
