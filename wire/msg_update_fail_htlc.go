package wire

// UpdateFailHTLC is the update_fail_htlc message (BOLT 2, type 131): the
// sender fails an HTLC with an onion-encrypted reason for its origin.
type UpdateFailHTLC struct {
	// ChannelID is the channel.
	ChannelID ChannelID
	// ID is the failed HTLC's id.
	ID uint64
	// Reason is the encrypted failure (BOLT 4), opaque to this hop.
	Reason []byte
	// AttributionData is the attribution_data record (type 1).
	AttributionData Option[AttributionData]
	// ExtraTLVs holds the unknown odd records of the extension.
	ExtraTLVs TLVRecords
}

// Type implements Message.
func (m *UpdateFailHTLC) Type() MessageType { return MsgUpdateFailHTLC }

// Encode implements Message.
func (m *UpdateFailHTLC) Encode(b []byte) ([]byte, error) {
	if err := validateExtraTLVs("update_fail_htlc", m.ExtraTLVs, htlcTLVAttributionData); err != nil {
		return b, err
	}
	start := len(b)
	b = append(b, m.ChannelID[:]...)
	b = appendU64(b, m.ID)
	b, err := appendBytes16(b, "update_fail_htlc.reason", m.Reason)
	if err != nil {
		return b[:start], err
	}
	return appendAttributionTLVs(b, m.ExtraTLVs, &m.AttributionData), nil
}

// Decode implements Message.
func (m *UpdateFailHTLC) Decode(payload []byte) error {
	r := newReader(MsgUpdateFailHTLC, payload)
	r.fixed("channel_id", m.ChannelID[:])
	m.ID = r.u64("id")
	m.Reason = r.bytes16("reason")
	m.AttributionData = Option[AttributionData]{}
	m.ExtraTLVs = r.tlvs(func(typ uint64, v []byte) (bool, error) {
		return decodeAttributionTLV(typ, v, &m.AttributionData)
	})
	return r.done()
}
