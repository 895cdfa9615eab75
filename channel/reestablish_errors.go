package channel

import (
	"errors"
	"fmt"

	"github.com/lnkit/lnkit/wire"
)

// ErrPeerProvedBehind is matched (errors.Is) by every [*ProvedBehindError]:
// in channel_reestablish the peer proved that our channel state is older
// than theirs (option_data_loss_protect).
var ErrPeerProvedBehind = errors.New("channel: peer proved our channel state is behind")

// ErrPeerBehind is matched (errors.Is) by every [*PeerBehindError]: the
// peer's channel_reestablish shows that its channel state is older than
// ours.
var ErrPeerBehind = errors.New("channel: peer's channel state is behind")

// ErrPeerAhead is matched (errors.Is) by every [*PeerAheadError]: the
// peer's channel_reestablish claims a state ahead of ours that it cannot
// prove.
var ErrPeerAhead = errors.New("channel: peer claims a channel state ahead of ours")

// ProvedBehindError reports that the peer's channel_reestablish proves we
// lost state: its next_revocation_number says it holds the revocation of a
// commitment we still consider current (or never had), and its
// your_last_per_commitment_secret is indeed our secret of that commitment.
//
// Our latest commitment is revoked: broadcasting it would hand the peer
// every satoshi of the channel. The manager stops the channel, MUST NOT
// broadcast our commitment, sends [ProvedBehindError.PeerMessage] in an
// error message so the peer fails the channel and broadcasts its own, and
// waits for that commitment on chain (BOLT 2, "Message Retransmission").
type ProvedBehindError struct {
	// NextRevocationNumber is the peer's next_revocation_number: it holds
	// our revocations of every commitment below it.
	NextRevocationNumber uint64
	// NextHolderCommitment is the number of the next commitment_signed we
	// expected: we thought our commitment NextHolderCommitment-1 current.
	NextHolderCommitment uint64
	// NextCommitmentNumber is the peer's next_commitment_number.
	NextCommitmentNumber uint64
	// TheirCurrentPerCommitmentPoint is the peer's
	// my_current_per_commitment_point, as received (not validated): what
	// an older channel type needs to claim our output of the peer's
	// commitment.
	TheirCurrentPerCommitmentPoint wire.Point
}

// Error implements error.
func (e *ProvedBehindError) Error() string { return "channel: " + e.PeerMessage() }

// PeerMessage is the text for the data of the error message sent to the
// peer, asking it to fail the channel.
func (e *ProvedBehindError) PeerMessage() string {
	return fmt.Sprintf("channel_reestablish: peer proved our state is behind: it holds the revocation of our commitment %d, our latest is %d; please fail the channel",
		e.NextRevocationNumber-1, e.NextHolderCommitment-1)
}

// Is reports whether target is ErrPeerProvedBehind.
func (e *ProvedBehindError) Is(target error) bool { return target == ErrPeerProvedBehind }

// PeerBehindError reports that the peer's channel_reestablish is
// consistent with our state but older: it lacks a commitment_signed it
// acknowledged (next_commitment_number too low) or revocations it received
// (next_revocation_number too low). The peer lost state, perhaps restored
// a backup, and may still recover a newer one.
//
// BOLT 2 lets us fail the channel, but its rationale (and bolts#934) asks
// the up-to-date node to wait: the manager sends [PeerBehindError.PeerMessage]
// as a warning, neither fails the channel nor broadcasts, and keeps the
// channel stopped until the peer's next channel_reestablish or its error,
// on which it fails the channel with our latest commitment (which is
// valid: the peer holds no revocation of it). HTLC deadlines still apply.
type PeerBehindError struct {
	// NextCommitmentNumber and NextRevocationNumber are the peer's.
	NextCommitmentNumber, NextRevocationNumber uint64
	// MinNextCommitmentNumber and MinNextRevocationNumber are the lowest
	// values our state accepts.
	MinNextCommitmentNumber, MinNextRevocationNumber uint64
}

// Error implements error.
func (e *PeerBehindError) Error() string { return "channel: " + e.PeerMessage() }

// PeerMessage is the text for the data of the warning sent to the peer.
func (e *PeerBehindError) PeerMessage() string {
	return fmt.Sprintf("channel_reestablish: your state is behind: next_commitment_number %d (at least %d), next_revocation_number %d (at least %d)",
		e.NextCommitmentNumber, e.MinNextCommitmentNumber, e.NextRevocationNumber, e.MinNextRevocationNumber)
}

// Is reports whether target is ErrPeerBehind.
func (e *PeerBehindError) Is(target error) bool { return target == ErrPeerBehind }

// PeerAheadError reports that the peer's next_commitment_number is above
// the number of the next commitment_signed we would send: it claims a
// commitment_signed from us that we do not remember sending. Either we lost
// state that option_data_loss_protect cannot prove (the last
// commitment_signed we sent), or the peer is wrong.
//
// BOLT 2 lets us fail the channel; like the behind node of its rationale we
// may be the one to have lost state, so the manager neither broadcasts nor
// sends an error: it stops the channel, sends [PeerAheadError.PeerMessage]
// as a warning and tells the application, whose operator can restore newer
// state or force-close. Its next_revocation_number was consistent with
// ours, so our latest commitment is not revoked as far as the peer says.
type PeerAheadError struct {
	// NextCommitmentNumber is the peer's next_commitment_number.
	NextCommitmentNumber uint64
	// MaxNextCommitmentNumber is the number of the next commitment_signed
	// we would send: the highest next_commitment_number we accept.
	MaxNextCommitmentNumber uint64
}

// Error implements error.
func (e *PeerAheadError) Error() string { return "channel: " + e.PeerMessage() }

// PeerMessage is the text for the data of the warning sent to the peer.
func (e *PeerAheadError) PeerMessage() string {
	return fmt.Sprintf("channel_reestablish: next_commitment_number %d is ahead of ours (at most %d): the channel is stopped",
		e.NextCommitmentNumber, e.MaxNextCommitmentNumber)
}

// Is reports whether target is ErrPeerAhead.
func (e *PeerAheadError) Is(target error) bool { return target == ErrPeerAhead }
