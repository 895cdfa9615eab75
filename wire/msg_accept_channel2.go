package wire

// AcceptChannel2 is the accept_channel2 message (BOLT 2, type 65): the
// accepter's answer to open_channel2, with its own contribution.
type AcceptChannel2 struct {
	// TemporaryChannelID is the open_channel2's temporary_channel_id.
	TemporaryChannelID ChannelID
	// FundingAmount is funding_satoshis, the accepter's contribution
	// (possibly zero).
	FundingAmount Satoshi
	// DustLimit is dust_limit_satoshis for the sender's transactions.
	DustLimit Satoshi
	// MaxHTLCValueInFlight caps the total of HTLCs the receiver may offer.
	MaxHTLCValueInFlight MilliSatoshi
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
	// SecondPerCommitmentPoint is the per-commitment point of commitment 1.
	SecondPerCommitmentPoint Point
	// UpfrontShutdownScript is the upfront_shutdown_script record (type 0).
	UpfrontShutdownScript Option[[]byte]
	// ChannelType is the channel_type record (type 1).
	ChannelType Option[FeatureVector]
	// RequireConfirmedInputs is the require_confirmed_inputs record
	// (type 2).
	RequireConfirmedInputs bool
	// ExtraTLVs holds the unknown odd records of the extension.
	ExtraTLVs TLVRecords
}

// Type implements Message.
func (m *AcceptChannel2) Type() MessageType { return MsgAcceptChannel2 }

// Encode implements Message.
func (m *AcceptChannel2) Encode(b []byte) ([]byte, error) {
	if err := validateExtraTLVs("accept_channel2", m.ExtraTLVs, openTLVUpfrontShutdown, openTLVChannelType, tlvRequireConfirmedInputs); err != nil {
		return b, err
	}
	b = append(b, m.TemporaryChannelID[:]...)
	b = appendU64(b, uint64(m.FundingAmount))
	b = appendU64(b, uint64(m.DustLimit))
	b = appendU64(b, uint64(m.MaxHTLCValueInFlight))
	b = appendU64(b, uint64(m.HTLCMinimum))
	b = appendU32(b, m.MinimumDepth)
	b = appendU16(b, m.ToSelfDelay)
	b = appendU16(b, m.MaxAcceptedHTLCs)
	b = appendChannelKeys(b, &m.FundingPubKey, &m.RevocationBasepoint, &m.PaymentBasepoint,
		&m.DelayedPaymentBasepoint, &m.HTLCBasepoint, &m.FirstPerCommitmentPoint)
	b = append(b, m.SecondPerCommitmentPoint[:]...)
	return appendOpen2TLVs(b, m.ExtraTLVs, m.UpfrontShutdownScript, m.ChannelType, m.RequireConfirmedInputs), nil
}

// Decode implements Message. Every point must be valid.
func (m *AcceptChannel2) Decode(payload []byte) error {
	*m = AcceptChannel2{}
	r := newReader(MsgAcceptChannel2, payload)
	r.fixed("temporary_channel_id", m.TemporaryChannelID[:])
	m.FundingAmount = Satoshi(r.u64("funding_satoshis"))
	m.DustLimit = Satoshi(r.u64("dust_limit_satoshis"))
	m.MaxHTLCValueInFlight = MilliSatoshi(r.u64("max_htlc_value_in_flight_msat"))
	m.HTLCMinimum = MilliSatoshi(r.u64("htlc_minimum_msat"))
	m.MinimumDepth = r.u32("minimum_depth")
	m.ToSelfDelay = r.u16("to_self_delay")
	m.MaxAcceptedHTLCs = r.u16("max_accepted_htlcs")
	r.channelKeys(&m.FundingPubKey, &m.RevocationBasepoint, &m.PaymentBasepoint,
		&m.DelayedPaymentBasepoint, &m.HTLCBasepoint, &m.FirstPerCommitmentPoint)
	r.point("second_per_commitment_point", &m.SecondPerCommitmentPoint)
	m.ExtraTLVs = r.tlvs(func(typ uint64, v []byte) (bool, error) {
		if ok, err := decodeRequireConfirmed(typ, v, &m.RequireConfirmedInputs); ok {
			return ok, err
		}
		return decodeOpenTLV(typ, v, &m.UpfrontShutdownScript, &m.ChannelType)
	})
	return r.done()
}
