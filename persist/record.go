package persist

import (
	"errors"
	"fmt"

	"github.com/lnkit/lnkit/wire"
)

// Errors of the record encoding, matched with errors.Is. A malformed record
// matches ErrCorrupt.
var (
	// ErrNewerVersion: the record was written by a newer major version of
	// its format than the reader knows; reading it would lose meaning.
	ErrNewerVersion = errors.New("persist: record written by a newer major version")
	// ErrWrongType: the record is of another type than the reader expects.
	ErrWrongType = errors.New("persist: record of another type")
)

// RecordHeaderLen is the length of a record's header: type, major, minor.
const RecordHeaderLen = 3

// RecordFormat is the versioned encoding of one kind of persisted value.
// A record is
//
//	type (1 byte) | major (1 byte) | minor (1 byte) | body (a TLV stream, BOLT 1)
//
// Type says what the value is (each caller numbers its own; it guards
// against reading one kind of value as another). Major starts at 1 and
// changes when a reader of the old version would misread the new one: a
// field removed or its meaning changed, a new required (even) field. Minor
// changes when fields are only added as odd TLV types, which an older
// reader skips. The body follows BOLT 1's TLV rules: BigSize types and
// lengths, strictly increasing types, an unknown even type is an error, an
// unknown odd type is skipped (and returned, so it can be written back).
//
// A reader refuses a record of a newer major version (ErrNewerVersion) and
// gives an older one to the caller with its header, so a later release can
// read, and migrate, what an earlier one wrote.
type RecordFormat struct {
	// Type is the record type.
	Type byte
	// Major is the major version written, and the newest one read.
	Major byte
	// Minor is the minor version written.
	Minor byte
}

// RecordHeader is the header of a decoded record.
type RecordHeader struct {
	Type, Major, Minor byte
}

// RecordError is a record that could not be decoded. It matches Err
// (ErrCorrupt, ErrNewerVersion or ErrWrongType) and Cause, the decoding
// error beneath, when there is one.
type RecordError struct {
	// Header is the header read, as far as it was.
	Header RecordHeader
	// Want is the format the reader expected.
	Want RecordFormat
	// Err is ErrCorrupt, ErrNewerVersion or ErrWrongType.
	Err error
	// Cause is the error beneath (wire's TLV error), or nil.
	Cause error
}

// Error implements error.
func (e *RecordError) Error() string {
	switch {
	case errors.Is(e.Err, ErrNewerVersion):
		return fmt.Sprintf("persist: record type %d version %d.%d is newer than the %d.x this reader knows", e.Header.Type, e.Header.Major, e.Header.Minor, e.Want.Major)
	case errors.Is(e.Err, ErrWrongType):
		return fmt.Sprintf("persist: record type %d, want type %d", e.Header.Type, e.Want.Type)
	case e.Cause != nil:
		return fmt.Sprintf("persist: record type %d: %v: %v", e.Want.Type, e.Err, e.Cause)
	}
	return fmt.Sprintf("persist: record type %d: %v", e.Want.Type, e.Err)
}

// Unwrap returns Err and Cause.
func (e *RecordError) Unwrap() []error {
	if e.Cause == nil {
		return []error{e.Err}
	}
	return []error{e.Err, e.Cause}
}

// Append appends a record of format f with body records to b. The records
// must be in strictly increasing type order (wire.ErrTLVOrder otherwise,
// appending nothing).
func (f RecordFormat) Append(b []byte, records wire.TLVRecords) ([]byte, error) {
	if err := records.Validate(); err != nil {
		return b, err
	}
	b = append(b, f.Type, f.Major, f.Minor)
	return wire.AppendTLVStream(b, records)
}

// Decode decodes a record of format f: the type must be f.Type and the
// major version at most f.Major. handle is called for every body record in
// order (nil when no type is known; see wire.TLVHandler); an unknown even
// type fails, unknown odd types are skipped and returned. Every failure is
// a *RecordError; handle's errors are its Cause under ErrCorrupt. Values
// passed to handle alias data.
func (f RecordFormat) Decode(data []byte, handle wire.TLVHandler) (RecordHeader, wire.TLVRecords, error) {
	if len(data) < RecordHeaderLen {
		return RecordHeader{}, nil, &RecordError{Want: f, Err: ErrCorrupt, Cause: fmt.Errorf("%d bytes, shorter than the %d-byte header", len(data), RecordHeaderLen)}
	}
	h := RecordHeader{Type: data[0], Major: data[1], Minor: data[2]}
	switch {
	case h.Type != f.Type:
		return h, nil, &RecordError{Header: h, Want: f, Err: ErrWrongType}
	case h.Major == 0:
		return h, nil, &RecordError{Header: h, Want: f, Err: ErrCorrupt, Cause: errors.New("major version 0")}
	case h.Major > f.Major:
		return h, nil, &RecordError{Header: h, Want: f, Err: ErrNewerVersion}
	}
	unknown, err := wire.DecodeTLVStream(data[RecordHeaderLen:], handle)
	if err != nil {
		return h, nil, &RecordError{Header: h, Want: f, Err: ErrCorrupt, Cause: err}
	}
	return h, unknown, nil
}
