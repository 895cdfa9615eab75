package wire

// UpdateFailMalformedHTLC is the update_fail_malformed_htlc message (BOLT 2,
// type 135): the sender could not parse the HTLC's onion.
type UpdateFailMalformedHTLC struct {
	// ChannelID is the channel.
	ChannelID ChannelID
	// ID is the failed HTLC's id.
	ID uint64
	// OnionHash is sha256_of_onion, the SHA-256 of the onion the sender
	// received (or all zero).
	OnionHash [32]byte
	// FailureCode is the BOLT 4 failure code; receivers require its
	// BADONION bit (0x8000), which is checked by the channel, not here.
	FailureCode uint16
	// ExtraTLVs holds the unknown odd records of the extension.
	ExtraTLVs TLVRecords
}

// Type implements Message.
func (m *UpdateFailMalformedHTLC) Type() MessageType { return MsgUpdateFailMalformedHTLC }

// Encode implements Message.
func (m *UpdateFailMalformedHTLC) Encode(b []byte) ([]byte, error) {
	if err := validateExtraTLVs("update_fail_malformed_htlc", m.ExtraTLVs); err != nil {
		return b, err
	}
	b = append(b, m.ChannelID[:]...)
	b = appendU64(b, m.ID)
	b = append(b, m.OnionHash[:]...)
	b = appendU16(b, m.FailureCode)
	w := tlvWriter{b: b, extra: m.ExtraTLVs}
	return w.finish(), nil
}

// Decode implements Message.
func (m *UpdateFailMalformedHTLC) Decode(payload []byte) error {
	r := newReader(MsgUpdateFailMalformedHTLC, payload)
	r.fixed("channel_id", m.ChannelID[:])
	m.ID = r.u64("id")
	r.fixed("sha256_of_onion", m.OnionHash[:])
	m.FailureCode = r.u16("failure_code")
	m.ExtraTLVs = r.tlvs(nil)
	return r.done()
}
