package wire

import (
	"errors"
	"fmt"
	"sort"
)

// Sentinel errors of TLV values. Test with errors.Is.
var (
	// ErrTLVLength means a known TLV record's length does not match its
	// encoding (BOLT 1: "if length is not exactly equal to that required for
	// the known encoding for type: MUST fail to parse the tlv_stream").
	ErrTLVLength = errors.New("wire: tlv record has the wrong length")
	// ErrNotMinimal means a truncated integer (tu16, tu32, tu64) had a
	// leading zero byte.
	ErrNotMinimal = errors.New("wire: truncated integer not minimally encoded")
)

// TLVRecord is one raw record of a TLV stream (BOLT 1): a type and the value
// bytes, without the length (which is len(Value)).
type TLVRecord struct {
	// Type is the record's type.
	Type uint64
	// Value is the record's value.
	Value []byte
}

// TLVRecords is a list of raw records in strictly increasing type order. The
// messages use it to keep the unknown odd records of their extension so that
// they are written back unchanged; onion payloads and invoices may use it for
// the same purpose.
type TLVRecords []TLVRecord

// Get returns the value of the record of type typ, if present.
func (rs TLVRecords) Get(typ uint64) ([]byte, bool) {
	i := sort.Search(len(rs), func(i int) bool { return rs[i].Type >= typ })
	if i < len(rs) && rs[i].Type == typ {
		return rs[i].Value, true
	}
	return nil, false
}

// Set inserts a record of type typ, or replaces the value of the existing
// one, keeping the list sorted. It does not copy value.
func (rs *TLVRecords) Set(typ uint64, value []byte) {
	s := *rs
	i := sort.Search(len(s), func(i int) bool { return s[i].Type >= typ })
	if i < len(s) && s[i].Type == typ {
		s[i].Value = value
		return
	}
	s = append(s, TLVRecord{})
	copy(s[i+1:], s[i:])
	s[i] = TLVRecord{Type: typ, Value: value}
	*rs = s
}

// Validate checks that the types are strictly increasing, as a stream must be.
func (rs TLVRecords) Validate() error {
	for i := 1; i < len(rs); i++ {
		if rs[i].Type <= rs[i-1].Type {
			return fmt.Errorf("wire: tlv type %d after type %d: %w", rs[i].Type, rs[i-1].Type, ErrTLVOrder)
		}
	}
	return nil
}

// AppendTLVRecord appends one record (BigSize type, BigSize length, value)
// to b.
func AppendTLVRecord(b []byte, typ uint64, value []byte) []byte {
	b = AppendBigSize(b, typ)
	b = AppendBigSize(b, uint64(len(value)))
	return append(b, value...)
}

// AppendTLVStream appends the records as a stream. It fails with ErrTLVOrder,
// appending nothing, when their types are not strictly increasing.
func AppendTLVStream(b []byte, records TLVRecords) ([]byte, error) {
	if err := records.Validate(); err != nil {
		return b, err
	}
	for _, r := range records {
		b = AppendTLVRecord(b, r.Type, r.Value)
	}
	return b, nil
}

// clone returns a deep copy whose values share one new buffer, so a decoded
// message does not alias its input. It returns nil for an empty list, and
// empty values come back nil.
func (rs TLVRecords) clone() TLVRecords {
	if len(rs) == 0 {
		return nil
	}
	n := 0
	for _, r := range rs {
		n += len(r.Value)
	}
	buf := make([]byte, 0, n)
	out := make(TLVRecords, len(rs))
	for i, r := range rs {
		if len(r.Value) == 0 {
			out[i] = TLVRecord{Type: r.Type}
			continue
		}
		start := len(buf)
		buf = append(buf, r.Value...)
		out[i] = TLVRecord{Type: r.Type, Value: buf[start:len(buf):len(buf)]}
	}
	return out
}
