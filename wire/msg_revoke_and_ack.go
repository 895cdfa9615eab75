package wire

import (
	"encoding/hex"
	"log/slog"
)

// PerCommitmentSecret is a BOLT 3 per-commitment secret, as revealed by
// revoke_and_ack and echoed by channel_reestablish. It redacts itself in
// logs.
type PerCommitmentSecret [32]byte

// Hex returns the secret in hex, for the places that must store it. It is
// never used for logging.
func (s PerCommitmentSecret) Hex() string { return hex.EncodeToString(s[:]) }

// String redacts the secret; use Hex where the value itself is needed.
func (s PerCommitmentSecret) String() string { return "per_commitment_secret(redacted)" }

// LogValue redacts the secret in structured logs.
func (s PerCommitmentSecret) LogValue() slog.Value { return slog.StringValue("redacted") }

// RevokeAndAck is the revoke_and_ack message (BOLT 2, type 133): the sender
// revokes its previous commitment and gives its next per-commitment point.
type RevokeAndAck struct {
	// ChannelID is the channel.
	ChannelID ChannelID
	// PerCommitmentSecret is the secret of the revoked commitment. Whether
	// it is a valid scalar matching the previous point is checked by the
	// channel.
	PerCommitmentSecret PerCommitmentSecret
	// NextPerCommitmentPoint is the point of the sender's next commitment.
	NextPerCommitmentPoint Point
	// ExtraTLVs holds the unknown odd records of the extension.
	ExtraTLVs TLVRecords
}

// Type implements Message.
func (m *RevokeAndAck) Type() MessageType { return MsgRevokeAndAck }

// Encode implements Message.
func (m *RevokeAndAck) Encode(b []byte) ([]byte, error) {
	if err := validateExtraTLVs("revoke_and_ack", m.ExtraTLVs); err != nil {
		return b, err
	}
	b = append(b, m.ChannelID[:]...)
	b = append(b, m.PerCommitmentSecret[:]...)
	b = append(b, m.NextPerCommitmentPoint[:]...)
	w := tlvWriter{b: b, extra: m.ExtraTLVs}
	return w.finish(), nil
}

// Decode implements Message. The point must be valid.
func (m *RevokeAndAck) Decode(payload []byte) error {
	r := newReader(MsgRevokeAndAck, payload)
	r.fixed("channel_id", m.ChannelID[:])
	r.fixed("per_commitment_secret", m.PerCommitmentSecret[:])
	r.point("next_per_commitment_point", &m.NextPerCommitmentPoint)
	m.ExtraTLVs = r.tlvs(nil)
	return r.done()
}
