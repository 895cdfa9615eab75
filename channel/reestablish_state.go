package channel

import (
	"errors"
	"fmt"
	"log/slog"

	"github.com/btcsuite/btcd/btcec/v2"

	"github.com/lnkit/lnkit/keys"
	"github.com/lnkit/lnkit/wire"
)

// errReestablishState is matched by the errors of an inconsistent
// reestablishState: a bug of the caller, never the peer's doing.
var errReestablishState = errors.New("channel: channel_reestablish: inconsistent channel state")

// reestablishSigner gives our own per-commitment secrets and points by
// commitment number (0 for the first commitment, counting up).
// *keys.InMemorySigner implements it; it fails for numbers above
// keys.MaxCommitmentNumber, which reestablishReceive never asks for.
type reestablishSigner interface {
	PerCommitmentSecret(commitmentNumber uint64) ([32]byte, error)
	PerCommitmentPoint(commitmentNumber uint64) (*btcec.PublicKey, error)
}

// reestablishState is what channel_reestablish needs to know of a funded
// channel, as last persisted. Commitment numbers count up from 0 on each
// side independently; commitment 0 of both sides is signed during funding
// (funding_created / funding_signed), so the first commitment_signed of
// either side is number 1.
//
// Three numbers describe the commitment exchange:
//
//   - nextHolderCommitment (H) is the number of the next commitment_signed
//     we expect: our latest commitment, the one we would broadcast, is
//     H-1. We revoked every commitment below it, so the last revoke_and_ack
//     we sent revoked H-2 (none when H is 1): receiving commitment_signed
//     H-1 and sending that revoke_and_ack are one persisted step.
//   - nextRevocation (R) is the number of the next revoke_and_ack we
//     expect: the peer's oldest unrevoked commitment. We hold the peer's
//     secrets of every commitment below R.
//   - commitmentSignedPending says we sent commitment_signed R+1 and its
//     revoke_and_ack (revoking R) has not arrived: that commitment_signed is
//     the one we may have to retransmit. The peer's commitment is then R+1
//     and the next commitment_signed we would send is R+2; otherwise the
//     peer's commitment is R and the next commitment_signed is R+1. (We
//     cannot sign R+2 before the revoke_and_ack of R brings its point, so at
//     most one commitment_signed is ever unacknowledged.)
//
// The zero value is not valid: a new channel is {nextHolderCommitment: 1,
// signer: ...}. Before any HTLC it stays so: next_commitment_number 1 and
// next_revocation_number 0 on both sides.
type reestablishState struct {
	// nextHolderCommitment is H above: 1 for a channel that has received
	// no commitment_signed.
	nextHolderCommitment uint64
	// nextRevocation is R above: 0 until the peer revoked its commitment 0.
	nextRevocation uint64
	// commitmentSignedPending: commitment_signed R+1 was sent and is not yet
	// acknowledged by a revoke_and_ack.
	commitmentSignedPending bool
	// revokeAndAckLast: our last revoke_and_ack was sent after our last
	// commitment_signed. When both are retransmitted, they go in the order
	// they were first sent (BOLT 2).
	revokeAndAckLast bool
	// channelReadySent: we sent channel_ready (the funding reached our
	// depth). The channel moved past channel_ready once either side
	// received a commitment_signed (next_commitment_number above 1).
	channelReadySent bool
	// shutdownSent: we sent shutdown; it is retransmitted on every
	// reconnection.
	shutdownSent bool
	// closingSignedReceived: we received closing_signed; revoke_and_ack is
	// never retransmitted after that.
	closingSignedReceived bool
	// theirLastSecret is the latest per-commitment secret the peer gave us,
	// revoking its commitment theirLastSecretNumber; it must be R-1 when R
	// is above 0 (unused when R is 0).
	theirLastSecret       wire.PerCommitmentSecret
	theirLastSecretNumber uint64
	// signer gives our per-commitment secrets and points.
	signer reestablishSigner
}

// validate checks that the state is one a channel can be in, and that every
// number derived from it stays within keys.MaxCommitmentNumber.
func (st *reestablishState) validate() error {
	switch {
	case st == nil:
		return fmt.Errorf("%w: no state", errReestablishState)
	case st.signer == nil:
		return fmt.Errorf("%w: no signer", errReestablishState)
	case st.nextHolderCommitment == 0 || st.nextHolderCommitment > keys.MaxCommitmentNumber:
		return fmt.Errorf("%w: next holder commitment %d outside [1, 2^48-1]", errReestablishState, st.nextHolderCommitment)
	case st.nextRevocation > keys.MaxCommitmentNumber-2:
		return fmt.Errorf("%w: next revocation %d above 2^48-3", errReestablishState, st.nextRevocation)
	case st.nextRevocation > 0 && st.theirLastSecretNumber != st.nextRevocation-1:
		return fmt.Errorf("%w: their last secret is of commitment %d, next revocation %d", errReestablishState,
			st.theirLastSecretNumber, st.nextRevocation)
	}
	return nil
}

// nextCommitmentSigned returns the number of the next commitment_signed we
// would send.
func (st *reestablishState) nextCommitmentSigned() uint64 {
	if st.commitmentSignedPending {
		return st.nextRevocation + 2
	}
	return st.nextRevocation + 1
}

// lastRevokeAndAck returns the commitment number of the last
// revoke_and_ack we sent (the commitment it revoked); ok is false if we sent
// none.
func (st *reestablishState) lastRevokeAndAck() (n uint64, ok bool) {
	if st.nextHolderCommitment < 2 {
		return 0, false
	}
	return st.nextHolderCommitment - 2, true
}

// String describes the state without the peer's secret.
func (st reestablishState) String() string {
	return fmt.Sprintf("reestablish{next_holder=%d next_revocation=%d commitment_signed_pending=%t revoke_and_ack_last=%t channel_ready_sent=%t shutdown_sent=%t closing_signed_received=%t their_last_secret=%d(redacted)}",
		st.nextHolderCommitment, st.nextRevocation, st.commitmentSignedPending, st.revokeAndAckLast,
		st.channelReadySent, st.shutdownSent, st.closingSignedReceived, st.theirLastSecretNumber)
}

// Format implements fmt.Formatter so that no verb prints the secret.
func (st reestablishState) Format(f fmt.State, _ rune) { _, _ = f.Write([]byte(st.String())) }

// LogValue implements slog.LogValuer: the numbers and flags, not the secret.
func (st reestablishState) LogValue() slog.Value {
	return slog.GroupValue(
		slog.Uint64("next_holder_commitment", st.nextHolderCommitment),
		slog.Uint64("next_revocation", st.nextRevocation),
		slog.Bool("commitment_signed_pending", st.commitmentSignedPending),
		slog.Bool("revoke_and_ack_last", st.revokeAndAckLast),
		slog.Bool("channel_ready_sent", st.channelReadySent),
		slog.Bool("shutdown_sent", st.shutdownSent),
		slog.Bool("closing_signed_received", st.closingSignedReceived),
		slog.Uint64("their_last_secret_number", st.theirLastSecretNumber),
	)
}
