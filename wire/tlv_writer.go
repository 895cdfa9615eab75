package wire

import "fmt"

// tlvWriter appends a message's extension: the known records, which the
// encoder writes in increasing type order, merged with the message's extra
// (unknown) records so that the stream stays sorted.
type tlvWriter struct {
	b     []byte
	extra TLVRecords
	i     int
}

// header writes the extra records with types below typ, then the type and
// length of a known record. The caller appends exactly length value bytes
// to w.b.
func (w *tlvWriter) header(typ uint64, length int) {
	for w.i < len(w.extra) && w.extra[w.i].Type < typ {
		w.b = AppendTLVRecord(w.b, w.extra[w.i].Type, w.extra[w.i].Value)
		w.i++
	}
	w.b = AppendBigSize(w.b, typ)
	w.b = AppendBigSize(w.b, uint64(length))
}

// finish writes the remaining extra records and returns the buffer.
func (w *tlvWriter) finish() []byte {
	for ; w.i < len(w.extra); w.i++ {
		w.b = AppendTLVRecord(w.b, w.extra[w.i].Type, w.extra[w.i].Value)
	}
	return w.b
}

// validateExtraTLVs checks a message's extra records before encoding: strictly
// increasing types, none of them a type the message encodes from its own
// fields (which would duplicate a record or change meaning on decode).
func validateExtraTLVs(msg string, extra TLVRecords, known ...uint64) error {
	for i, r := range extra {
		if i > 0 && r.Type <= extra[i-1].Type {
			return fmt.Errorf("wire: %s: extra tlv type %d after type %d: %w", msg, r.Type, extra[i-1].Type, ErrTLVOrder)
		}
		for _, k := range known {
			if r.Type == k {
				return fmt.Errorf("wire: %s: extra tlv type %d is a known record: %w", msg, r.Type, ErrInvalidValue)
			}
		}
	}
	return nil
}
