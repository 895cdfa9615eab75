package wire

// OnionPacketSize is the size of an onion_routing_packet (BOLT 4): version,
// ephemeral key, 1300 bytes of hop payloads and an HMAC.
const OnionPacketSize = 1366

// OnionPacket is the onion_routing_packet of update_add_htlc, held by value
// so that decoding does not allocate.
type OnionPacket [OnionPacketSize]byte

// UpdateAddHTLC is the update_add_htlc message (BOLT 2, type 128): the
// sender offers an HTLC.
type UpdateAddHTLC struct {
	// ChannelID is the channel.
	ChannelID ChannelID
	// ID is the HTLC id, counting up from 0 for each sender.
	ID uint64
	// Amount is amount_msat.
	Amount MilliSatoshi
	// PaymentHash locks the HTLC.
	PaymentHash PaymentHash
	// CLTVExpiry is the absolute block height the HTLC expires at.
	CLTVExpiry uint32
	// OnionPacket is the onion_routing_packet for the next hop.
	OnionPacket OnionPacket
	// PathKey is the blinded_path record (type 0): the path_key of a
	// blinded route (BOLT 4 route blinding). The point must be valid.
	PathKey Option[Point]
	// ExtraTLVs holds the unknown odd records of the extension.
	ExtraTLVs TLVRecords
}

// TLV types of update_add_htlc_tlvs.
const updateAddTLVPathKey = 0

// Type implements Message.
func (m *UpdateAddHTLC) Type() MessageType { return MsgUpdateAddHTLC }

// Encode implements Message.
func (m *UpdateAddHTLC) Encode(b []byte) ([]byte, error) {
	if err := validateExtraTLVs("update_add_htlc", m.ExtraTLVs, updateAddTLVPathKey); err != nil {
		return b, err
	}
	b = append(b, m.ChannelID[:]...)
	b = appendU64(b, m.ID)
	b = appendU64(b, uint64(m.Amount))
	b = append(b, m.PaymentHash[:]...)
	b = appendU32(b, m.CLTVExpiry)
	b = append(b, m.OnionPacket[:]...)
	w := tlvWriter{b: b, extra: m.ExtraTLVs}
	if m.PathKey.Present {
		w.header(updateAddTLVPathKey, len(m.PathKey.Value))
		w.b = append(w.b, m.PathKey.Value[:]...)
	}
	return w.finish(), nil
}

// Decode implements Message. Without unknown records it does not allocate.
func (m *UpdateAddHTLC) Decode(payload []byte) error {
	r := newReader(MsgUpdateAddHTLC, payload)
	r.fixed("channel_id", m.ChannelID[:])
	m.ID = r.u64("id")
	m.Amount = MilliSatoshi(r.u64("amount_msat"))
	r.fixed("payment_hash", m.PaymentHash[:])
	m.CLTVExpiry = r.u32("cltv_expiry")
	r.fixed("onion_routing_packet", m.OnionPacket[:])
	m.PathKey = Option[Point]{}
	m.ExtraTLVs = r.tlvs(func(typ uint64, v []byte) (bool, error) {
		if typ != updateAddTLVPathKey {
			return false, nil
		}
		p, err := tlvPoint(v)
		m.PathKey = Some(p)
		return true, err
	})
	return r.done()
}
