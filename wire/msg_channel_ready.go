package wire

// ChannelReady is the channel_ready message (BOLT 2, type 36; formerly
// funding_locked): the funding transaction is deep enough for the sender.
type ChannelReady struct {
	// ChannelID is the channel.
	ChannelID ChannelID
	// SecondPerCommitmentPoint is the per-commitment point of commitment 1.
	SecondPerCommitmentPoint Point
	// Alias is the short_channel_id record (type 1): an alias the receiver
	// may use for the channel (option_scid_alias).
	Alias Option[ShortChannelID]
	// ExtraTLVs holds the unknown odd records of the extension.
	ExtraTLVs TLVRecords
}

// TLV types of channel_ready_tlvs.
const channelReadyTLVAlias = 1

// Type implements Message.
func (m *ChannelReady) Type() MessageType { return MsgChannelReady }

// Encode implements Message.
func (m *ChannelReady) Encode(b []byte) ([]byte, error) {
	if err := validateExtraTLVs("channel_ready", m.ExtraTLVs, channelReadyTLVAlias); err != nil {
		return b, err
	}
	b = append(b, m.ChannelID[:]...)
	b = append(b, m.SecondPerCommitmentPoint[:]...)
	w := tlvWriter{b: b, extra: m.ExtraTLVs}
	if m.Alias.Present {
		w.header(channelReadyTLVAlias, 8)
		w.b = appendU64(w.b, m.Alias.Value.ToUint64())
	}
	return w.finish(), nil
}

// Decode implements Message. The point must be valid.
func (m *ChannelReady) Decode(payload []byte) error {
	*m = ChannelReady{}
	r := newReader(MsgChannelReady, payload)
	r.fixed("channel_id", m.ChannelID[:])
	r.point("second_per_commitment_point", &m.SecondPerCommitmentPoint)
	m.ExtraTLVs = r.tlvs(func(typ uint64, v []byte) (bool, error) {
		if typ != channelReadyTLVAlias {
			return false, nil
		}
		if len(v) != 8 {
			return true, ErrTLVLength
		}
		m.Alias = Some(NewShortChannelID(beUint64(v)))
		return true, nil
	})
	return r.done()
}
