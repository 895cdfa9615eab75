package channel

import (
	"errors"
	"fmt"

	"github.com/lnkit/lnkit/wire"
)

// ErrPeerProvedBehind is matched (errors.Is) by every [*BehindError]: in
// channel_reestablish the peer proved that our channel state is older than
// theirs (option_data_loss_protect).
var ErrPeerProvedBehind = errors.New("channel: peer proved our channel state is behind")

// BehindError reports that the peer's channel_reestablish proves we lost
// state: its next_revocation_number says it holds the revocation of a
// commitment we still consider current (or never had), and its
// your_last_per_commitment_secret is indeed our secret of that commitment.
//
// Our latest commitment is revoked: broadcasting it would hand the peer
// every satoshi of the channel. The manager stops the channel, MUST NOT
// broadcast our commitment, sends [BehindError.PeerMessage] in an error
// message so the peer fails the channel and broadcasts its own, and waits
// for that commitment on chain (BOLT 2, "Message Retransmission").
type BehindError struct {
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
func (e *BehindError) Error() string {
	return "channel: " + e.PeerMessage()
}

// PeerMessage is the text for the data of the error message sent to the
// peer, asking it to fail the channel.
func (e *BehindError) PeerMessage() string {
	return fmt.Sprintf("channel_reestablish: peer proved our state is behind: it holds the revocation of our commitment %d, our latest is %d; please fail the channel",
		e.NextRevocationNumber-1, e.NextHolderCommitment-1)
}

// Is reports whether target is ErrPeerProvedBehind.
func (e *BehindError) Is(target error) bool { return target == ErrPeerProvedBehind }
