package channel

import (
	"fmt"

	"github.com/lnkit/lnkit/keys"
	"github.com/lnkit/lnkit/wire"
)

// fillReestablishState sets the fields of st that the commitment chain
// knows: nextHolderCommitment, nextRevocation, commitmentSignedPending,
// revokeAndAckLast, theirLastSecret (and its number) and signer. The
// others (channel_ready, shutdown, closing) are the caller's.
func (c *commitmentChain) fillReestablishState(st *reestablishState) error {
	st.nextHolderCommitment = c.holder.Number + 1
	st.nextRevocation = c.theirs.Number
	st.commitmentSignedPending = c.theirPending != nil
	st.revokeAndAckLast = c.revokeAndAckLast
	st.signer = c.cfg.signer
	st.theirLastSecret, st.theirLastSecretNumber = wire.PerCommitmentSecret{}, 0
	if c.theirs.Number == 0 {
		return nil
	}
	n := c.theirs.Number - 1
	idx, err := keys.ShachainIndex(n)
	if err != nil {
		return commitmentChainErr("counterparty commitment %d: %v", n, err)
	}
	secret, err := c.secrets.Lookup(idx)
	if err != nil {
		return commitmentChainErr("their secret of commitment %d: %v", n, err)
	}
	st.theirLastSecret, st.theirLastSecretNumber = secret, n
	return nil
}

// retransmitRevokeAndAck returns our last revoke_and_ack exactly as first
// sent (reestablishResendRevokeAndAck), or errCommitmentChain when we sent
// none.
func (c *commitmentChain) retransmitRevokeAndAck() (*wire.RevokeAndAck, error) {
	h := c.holder.Number + 1
	if h < 2 {
		return nil, commitmentChainErr("no revoke_and_ack sent")
	}
	return c.revokeAndAck(h)
}

// retransmitCommitmentSigned signs again our commitment_signed of the
// counterparty's commitment number (reestablishResendCommitmentSigned):
// only the one that awaits its revoke_and_ack can be asked for. The
// signatures are deterministic (RFC 6979), so the message is the one first
// sent. Its monitor step was made durable when it was first signed.
func (c *commitmentChain) retransmitCommitmentSigned(number uint64) (*wire.CommitmentSigned, error) {
	if c.theirPending == nil || c.theirPending.Number != number {
		return nil, commitmentChainErr("commitment_signed %d is not the one pending", number)
	}
	msg, _, err := c.signTheirs(c.theirPending)
	if err != nil {
		return nil, fmt.Errorf("channel: retransmit commitment_signed %d: %w", number, err)
	}
	return msg, nil
}
