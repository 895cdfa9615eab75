package wire

import (
	"encoding/binary"
	"fmt"
)

// MaxMessageSize is the largest plaintext of one Lightning message: the
// 2-byte type plus its payload (BOLT 1, BOLT 8).
const MaxMessageSize = 65535

// MessageType is the 2-byte type that starts every message.
type MessageType uint16

// IsCustom reports whether t is in the custom range (32768 and up), which
// lnkit hands on to the application as raw bytes.
func (t MessageType) IsCustom() bool { return t >= MinCustomMessageType }

// IsOdd reports whether t is odd ("it's ok to be odd": unknown odd messages
// are ignored, unknown even ones are an error).
func (t MessageType) IsOdd() bool { return t&1 == 1 }

// Message is one Lightning message. Encode and Decode work on the payload:
// everything after the 2-byte type.
type Message interface {
	// Type returns the message type.
	Type() MessageType
	// Encode appends the payload to b and returns the extended slice.
	Encode(b []byte) ([]byte, error)
	// Decode replaces the receiver's contents with the decoded payload. It
	// does not keep references to payload.
	Decode(payload []byte) error
}

// Encode appends the full message (type and payload) to b. It fails with
// ErrMessageTooLarge when the result would exceed MaxMessageSize.
func Encode(b []byte, m Message) ([]byte, error) {
	start := len(b)
	b = binary.BigEndian.AppendUint16(b, uint16(m.Type()))
	b, err := m.Encode(b)
	if err != nil {
		return b[:start], err
	}
	if len(b)-start > MaxMessageSize {
		return b[:start], fmt.Errorf("wire: %s is %d bytes: %w", m.Type(), len(b)-start, ErrMessageTooLarge)
	}
	return b, nil
}

// Decode decodes one full message (type and payload). Custom types (32768
// and up) come back as *Custom, unknown odd types as *Unknown, and unknown
// even types as an *UnknownMessageError. A payload that does not decode
// fails with a *DecodeError whose Type is the message's type.
func Decode(b []byte) (Message, error) {
	if len(b) < 2 {
		return nil, &DecodeError{Field: "type", Err: ErrTruncated}
	}
	t := MessageType(binary.BigEndian.Uint16(b))
	if len(b) > MaxMessageSize {
		return nil, &DecodeError{Type: t, Field: "length", Err: ErrMessageTooLarge}
	}
	m := NewMessage(t)
	if m == nil {
		if t.IsOdd() {
			m = &Unknown{MsgType: t}
		} else {
			return nil, &UnknownMessageError{Type: t}
		}
	}
	if err := m.Decode(b[2:]); err != nil {
		return nil, err
	}
	return m, nil
}

// NewMessage returns an empty message of type t: *Custom for custom types,
// nil for types lnkit does not know.
func NewMessage(t MessageType) Message {
	if t.IsCustom() {
		return &Custom{MsgType: t}
	}
	if info, ok := lookupMessage(t); ok {
		return info.new()
	}
	return nil
}

// Custom is a message of the custom range (32768 and up), handed to the
// application undecoded.
type Custom struct {
	// MsgType is the message's type.
	MsgType MessageType
	// Payload is everything after the type.
	Payload []byte
}

// Type implements Message.
func (m *Custom) Type() MessageType { return m.MsgType }

// Encode implements Message.
func (m *Custom) Encode(b []byte) ([]byte, error) { return append(b, m.Payload...), nil }

// Decode implements Message.
func (m *Custom) Decode(payload []byte) error {
	m.Payload = append(m.Payload[:0], payload...)
	return nil
}

// Unknown is a message of an unknown odd type, which the receiver ignores.
type Unknown struct {
	// MsgType is the message's type.
	MsgType MessageType
	// Payload is everything after the type.
	Payload []byte
}

// Type implements Message.
func (m *Unknown) Type() MessageType { return m.MsgType }

// Encode implements Message.
func (m *Unknown) Encode(b []byte) ([]byte, error) { return append(b, m.Payload...), nil }

// Decode implements Message.
func (m *Unknown) Decode(payload []byte) error {
	m.Payload = append(m.Payload[:0], payload...)
	return nil
}
