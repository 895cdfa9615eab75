package onion

import (
	"fmt"

	"github.com/lnkit/lnkit/wire"
)

// tlvReader walks a TLV stream (BOLT 1) record by record without
// allocating. It checks that BigSizes are canonical, that every length fits
// in the input and that types strictly increase.
type tlvReader struct {
	b       []byte
	off     int
	prev    uint64
	started bool
}

// next returns the next record: its type, value (aliasing the input) and
// the offset where the record starts. ok is false at the end of the stream.
func (r *tlvReader) next() (typ uint64, val []byte, start int, ok bool, err error) {
	if r.off >= len(r.b) {
		return 0, nil, r.off, false, nil
	}
	start = r.off
	typ, n, err := wire.ReadBigSize(r.b[r.off:])
	if err != nil {
		return 0, nil, start, false, &PayloadError{Type: r.prev, Offset: start, Err: fmt.Errorf("tlv type: %w", err)}
	}
	if r.started && typ <= r.prev {
		return 0, nil, start, false, &PayloadError{Type: typ, Offset: start, Err: wire.ErrTLVOrder}
	}
	off := r.off + n
	length, n, err := wire.ReadBigSize(r.b[off:])
	if err != nil {
		return 0, nil, start, false, &PayloadError{Type: typ, Offset: start, Err: fmt.Errorf("tlv length: %w", err)}
	}
	off += n
	if length > uint64(len(r.b)-off) {
		return 0, nil, start, false, &PayloadError{Type: typ, Offset: start, Err: fmt.Errorf("tlv value of %d bytes: %w", length, wire.ErrTruncated)}
	}
	val = r.b[off : off+int(length) : off+int(length)]
	r.off = off + int(length)
	r.prev = typ
	r.started = true
	return typ, val, start, true, nil
}

// appendRecordHeader appends a TLV type and length.
func appendRecordHeader(b []byte, typ uint64, length int) []byte {
	b = wire.AppendBigSize(b, typ)
	return wire.AppendBigSize(b, uint64(length))
}
