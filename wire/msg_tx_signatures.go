package wire

import (
	"fmt"

	"github.com/btcsuite/btcd/chaincfg/chainhash"
)

// TxSignatures is the tx_signatures message (BOLT 2, type 71): the
// sender's witnesses for its inputs of the constructed transaction.
type TxSignatures struct {
	// ChannelID is the channel.
	ChannelID ChannelID
	// TxID is the id of the signed transaction.
	TxID chainhash.Hash
	// Witnesses holds one serialized witness (witness_data) per input the
	// sender added, in serial id order. They are not parsed here.
	Witnesses [][]byte
	// SharedInputSignature is the shared_input_signature record (type 0):
	// the sender's signature of a splice's shared input.
	SharedInputSignature Option[Signature]
	// ExtraTLVs holds the unknown odd records of the extension.
	ExtraTLVs TLVRecords
}

// TLV types of tx_signatures_tlvs.
const txSignaturesTLVSharedInput = 0

// Type implements Message.
func (m *TxSignatures) Type() MessageType { return MsgTxSignatures }

// Encode implements Message.
func (m *TxSignatures) Encode(b []byte) ([]byte, error) {
	if err := validateExtraTLVs("tx_signatures", m.ExtraTLVs, txSignaturesTLVSharedInput); err != nil {
		return b, err
	}
	if len(m.Witnesses) > 0xFFFF {
		return b, fmt.Errorf("wire: tx_signatures: %d witnesses, more than 65535: %w", len(m.Witnesses), ErrMessageTooLarge)
	}
	start := len(b)
	b = append(b, m.ChannelID[:]...)
	b = append(b, m.TxID[:]...)
	b = appendU16(b, uint16(len(m.Witnesses)))
	var err error
	for _, w := range m.Witnesses {
		if b, err = appendBytes16(b, "tx_signatures.witness_data", w); err != nil {
			return b[:start], err
		}
	}
	w := tlvWriter{b: b, extra: m.ExtraTLVs}
	if m.SharedInputSignature.Present {
		w.header(txSignaturesTLVSharedInput, len(m.SharedInputSignature.Value))
		w.b = append(w.b, m.SharedInputSignature.Value[:]...)
	}
	return w.finish(), nil
}

// Decode implements Message. The witnesses are checked against the input
// before anything is allocated, then copied into one buffer.
func (m *TxSignatures) Decode(payload []byte) error {
	*m = TxSignatures{}
	r := newReader(MsgTxSignatures, payload)
	r.fixed("channel_id", m.ChannelID[:])
	r.fixed("txid", m.TxID[:])
	n := int(r.u16("num_witnesses"))
	// First pass: walk the witnesses without allocating.
	start, total := r.b, 0
	for i := 0; i < n && r.err == nil; i++ {
		total += len(r.take("witness_data", int(r.u16("witness_data.len"))))
	}
	if r.err == nil && n > 0 {
		buf := make([]byte, 0, total)
		m.Witnesses = make([][]byte, n)
		for i := range m.Witnesses {
			l := int(start[0])<<8 | int(start[1])
			if l > 0 {
				buf = append(buf, start[2:2+l]...)
				m.Witnesses[i] = buf[len(buf)-l : len(buf) : len(buf)]
			}
			start = start[2+l:]
		}
	}
	m.ExtraTLVs = r.tlvs(func(typ uint64, v []byte) (bool, error) {
		if typ != txSignaturesTLVSharedInput {
			return false, nil
		}
		m.SharedInputSignature.Present = true
		return true, tlvFixed(m.SharedInputSignature.Value[:], v)
	})
	return r.done()
}
