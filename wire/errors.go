package wire

import (
	"errors"
	"fmt"
	"strings"
)

// Sentinel errors returned (wrapped) by the decoders. Test with errors.Is.
var (
	// ErrTruncated means the input ended before a field was complete.
	ErrTruncated = errors.New("wire: truncated input")
	// ErrMessageTooLarge means an encoded message would exceed MaxMessageSize.
	ErrMessageTooLarge = errors.New("wire: message exceeds 65535 bytes")
	// ErrNonCanonical means a BigSize was not minimally encoded.
	ErrNonCanonical = errors.New("wire: non-canonical bigsize")
	// ErrUnknownEvenType means a TLV stream held an unknown even (required) type.
	ErrUnknownEvenType = errors.New("wire: unknown even tlv type")
	// ErrTLVOrder means TLV records were not in strictly increasing type order.
	ErrTLVOrder = errors.New("wire: tlv records not strictly increasing")
	// ErrInvalidValue means a field held a value outside its allowed range.
	ErrInvalidValue = errors.New("wire: invalid value")
	// ErrInvalidPoint means a 33-byte field was not a valid compressed secp256k1 point.
	ErrInvalidPoint = errors.New("wire: invalid public key")
	// ErrUnknownMessage means an unknown message type was decoded. Unknown
	// even types are an error for the receiver (BOLT 1); Decode returns this
	// wrapped in an *UnknownMessageError only for even types.
	ErrUnknownMessage = errors.New("wire: unknown message type")
)

// DecodeError says which field of which message failed to decode, and why.
// Err is one of the sentinels above (or wraps one), so errors.Is works on it.
type DecodeError struct {
	// Type is the type of the message being decoded, or 0 outside a
	// message (a TLV stream of DecodeTLVStream, input too short to hold a
	// type). A receiver can tell from it which message was malformed
	// without reading the type bytes again.
	Type MessageType
	// Field is the name of the field that failed.
	Field string
	// Err is the cause.
	Err error
}

// Error implements error.
func (e *DecodeError) Error() string {
	if e.Type == 0 {
		return "wire: " + e.Field + ": " + trimPrefix(e.Err)
	}
	return "wire: " + e.Type.String() + "." + e.Field + ": " + trimPrefix(e.Err)
}

// Unwrap returns the cause.
func (e *DecodeError) Unwrap() error { return e.Err }

// UnknownMessageError is returned by Decode for an unknown even message type.
type UnknownMessageError struct {
	// Type is the message type that was not understood.
	Type MessageType
}

// Error implements error.
func (e *UnknownMessageError) Error() string {
	return fmt.Sprintf("wire: unknown even message type %d", uint16(e.Type))
}

// Unwrap makes errors.Is(err, ErrUnknownMessage) true.
func (e *UnknownMessageError) Unwrap() error { return ErrUnknownMessage }

// trimPrefix returns err's text without the "wire: " that every sentinel
// starts with, so that a wrapped error reads "wire: init.features:
// truncated input" rather than naming the package twice.
func trimPrefix(err error) string {
	if err == nil {
		return "<nil>"
	}
	return strings.TrimPrefix(err.Error(), "wire: ")
}
