package channel

import (
	"bytes"
	"encoding/binary"
	"errors"
	"fmt"
	"math"

	"github.com/btcsuite/btcd/btcec/v2"
	btcwire "github.com/btcsuite/btcd/wire"

	"github.com/lnkit/lnkit/channel/commit"
	"github.com/lnkit/lnkit/internal/secp"
	"github.com/lnkit/lnkit/wire"
)

// recordHTLCLen is the encoded length of one HTLC of a commitment state.
const recordHTLCLen = 8 + 1 + 8 + 32 + 4

// fieldWriter appends the fixed-layout values inside the TLV records of a
// channel record. Integers are big-endian; byte strings carry a length
// prefix. The first error sticks.
type fieldWriter struct {
	buf []byte
	err error
}

func (w *fieldWriter) u8(v byte)      { w.buf = append(w.buf, v) }
func (w *fieldWriter) be16(v uint16)  { w.buf = binary.BigEndian.AppendUint16(w.buf, v) }
func (w *fieldWriter) be32(v uint32)  { w.buf = binary.BigEndian.AppendUint32(w.buf, v) }
func (w *fieldWriter) be64(v uint64)  { w.buf = binary.BigEndian.AppendUint64(w.buf, v) }
func (w *fieldWriter) fixed(v []byte) { w.buf = append(w.buf, v...) }
func (w *fieldWriter) flags(bs ...bool) {
	var f byte
	for i, b := range bs {
		if b {
			f |= 1 << i
		}
	}
	w.u8(f)
}

// script writes a script of at most 65535 bytes with a 2-byte length.
func (w *fieldWriter) script(name string, s []byte) {
	if len(s) > math.MaxUint16 {
		w.fail(fmt.Errorf("%s of %d bytes", name, len(s)))
		return
	}
	w.be16(uint16(len(s)))
	w.fixed(s)
}

// optScript writes a presence byte, then the script when present (nil is
// absent; an empty script is present).
func (w *fieldWriter) optScript(name string, s []byte) {
	if s == nil {
		w.u8(0)
		return
	}
	w.u8(1)
	w.script(name, s)
}

// attribution writes a presence byte, then the attribution data when
// present (not nil).
func (w *fieldWriter) attribution(a *wire.AttributionData) {
	if a == nil {
		w.u8(0)
		return
	}
	w.u8(1)
	w.fixed(a[:])
}

// blob writes a byte string with a 4-byte length.
func (w *fieldWriter) blob(v []byte) {
	w.be32(uint32(len(v)))
	w.fixed(v)
}

func (w *fieldWriter) key(name string, k *btcec.PublicKey) {
	if k == nil {
		w.fail(fmt.Errorf("%s missing", name))
		w.fixed(make([]byte, btcec.PubKeyBytesLenCompressed))
		return
	}
	c := secp.CompressPubKey(k)
	w.fixed(c[:])
}

func (w *fieldWriter) fail(err error) {
	if w.err == nil {
		w.err = err
	}
}

// state writes a commitment state and its HTLCs.
func (w *fieldWriter) state(name string, st *commit.State) {
	w.be64(st.Number)
	w.key(name+" per_commitment_point", st.PerCommitmentPoint)
	w.be64(uint64(st.LocalBalance))
	w.be64(uint64(st.RemoteBalance))
	w.be32(uint32(st.FeeRate))
	if len(st.HTLCs) > math.MaxUint16 {
		w.fail(fmt.Errorf("%s: %d htlcs", name, len(st.HTLCs)))
		return
	}
	w.be16(uint16(len(st.HTLCs)))
	for _, h := range st.HTLCs {
		w.be64(h.ID)
		w.u8(byte(h.Offerer))
		w.be64(uint64(h.Amount))
		w.fixed(h.PaymentHash[:])
		w.be32(h.CLTVExpiry)
	}
}

// tx writes a transaction in its witness serialization with a 4-byte
// length.
func (w *fieldWriter) tx(t *btcwire.MsgTx) {
	var b bytes.Buffer
	b.Grow(t.SerializeSize())
	if err := t.Serialize(&b); err != nil {
		w.fail(err)
		return
	}
	w.blob(b.Bytes())
}

// errTruncated: a value ends before its fields do.
var errTruncated = errors.New("truncated value")

// fieldReader reads what fieldWriter wrote. Every length and count is
// checked against the bytes left before anything is allocated; the first
// error sticks and later reads return zero values.
type fieldReader struct {
	rest []byte
	err  error
}

func (r *fieldReader) next(n int) []byte {
	if r.err != nil {
		return nil
	}
	if n > len(r.rest) {
		r.err = errTruncated
		return nil
	}
	v := r.rest[:n:n]
	r.rest = r.rest[n:]
	return v
}

func (r *fieldReader) u8() byte {
	if v := r.next(1); v != nil {
		return v[0]
	}
	return 0
}

func (r *fieldReader) be16() uint16 {
	if v := r.next(2); v != nil {
		return binary.BigEndian.Uint16(v)
	}
	return 0
}

func (r *fieldReader) be32() uint32 {
	if v := r.next(4); v != nil {
		return binary.BigEndian.Uint32(v)
	}
	return 0
}

func (r *fieldReader) be64() uint64 {
	if v := r.next(8); v != nil {
		return binary.BigEndian.Uint64(v)
	}
	return 0
}

func (r *fieldReader) fixed(dst []byte) { copy(dst, r.next(len(dst))) }

// flags reads a flag byte into bs; a bit beyond them is an error (each
// flag has one encoding).
func (r *fieldReader) flags(bs ...*bool) {
	f := r.u8()
	if f>>len(bs) != 0 {
		r.fail(fmt.Errorf("unknown flags %#x", f))
		return
	}
	for i, b := range bs {
		*b = f&(1<<i) != 0
	}
}

func (r *fieldReader) script() []byte {
	n := int(r.be16())
	return bytes.Clone(r.next(n))
}

func (r *fieldReader) optScript() []byte {
	switch r.u8() {
	case 0:
		return nil
	case 1:
		if s := r.script(); s != nil {
			return s
		}
		return []byte{}
	}
	r.fail(errors.New("bad script presence byte"))
	return nil
}

// attribution reads what fieldWriter.attribution wrote.
func (r *fieldReader) attribution() *wire.AttributionData {
	switch r.u8() {
	case 0:
		return nil
	case 1:
		if len(r.rest) < wire.AttributionDataSize {
			r.fail(fmt.Errorf("attribution data of %d bytes", len(r.rest)))
			return nil
		}
		a := new(wire.AttributionData)
		r.fixed(a[:])
		return a
	}
	r.fail(errors.New("bad attribution data presence byte"))
	return nil
}

// blob returns a 4-byte-length byte string, aliasing the input.
func (r *fieldReader) blob() []byte {
	n := r.be32()
	if uint64(n) > uint64(len(r.rest)) {
		r.fail(fmt.Errorf("byte string of %d bytes, %d left", n, len(r.rest)))
		return nil
	}
	return r.next(int(n))
}

// count reads a list length of 4 bytes and checks that n items of at least
// minLen bytes each fit in what is left.
func (r *fieldReader) count(minLen int) int {
	n := r.be32()
	if uint64(n)*uint64(minLen) > uint64(len(r.rest)) {
		r.fail(fmt.Errorf("list of %d items, %d bytes left", n, len(r.rest)))
		return 0
	}
	return int(n)
}

func (r *fieldReader) key() *btcec.PublicKey {
	v := r.next(btcec.PubKeyBytesLenCompressed)
	if v == nil {
		return nil
	}
	k, err := btcec.ParsePubKey(v)
	if err != nil {
		r.fail(err)
		return nil
	}
	return k
}

func (r *fieldReader) fail(err error) {
	if r.err == nil {
		r.err = err
	}
}

func (r *fieldReader) state() commit.State {
	st := commit.State{Number: r.be64(), PerCommitmentPoint: r.key()}
	st.LocalBalance = wire.MilliSatoshi(r.be64())
	st.RemoteBalance = wire.MilliSatoshi(r.be64())
	st.FeeRate = wire.FeeRate(r.be32())
	n := int(r.be16())
	if n*recordHTLCLen > len(r.rest) {
		r.fail(fmt.Errorf("%d htlcs, %d bytes left", n, len(r.rest)))
		return st
	}
	if n > 0 {
		st.HTLCs = make([]commit.HTLC, n)
	}
	for i := range st.HTLCs {
		h := &st.HTLCs[i]
		h.ID = r.be64()
		h.Offerer = commit.Side(r.u8())
		h.Amount = wire.MilliSatoshi(r.be64())
		r.fixed(h.PaymentHash[:])
		h.CLTVExpiry = r.be32()
	}
	return st
}

// tx reads a transaction written by fieldWriter.tx; it must use all its
// bytes.
func (r *fieldReader) tx() *btcwire.MsgTx {
	raw := r.blob()
	if r.err != nil {
		return nil
	}
	if err := scanTx(raw); err != nil {
		r.fail(fmt.Errorf("transaction: %w", err))
		return nil
	}
	t := new(btcwire.MsgTx)
	rd := bytes.NewReader(raw)
	if err := t.Deserialize(rd); err != nil {
		r.fail(fmt.Errorf("transaction: %w", err))
		return nil
	}
	if rd.Len() != 0 {
		r.fail(fmt.Errorf("transaction: %d trailing bytes", rd.Len()))
		return nil
	}
	return t
}

// done reports the first error, or bytes left over.
func (r *fieldReader) done() error {
	if r.err == nil && len(r.rest) != 0 {
		r.err = fmt.Errorf("%d trailing bytes", len(r.rest))
	}
	return r.err
}
