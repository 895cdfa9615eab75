package wire

import "github.com/btcsuite/btcd/chaincfg/chainhash"

// OpenChannel2 is the open_channel2 message (BOLT 2, type 64): the opener's
// proposal of a dual-funded channel (channel establishment v2).
type OpenChannel2 struct {
	// ChainHash identifies the chain of the channel (its genesis hash).
	ChainHash chainhash.Hash
	// TemporaryChannelID identifies the channel until the funding
	// transaction is known.
	TemporaryChannelID ChannelID
	// FundingFeeRate is funding_feerate_perkw for the funding transaction.
	FundingFeeRate FeeRate
	// CommitmentFeeRate is commitment_feerate_perkw for the commitments.
	CommitmentFeeRate FeeRate
	// FundingAmount is funding_satoshis, the opener's contribution.
	FundingAmount Satoshi
	// DustLimit is dust_limit_satoshis for the sender's transactions.
	DustLimit Satoshi
	// MaxHTLCValueInFlight caps the total of HTLCs the receiver may offer.
	MaxHTLCValueInFlight MilliSatoshi
	// HTLCMinimum is the smallest HTLC the sender accepts.
	HTLCMinimum MilliSatoshi
	// ToSelfDelay is the CSV delay on the receiver's to-self outputs.
	ToSelfDelay uint16
	// MaxAcceptedHTLCs caps the number of HTLCs the receiver may offer.
	MaxAcceptedHTLCs uint16
	// Locktime is the funding transaction's nLockTime.
	Locktime uint32
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
	// ChannelFlags holds announce_channel in bit 0.
	ChannelFlags uint8
	// UpfrontShutdownScript is the upfront_shutdown_script record (type 0).
	UpfrontShutdownScript Option[[]byte]
	// ChannelType is the channel_type record (type 1).
	ChannelType Option[FeatureVector]
	// RequireConfirmedInputs is the require_confirmed_inputs record
	// (type 2): the receiver may only contribute confirmed inputs.
	RequireConfirmedInputs bool
	// ExtraTLVs holds the unknown odd records of the extension.
	ExtraTLVs TLVRecords
}

// Type implements Message.
func (m *OpenChannel2) Type() MessageType { return MsgOpenChannel2 }

// AnnounceChannel reports whether the announce_channel bit is set.
func (m *OpenChannel2) AnnounceChannel() bool { return m.ChannelFlags&1 != 0 }

// Encode implements Message.
func (m *OpenChannel2) Encode(b []byte) ([]byte, error) {
	if err := validateExtraTLVs("open_channel2", m.ExtraTLVs, openTLVUpfrontShutdown, openTLVChannelType, tlvRequireConfirmedInputs); err != nil {
		return b, err
	}
	b = append(b, m.ChainHash[:]...)
	b = append(b, m.TemporaryChannelID[:]...)
	b = appendU32(b, uint32(m.FundingFeeRate))
	b = appendU32(b, uint32(m.CommitmentFeeRate))
	b = appendU64(b, uint64(m.FundingAmount))
	b = appendU64(b, uint64(m.DustLimit))
	b = appendU64(b, uint64(m.MaxHTLCValueInFlight))
	b = appendU64(b, uint64(m.HTLCMinimum))
	b = appendU16(b, m.ToSelfDelay)
	b = appendU16(b, m.MaxAcceptedHTLCs)
	b = appendU32(b, m.Locktime)
	b = appendChannelKeys(b, &m.FundingPubKey, &m.RevocationBasepoint, &m.PaymentBasepoint,
		&m.DelayedPaymentBasepoint, &m.HTLCBasepoint, &m.FirstPerCommitmentPoint)
	b = append(b, m.SecondPerCommitmentPoint[:]...)
	b = append(b, m.ChannelFlags)
	return appendOpen2TLVs(b, m.ExtraTLVs, m.UpfrontShutdownScript, m.ChannelType, m.RequireConfirmedInputs), nil
}

// Decode implements Message. Every point must be valid.
func (m *OpenChannel2) Decode(payload []byte) error {
	*m = OpenChannel2{}
	r := newReader(MsgOpenChannel2, payload)
	r.fixed("chain_hash", m.ChainHash[:])
	r.fixed("temporary_channel_id", m.TemporaryChannelID[:])
	m.FundingFeeRate = FeeRate(r.u32("funding_feerate_perkw"))
	m.CommitmentFeeRate = FeeRate(r.u32("commitment_feerate_perkw"))
	m.FundingAmount = Satoshi(r.u64("funding_satoshis"))
	m.DustLimit = Satoshi(r.u64("dust_limit_satoshis"))
	m.MaxHTLCValueInFlight = MilliSatoshi(r.u64("max_htlc_value_in_flight_msat"))
	m.HTLCMinimum = MilliSatoshi(r.u64("htlc_minimum_msat"))
	m.ToSelfDelay = r.u16("to_self_delay")
	m.MaxAcceptedHTLCs = r.u16("max_accepted_htlcs")
	m.Locktime = r.u32("locktime")
	r.channelKeys(&m.FundingPubKey, &m.RevocationBasepoint, &m.PaymentBasepoint,
		&m.DelayedPaymentBasepoint, &m.HTLCBasepoint, &m.FirstPerCommitmentPoint)
	r.point("second_per_commitment_point", &m.SecondPerCommitmentPoint)
	m.ChannelFlags = r.u8("channel_flags")
	m.ExtraTLVs = r.tlvs(func(typ uint64, v []byte) (bool, error) {
		if ok, err := decodeRequireConfirmed(typ, v, &m.RequireConfirmedInputs); ok {
			return ok, err
		}
		return decodeOpenTLV(typ, v, &m.UpfrontShutdownScript, &m.ChannelType)
	})
	return r.done()
}

// appendOpen2TLVs appends the extension of open_channel2 and
// accept_channel2.
func appendOpen2TLVs(b []byte, extra TLVRecords, script Option[[]byte], channelType Option[FeatureVector], requireConfirmed bool) []byte {
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
	if requireConfirmed {
		w.header(tlvRequireConfirmedInputs, 0)
	}
	return w.finish()
}
