package wire

import (
	"encoding/binary"
	"fmt"
)

// reader decodes fields from a payload. The first error sticks: later reads
// return zero values and the error is reported once, naming the first field
// that failed. Variable-length fields are bounded by the remaining input
// before anything is allocated.
type reader struct {
	b   []byte
	msg MessageType
	err error
}

func newReader(msg MessageType, b []byte) *reader { return &reader{b: b, msg: msg} }

func (r *reader) fail(field string, err error) {
	if r.err == nil {
		r.err = &DecodeError{Type: r.msg, Field: field, Err: err}
	}
}

// take returns the next n bytes (aliasing the input), or nil after failing.
func (r *reader) take(field string, n int) []byte {
	if r.err != nil {
		return nil
	}
	if n < 0 || n > len(r.b) {
		r.fail(field, ErrTruncated)
		return nil
	}
	out := r.b[:n:n]
	r.b = r.b[n:]
	return out
}

func (r *reader) u8(field string) uint8 {
	b := r.take(field, 1)
	if b == nil {
		return 0
	}
	return b[0]
}

func (r *reader) u16(field string) uint16 {
	b := r.take(field, 2)
	if b == nil {
		return 0
	}
	return binary.BigEndian.Uint16(b)
}

func (r *reader) u32(field string) uint32 {
	b := r.take(field, 4)
	if b == nil {
		return 0
	}
	return binary.BigEndian.Uint32(b)
}

func (r *reader) u64(field string) uint64 {
	b := r.take(field, 8)
	if b == nil {
		return 0
	}
	return binary.BigEndian.Uint64(b)
}

func (r *reader) fixed(field string, dst []byte) {
	if b := r.take(field, len(dst)); b != nil {
		copy(dst, b)
	}
}

// point reads a 33-byte compressed point and checks it is on the curve.
func (r *reader) point(field string, dst *Point) {
	r.fixed(field, dst[:])
	if r.err == nil && !dst.IsValid() {
		r.fail(field, ErrInvalidPoint)
	}
}

// nodeID reads a 33-byte node id and checks it is on the curve.
func (r *reader) nodeID(field string, dst *NodeID) { r.point(field, (*Point)(dst)) }

// bytes16 reads a u16 length followed by that many bytes, copied out of the
// input so the message does not alias the caller's buffer.
func (r *reader) bytes16(field string) []byte {
	n := int(r.u16(field + ".len"))
	b := r.take(field, n)
	if b == nil {
		return nil
	}
	return append([]byte(nil), b...)
}

// rest returns all the remaining input (aliasing it) and consumes it.
func (r *reader) rest() []byte {
	if r.err != nil {
		return nil
	}
	b := r.b
	r.b = nil
	return b
}

// done reports the sticky error, if any.
func (r *reader) done() error { return r.err }

// Append helpers for encoders.

func appendU16(b []byte, v uint16) []byte { return binary.BigEndian.AppendUint16(b, v) }
func appendU32(b []byte, v uint32) []byte { return binary.BigEndian.AppendUint32(b, v) }
func appendU64(b []byte, v uint64) []byte { return binary.BigEndian.AppendUint64(b, v) }

// appendBytes16 appends a u16 length and the bytes; it fails when they do
// not fit a u16 length.
func appendBytes16(b []byte, field string, v []byte) ([]byte, error) {
	if len(v) > 0xFFFF {
		return b, fmt.Errorf("wire: %s is %d bytes, more than 65535: %w", field, len(v), ErrMessageTooLarge)
	}
	b = appendU16(b, uint16(len(v)))
	return append(b, v...), nil
}

// features16 reads a u16 length followed by a feature bitfield. Leading zero
// bytes are dropped, so the vector holds its minimal form.
func (r *reader) features16(field string) FeatureVector {
	n := int(r.u16(field + ".len"))
	b := r.take(field, n)
	if b == nil {
		return FeatureVector{}
	}
	return featuresFromWire(b)
}

// tlvs decodes all the remaining input as the message's extension (BOLT 1):
// handle decodes the records the message knows, unknown even types fail and
// unknown odd types are returned (copied) to be kept in the message.
func (r *reader) tlvs(handle TLVHandler) TLVRecords {
	if r.err != nil {
		return nil
	}
	extra, err := decodeTLVs(r.msg, r.b, handle)
	r.b = nil
	if err != nil {
		r.err = err
		return nil
	}
	return extra
}

// featuresFromWire returns the vector of a wire bitfield without its leading
// zero bytes, copied out of b.
func featuresFromWire(b []byte) FeatureVector {
	for len(b) > 0 && b[0] == 0 {
		b = b[1:]
	}
	return FeatureVectorFromBytes(b)
}

// featureWireBytes returns the minimal wire form of f (no leading zero
// bytes) without copying it.
func featureWireBytes(f FeatureVector) []byte {
	b := f.raw
	for len(b) > 0 && b[0] == 0 {
		b = b[1:]
	}
	return b
}

// appendFeatures16 appends a u16 length and the minimal bitfield of f.
func appendFeatures16(b []byte, field string, f FeatureVector) ([]byte, error) {
	return appendBytes16(b, field, featureWireBytes(f))
}

// cloneBytes copies v out of the input; empty values come back nil.
func cloneBytes(v []byte) []byte {
	if len(v) == 0 {
		return nil
	}
	return append([]byte(nil), v...)
}

// beUint64 reads a big-endian u64 from the first 8 bytes of b.
func beUint64(b []byte) uint64 { return binary.BigEndian.Uint64(b) }

// s64 reads a signed (two's complement) 8-byte integer.
func (r *reader) s64(field string) int64 { return int64(r.u64(field)) }
