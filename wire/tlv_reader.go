package wire

import "strconv"

// TLVReader walks the records of an encoded TLV stream without allocating.
// It enforces the rules every stream obeys (BOLT 1): canonical BigSize types
// and lengths, strictly increasing types, and lengths that fit the remaining
// input. It does not judge the types themselves: the caller decides which
// are known and must reject unknown even ones, as DecodeTLVStream does.
//
//	r := wire.NewTLVReader(stream)
//	for r.Next() {
//		rec := r.Record()
//		...
//	}
//	if err := r.Err(); err != nil { ... }
type TLVReader struct {
	msg     MessageType // 0 outside a message
	rest    []byte
	prev    uint64
	started bool
	rec     TLVRecord
	err     error
}

// NewTLVReader returns a reader over stream. Record values alias stream.
func NewTLVReader(stream []byte) TLVReader { return TLVReader{rest: stream} }

// Next advances to the next record. It returns false at the end of the stream
// or on the first error, which Err then reports.
func (r *TLVReader) Next() bool {
	if r.err != nil || len(r.rest) == 0 {
		return false
	}
	typ, n, err := ReadBigSize(r.rest)
	if err != nil {
		r.err = &DecodeError{Type: r.msg, Field: "tlvs.type", Err: err}
		return false
	}
	if r.started && typ <= r.prev {
		r.err = &DecodeError{Type: r.msg, Field: tlvField(typ), Err: ErrTLVOrder}
		return false
	}
	rest := r.rest[n:]
	length, n, err := ReadBigSize(rest)
	if err != nil {
		r.err = &DecodeError{Type: r.msg, Field: tlvField(typ) + ".length", Err: err}
		return false
	}
	rest = rest[n:]
	if length > uint64(len(rest)) {
		r.err = &DecodeError{Type: r.msg, Field: tlvField(typ) + ".value", Err: ErrTruncated}
		return false
	}
	r.rec = TLVRecord{Type: typ, Value: rest[:length:length]}
	r.rest = rest[length:]
	r.prev, r.started = typ, true
	return true
}

// Record returns the record Next advanced to. Its value aliases the stream.
func (r *TLVReader) Record() TLVRecord { return r.rec }

// Err returns the error that stopped Next, or nil at a clean end of stream.
// It is a *DecodeError wrapping ErrTruncated, ErrNonCanonical or ErrTLVOrder.
func (r *TLVReader) Err() error { return r.err }

// TLVHandler decodes the records of the types it knows. It is called once
// per record, in stream order, with a value that aliases the input (copy it
// to keep it). It returns known=false for types it does not know, and an
// error (wrapping ErrTLVLength, ErrNotMinimal, ErrInvalidValue, ...) for a
// known record whose value is invalid.
type TLVHandler func(typ uint64, value []byte) (known bool, err error)

// DecodeTLVStream decodes a whole TLV stream (BOLT 1): handle decodes the
// known records, unknown even types fail with ErrUnknownEvenType, and unknown
// odd types are returned, in order and copied out of stream, so that they can
// be written back unchanged. handle may be nil when no type is known. It
// returns nil records, without allocating, when every record is known.
func DecodeTLVStream(stream []byte, handle TLVHandler) (TLVRecords, error) {
	return decodeTLVs(0, stream, handle)
}

// decodeTLVs is DecodeTLVStream with errors naming the message type msg.
func decodeTLVs(msg MessageType, stream []byte, handle TLVHandler) (TLVRecords, error) {
	if len(stream) == 0 {
		return nil, nil
	}
	r := TLVReader{msg: msg, rest: stream}
	var small [4]TLVRecord
	unknown := TLVRecords(small[:0])
	for r.Next() {
		rec := r.rec
		if handle != nil {
			known, err := handle(rec.Type, rec.Value)
			if err != nil {
				return nil, &DecodeError{Type: msg, Field: tlvField(rec.Type), Err: err}
			}
			if known {
				continue
			}
		}
		if rec.Type&1 == 0 {
			return nil, &DecodeError{Type: msg, Field: tlvField(rec.Type), Err: ErrUnknownEvenType}
		}
		unknown = append(unknown, rec)
	}
	if r.err != nil {
		return nil, r.err
	}
	return unknown.clone(), nil
}

// tlvField names the record of type typ in errors, e.g. "tlvs[3]".
func tlvField(typ uint64) string { return "tlvs[" + strconv.FormatUint(typ, 10) + "]" }

// tlvFixed copies a known record's value into dst, failing with ErrTLVLength
// unless it has exactly len(dst) bytes.
func tlvFixed(dst, value []byte) error {
	if len(value) != len(dst) {
		return ErrTLVLength
	}
	copy(dst, value)
	return nil
}

// tlvPoint decodes a known record holding exactly one valid point.
func tlvPoint(value []byte) (Point, error) {
	var p Point
	if err := tlvFixed(p[:], value); err != nil {
		return p, err
	}
	if !p.IsValid() {
		return p, ErrInvalidPoint
	}
	return p, nil
}
