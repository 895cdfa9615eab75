package channel

// The rules of commitment_signed and revoke_and_ack (BOLT 2, "Committing
// Updates So Far" and "Completing the Transition to the Updated State"),
// checked by the receiver against its commitment chain. A *RuleError of
// these rules means the peer sent a message no honest peer sends: the
// channel fails.
const (
	// RuleCommitmentSignedSignature: signature does not sign our next
	// commitment with the peer's funding key, or is not low-S.
	RuleCommitmentSignedSignature Rule = "commitment_signed.signature"
	// RuleCommitmentSignedHTLCSignatureCount: num_htlcs differs from the
	// number of HTLC outputs of our next commitment.
	RuleCommitmentSignedHTLCSignatureCount Rule = "commitment_signed.num_htlcs"
	// RuleCommitmentSignedHTLCSignature: an htlc_signature does not sign
	// its HTLC transaction with the peer's HTLC key (SIGHASH_SINGLE|
	// SIGHASH_ANYONECANPAY with anchors, else SIGHASH_ALL), or is not low-S.
	RuleCommitmentSignedHTLCSignature Rule = "commitment_signed.htlc_signature"
	// RuleRevokeAndAckUnexpected: revoke_and_ack arrived while no
	// commitment_signed of ours awaits one.
	RuleRevokeAndAckUnexpected Rule = "revoke_and_ack.unexpected"
	// RuleRevokeAndAckPerCommitmentSecret: per_commitment_secret is not a
	// valid scalar, does not generate the peer's previous
	// per_commitment_point, or does not derive the secrets it revealed
	// before (BOLT 3 shachain).
	RuleRevokeAndAckPerCommitmentSecret Rule = "revoke_and_ack.per_commitment_secret"
	// RuleRevokeAndAckNextPerCommitmentPoint: next_per_commitment_point is
	// not a valid compressed point.
	RuleRevokeAndAckNextPerCommitmentPoint Rule = "revoke_and_ack.next_per_commitment_point"
)
