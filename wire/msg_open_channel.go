package wire

import "github.com/btcsuite/btcd/chaincfg/chainhash"

// OpenChannel is the open_channel message (BOLT 2, type 32): the funder's
// proposal to open a channel (channel establishment v1).
type OpenChannel struct {
	// ChainHash identifies the chain of the channel (its genesis hash).
	ChainHash chainhash.Hash
	// TemporaryChannelID identifies the channel until the funding outpoint
	// is known.
	TemporaryChannelID ChannelID
	// FundingAmount is funding_satoshis, what the funder puts in.
	FundingAmount Satoshi
	// PushAmount is push_msat, given to the receiver unconditionally.
	PushAmount MilliSatoshi
	// DustLimit is dust_limit_satoshis for the sender's transactions.
	DustLimit Satoshi
	// MaxHTLCValueInFlight caps the total of HTLCs the receiver may offer.
	MaxHTLCValueInFlight MilliSatoshi
	// ChannelReserve is channel_reserve_satoshis, what the receiver must keep.
	ChannelReserve Satoshi
	// HTLCMinimum is the smallest HTLC the sender accepts.
	HTLCMinimum MilliSatoshi
	// FeeRate is feerate_per_kw for the commitment transactions.
	FeeRate FeeRate
	// ToSelfDelay is the CSV delay on the receiver's to-self outputs.
	ToSelfDelay uint16
	// MaxAcceptedHTLCs caps the number of HTLCs the receiver may offer.
	MaxAcceptedHTLCs uint16
	// FundingPubKey is the sender's key in the 2-of-2 funding output.
	FundingPubKey Point
	// RevocationBasepoint is the sender's revocation basepoint.
	RevocationBasepoint Point
	// PaymentBasepoint is the sender's payment basepoint.
	PaymentBasepoint Point
	// DelayedPaymentBasepoint is the sender's delayed payment basepoint.
	DelayedPaymentBasepoint Point
	// HTLCBasepoint is the sender's HTLC basepoint.
	HTLCBasepoint Point
	// FirstPerCommitmentPoint is the per-commitment point of commitment 0.
	FirstPerCommitmentPoint Point
	// ChannelFlags holds announce_channel in bit 0; other bits are undefined
	// and ignored by receivers.
	ChannelFlags uint8
	// UpfrontShutdownScript is the upfront_shutdown_script record (type 0).
	// A present empty script (0x0000) means "no upfront script". BOLT 2
	// asks senders that include any record to include this one.
	UpfrontShutdownScript Option[[]byte]
	// ChannelType is the channel_type record (type 1), required by
	// receivers of the current protocol.
	ChannelType Option[FeatureVector]
	// ExtraTLVs holds the unknown odd records of the extension.
	ExtraTLVs TLVRecords
}

// Type implements Message.
func (m *OpenChannel) Type() MessageType { return MsgOpenChannel }

// AnnounceChannel reports whether the announce_channel bit is set.
func (m *OpenChannel) AnnounceChannel() bool { return m.ChannelFlags&1 != 0 }

// Encode implements Message.
func (m *OpenChannel) Encode(b []byte) ([]byte, error) {
	if err := validateExtraTLVs("open_channel", m.ExtraTLVs, openTLVUpfrontShutdown, openTLVChannelType); err != nil {
		return b, err
	}
	b = append(b, m.ChainHash[:]...)
	b = append(b, m.TemporaryChannelID[:]...)
	b = appendU64(b, uint64(m.FundingAmount))
	b = appendU64(b, uint64(m.PushAmount))
	b = appendU64(b, uint64(m.DustLimit))
	b = appendU64(b, uint64(m.MaxHTLCValueInFlight))
	b = appendU64(b, uint64(m.ChannelReserve))
	b = appendU64(b, uint64(m.HTLCMinimum))
	b = appendU32(b, uint32(m.FeeRate))
	b = appendU16(b, m.ToSelfDelay)
	b = appendU16(b, m.MaxAcceptedHTLCs)
	b = appendChannelKeys(b, &m.FundingPubKey, &m.RevocationBasepoint, &m.PaymentBasepoint,
		&m.DelayedPaymentBasepoint, &m.HTLCBasepoint, &m.FirstPerCommitmentPoint)
	b = append(b, m.ChannelFlags)
	return appendOpenTLVs(b, m.ExtraTLVs, m.UpfrontShutdownScript, m.ChannelType), nil
}

// Decode implements Message. Every point must be valid.
func (m *OpenChannel) Decode(payload []byte) error {
	*m = OpenChannel{}
	r := newReader(MsgOpenChannel, payload)
	r.fixed("chain_hash", m.ChainHash[:])
	r.fixed("temporary_channel_id", m.TemporaryChannelID[:])
	m.FundingAmount = Satoshi(r.u64("funding_satoshis"))
	m.PushAmount = MilliSatoshi(r.u64("push_msat"))
	m.DustLimit = Satoshi(r.u64("dust_limit_satoshis"))
	m.MaxHTLCValueInFlight = MilliSatoshi(r.u64("max_htlc_value_in_flight_msat"))
	m.ChannelReserve = Satoshi(r.u64("channel_reserve_satoshis"))
	m.HTLCMinimum = MilliSatoshi(r.u64("htlc_minimum_msat"))
	m.FeeRate = FeeRate(r.u32("feerate_per_kw"))
	m.ToSelfDelay = r.u16("to_self_delay")
	m.MaxAcceptedHTLCs = r.u16("max_accepted_htlcs")
	r.channelKeys(&m.FundingPubKey, &m.RevocationBasepoint, &m.PaymentBasepoint,
		&m.DelayedPaymentBasepoint, &m.HTLCBasepoint, &m.FirstPerCommitmentPoint)
	m.ChannelFlags = r.u8("channel_flags")
	m.ExtraTLVs = r.tlvs(func(typ uint64, v []byte) (bool, error) {
		return decodeOpenTLV(typ, v, &m.UpfrontShutdownScript, &m.ChannelType)
	})
	return r.done()
}

// TLV types shared by open_channel_tlvs and accept_channel_tlvs.
const (
	openTLVUpfrontShutdown = 0
	openTLVChannelType     = 1
)

// appendChannelKeys appends the six points shared by open_channel and
// accept_channel, in wire order.
func appendChannelKeys(b []byte, funding, revocation, payment, delayed, htlc, first *Point) []byte {
	b = append(b, funding[:]...)
	b = append(b, revocation[:]...)
	b = append(b, payment[:]...)
	b = append(b, delayed[:]...)
	b = append(b, htlc[:]...)
	return append(b, first[:]...)
}

// channelKeys reads the six points shared by open_channel and
// accept_channel, checking each is on the curve.
func (r *reader) channelKeys(funding, revocation, payment, delayed, htlc, first *Point) {
	r.point("funding_pubkey", funding)
	r.point("revocation_basepoint", revocation)
	r.point("payment_basepoint", payment)
	r.point("delayed_payment_basepoint", delayed)
	r.point("htlc_basepoint", htlc)
	r.point("first_per_commitment_point", first)
}

// appendOpenTLVs appends the extension of open_channel and accept_channel.
func appendOpenTLVs(b []byte, extra TLVRecords, script Option[[]byte], channelType Option[FeatureVector]) []byte {
	w := tlvWriter{b: b, extra: extra}
	if script.Present {
		w.header(openTLVUpfrontShutdown, len(script.Value))
		w.b = append(w.b, script.Value...)
	}
	if channelType.Present {
		ct := featureWireBytes(channelType.Value)
		w.header(openTLVChannelType, len(ct))
		w.b = append(w.b, ct...)
	}
	return w.finish()
}

// decodeOpenTLV decodes a known record of open_channel or accept_channel.
func decodeOpenTLV(typ uint64, v []byte, script *Option[[]byte], channelType *Option[FeatureVector]) (bool, error) {
	switch typ {
	case openTLVUpfrontShutdown:
		*script = Some(cloneBytes(v))
	case openTLVChannelType:
		*channelType = Some(featuresFromWire(v))
	default:
		return false, nil
	}
	return true, nil
}
