package wallet

import (
	"bytes"
	"encoding/binary"
	"fmt"
	"io"

	"github.com/btcsuite/btcd/chaincfg/chainhash"
	btcwire "github.com/btcsuite/btcd/wire"

	"github.com/lnkit/lnkit/chain"
)

// Persisted encodings. Each value starts with a version byte; a decoder
// refuses versions it does not know and trailing bytes. Integers are
// big-endian.
//
//	meta v1:  01 | birthday hash (32) height (4) | best hash (32) height (4)
//	          | next index x4 (4 each) | used index x4 (4 each)
//	coin v1:  01 | value (8) | script length (2) script | branch (1) index (4)
//	          | height (4) | flags (1: bit 0 coinbase, bit 1 spent)
//	          | spending txid (32, when spent)
//	tx v1:    01 | status (1) | own (1) | height (4) | block hash (32)
//	          | index (4) | credit (8) | debit (8) | fee (8) | transaction
//	          (the rest, with witnesses)
const codecV1 = 1

// Flags of the coin encoding.
const (
	coinFlagCoinbase = 1 << 0
	coinFlagSpent    = 1 << 1
)

// meta is the wallet's scalar state.
type meta struct {
	Birthday chain.BestBlock
	Best     chain.BestBlock
	Next     [numBranches]uint32
	Used     [numBranches]uint32
}

// encodeMeta encodes m.
func encodeMeta(m *meta) []byte {
	b := make([]byte, 0, 1+2*36+8*numBranches)
	b = append(b, codecV1)
	b = appendBest(b, m.Birthday)
	b = appendBest(b, m.Best)
	for _, v := range m.Next {
		b = binary.BigEndian.AppendUint32(b, v)
	}
	for _, v := range m.Used {
		b = binary.BigEndian.AppendUint32(b, v)
	}
	return b
}

func appendBest(b []byte, bb chain.BestBlock) []byte {
	b = append(b, bb.Hash[:]...)
	return binary.BigEndian.AppendUint32(b, uint32(bb.Height))
}

// decodeMeta decodes a meta value.
func decodeMeta(data []byte) (*meta, error) {
	r := reader{b: data, what: "meta"}
	r.version()
	m := &meta{Birthday: r.best(), Best: r.best()}
	for i := range m.Next {
		m.Next[i] = r.u32()
	}
	for i := range m.Used {
		m.Used[i] = r.u32()
	}
	if err := r.end(); err != nil {
		return nil, err
	}
	if m.Birthday.Height < 0 || m.Best.Height < 0 {
		return nil, fmt.Errorf("%w: meta: negative height", ErrCorrupt)
	}
	return m, nil
}

// encodeCoin encodes u (its outpoint is the key).
func encodeCoin(u *utxo) []byte {
	b := make([]byte, 0, 64+len(u.PkScript))
	b = append(b, codecV1)
	b = binary.BigEndian.AppendUint64(b, uint64(u.Value))
	b = binary.BigEndian.AppendUint16(b, uint16(len(u.PkScript)))
	b = append(b, u.PkScript...)
	b = append(b, byte(u.Key.Branch))
	b = binary.BigEndian.AppendUint32(b, u.Key.Index)
	b = binary.BigEndian.AppendUint32(b, uint32(u.Height))
	var flags byte
	if u.Coinbase {
		flags |= coinFlagCoinbase
	}
	if u.SpentBy != nil {
		flags |= coinFlagSpent
	}
	b = append(b, flags)
	if u.SpentBy != nil {
		b = append(b, u.SpentBy[:]...)
	}
	return b
}

// decodeCoin decodes a coin stored under outpoint op.
func decodeCoin(op btcwire.OutPoint, data []byte) (*utxo, error) {
	r := reader{b: data, what: "coin"}
	r.version()
	u := &utxo{OutPoint: op, Value: int64(r.u64())}
	u.PkScript = r.bytes(int(r.u16()))
	u.Key.Branch = branch(r.u8())
	u.Key.Index = r.u32()
	u.Height = int32(r.u32())
	flags := r.u8()
	u.Coinbase = flags&coinFlagCoinbase != 0
	if flags&coinFlagSpent != 0 {
		h := r.hash()
		u.SpentBy = &h
	}
	if err := r.end(); err != nil {
		return nil, err
	}
	switch {
	case u.Value < 0 || u.Value > btcMaxSatoshi:
		return nil, fmt.Errorf("%w: coin %v: value %d", ErrCorrupt, op, u.Value)
	case u.Key.Branch >= numBranches:
		return nil, fmt.Errorf("%w: coin %v: branch %d", ErrCorrupt, op, u.Key.Branch)
	case u.Height < 0:
		return nil, fmt.Errorf("%w: coin %v: height %d", ErrCorrupt, op, u.Height)
	case flags&^(coinFlagCoinbase|coinFlagSpent) != 0:
		return nil, fmt.Errorf("%w: coin %v: flags %#x", ErrCorrupt, op, flags)
	}
	return u, nil
}

// btcMaxSatoshi is 21 million bitcoin.
const btcMaxSatoshi = 21_000_000 * 100_000_000

// encodeTx encodes rec.
func encodeTx(rec *txRecord) ([]byte, error) {
	var buf bytes.Buffer
	buf.WriteByte(codecV1)
	buf.WriteByte(byte(rec.Status))
	own := byte(0)
	if rec.Own {
		own = 1
	}
	buf.WriteByte(own)
	var n [8]byte
	binary.BigEndian.PutUint32(n[:4], uint32(rec.Height))
	buf.Write(n[:4])
	buf.Write(rec.BlockHash[:])
	binary.BigEndian.PutUint32(n[:4], rec.Index)
	buf.Write(n[:4])
	for _, v := range []int64{rec.Credit, rec.Debit, rec.Fee} {
		binary.BigEndian.PutUint64(n[:], uint64(v))
		buf.Write(n[:])
	}
	if err := rec.Tx.Serialize(&buf); err != nil {
		return nil, fmt.Errorf("wallet: encode transaction: %w", err)
	}
	return buf.Bytes(), nil
}

// decodeTx decodes a transaction record.
func decodeTx(data []byte) (*txRecord, error) {
	r := reader{b: data, what: "transaction"}
	r.version()
	rec := &txRecord{Status: txStatus(r.u8())}
	own := r.u8()
	rec.Own = own == 1
	rec.Height = int32(r.u32())
	rec.BlockHash = r.hash()
	rec.Index = r.u32()
	rec.Credit, rec.Debit, rec.Fee = int64(r.u64()), int64(r.u64()), int64(r.u64())
	if r.err != nil {
		return nil, r.err
	}
	rec.Tx = new(btcwire.MsgTx)
	rd := bytes.NewReader(r.b)
	if err := rec.Tx.Deserialize(rd); err != nil {
		return nil, fmt.Errorf("%w: transaction: %v", ErrCorrupt, err)
	}
	if rd.Len() != 0 {
		return nil, fmt.Errorf("%w: transaction: %d trailing bytes", ErrCorrupt, rd.Len())
	}
	rec.TxID = rec.Tx.TxHash()
	switch {
	case rec.Status < txLocked || rec.Status > txConfirmed:
		return nil, fmt.Errorf("%w: transaction %v: status %d", ErrCorrupt, rec.TxID, rec.Status)
	case own > 1:
		return nil, fmt.Errorf("%w: transaction %v: own flag %d", ErrCorrupt, rec.TxID, own)
	case rec.Height < 0 || (rec.Status == txConfirmed) != (rec.Height > 0):
		return nil, fmt.Errorf("%w: transaction %v: height %d with status %d", ErrCorrupt, rec.TxID, rec.Height, rec.Status)
	case len(rec.Tx.TxIn) == 0:
		return nil, fmt.Errorf("%w: transaction %v: no inputs", ErrCorrupt, rec.TxID)
	}
	return rec, nil
}

// reader decodes big-endian fields, remembering the first error.
type reader struct {
	b    []byte
	what string
	err  error
}

func (r *reader) take(n int) []byte {
	if r.err != nil {
		return nil
	}
	if n < 0 || len(r.b) < n {
		r.err = fmt.Errorf("%w: %s: %v", ErrCorrupt, r.what, io.ErrUnexpectedEOF)
		return nil
	}
	out := r.b[:n]
	r.b = r.b[n:]
	return out
}

func (r *reader) version() {
	if v := r.u8(); r.err == nil && v != codecV1 {
		r.err = fmt.Errorf("%w: %s: unknown version %d", ErrCorrupt, r.what, v)
	}
}

func (r *reader) u8() byte {
	if b := r.take(1); b != nil {
		return b[0]
	}
	return 0
}

func (r *reader) u16() uint16 {
	if b := r.take(2); b != nil {
		return binary.BigEndian.Uint16(b)
	}
	return 0
}

func (r *reader) u32() uint32 {
	if b := r.take(4); b != nil {
		return binary.BigEndian.Uint32(b)
	}
	return 0
}

func (r *reader) u64() uint64 {
	if b := r.take(8); b != nil {
		return binary.BigEndian.Uint64(b)
	}
	return 0
}

func (r *reader) hash() chainhash.Hash {
	var h chainhash.Hash
	copy(h[:], r.take(32))
	return h
}

func (r *reader) bytes(n int) []byte {
	return append([]byte(nil), r.take(n)...)
}

func (r *reader) best() chain.BestBlock {
	return chain.BestBlock{Hash: r.hash(), Height: int32(r.u32())}
}

// end reports the first error or trailing bytes.
func (r *reader) end() error {
	if r.err == nil && len(r.b) != 0 {
		r.err = fmt.Errorf("%w: %s: %d trailing bytes", ErrCorrupt, r.what, len(r.b))
	}
	return r.err
}
