package wire

// ClosingComplete is the closing_complete message (BOLT 2, type 40) of
// option_simple_close: the sender proposes a closing transaction paying its
// own fee, with signatures for the output combinations it accepts.
type ClosingComplete struct {
	// ChannelID is the channel.
	ChannelID ChannelID
	// CloserScriptPubKey is the sender's (closer's) output script.
	CloserScriptPubKey []byte
	// CloseeScriptPubKey is the receiver's (closee's) output script.
	CloseeScriptPubKey []byte
	// Fee is fee_satoshis, paid by the closer.
	Fee Satoshi
	// Locktime is the closing transaction's nLockTime.
	Locktime uint32
	// Sigs are the closing_tlvs signatures.
	Sigs ClosingSigs
	// ExtraTLVs holds the unknown odd records of the extension.
	ExtraTLVs TLVRecords
}

// ClosingSigs are the signature records shared by closing_complete and
// closing_sig, one per variant of the closing transaction.
type ClosingSigs struct {
	// CloserOutputOnly is closer_output_only (type 1): the transaction
	// without the closee's output.
	CloserOutputOnly Option[Signature]
	// CloseeOutputOnly is closee_output_only (type 2): the transaction
	// without the closer's output.
	CloseeOutputOnly Option[Signature]
	// CloserAndCloseeOutputs is closer_and_closee_outputs (type 3).
	CloserAndCloseeOutputs Option[Signature]
}

// TLV types of closing_tlvs.
const (
	closingTLVCloserOnly = 1
	closingTLVCloseeOnly = 2
	closingTLVBoth       = 3
)

// Type implements Message.
func (m *ClosingComplete) Type() MessageType { return MsgClosingComplete }

// Encode implements Message.
func (m *ClosingComplete) Encode(b []byte) ([]byte, error) {
	return appendClosing(b, "closing_complete", m.ChannelID, m.CloserScriptPubKey, m.CloseeScriptPubKey,
		m.Fee, m.Locktime, &m.Sigs, m.ExtraTLVs)
}

// Decode implements Message.
func (m *ClosingComplete) Decode(payload []byte) error {
	*m = ClosingComplete{}
	r := newReader(MsgClosingComplete, payload)
	r.fixed("channel_id", m.ChannelID[:])
	m.CloserScriptPubKey = r.bytes16("closer_scriptpubkey")
	m.CloseeScriptPubKey = r.bytes16("closee_scriptpubkey")
	m.Fee = Satoshi(r.u64("fee_satoshis"))
	m.Locktime = r.u32("locktime")
	m.ExtraTLVs = r.tlvs(m.Sigs.decodeTLV)
	return r.done()
}

// ClosingSig is the closing_sig message (BOLT 2, type 41) of
// option_simple_close: the closee's signature of one variant of the closer's
// closing_complete transaction, echoing its fields.
type ClosingSig struct {
	// ChannelID is the channel.
	ChannelID ChannelID
	// CloserScriptPubKey is the closer's output script, as received.
	CloserScriptPubKey []byte
	// CloseeScriptPubKey is the closee's (sender's) output script.
	CloseeScriptPubKey []byte
	// Fee is fee_satoshis, paid by the closer.
	Fee Satoshi
	// Locktime is the closing transaction's nLockTime.
	Locktime uint32
	// Sigs holds the signature of the variant the sender chose.
	Sigs ClosingSigs
	// ExtraTLVs holds the unknown odd records of the extension.
	ExtraTLVs TLVRecords
}

// Type implements Message.
func (m *ClosingSig) Type() MessageType { return MsgClosingSig }

// Encode implements Message.
func (m *ClosingSig) Encode(b []byte) ([]byte, error) {
	return appendClosing(b, "closing_sig", m.ChannelID, m.CloserScriptPubKey, m.CloseeScriptPubKey,
		m.Fee, m.Locktime, &m.Sigs, m.ExtraTLVs)
}

// Decode implements Message.
func (m *ClosingSig) Decode(payload []byte) error {
	*m = ClosingSig{}
	r := newReader(MsgClosingSig, payload)
	r.fixed("channel_id", m.ChannelID[:])
	m.CloserScriptPubKey = r.bytes16("closer_scriptpubkey")
	m.CloseeScriptPubKey = r.bytes16("closee_scriptpubkey")
	m.Fee = Satoshi(r.u64("fee_satoshis"))
	m.Locktime = r.u32("locktime")
	m.ExtraTLVs = r.tlvs(m.Sigs.decodeTLV)
	return r.done()
}

// appendClosing encodes the layout shared by closing_complete and
// closing_sig.
func appendClosing(b []byte, msg string, id ChannelID, closer, closee []byte, fee Satoshi, locktime uint32,
	sigs *ClosingSigs, extra TLVRecords) ([]byte, error) {
	if err := validateExtraTLVs(msg, extra, closingTLVCloserOnly, closingTLVCloseeOnly, closingTLVBoth); err != nil {
		return b, err
	}
	start := len(b)
	b = append(b, id[:]...)
	b, err := appendBytes16(b, msg+".closer_scriptpubkey", closer)
	if err != nil {
		return b[:start], err
	}
	if b, err = appendBytes16(b, msg+".closee_scriptpubkey", closee); err != nil {
		return b[:start], err
	}
	b = appendU64(b, uint64(fee))
	b = appendU32(b, locktime)
	w := tlvWriter{b: b, extra: extra}
	for _, s := range []struct {
		typ uint64
		sig *Option[Signature]
	}{
		{closingTLVCloserOnly, &sigs.CloserOutputOnly},
		{closingTLVCloseeOnly, &sigs.CloseeOutputOnly},
		{closingTLVBoth, &sigs.CloserAndCloseeOutputs},
	} {
		if s.sig.Present {
			w.header(s.typ, len(s.sig.Value))
			w.b = append(w.b, s.sig.Value[:]...)
		}
	}
	return w.finish(), nil
}

// decodeTLV decodes a closing_tlvs record.
func (s *ClosingSigs) decodeTLV(typ uint64, v []byte) (bool, error) {
	var sig *Option[Signature]
	switch typ {
	case closingTLVCloserOnly:
		sig = &s.CloserOutputOnly
	case closingTLVCloseeOnly:
		sig = &s.CloseeOutputOnly
	case closingTLVBoth:
		sig = &s.CloserAndCloseeOutputs
	default:
		return false, nil
	}
	sig.Present = true
	return true, tlvFixed(sig.Value[:], v)
}
