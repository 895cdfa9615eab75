package channel

// The rules of channel_reestablish (BOLT 2, "Message Retransmission",
// Requirements), checked by the receiver against what the channel knows.
// A *RuleError of these rules means the peer sent numbers no honest peer
// sends: the manager fails the channel and broadcasts our latest commitment
// (BOLT 2: "fail the channel"). When the peer proves we are the one behind,
// the error is a [*ProvedBehindError] instead, and our commitment must never
// be broadcast; when the peer is merely behind, a [*PeerBehindError]; when
// it claims a commitment_signed we never sent, a [*PeerAheadError].
const (
	// RuleReestablishNextCommitmentNumber: next_commitment_number is zero:
	// the peer lost the channel (BOLT 2: fail it and broadcast).
	RuleReestablishNextCommitmentNumber Rule = "channel_reestablish.next_commitment_number"
	// RuleReestablishNextRevocationNumber: next_revocation_number asks for
	// our last revoke_and_ack again after we received closing_signed, or is
	// beyond any commitment number (above 2^48).
	RuleReestablishNextRevocationNumber Rule = "channel_reestablish.next_revocation_number"
	// RuleReestablishYourLastPerCommitmentSecret: your_last_per_commitment_secret
	// is not our per-commitment secret of commitment next_revocation_number
	// - 1, including when next_revocation_number claims the peer holds
	// revocations we do not remember giving and the secret fails to prove it.
	RuleReestablishYourLastPerCommitmentSecret Rule = "channel_reestablish.your_last_per_commitment_secret"
)
