package monitor

import (
	"bytes"
	"encoding/binary"
	"errors"
	"fmt"

	"github.com/btcsuite/btcd/btcec/v2"
	btcwire "github.com/btcsuite/btcd/wire"

	"github.com/lnkit/lnkit/channel/commit"
	lnwire "github.com/lnkit/lnkit/wire"
)

// maxListLen bounds every decoded list length, so that a corrupt length
// cannot make the decoder allocate without bound.
const maxListLen = 1 << 16

// encoder appends the fixed-layout fields of the monitor's records (the
// values inside their TLV records).
type encoder struct{ b []byte }

func (e *encoder) u8(v uint8)     { e.b = append(e.b, v) }
func (e *encoder) u16(v uint16)   { e.b = binary.BigEndian.AppendUint16(e.b, v) }
func (e *encoder) u32(v uint32)   { e.b = binary.BigEndian.AppendUint32(e.b, v) }
func (e *encoder) u64(v uint64)   { e.b = binary.BigEndian.AppendUint64(e.b, v) }
func (e *encoder) raw(v []byte)   { e.b = append(e.b, v...) }
func (e *encoder) bytes(v []byte) { e.u32(uint32(len(v))); e.raw(v) }
func (e *encoder) point(p *btcec.PublicKey) {
	e.raw(p.SerializeCompressed())
}

// optPoint appends a presence byte (0 or 1) and, when present, the point.
func (e *encoder) optPoint(p *btcec.PublicKey) {
	if p == nil {
		e.u8(0)
		return
	}
	e.u8(1)
	e.point(p)
}

func (e *encoder) outpoint(op btcwire.OutPoint) { e.raw(op.Hash[:]); e.u32(op.Index) }

// state appends a commitment state.
func (e *encoder) state(st *commit.State) {
	e.u64(st.Number)
	e.point(st.PerCommitmentPoint)
	e.u64(uint64(st.LocalBalance))
	e.u64(uint64(st.RemoteBalance))
	e.u32(uint32(st.FeeRate))
	e.u32(uint32(len(st.HTLCs)))
	for _, h := range st.HTLCs {
		e.u64(h.ID)
		e.u8(uint8(h.Offerer))
		e.u64(uint64(h.Amount))
		e.raw(h.PaymentHash[:])
		e.u32(h.CLTVExpiry)
	}
}

// decoder reads what encoder wrote; the first error sticks.
type decoder struct {
	b   []byte
	err error
}

var errShort = errors.New("truncated")

func (d *decoder) take(n int) []byte {
	if d.err != nil {
		return nil
	}
	if n < 0 || len(d.b) < n {
		d.err = errShort
		return nil
	}
	v := d.b[:n]
	d.b = d.b[n:]
	return v
}

func (d *decoder) u8() uint8 {
	if v := d.take(1); v != nil {
		return v[0]
	}
	return 0
}

func (d *decoder) u16() uint16 {
	if v := d.take(2); v != nil {
		return binary.BigEndian.Uint16(v)
	}
	return 0
}

func (d *decoder) u32() uint32 {
	if v := d.take(4); v != nil {
		return binary.BigEndian.Uint32(v)
	}
	return 0
}

func (d *decoder) u64() uint64 {
	if v := d.take(8); v != nil {
		return binary.BigEndian.Uint64(v)
	}
	return 0
}

func (d *decoder) fixed(dst []byte) { copy(dst, d.take(len(dst))) }

func (d *decoder) bytes() []byte {
	n := d.u32()
	if n > 1<<20 {
		d.fail(fmt.Errorf("byte string of %d bytes", n))
		return nil
	}
	return bytes.Clone(d.take(int(n)))
}

func (d *decoder) count() int {
	n := d.u32()
	if n > maxListLen {
		d.fail(fmt.Errorf("list of %d items", n))
		return 0
	}
	return int(n)
}

func (d *decoder) fail(err error) {
	if d.err == nil {
		d.err = err
	}
}

func (d *decoder) point() *btcec.PublicKey {
	v := d.take(33)
	if v == nil {
		return nil
	}
	p, err := btcec.ParsePubKey(v)
	if err != nil {
		d.fail(err)
		return nil
	}
	return p
}

// optPoint reads what encoder.optPoint wrote.
func (d *decoder) optPoint() *btcec.PublicKey {
	switch v := d.u8(); {
	case d.err != nil:
		return nil
	case v == 1:
		return d.point()
	case v != 0:
		d.fail(fmt.Errorf("point presence byte %d", v))
	}
	return nil
}

func (d *decoder) outpoint() (op btcwire.OutPoint) {
	d.fixed(op.Hash[:])
	op.Index = d.u32()
	return op
}

func (d *decoder) state() *commit.State {
	st := &commit.State{Number: d.u64(), PerCommitmentPoint: d.point()}
	st.LocalBalance = lnwire.MilliSatoshi(d.u64())
	st.RemoteBalance = lnwire.MilliSatoshi(d.u64())
	st.FeeRate = lnwire.FeeRate(d.u32())
	n := d.count()
	for i := 0; i < n && d.err == nil; i++ {
		var h commit.HTLC
		h.ID = d.u64()
		h.Offerer = commit.Side(d.u8())
		h.Amount = lnwire.MilliSatoshi(d.u64())
		d.fixed(h.PaymentHash[:])
		h.CLTVExpiry = d.u32()
		st.HTLCs = append(st.HTLCs, h)
	}
	return st
}

// end reports the first error, or trailing bytes.
func (d *decoder) end() error {
	if d.err == nil && len(d.b) != 0 {
		d.err = fmt.Errorf("%d trailing bytes", len(d.b))
	}
	if d.err != nil {
		return fmt.Errorf("%w: %w", ErrCorrupt, d.err)
	}
	return nil
}
