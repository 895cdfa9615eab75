package channel

import (
	"fmt"

	"github.com/lnkit/lnkit/wire"
)

// reestablishMessage returns the channel_reestablish we send for the
// channel on reconnection (BOLT 2, "Message Retransmission", the sending
// node):
//
//   - next_commitment_number is the number of the next commitment_signed we
//     expect, nextHolderCommitment;
//   - next_revocation_number is the number of the next revoke_and_ack we
//     expect, nextRevocation;
//   - your_last_per_commitment_secret is the last per-commitment secret the
//     peer gave us (of its commitment nextRevocation-1), all zeroes when
//     nextRevocation is 0;
//   - my_current_per_commitment_point is the point of our latest
//     commitment, nextHolderCommitment-1 (receivers ignore it; it must be a
//     valid point).
//
// Neither TLV is set: we negotiate neither interactive funding nor splicing.
// It fails only on an inconsistent state or a signer error.
func reestablishMessage(st *reestablishState, channelID wire.ChannelID) (*wire.ChannelReestablish, error) {
	if err := st.validate(); err != nil {
		return nil, err
	}
	point, err := st.signer.PerCommitmentPoint(st.nextHolderCommitment - 1)
	if err != nil {
		return nil, fmt.Errorf("channel: channel_reestablish: our per-commitment point %d: %w", st.nextHolderCommitment-1, err)
	}
	msg := &wire.ChannelReestablish{
		ChannelID:                   channelID,
		NextCommitmentNumber:        st.nextHolderCommitment,
		NextRevocationNumber:        st.nextRevocation,
		MyCurrentPerCommitmentPoint: wire.NewPoint(point),
	}
	if st.nextRevocation > 0 {
		msg.YourLastPerCommitmentSecret = st.theirLastSecret
	}
	return msg, nil
}
