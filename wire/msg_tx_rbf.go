package wire

// TLV types of tx_init_rbf_tlvs and tx_ack_rbf_tlvs (and, for
// require_confirmed_inputs, of the v2 opening and splice messages).
const (
	rbfTLVFundingContribution = 0
	tlvRequireConfirmedInputs = 2
)

// TxInitRBF is the tx_init_rbf message (BOLT 2, type 72): the sender starts
// replacing a completed (dual-funded or splice) transaction.
type TxInitRBF struct {
	// ChannelID is the channel.
	ChannelID ChannelID
	// Locktime is the replacement's nLockTime.
	Locktime uint32
	// FeeRate is the replacement's feerate (sat/kw).
	FeeRate FeeRate
	// FundingOutputContribution is the funding_output_contribution record
	// (type 0): the sender's contribution to the funding output in
	// satoshis, negative when it takes funds out.
	FundingOutputContribution Option[int64]
	// RequireConfirmedInputs is the require_confirmed_inputs record
	// (type 2): the receiver may only add confirmed inputs.
	RequireConfirmedInputs bool
	// ExtraTLVs holds the unknown odd records of the extension.
	ExtraTLVs TLVRecords
}

// Type implements Message.
func (m *TxInitRBF) Type() MessageType { return MsgTxInitRBF }

// Encode implements Message.
func (m *TxInitRBF) Encode(b []byte) ([]byte, error) {
	if err := validateExtraTLVs("tx_init_rbf", m.ExtraTLVs, rbfTLVFundingContribution, tlvRequireConfirmedInputs); err != nil {
		return b, err
	}
	b = append(b, m.ChannelID[:]...)
	b = appendU32(b, m.Locktime)
	b = appendU32(b, uint32(m.FeeRate))
	return appendRBFTLVs(b, m.ExtraTLVs, m.FundingOutputContribution, m.RequireConfirmedInputs), nil
}

// Decode implements Message.
func (m *TxInitRBF) Decode(payload []byte) error {
	*m = TxInitRBF{}
	r := newReader(MsgTxInitRBF, payload)
	r.fixed("channel_id", m.ChannelID[:])
	m.Locktime = r.u32("locktime")
	m.FeeRate = FeeRate(r.u32("feerate"))
	m.ExtraTLVs = r.tlvs(func(typ uint64, v []byte) (bool, error) {
		return decodeRBFTLV(typ, v, &m.FundingOutputContribution, &m.RequireConfirmedInputs)
	})
	return r.done()
}

// TxAckRBF is the tx_ack_rbf message (BOLT 2, type 73): the receiver of
// tx_init_rbf agrees to the replacement.
type TxAckRBF struct {
	// ChannelID is the channel.
	ChannelID ChannelID
	// FundingOutputContribution is the funding_output_contribution record
	// (type 0), as in TxInitRBF.
	FundingOutputContribution Option[int64]
	// RequireConfirmedInputs is the require_confirmed_inputs record
	// (type 2).
	RequireConfirmedInputs bool
	// ExtraTLVs holds the unknown odd records of the extension.
	ExtraTLVs TLVRecords
}

// Type implements Message.
func (m *TxAckRBF) Type() MessageType { return MsgTxAckRBF }

// Encode implements Message.
func (m *TxAckRBF) Encode(b []byte) ([]byte, error) {
	if err := validateExtraTLVs("tx_ack_rbf", m.ExtraTLVs, rbfTLVFundingContribution, tlvRequireConfirmedInputs); err != nil {
		return b, err
	}
	b = append(b, m.ChannelID[:]...)
	return appendRBFTLVs(b, m.ExtraTLVs, m.FundingOutputContribution, m.RequireConfirmedInputs), nil
}

// Decode implements Message.
func (m *TxAckRBF) Decode(payload []byte) error {
	*m = TxAckRBF{}
	r := newReader(MsgTxAckRBF, payload)
	r.fixed("channel_id", m.ChannelID[:])
	m.ExtraTLVs = r.tlvs(func(typ uint64, v []byte) (bool, error) {
		return decodeRBFTLV(typ, v, &m.FundingOutputContribution, &m.RequireConfirmedInputs)
	})
	return r.done()
}

// appendRBFTLVs appends the extension of tx_init_rbf and tx_ack_rbf.
func appendRBFTLVs(b []byte, extra TLVRecords, contribution Option[int64], requireConfirmed bool) []byte {
	w := tlvWriter{b: b, extra: extra}
	if contribution.Present {
		w.header(rbfTLVFundingContribution, 8)
		w.b = AppendS64(w.b, contribution.Value)
	}
	if requireConfirmed {
		w.header(tlvRequireConfirmedInputs, 0)
	}
	return w.finish()
}

// decodeRBFTLV decodes a known record of tx_init_rbf or tx_ack_rbf.
func decodeRBFTLV(typ uint64, v []byte, contribution *Option[int64], requireConfirmed *bool) (bool, error) {
	switch typ {
	case rbfTLVFundingContribution:
		if len(v) != 8 {
			return true, ErrTLVLength
		}
		*contribution = Some(int64(beUint64(v)))
		return true, nil
	case tlvRequireConfirmedInputs:
		*requireConfirmed = true
		return true, requireEmpty(v)
	}
	return false, nil
}

// requireEmpty checks the value of a record that carries no data.
func requireEmpty(v []byte) error {
	if len(v) != 0 {
		return ErrTLVLength
	}
	return nil
}
