package wire

// AnnouncementSignatures is announcement_signatures (BOLT 7, type 259): one
// endpoint's signatures over a channel_announcement, sent to the other
// endpoint so that either can assemble and broadcast the announcement.
type AnnouncementSignatures struct {
	// ChannelID is the channel being announced.
	ChannelID ChannelID
	// ShortChannelID locates the funding (or splice) output.
	ShortChannelID ShortChannelID
	// NodeSignature signs the channel_announcement with the node key.
	NodeSignature Signature
	// BitcoinSignature signs the channel_announcement with the funding key.
	BitcoinSignature Signature
	// ExtraTLVs holds the unknown odd records of the extension.
	ExtraTLVs TLVRecords
}

// Type implements Message.
func (m *AnnouncementSignatures) Type() MessageType { return MsgAnnouncementSignatures }

// Encode implements Message.
func (m *AnnouncementSignatures) Encode(b []byte) ([]byte, error) {
	if err := validateExtraTLVs("announcement_signatures", m.ExtraTLVs); err != nil {
		return b, err
	}
	b = append(b, m.ChannelID[:]...)
	b = appendU64(b, m.ShortChannelID.ToUint64())
	b = append(b, m.NodeSignature[:]...)
	b = append(b, m.BitcoinSignature[:]...)
	w := tlvWriter{b: b, extra: m.ExtraTLVs}
	return w.finish(), nil
}

// Decode implements Message.
func (m *AnnouncementSignatures) Decode(payload []byte) error {
	r := newReader(MsgAnnouncementSignatures, payload)
	var out AnnouncementSignatures
	r.fixed("channel_id", out.ChannelID[:])
	out.ShortChannelID = NewShortChannelID(r.u64("short_channel_id"))
	r.fixed("node_signature", out.NodeSignature[:])
	r.fixed("bitcoin_signature", out.BitcoinSignature[:])
	out.ExtraTLVs = r.tlvs(nil)
	if err := r.done(); err != nil {
		return err
	}
	*m = out
	return nil
}
