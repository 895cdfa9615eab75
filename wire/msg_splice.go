package wire

import "github.com/btcsuite/btcd/chaincfg/chainhash"

// SpliceInit is the splice_init message (BOLT 2, type 80): the sender
// starts splicing funds into or out of a quiescent channel.
type SpliceInit struct {
	// ChannelID is the channel.
	ChannelID ChannelID
	// FundingContribution is funding_contribution_satoshis: what the sender
	// adds to (positive) or removes from (negative) its balance.
	FundingContribution int64
	// FundingFeeRate is funding_feerate_perkw for the splice transaction.
	FundingFeeRate FeeRate
	// Locktime is the splice transaction's nLockTime.
	Locktime uint32
	// FundingPubKey is the sender's key for the new funding output.
	FundingPubKey Point
	// RequireConfirmedInputs is the require_confirmed_inputs record
	// (type 2).
	RequireConfirmedInputs bool
	// ExtraTLVs holds the unknown odd records of the extension.
	ExtraTLVs TLVRecords
}

// Type implements Message.
func (m *SpliceInit) Type() MessageType { return MsgSpliceInit }

// Encode implements Message.
func (m *SpliceInit) Encode(b []byte) ([]byte, error) {
	if err := validateExtraTLVs("splice_init", m.ExtraTLVs, tlvRequireConfirmedInputs); err != nil {
		return b, err
	}
	b = append(b, m.ChannelID[:]...)
	b = AppendS64(b, m.FundingContribution)
	b = appendU32(b, uint32(m.FundingFeeRate))
	b = appendU32(b, m.Locktime)
	b = append(b, m.FundingPubKey[:]...)
	return appendRequireConfirmed(b, m.ExtraTLVs, m.RequireConfirmedInputs), nil
}

// Decode implements Message. The point must be valid.
func (m *SpliceInit) Decode(payload []byte) error {
	*m = SpliceInit{}
	r := newReader(MsgSpliceInit, payload)
	r.fixed("channel_id", m.ChannelID[:])
	m.FundingContribution = r.s64("funding_contribution_satoshis")
	m.FundingFeeRate = FeeRate(r.u32("funding_feerate_perkw"))
	m.Locktime = r.u32("locktime")
	r.point("funding_pubkey", &m.FundingPubKey)
	m.ExtraTLVs = r.tlvs(func(typ uint64, v []byte) (bool, error) {
		return decodeRequireConfirmed(typ, v, &m.RequireConfirmedInputs)
	})
	return r.done()
}

// SpliceAck is the splice_ack message (BOLT 2, type 81): the receiver of
// splice_init agrees to splice.
type SpliceAck struct {
	// ChannelID is the channel.
	ChannelID ChannelID
	// FundingContribution is funding_contribution_satoshis, as in
	// SpliceInit.
	FundingContribution int64
	// FundingPubKey is the sender's key for the new funding output.
	FundingPubKey Point
	// RequireConfirmedInputs is the require_confirmed_inputs record
	// (type 2).
	RequireConfirmedInputs bool
	// ExtraTLVs holds the unknown odd records of the extension.
	ExtraTLVs TLVRecords
}

// Type implements Message.
func (m *SpliceAck) Type() MessageType { return MsgSpliceAck }

// Encode implements Message.
func (m *SpliceAck) Encode(b []byte) ([]byte, error) {
	if err := validateExtraTLVs("splice_ack", m.ExtraTLVs, tlvRequireConfirmedInputs); err != nil {
		return b, err
	}
	b = append(b, m.ChannelID[:]...)
	b = AppendS64(b, m.FundingContribution)
	b = append(b, m.FundingPubKey[:]...)
	return appendRequireConfirmed(b, m.ExtraTLVs, m.RequireConfirmedInputs), nil
}

// Decode implements Message. The point must be valid.
func (m *SpliceAck) Decode(payload []byte) error {
	*m = SpliceAck{}
	r := newReader(MsgSpliceAck, payload)
	r.fixed("channel_id", m.ChannelID[:])
	m.FundingContribution = r.s64("funding_contribution_satoshis")
	r.point("funding_pubkey", &m.FundingPubKey)
	m.ExtraTLVs = r.tlvs(func(typ uint64, v []byte) (bool, error) {
		return decodeRequireConfirmed(typ, v, &m.RequireConfirmedInputs)
	})
	return r.done()
}

// SpliceLocked is the splice_locked message (BOLT 2, type 77): the splice
// transaction is deep enough for the sender.
type SpliceLocked struct {
	// ChannelID is the channel.
	ChannelID ChannelID
	// SpliceTxID is the id of the locked splice transaction.
	SpliceTxID chainhash.Hash
	// ExtraTLVs holds the unknown odd records of the extension.
	ExtraTLVs TLVRecords
}

// Type implements Message.
func (m *SpliceLocked) Type() MessageType { return MsgSpliceLocked }

// Encode implements Message.
func (m *SpliceLocked) Encode(b []byte) ([]byte, error) {
	if err := validateExtraTLVs("splice_locked", m.ExtraTLVs); err != nil {
		return b, err
	}
	b = append(b, m.ChannelID[:]...)
	b = append(b, m.SpliceTxID[:]...)
	w := tlvWriter{b: b, extra: m.ExtraTLVs}
	return w.finish(), nil
}

// Decode implements Message.
func (m *SpliceLocked) Decode(payload []byte) error {
	*m = SpliceLocked{}
	r := newReader(MsgSpliceLocked, payload)
	r.fixed("channel_id", m.ChannelID[:])
	r.fixed("splice_txid", m.SpliceTxID[:])
	m.ExtraTLVs = r.tlvs(nil)
	return r.done()
}

// appendRequireConfirmed appends an extension whose only known record is
// require_confirmed_inputs.
func appendRequireConfirmed(b []byte, extra TLVRecords, requireConfirmed bool) []byte {
	w := tlvWriter{b: b, extra: extra}
	if requireConfirmed {
		w.header(tlvRequireConfirmedInputs, 0)
	}
	return w.finish()
}

// decodeRequireConfirmed decodes the require_confirmed_inputs record.
func decodeRequireConfirmed(typ uint64, v []byte, requireConfirmed *bool) (bool, error) {
	if typ != tlvRequireConfirmedInputs {
		return false, nil
	}
	*requireConfirmed = true
	return true, requireEmpty(v)
}
