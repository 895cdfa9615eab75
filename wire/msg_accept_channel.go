package wire

// AcceptChannel is the accept_channel message (BOLT 2, type 33): the
// fundee's answer to open_channel.
type AcceptChannel struct {
	// TemporaryChannelID is the open_channel's temporary_channel_id.
	TemporaryChannelID ChannelID
	// DustLimit is dust_limit_satoshis for the sender's transactions.
	DustLimit Satoshi
	// MaxHTLCValueInFlight caps the total of HTLCs the receiver may offer.
	MaxHTLCValueInFlight MilliSatoshi
	// ChannelReserve is channel_reserve_satoshis, what the receiver must keep.
	ChannelReserve Satoshi
	// HTLCMinimum is the smallest HTLC the sender accepts.
	HTLCMinimum MilliSatoshi
	// MinimumDepth is the number of confirmations the sender waits for.
	MinimumDepth uint32
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
	// UpfrontShutdownScript is the upfront_shutdown_script record (type 0);
	// a present empty script means "no upfront script".
	UpfrontShutdownScript Option[[]byte]
	// ChannelType is the channel_type record (type 1); it must echo the
	// open_channel's.
	ChannelType Option[FeatureVector]
	// ExtraTLVs holds the unknown odd records of the extension.
	ExtraTLVs TLVRecords
}

// Type implements Message.
func (m *AcceptChannel) Type() MessageType { return MsgAcceptChannel }

// Encode implements Message.
func (m *AcceptChannel) Encode(b []byte) ([]byte, error) {
	if err := validateExtraTLVs("accept_channel", m.ExtraTLVs, openTLVUpfrontShutdown, openTLVChannelType); err != nil {
		return b, err
	}
	b = append(b, m.TemporaryChannelID[:]...)
	b = appendU64(b, uint64(m.DustLimit))
	b = appendU64(b, uint64(m.MaxHTLCValueInFlight))
	b = appendU64(b, uint64(m.ChannelReserve))
	b = appendU64(b, uint64(m.HTLCMinimum))
	b = appendU32(b, m.MinimumDepth)
	b = appendU16(b, m.ToSelfDelay)
	b = appendU16(b, m.MaxAcceptedHTLCs)
	b = appendChannelKeys(b, &m.FundingPubKey, &m.RevocationBasepoint, &m.PaymentBasepoint,
		&m.DelayedPaymentBasepoint, &m.HTLCBasepoint, &m.FirstPerCommitmentPoint)
	return appendOpenTLVs(b, m.ExtraTLVs, m.UpfrontShutdownScript, m.ChannelType), nil
}

// Decode implements Message. Every point must be valid.
func (m *AcceptChannel) Decode(payload []byte) error {
	*m = AcceptChannel{}
	r := newReader(MsgAcceptChannel, payload)
	r.fixed("temporary_channel_id", m.TemporaryChannelID[:])
	m.DustLimit = Satoshi(r.u64("dust_limit_satoshis"))
	m.MaxHTLCValueInFlight = MilliSatoshi(r.u64("max_htlc_value_in_flight_msat"))
	m.ChannelReserve = Satoshi(r.u64("channel_reserve_satoshis"))
	m.HTLCMinimum = MilliSatoshi(r.u64("htlc_minimum_msat"))
	m.MinimumDepth = r.u32("minimum_depth")
	m.ToSelfDelay = r.u16("to_self_delay")
	m.MaxAcceptedHTLCs = r.u16("max_accepted_htlcs")
	r.channelKeys(&m.FundingPubKey, &m.RevocationBasepoint, &m.PaymentBasepoint,
		&m.DelayedPaymentBasepoint, &m.HTLCBasepoint, &m.FirstPerCommitmentPoint)
	m.ExtraTLVs = r.tlvs(func(typ uint64, v []byte) (bool, error) {
		return decodeOpenTLV(typ, v, &m.UpfrontShutdownScript, &m.ChannelType)
	})
	return r.done()
}
