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

// Message types of BOLT 1, BOLT 2 and BOLT 7.
const (
	MsgWarning                 MessageType = 1
	MsgInit                    MessageType = 16
	MsgError                   MessageType = 17
	MsgPing                    MessageType = 18
	MsgPong                    MessageType = 19
	MsgOpenChannel             MessageType = 32
	MsgAcceptChannel           MessageType = 33
	MsgFundingCreated          MessageType = 34
	MsgFundingSigned           MessageType = 35
	MsgChannelReady            MessageType = 36
	MsgShutdown                MessageType = 38
	MsgClosingSigned           MessageType = 39
	MsgUpdateAddHTLC           MessageType = 128
	MsgUpdateFulfillHTLC       MessageType = 130
	MsgUpdateFailHTLC          MessageType = 131
	MsgCommitmentSigned        MessageType = 132
	MsgRevokeAndAck            MessageType = 133
	MsgUpdateFee               MessageType = 134
	MsgUpdateFailMalformedHTLC MessageType = 135
	MsgChannelReestablish      MessageType = 136
	MsgChannelAnnouncement     MessageType = 256
	MsgNodeAnnouncement        MessageType = 257
	MsgChannelUpdate           MessageType = 258
	MsgAnnouncementSignatures  MessageType = 259
	MsgQueryShortChanIDs       MessageType = 261
	MsgReplyShortChanIDsEnd    MessageType = 262
	MsgQueryChannelRange       MessageType = 263
	MsgReplyChannelRange       MessageType = 264
	MsgGossipTimestampFilter   MessageType = 265
	MinCustomMessageType       MessageType = 32768
)

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
		return b[:start], fmt.Errorf("wire: %s is %d bytes: %w", typeName(m.Type()), len(b)-start, ErrMessageTooLarge)
	}
	return b, nil
}

// Decode decodes one full message (type and payload). Custom types (32768
// and up) come back as *Custom, unknown odd types as *Unknown, and unknown
// even types as an *UnknownMessageError.
func Decode(b []byte) (Message, error) {
	if len(b) < 2 {
		return nil, &DecodeError{Field: "type", Err: ErrTruncated}
	}
	if len(b) > MaxMessageSize {
		return nil, &DecodeError{Field: "length", Err: ErrMessageTooLarge}
	}
	t := MessageType(binary.BigEndian.Uint16(b))
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
	if m := newSetupMessage(t); m != nil {
		return m
	}
	if m := newChannelMessage(t); m != nil {
		return m
	}
	return newGossipMessage(t)
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

// typeName returns a readable name for a message type for errors and logs.
func typeName(t MessageType) string {
	switch t {
	case MsgWarning:
		return "warning"
	case MsgStfu:
		return "stfu"
	case MsgPeerStorage:
		return "peer_storage"
	case MsgPeerStorageRetrieval:
		return "peer_storage_retrieval"
	case MsgInit:
		return "init"
	case MsgError:
		return "error"
	case MsgPing:
		return "ping"
	case MsgPong:
		return "pong"
	case MsgOpenChannel:
		return "open_channel"
	case MsgAcceptChannel:
		return "accept_channel"
	case MsgFundingCreated:
		return "funding_created"
	case MsgFundingSigned:
		return "funding_signed"
	case MsgChannelReady:
		return "channel_ready"
	case MsgShutdown:
		return "shutdown"
	case MsgClosingSigned:
		return "closing_signed"
	case MsgClosingComplete:
		return "closing_complete"
	case MsgClosingSig:
		return "closing_sig"
	case MsgOpenChannel2:
		return "open_channel2"
	case MsgAcceptChannel2:
		return "accept_channel2"
	case MsgTxAddInput:
		return "tx_add_input"
	case MsgTxAddOutput:
		return "tx_add_output"
	case MsgTxRemoveInput:
		return "tx_remove_input"
	case MsgTxRemoveOutput:
		return "tx_remove_output"
	case MsgTxComplete:
		return "tx_complete"
	case MsgTxSignatures:
		return "tx_signatures"
	case MsgTxInitRBF:
		return "tx_init_rbf"
	case MsgTxAckRBF:
		return "tx_ack_rbf"
	case MsgTxAbort:
		return "tx_abort"
	case MsgSpliceLocked:
		return "splice_locked"
	case MsgSpliceInit:
		return "splice_init"
	case MsgSpliceAck:
		return "splice_ack"
	case MsgStartBatch:
		return "start_batch"
	case MsgUpdateAddHTLC:
		return "update_add_htlc"
	case MsgUpdateFulfillHTLC:
		return "update_fulfill_htlc"
	case MsgUpdateFailHTLC:
		return "update_fail_htlc"
	case MsgCommitmentSigned:
		return "commitment_signed"
	case MsgRevokeAndAck:
		return "revoke_and_ack"
	case MsgUpdateFee:
		return "update_fee"
	case MsgUpdateFailMalformedHTLC:
		return "update_fail_malformed_htlc"
	case MsgChannelReestablish:
		return "channel_reestablish"
	case MsgChannelAnnouncement:
		return "channel_announcement"
	case MsgNodeAnnouncement:
		return "node_announcement"
	case MsgChannelUpdate:
		return "channel_update"
	case MsgAnnouncementSignatures:
		return "announcement_signatures"
	case MsgQueryShortChanIDs:
		return "query_short_channel_ids"
	case MsgReplyShortChanIDsEnd:
		return "reply_short_channel_ids_end"
	case MsgQueryChannelRange:
		return "query_channel_range"
	case MsgReplyChannelRange:
		return "reply_channel_range"
	case MsgGossipTimestampFilter:
		return "gossip_timestamp_filter"
	}
	return fmt.Sprintf("message %d", uint16(t))
}

// String returns the BOLT name of the type, e.g. "update_add_htlc".
func (t MessageType) String() string { return typeName(t) }
