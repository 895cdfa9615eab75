package wire

import "encoding/binary"

// AttributionDataSize is the size of an attribution_data record: 20 u32
// hold times followed by 210 truncated (4-byte) HMACs.
const AttributionDataSize = 20*4 + 210*4

// AttributionData is the attribution_data record of update_fulfill_htlc and
// update_fail_htlc (BOLT 4 attributable failures), kept as the raw block
// that each hop shifts and obfuscates as a whole.
type AttributionData [AttributionDataSize]byte

// HoldTime returns htlc_hold_times[i] (in units of 100 ms), for i < 20.
func (a *AttributionData) HoldTime(i int) uint32 { return binary.BigEndian.Uint32(a[4*i:]) }

// TruncatedHMAC returns truncated_hmacs[i], for i < 210.
func (a *AttributionData) TruncatedHMAC(i int) [4]byte {
	var h [4]byte
	copy(h[:], a[80+4*i:])
	return h
}

// TLV type of attribution_data in update_fulfill_htlc_tlvs and
// update_fail_htlc_tlvs.
const htlcTLVAttributionData = 1

// UpdateFulfillHTLC is the update_fulfill_htlc message (BOLT 2, type 130):
// the sender settles an HTLC with its preimage.
type UpdateFulfillHTLC struct {
	// ChannelID is the channel.
	ChannelID ChannelID
	// ID is the settled HTLC's id.
	ID uint64
	// PaymentPreimage is the preimage of the HTLC's payment hash.
	PaymentPreimage Preimage
	// AttributionData is the attribution_data record (type 1).
	AttributionData Option[AttributionData]
	// ExtraTLVs holds the unknown odd records of the extension.
	ExtraTLVs TLVRecords
}

// Type implements Message.
func (m *UpdateFulfillHTLC) Type() MessageType { return MsgUpdateFulfillHTLC }

// Encode implements Message.
func (m *UpdateFulfillHTLC) Encode(b []byte) ([]byte, error) {
	if err := validateExtraTLVs("update_fulfill_htlc", m.ExtraTLVs, htlcTLVAttributionData); err != nil {
		return b, err
	}
	b = append(b, m.ChannelID[:]...)
	b = appendU64(b, m.ID)
	b = append(b, m.PaymentPreimage[:]...)
	return appendAttributionTLVs(b, m.ExtraTLVs, &m.AttributionData), nil
}

// Decode implements Message. Without unknown records it does not allocate.
func (m *UpdateFulfillHTLC) Decode(payload []byte) error {
	r := newReader(MsgUpdateFulfillHTLC, payload)
	r.fixed("channel_id", m.ChannelID[:])
	m.ID = r.u64("id")
	r.fixed("payment_preimage", m.PaymentPreimage[:])
	m.AttributionData = Option[AttributionData]{}
	m.ExtraTLVs = r.tlvs(func(typ uint64, v []byte) (bool, error) {
		return decodeAttributionTLV(typ, v, &m.AttributionData)
	})
	return r.done()
}

// appendAttributionTLVs appends the extension of update_fulfill_htlc and
// update_fail_htlc.
func appendAttributionTLVs(b []byte, extra TLVRecords, ad *Option[AttributionData]) []byte {
	w := tlvWriter{b: b, extra: extra}
	if ad.Present {
		w.header(htlcTLVAttributionData, AttributionDataSize)
		w.b = append(w.b, ad.Value[:]...)
	}
	return w.finish()
}

// decodeAttributionTLV decodes the known record of update_fulfill_htlc and
// update_fail_htlc.
func decodeAttributionTLV(typ uint64, v []byte, ad *Option[AttributionData]) (bool, error) {
	if typ != htlcTLVAttributionData {
		return false, nil
	}
	ad.Present = true
	return true, tlvFixed(ad.Value[:], v)
}
