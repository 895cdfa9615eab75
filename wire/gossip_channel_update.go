package wire

import (
	"hash/crc32"

	"github.com/btcsuite/btcd/chaincfg/chainhash"
)

// ChanUpdateMsgFlags is the message_flags byte of channel_update.
type ChanUpdateMsgFlags uint8

const (
	// ChanUpdateMustBeOne is bit 0 (must_be_one). It once announced the
	// htlc_maximum_msat field, which is now always present; senders set it
	// and receivers ignore it.
	ChanUpdateMustBeOne ChanUpdateMsgFlags = 1 << 0
	// ChanUpdateDontForward is bit 1 (dont_forward): the update is for the
	// channel peer only and must not be relayed.
	ChanUpdateDontForward ChanUpdateMsgFlags = 1 << 1
)

// DontForward reports whether the dont_forward bit is set.
func (f ChanUpdateMsgFlags) DontForward() bool { return f&ChanUpdateDontForward != 0 }

// ChanUpdateChanFlags is the channel_flags byte of channel_update.
type ChanUpdateChanFlags uint8

const (
	// ChanUpdateDirection is bit 0 (direction): 0 when node_id_1 of the
	// channel_announcement sent the update, 1 when node_id_2 did.
	ChanUpdateDirection ChanUpdateChanFlags = 1 << 0
	// ChanUpdateDisabled is bit 1 (disable): the channel is disabled.
	ChanUpdateDisabled ChanUpdateChanFlags = 1 << 1
)

// Direction returns 0 when the update comes from node_id_1, 1 when it comes
// from node_id_2.
func (f ChanUpdateChanFlags) Direction() int { return int(f & ChanUpdateDirection) }

// IsDisabled reports whether the disable bit is set.
func (f ChanUpdateChanFlags) IsDisabled() bool { return f&ChanUpdateDisabled != 0 }

// ChannelUpdate is channel_update (BOLT 7, type 258): the relay policy one
// end of a channel applies in its direction, signed by that end's node key.
type ChannelUpdate struct {
	// Signature is the origin node's signature of the rest of the message.
	Signature Signature
	// ChainHash identifies the chain (the genesis block hash, in wire order).
	ChainHash chainhash.Hash
	// ShortChannelID is the channel (or an alias of it, for private updates).
	ShortChannelID ShortChannelID
	// Timestamp orders updates for the same channel and direction.
	Timestamp uint32
	// MessageFlags holds must_be_one and dont_forward.
	MessageFlags ChanUpdateMsgFlags
	// ChannelFlags holds direction and disable.
	ChannelFlags ChanUpdateChanFlags
	// CLTVExpiryDelta is the number of blocks the origin subtracts from an
	// incoming HTLC's cltv_expiry.
	CLTVExpiryDelta uint16
	// HTLCMinimumMsat is the smallest HTLC the channel peer accepts.
	HTLCMinimumMsat MilliSatoshi
	// FeeBaseMsat is the base fee, in millisatoshis, for any HTLC.
	FeeBaseMsat uint32
	// FeeProportionalMillionths is the fee per transferred satoshi, in
	// millionths of a satoshi.
	FeeProportionalMillionths uint32
	// HTLCMaximumMsat is the largest HTLC the origin sends through the
	// channel. It is always present (must_be_one is no longer consulted).
	HTLCMaximumMsat MilliSatoshi
	// ExtraData is any data after htlc_maximum_msat. It is signed, so it
	// is kept as received.
	ExtraData []byte
}

// channelUpdateSigLen is the length of the unsigned signature field.
const channelUpdateSigLen = 64

// Type implements Message.
func (m *ChannelUpdate) Type() MessageType { return MsgChannelUpdate }

// Encode implements Message.
func (m *ChannelUpdate) Encode(b []byte) ([]byte, error) {
	b = append(b, m.Signature[:]...)
	return m.appendSigned(b), nil
}

// appendSigned appends everything after the signature.
func (m *ChannelUpdate) appendSigned(b []byte) []byte {
	b = append(b, m.ChainHash[:]...)
	b = appendU64(b, m.ShortChannelID.ToUint64())
	b = appendU32(b, m.Timestamp)
	b = append(b, byte(m.MessageFlags), byte(m.ChannelFlags))
	b = appendU16(b, m.CLTVExpiryDelta)
	b = appendU64(b, uint64(m.HTLCMinimumMsat))
	b = appendU32(b, m.FeeBaseMsat)
	b = appendU32(b, m.FeeProportionalMillionths)
	b = appendU64(b, uint64(m.HTLCMaximumMsat))
	return append(b, m.ExtraData...)
}

// SignedData returns the bytes the signature signs: everything after the
// signature, future fields (ExtraData) included.
func (m *ChannelUpdate) SignedData() ([]byte, error) { return m.appendSigned(nil), nil }

// SignedDataHash returns the double SHA-256 of SignedData.
func (m *ChannelUpdate) SignedDataHash() (chainhash.Hash, error) {
	return chainhash.DoubleHashH(m.appendSigned(make([]byte, 0, 128+len(m.ExtraData)))), nil
}

// Checksum returns the checksum gossip_queries_ex uses for this update
// (reply_channel_range's checksums_tlv): CRC32C (Castagnoli) of the message
// without its signature and timestamp fields, future fields included.
func (m *ChannelUpdate) Checksum() uint32 {
	var buf [32 + 8 + 1 + 1 + 2 + 8 + 4 + 4 + 8]byte
	b := append(buf[:0], m.ChainHash[:]...)
	b = appendU64(b, m.ShortChannelID.ToUint64())
	b = append(b, byte(m.MessageFlags), byte(m.ChannelFlags))
	b = appendU16(b, m.CLTVExpiryDelta)
	b = appendU64(b, uint64(m.HTLCMinimumMsat))
	b = appendU32(b, m.FeeBaseMsat)
	b = appendU32(b, m.FeeProportionalMillionths)
	b = appendU64(b, uint64(m.HTLCMaximumMsat))
	tab := crc32.MakeTable(crc32.Castagnoli)
	return crc32.Update(crc32.Update(0, tab, b), tab, m.ExtraData)
}

// Decode implements Message. The signature is not verified here.
func (m *ChannelUpdate) Decode(payload []byte) error {
	r := newReader(MsgChannelUpdate, payload)
	var out ChannelUpdate
	r.fixed("signature", out.Signature[:])
	r.fixed("chain_hash", out.ChainHash[:])
	out.ShortChannelID = NewShortChannelID(r.u64("short_channel_id"))
	out.Timestamp = r.u32("timestamp")
	out.MessageFlags = ChanUpdateMsgFlags(r.u8("message_flags"))
	out.ChannelFlags = ChanUpdateChanFlags(r.u8("channel_flags"))
	out.CLTVExpiryDelta = r.u16("cltv_expiry_delta")
	out.HTLCMinimumMsat = MilliSatoshi(r.u64("htlc_minimum_msat"))
	out.FeeBaseMsat = r.u32("fee_base_msat")
	out.FeeProportionalMillionths = r.u32("fee_proportional_millionths")
	out.HTLCMaximumMsat = MilliSatoshi(r.u64("htlc_maximum_msat"))
	out.ExtraData = cloneBytes(r.rest())
	if err := r.done(); err != nil {
		return err
	}
	*m = out
	return nil
}
