package events

import (
	"errors"
	"fmt"
	"reflect"

	"github.com/lnkit/lnkit/persist"
	"github.com/lnkit/lnkit/wire"
)

// The record version every event type is written with. Major 1: the first
// encoding; a change an older reader would misread bumps it (for all event
// types at once, which keeps one number to reason about).
const (
	recordMajor = 1
	recordMinor = 0
)

// typeID is the TLV type of every event's ID. Each event type numbers its
// own fields from 2 up, even (a reader must know them), in the order of its
// field table.
const typeID = 0

// ErrInvalidEvent is matched by the error of Encode (and Append) for a
// value that is not an encodable event: nil, or of an unknown kind.
var ErrInvalidEvent = errors.New("events: invalid event")

// Format returns the record format of events of kind k.
func Format(k Kind) persist.RecordFormat {
	return persist.RecordFormat{Type: byte(k), Major: recordMajor, Minor: recordMinor}
}

// idField is the ID every event record carries.
func idField(m *Meta) field {
	return field{
		typ: typeID, name: "id",
		enc: func() ([]byte, bool) { return wire.AppendTU64(nil, m.ID), m.ID != 0 },
		dec: func(v []byte) (err error) { m.ID, err = wire.ReadTU64(v); return err },
	}
}

// Encode returns e's record: Format(e.Kind()) with its ID and fields. The
// encoding is canonical: equal events give equal bytes.
func Encode(e Event) ([]byte, error) {
	if e == nil || isNilEvent(e) {
		return nil, fmt.Errorf("%w: nil", ErrInvalidEvent)
	}
	if newEvent(e.Kind()) == nil {
		return nil, fmt.Errorf("%w: kind %d", ErrInvalidEvent, uint8(e.Kind()))
	}
	if err := e.check(); err != nil {
		return nil, fmt.Errorf("%w: %s: %w", ErrInvalidEvent, e.Kind(), err)
	}
	f := Format(e.Kind())
	b := []byte{f.Type, f.Major, f.Minor}
	return appendFields(b, append([]field{idField(e.meta())}, e.fields()...)), nil
}

// Decode reads an event record written by Encode. Any malformed record
// gives a *persist.RecordError matching persist.ErrCorrupt (or
// persist.ErrNewerVersion for a newer major version): never a panic.
func Decode(data []byte) (Event, error) {
	if len(data) == 0 {
		return nil, &persist.RecordError{Err: persist.ErrCorrupt, Cause: errors.New("events: empty record")}
	}
	e := newEvent(Kind(data[0]))
	if e == nil {
		return nil, &persist.RecordError{
			Header: persist.RecordHeader{Type: data[0]},
			Err:    persist.ErrCorrupt, Cause: fmt.Errorf("events: unknown event kind %d", data[0]),
		}
	}
	fs := append([]field{idField(e.meta())}, e.fields()...)
	h, _, err := Format(e.Kind()).Decode(data, fieldHandler(fs))
	if err != nil {
		return nil, err
	}
	if err := e.check(); err != nil {
		return nil, &persist.RecordError{Header: h, Want: Format(e.Kind()), Err: persist.ErrCorrupt, Cause: err}
	}
	return e, nil
}

// newEvent returns a zero event of kind k, or nil for an unknown kind.
func newEvent(k Kind) Event {
	switch k {
	case KindOpenChannelRequest:
		return new(OpenChannelRequest)
	case KindFundingGenerationReady:
		return new(FundingGenerationReady)
	case KindChannelPending:
		return new(ChannelPending)
	case KindChannelReady:
		return new(ChannelReady)
	case KindChannelClosed:
		return new(ChannelClosed)
	case KindDiscardFunding:
		return new(DiscardFunding)
	case KindSpendableOutputs:
		return new(SpendableOutputs)
	case KindBumpTransaction:
		return new(BumpTransaction)
	case KindPaymentClaimable:
		return new(PaymentClaimable)
	case KindPaymentClaimed:
		return new(PaymentClaimed)
	case KindPaymentSent:
		return new(PaymentSent)
	case KindPaymentFailed:
		return new(PaymentFailed)
	case KindPaymentPathFailed:
		return new(PaymentPathFailed)
	case KindPaymentForwarded:
		return new(PaymentForwarded)
	case KindHTLCIntercepted:
		return new(HTLCIntercepted)
	case KindPaymentPathSuccessful:
		return new(PaymentPathSuccessful)
	case KindProbeSuccessful:
		return new(ProbeSuccessful)
	case KindProbeFailed:
		return new(ProbeFailed)
	}
	return nil
}

// isNilEvent reports whether e is a typed nil pointer.
func isNilEvent(e Event) bool {
	v := reflect.ValueOf(e)
	return v.Kind() == reflect.Pointer && v.IsNil()
}

// appendFields appends the records of the non-zero fields of fs (in
// increasing type order) to b.
func appendFields(b []byte, fs []field) []byte {
	for _, f := range fs {
		if v, ok := f.enc(); ok {
			b = wire.AppendTLVRecord(b, f.typ, v)
		}
	}
	return b
}

// fieldHandler decodes the records of fs; other types are unknown.
func fieldHandler(fs []field) wire.TLVHandler {
	return func(typ uint64, v []byte) (bool, error) {
		for _, f := range fs {
			if f.typ == typ {
				if err := f.dec(v); err != nil {
					return true, fmt.Errorf("%s: %w", f.name, err)
				}
				return true, nil
			}
		}
		return false, nil
	}
}

// readBigSize reads a BigSize from the front of v and returns the rest.
func readBigSize(v []byte) (uint64, []byte, error) {
	x, n, err := wire.ReadBigSize(v)
	if err != nil {
		return 0, nil, err
	}
	return x, v[n:], nil
}
