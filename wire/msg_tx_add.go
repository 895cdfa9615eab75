package wire

import "github.com/btcsuite/btcd/chaincfg/chainhash"

// TxAddInput is the tx_add_input message (BOLT 2, type 66) of interactive
// transaction construction: the sender adds an input.
type TxAddInput struct {
	// ChannelID is the channel (or temporary channel id).
	ChannelID ChannelID
	// SerialID identifies the input; its parity tells who added it.
	SerialID uint64
	// PrevTx is the serialized transaction whose output is spent; empty
	// for the shared input of a splice.
	PrevTx []byte
	// PrevTxVout is the index of the spent output in PrevTx.
	PrevTxVout uint32
	// Sequence is the input's nSequence.
	Sequence uint32
	// SharedInputTxID is the shared_input_txid record (type 0): the
	// funding transaction of the channel being spliced.
	SharedInputTxID Option[chainhash.Hash]
	// ExtraTLVs holds the unknown odd records of the extension.
	ExtraTLVs TLVRecords
}

// TLV types of tx_add_input_tlvs.
const txAddInputTLVSharedInput = 0

// Type implements Message.
func (m *TxAddInput) Type() MessageType { return MsgTxAddInput }

// Encode implements Message.
func (m *TxAddInput) Encode(b []byte) ([]byte, error) {
	if err := validateExtraTLVs("tx_add_input", m.ExtraTLVs, txAddInputTLVSharedInput); err != nil {
		return b, err
	}
	start := len(b)
	b = append(b, m.ChannelID[:]...)
	b = appendU64(b, m.SerialID)
	b, err := appendBytes16(b, "tx_add_input.prevtx", m.PrevTx)
	if err != nil {
		return b[:start], err
	}
	b = appendU32(b, m.PrevTxVout)
	b = appendU32(b, m.Sequence)
	w := tlvWriter{b: b, extra: m.ExtraTLVs}
	if m.SharedInputTxID.Present {
		w.header(txAddInputTLVSharedInput, chainhash.HashSize)
		w.b = append(w.b, m.SharedInputTxID.Value[:]...)
	}
	return w.finish(), nil
}

// Decode implements Message. PrevTx is not parsed here.
func (m *TxAddInput) Decode(payload []byte) error {
	*m = TxAddInput{}
	r := newReader(MsgTxAddInput, payload)
	r.fixed("channel_id", m.ChannelID[:])
	m.SerialID = r.u64("serial_id")
	m.PrevTx = r.bytes16("prevtx")
	m.PrevTxVout = r.u32("prevtx_vout")
	m.Sequence = r.u32("sequence")
	m.ExtraTLVs = r.tlvs(func(typ uint64, v []byte) (bool, error) {
		if typ != txAddInputTLVSharedInput {
			return false, nil
		}
		m.SharedInputTxID.Present = true
		return true, tlvFixed(m.SharedInputTxID.Value[:], v)
	})
	return r.done()
}

// TxAddOutput is the tx_add_output message (BOLT 2, type 67) of interactive
// transaction construction: the sender adds an output.
type TxAddOutput struct {
	// ChannelID is the channel (or temporary channel id).
	ChannelID ChannelID
	// SerialID identifies the output; its parity tells who added it.
	SerialID uint64
	// Amount is the output's value (sats).
	Amount Satoshi
	// Script is the output's scriptPubKey.
	Script []byte
	// ExtraTLVs holds the unknown odd records of the extension.
	ExtraTLVs TLVRecords
}

// Type implements Message.
func (m *TxAddOutput) Type() MessageType { return MsgTxAddOutput }

// Encode implements Message.
func (m *TxAddOutput) Encode(b []byte) ([]byte, error) {
	if err := validateExtraTLVs("tx_add_output", m.ExtraTLVs); err != nil {
		return b, err
	}
	start := len(b)
	b = append(b, m.ChannelID[:]...)
	b = appendU64(b, m.SerialID)
	b = appendU64(b, uint64(m.Amount))
	b, err := appendBytes16(b, "tx_add_output.script", m.Script)
	if err != nil {
		return b[:start], err
	}
	w := tlvWriter{b: b, extra: m.ExtraTLVs}
	return w.finish(), nil
}

// Decode implements Message.
func (m *TxAddOutput) Decode(payload []byte) error {
	*m = TxAddOutput{}
	r := newReader(MsgTxAddOutput, payload)
	r.fixed("channel_id", m.ChannelID[:])
	m.SerialID = r.u64("serial_id")
	m.Amount = Satoshi(r.u64("sats"))
	m.Script = r.bytes16("script")
	m.ExtraTLVs = r.tlvs(nil)
	return r.done()
}
