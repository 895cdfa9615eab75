package outbound

import (
	"encoding/binary"
	"fmt"

	"github.com/lnkit/lnkit/wire"
)

// fieldReader reads the fixed-layout big-endian values inside a record's
// TLV values. The first error sticks; reads after it return zeros.
type fieldReader struct {
	rest []byte
	err  error
}

// take returns the next n bytes, or nil after recording a truncation.
func (r *fieldReader) take(n int) []byte {
	if r.err != nil {
		return nil
	}
	if n > len(r.rest) {
		r.err = fmt.Errorf("%d bytes wanted, %d left: %w", n, len(r.rest), wire.ErrTruncated)
		return nil
	}
	b := r.rest[:n:n]
	r.rest = r.rest[n:]
	return b
}

func (r *fieldReader) u8() byte {
	if b := r.take(1); b != nil {
		return b[0]
	}
	return 0
}

func (r *fieldReader) be16() uint16 {
	if b := r.take(2); b != nil {
		return binary.BigEndian.Uint16(b)
	}
	return 0
}

func (r *fieldReader) be32() uint32 {
	if b := r.take(4); b != nil {
		return binary.BigEndian.Uint32(b)
	}
	return 0
}

func (r *fieldReader) be64() uint64 {
	if b := r.take(8); b != nil {
		return binary.BigEndian.Uint64(b)
	}
	return 0
}

func (r *fieldReader) msat() wire.MilliSatoshi { return wire.MilliSatoshi(r.be64()) }

// fixed fills dst.
func (r *fieldReader) fixed(dst []byte) {
	if b := r.take(len(dst)); b != nil {
		copy(dst, b)
	}
}

// done fails when bytes are left over, and returns the first error.
func (r *fieldReader) done() error {
	if r.err == nil && len(r.rest) > 0 {
		r.err = fmt.Errorf("%d trailing bytes", len(r.rest))
	}
	return r.err
}
