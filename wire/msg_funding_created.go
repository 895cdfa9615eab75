package wire

import "github.com/btcsuite/btcd/chaincfg/chainhash"

// FundingCreated is the funding_created message (BOLT 2, type 34): the
// funding outpoint and the funder's signature of the fundee's first
// commitment transaction.
type FundingCreated struct {
	// TemporaryChannelID is the open_channel's temporary_channel_id.
	TemporaryChannelID ChannelID
	// FundingTxID is the funding transaction id (internal byte order).
	FundingTxID chainhash.Hash
	// FundingOutputIndex is the funding output's index.
	FundingOutputIndex uint16
	// Signature signs the fundee's first commitment transaction.
	Signature Signature
	// ExtraTLVs holds the unknown odd records of the extension.
	ExtraTLVs TLVRecords
}

// Type implements Message.
func (m *FundingCreated) Type() MessageType { return MsgFundingCreated }

// Encode implements Message.
func (m *FundingCreated) Encode(b []byte) ([]byte, error) {
	if err := validateExtraTLVs("funding_created", m.ExtraTLVs); err != nil {
		return b, err
	}
	b = append(b, m.TemporaryChannelID[:]...)
	b = append(b, m.FundingTxID[:]...)
	b = appendU16(b, m.FundingOutputIndex)
	b = append(b, m.Signature[:]...)
	w := tlvWriter{b: b, extra: m.ExtraTLVs}
	return w.finish(), nil
}

// Decode implements Message.
func (m *FundingCreated) Decode(payload []byte) error {
	*m = FundingCreated{}
	r := newReader(MsgFundingCreated, payload)
	r.fixed("temporary_channel_id", m.TemporaryChannelID[:])
	r.fixed("funding_txid", m.FundingTxID[:])
	m.FundingOutputIndex = r.u16("funding_output_index")
	r.fixed("signature", m.Signature[:])
	m.ExtraTLVs = r.tlvs(nil)
	return r.done()
}
