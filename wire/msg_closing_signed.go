package wire

// ClosingSigned is the closing_signed message (BOLT 2, type 39) of the
// legacy closing fee negotiation: a fee proposal and the signature of the
// closing transaction paying it.
type ClosingSigned struct {
	// ChannelID is the channel.
	ChannelID ChannelID
	// Fee is fee_satoshis, the proposed closing transaction fee.
	Fee Satoshi
	// Signature signs the closing transaction paying Fee.
	Signature Signature
	// FeeRange is the fee_range record (type 1): the fees the sender
	// accepts.
	FeeRange Option[FeeRange]
	// ExtraTLVs holds the unknown odd records of the extension.
	ExtraTLVs TLVRecords
}

// FeeRange is the fee_range record of closing_signed.
type FeeRange struct {
	// MinFee is min_fee_satoshis.
	MinFee Satoshi
	// MaxFee is max_fee_satoshis.
	MaxFee Satoshi
}

// TLV types of closing_signed_tlvs.
const closingSignedTLVFeeRange = 1

// Type implements Message.
func (m *ClosingSigned) Type() MessageType { return MsgClosingSigned }

// Encode implements Message.
func (m *ClosingSigned) Encode(b []byte) ([]byte, error) {
	if err := validateExtraTLVs("closing_signed", m.ExtraTLVs, closingSignedTLVFeeRange); err != nil {
		return b, err
	}
	b = append(b, m.ChannelID[:]...)
	b = appendU64(b, uint64(m.Fee))
	b = append(b, m.Signature[:]...)
	w := tlvWriter{b: b, extra: m.ExtraTLVs}
	if m.FeeRange.Present {
		w.header(closingSignedTLVFeeRange, 16)
		w.b = appendU64(w.b, uint64(m.FeeRange.Value.MinFee))
		w.b = appendU64(w.b, uint64(m.FeeRange.Value.MaxFee))
	}
	return w.finish(), nil
}

// Decode implements Message. A fee_range whose minimum exceeds its maximum
// is decoded as is: judging it is the closing negotiation's job.
func (m *ClosingSigned) Decode(payload []byte) error {
	*m = ClosingSigned{}
	r := newReader(MsgClosingSigned, payload)
	r.fixed("channel_id", m.ChannelID[:])
	m.Fee = Satoshi(r.u64("fee_satoshis"))
	r.fixed("signature", m.Signature[:])
	m.ExtraTLVs = r.tlvs(func(typ uint64, v []byte) (bool, error) {
		if typ != closingSignedTLVFeeRange {
			return false, nil
		}
		if len(v) != 16 {
			return true, ErrTLVLength
		}
		m.FeeRange = Some(FeeRange{MinFee: Satoshi(beUint64(v)), MaxFee: Satoshi(beUint64(v[8:]))})
		return true, nil
	})
	return r.done()
}
