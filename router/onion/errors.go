package onion

import (
	"errors"
	"fmt"
)

// Sentinel errors. Test with errors.Is; the struct errors below wrap them.
var (
	// ErrPacketSize means a serialized packet was not PacketSize bytes.
	ErrPacketSize = errors.New("onion: wrong packet size")
	// ErrInvalidVersion means the packet version is not 0.
	ErrInvalidVersion = errors.New("onion: unknown packet version")
	// ErrInvalidKey means the packet's ephemeral key is not a valid point.
	ErrInvalidKey = errors.New("onion: invalid ephemeral key")
	// ErrInvalidHMAC means the packet HMAC does not match.
	ErrInvalidHMAC = errors.New("onion: packet hmac mismatch")
	// ErrReplayed means the packet's shared secret was seen before.
	ErrReplayed = errors.New("onion: replayed packet")
	// ErrECDH means the ECDH implementation failed.
	ErrECDH = errors.New("onion: ecdh failed")
	// ErrInvalidPayload means the hop payload framing or its TLV stream is
	// invalid, or a field the BOLT requires is missing or forbidden.
	ErrInvalidPayload = errors.New("onion: invalid hop payload")

	// ErrEmptyRoute means a packet was requested for no hops.
	ErrEmptyRoute = errors.New("onion: empty route")
	// ErrRouteTooLarge means the hop payloads do not fit in 1300 bytes.
	ErrRouteTooLarge = errors.New("onion: hop payloads exceed 1300 bytes")
	// ErrPayloadTooShort means a hop payload is shorter than 2 bytes.
	ErrPayloadTooShort = errors.New("onion: hop payload shorter than 2 bytes")
	// ErrInvalidSessionKey means the session key is missing or zero.
	ErrInvalidSessionKey = errors.New("onion: invalid session key")
	// ErrInvalidHopKey means a hop's public key is missing or unusable.
	ErrInvalidHopKey = errors.New("onion: invalid hop public key")

	// ErrFailureTooLarge means a failure message or packet exceeds the
	// 65535 bytes a u16 length allows.
	ErrFailureTooLarge = errors.New("onion: failure message too large")
	// ErrInvalidFailure means a failure packet or message is malformed.
	ErrInvalidFailure = errors.New("onion: malformed failure")
	// ErrUnknownFailureSource means no hop's HMAC matched a returned
	// failure packet.
	ErrUnknownFailureSource = errors.New("onion: failure source not found")
)

// ProcessError is the error of Processor.Process. Code is the failure to
// send back for the HTLC: when Code.IsBadOnion(), the HTLC is failed with
// update_fail_malformed_htlc carrying OnionHash and Code; otherwise with a
// failure message (FailureMessage) encrypted by NewFailure.
type ProcessError struct {
	// Code is the BOLT 4 failure code to return.
	Code FailureCode
	// OnionHash is the SHA-256 of the received packet, for BADONION codes.
	OnionHash [32]byte
	// PayloadType and PayloadOffset locate the offending TLV record of an
	// invalid_onion_payload failure (the type, and the record's byte
	// offset in the decrypted payload).
	PayloadType   uint64
	PayloadOffset uint16
	// Err is the cause; it wraps one of the sentinels.
	Err error
}

// Error implements error.
func (e *ProcessError) Error() string {
	return fmt.Sprintf("%v (failure %v)", e.Err, e.Code)
}

// Unwrap returns the cause.
func (e *ProcessError) Unwrap() error { return e.Err }

// FailureMessage returns the typed failure message for Code, with its data
// (the onion hash, or the payload type and offset).
func (e *ProcessError) FailureMessage() FailureMessage {
	switch e.Code {
	case CodeInvalidOnionVersion:
		return &InvalidOnionVersion{OnionHash: e.OnionHash}
	case CodeInvalidOnionHMAC:
		return &InvalidOnionHMAC{OnionHash: e.OnionHash}
	case CodeInvalidOnionKey:
		return &InvalidOnionKey{OnionHash: e.OnionHash}
	case CodeInvalidOnionBlinding:
		return &InvalidOnionBlinding{OnionHash: e.OnionHash}
	case CodeInvalidOnionPayload:
		return &InvalidOnionPayload{Type: e.PayloadType, Offset: e.PayloadOffset}
	case CodeTemporaryNodeFailure:
		return &TemporaryNodeFailure{}
	case CodePermanentNodeFailure:
		return &PermanentNodeFailure{}
	}
	return &UnknownFailure{FailureCode: e.Code}
}

// PayloadError is a hop payload that failed to decode or validate: the TLV
// type at fault and the byte offset of its record in the payload.
type PayloadError struct {
	// Type is the offending TLV type (0 when the stream itself is broken
	// before any type could be read).
	Type uint64
	// Offset is the byte offset of the offending record in the payload.
	Offset int
	// Err is the cause; it wraps ErrInvalidPayload or a wire sentinel.
	Err error
}

// Error implements error.
func (e *PayloadError) Error() string {
	return fmt.Sprintf("onion: hop payload type %d at offset %d: %v", e.Type, e.Offset, e.Err)
}

// Unwrap returns the cause.
func (e *PayloadError) Unwrap() error { return e.Err }

// Is makes errors.Is(err, ErrInvalidPayload) true for every PayloadError.
func (e *PayloadError) Is(target error) bool { return target == ErrInvalidPayload }
