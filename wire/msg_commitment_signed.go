package wire

import (
	"fmt"

	"github.com/btcsuite/btcd/chaincfg/chainhash"
)

// CommitmentSigned is the commitment_signed message (BOLT 2, type 132): the
// sender's signatures of the receiver's next commitment transaction and of
// its HTLC transactions.
type CommitmentSigned struct {
	// ChannelID is the channel.
	ChannelID ChannelID
	// Signature signs the commitment transaction.
	Signature Signature
	// HTLCSignatures sign the HTLC transactions, in the commitment's output
	// order. Their number is bounded only by the message size here; the
	// channel checks it against its HTLC count.
	HTLCSignatures []Signature
	// FundingTxID is the funding_txid record (type 1): the funding
	// transaction this commitment spends (needed with splicing).
	FundingTxID Option[chainhash.Hash]
	// ExtraTLVs holds the unknown odd records of the extension.
	ExtraTLVs TLVRecords
}

// TLV types of commitment_signed_tlvs.
const commitmentSignedTLVFundingTxID = 1

// Type implements Message.
func (m *CommitmentSigned) Type() MessageType { return MsgCommitmentSigned }

// Encode implements Message. It fails with ErrMessageTooLarge for more than
// 65535 HTLC signatures.
func (m *CommitmentSigned) Encode(b []byte) ([]byte, error) {
	if err := validateExtraTLVs("commitment_signed", m.ExtraTLVs, commitmentSignedTLVFundingTxID); err != nil {
		return b, err
	}
	if len(m.HTLCSignatures) > 0xFFFF {
		return b, fmt.Errorf("wire: commitment_signed: %d htlc signatures, more than 65535: %w", len(m.HTLCSignatures), ErrMessageTooLarge)
	}
	b = append(b, m.ChannelID[:]...)
	b = append(b, m.Signature[:]...)
	b = appendU16(b, uint16(len(m.HTLCSignatures)))
	for i := range m.HTLCSignatures {
		b = append(b, m.HTLCSignatures[i][:]...)
	}
	w := tlvWriter{b: b, extra: m.ExtraTLVs}
	if m.FundingTxID.Present {
		w.header(commitmentSignedTLVFundingTxID, chainhash.HashSize)
		w.b = append(w.b, m.FundingTxID.Value[:]...)
	}
	return w.finish(), nil
}

// Decode implements Message. num_htlcs is bounded by the remaining input
// before the signatures are allocated (one allocation, none when there are
// no HTLCs).
func (m *CommitmentSigned) Decode(payload []byte) error {
	r := newReader(MsgCommitmentSigned, payload)
	r.fixed("channel_id", m.ChannelID[:])
	r.fixed("signature", m.Signature[:])
	n := int(r.u16("num_htlcs"))
	raw := r.take("htlc_signature", n*len(Signature{}))
	m.HTLCSignatures = nil
	if n > 0 && raw != nil {
		m.HTLCSignatures = make([]Signature, n)
		for i := range m.HTLCSignatures {
			copy(m.HTLCSignatures[i][:], raw[i*len(Signature{}):])
		}
	}
	m.FundingTxID = Option[chainhash.Hash]{}
	m.ExtraTLVs = r.tlvs(func(typ uint64, v []byte) (bool, error) {
		if typ != commitmentSignedTLVFundingTxID {
			return false, nil
		}
		m.FundingTxID.Present = true
		return true, tlvFixed(m.FundingTxID.Value[:], v)
	})
	return r.done()
}
