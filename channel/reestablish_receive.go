package channel

import (
	"crypto/subtle"
	"fmt"

	"github.com/lnkit/lnkit/keys"
	"github.com/lnkit/lnkit/wire"
)

// reestablishStep is one message to send after the peer's
// channel_reestablish, in a reestablishAction.
type reestablishStep uint8

// The steps of a reestablishAction.
const (
	// reestablishResendChannelReady: send channel_ready again.
	reestablishResendChannelReady reestablishStep = iota + 1
	// reestablishResendRevokeAndAck: send reestablishAction.revokeAndAck.
	reestablishResendRevokeAndAck
	// reestablishResendCommitmentSigned: send again the updates our last
	// commitment_signed covered, then that commitment_signed, with the same
	// commitment number (reestablishAction.commitmentNumber).
	reestablishResendCommitmentSigned
	// reestablishResendShutdown: send our shutdown again.
	reestablishResendShutdown
	// reestablishSendTxAbort: send tx_abort, the peer waits for signatures
	// of an interactive funding transaction we do not have (next_funding).
	reestablishSendTxAbort
)

// String names the step after the message it sends.
func (s reestablishStep) String() string {
	switch s {
	case reestablishResendChannelReady:
		return "channel_ready"
	case reestablishResendRevokeAndAck:
		return "revoke_and_ack"
	case reestablishResendCommitmentSigned:
		return "commitment_signed"
	case reestablishResendShutdown:
		return "shutdown"
	case reestablishSendTxAbort:
		return "tx_abort"
	}
	return fmt.Sprintf("reestablishStep(%d)", uint8(s))
}

// reestablishAction is what to send once the peer's channel_reestablish is
// accepted: steps in order (none when the peer lacks nothing), and what
// the steps need.
type reestablishAction struct {
	// steps are the messages to send, in this order.
	steps []reestablishStep
	// revokeAndAck is the revoke_and_ack to send again, rebuilt from the
	// signer exactly as first sent; set with reestablishResendRevokeAndAck.
	revokeAndAck *wire.RevokeAndAck
	// commitmentNumber is the number of the commitment_signed to send
	// again (the peer's commitment it signs); set with
	// reestablishResendCommitmentSigned.
	commitmentNumber uint64
}

// reestablishReceive decides what the peer's channel_reestablish asks of us
// (BOLT 2, "Message Retransmission", the receiving node), given the state
// the channel persisted. H is st.nextHolderCommitment, R st.nextRevocation,
// N the number of the next commitment_signed we would send (R+2 while
// commitment_signed R+1 is pending, else R+1); ncn and nrn are the peer's
// next_commitment_number and next_revocation_number. The rows, checked in
// this order (the first that applies decides an error):
//
//	nrn ≥ H (the peer claims our revocation of a commitment we think current):
//	  nrn > 2^48                                 *RuleError next_revocation_number
//	  secret = our secret of nrn-1               *ProvedBehindError (we lost state: never broadcast)
//	  otherwise                                  *RuleError your_last_per_commitment_secret
//	ncn = 0                                      *RuleError next_commitment_number (fail, broadcast)
//	ncn > N (a commitment_signed we never sent)  *PeerAheadError (we may be behind: stop)
//	H ≥ 2, nrn = H-2, closing_signed received    *RuleError next_revocation_number
//	1 ≤ nrn, secret ≠ our secret of nrn-1        *RuleError your_last_per_commitment_secret
//	nrn = 0                                      secret not checked (BOLT 2 SHOULD)
//	ncn ≤ R, or nrn < H-2 (the peer lost state)  *PeerBehindError (warn and wait)
//	commitment_signed R+1 pending, ncn = R+1     retransmit it (with its updates)
//	ncn = N                                      nothing to retransmit
//	H ≥ 2, nrn = H-2                             retransmit revoke_and_ack (secret H-2, point H)
//	nrn = H-1                                    nothing to retransmit
//	channel_ready sent, H = 1 and ncn = 1        retransmit channel_ready (first)
//	shutdown sent                                retransmit shutdown (after the commitment messages)
//	next_funding present                         send tx_abort (last)
//
// When both revoke_and_ack and commitment_signed are retransmitted, they go
// in the order first sent (st.revokeAndAckLast). The proof of data loss is
// checked before anything else: a *RuleError makes the manager broadcast
// our commitment, which after a proven loss is revoked.
//
// my_current_per_commitment_point is ignored (BOLT 2: MUST ignore; it is
// carried in a *ProvedBehindError). my_current_funding_locked is ignored:
// it requires option_splice, which we do not negotiate. Every number of
// the peer is bounded before it reaches the signer, and no input panics.
// An error that is none of *RuleError, *ProvedBehindError, *PeerAheadError
// and *PeerBehindError is ours: an inconsistent st (errReestablishState) or
// a failing signer.
func reestablishReceive(st *reestablishState, msg *wire.ChannelReestablish) (reestablishAction, error) {
	if err := st.validate(); err != nil {
		return reestablishAction{}, err
	}
	h, nrn, ncn := st.nextHolderCommitment, msg.NextRevocationNumber, msg.NextCommitmentNumber
	if nrn >= h {
		return reestablishAction{}, st.checkBehindProof(msg)
	}
	if err := st.checkImpossible(ncn, nrn); err != nil {
		return reestablishAction{}, err
	}
	if err := st.checkLastSecret(nrn, &msg.YourLastPerCommitmentSecret); err != nil {
		return reestablishAction{}, err
	}
	if err := st.checkPeerBehind(ncn, nrn); err != nil {
		return reestablishAction{}, err
	}

	// Now R+1 ≤ ncn ≤ N and H-2 ≤ nrn ≤ H-1.
	lastRevoke, revoked := st.lastRevokeAndAck()
	resendRevoke := revoked && nrn == lastRevoke
	resendCommitment := st.commitmentSignedPending && ncn == st.nextRevocation+1
	var act reestablishAction
	if st.channelReadySent && h == 1 && ncn == 1 {
		act.steps = append(act.steps, reestablishResendChannelReady)
	}
	if resendRevoke {
		raa, err := st.rebuildRevokeAndAck(msg.ChannelID)
		if err != nil {
			return reestablishAction{}, err
		}
		act.revokeAndAck = raa
	}
	if resendCommitment {
		act.commitmentNumber = ncn
	}
	switch {
	case resendRevoke && resendCommitment && st.revokeAndAckLast:
		act.steps = append(act.steps, reestablishResendCommitmentSigned, reestablishResendRevokeAndAck)
	case resendRevoke && resendCommitment:
		act.steps = append(act.steps, reestablishResendRevokeAndAck, reestablishResendCommitmentSigned)
	case resendRevoke:
		act.steps = append(act.steps, reestablishResendRevokeAndAck)
	case resendCommitment:
		act.steps = append(act.steps, reestablishResendCommitmentSigned)
	}
	if st.shutdownSent {
		act.steps = append(act.steps, reestablishResendShutdown)
	}
	if msg.NextFunding.Present {
		act.steps = append(act.steps, reestablishSendTxAbort)
	}
	return act, nil
}

// checkBehindProof handles a next_revocation_number at or above our next
// holder commitment: the peer claims to hold our revocation of nrn-1, which
// we never gave as far as we remember. A correct secret proves it.
func (st *reestablishState) checkBehindProof(msg *wire.ChannelReestablish) error {
	nrn := msg.NextRevocationNumber
	if nrn-1 > keys.MaxCommitmentNumber {
		return ruleErr(RuleReestablishNextRevocationNumber, "%d is above 2^48, beyond any commitment", nrn)
	}
	ours, err := st.signer.PerCommitmentSecret(nrn - 1)
	if err != nil {
		return fmt.Errorf("channel: channel_reestablish: our per-commitment secret %d: %w", nrn-1, err)
	}
	if subtle.ConstantTimeCompare(ours[:], msg.YourLastPerCommitmentSecret[:]) != 1 {
		return ruleErr(RuleReestablishYourLastPerCommitmentSecret,
			"next_revocation_number %d claims our revocation of commitment %d (our latest is %d) and the secret is not ours",
			nrn, nrn-1, st.nextHolderCommitment-1)
	}
	return &ProvedBehindError{
		NextRevocationNumber:           nrn,
		NextHolderCommitment:           st.nextHolderCommitment,
		NextCommitmentNumber:           msg.NextCommitmentNumber,
		TheirCurrentPerCommitmentPoint: msg.MyCurrentPerCommitmentPoint,
	}
}

// checkImpossible rejects, for nrn below our next holder commitment, the
// numbers no peer in sync with us sends: next_commitment_number 0 (BOLT 2:
// fail the channel and broadcast), one above any commitment_signed we sent
// (a *PeerAheadError: we may be the one behind), and a request for our last
// revoke_and_ack after its closing_signed.
func (st *reestablishState) checkImpossible(ncn, nrn uint64) error {
	next := st.nextCommitmentSigned()
	switch last, revoked := st.lastRevokeAndAck(); {
	case ncn == 0:
		return ruleErr(RuleReestablishNextCommitmentNumber, "is 0: the peer does not know the channel")
	case ncn > next:
		return &PeerAheadError{NextCommitmentNumber: ncn, MaxNextCommitmentNumber: next}
	case revoked && nrn == last && st.closingSignedReceived:
		return ruleErr(RuleReestablishNextRevocationNumber,
			"is %d: asks our revoke_and_ack %d again after its closing_signed", nrn, last)
	}
	return nil
}

// checkPeerBehind returns a *PeerBehindError if the peer's numbers are
// below what our state accepts: next_commitment_number below R+1 (it
// forgot a commitment_signed it acknowledged), next_revocation_number below
// H-2 (it forgot revocations we gave).
func (st *reestablishState) checkPeerBehind(ncn, nrn uint64) error {
	minNCN := st.nextRevocation + 1
	minNRN, _ := st.lastRevokeAndAck()
	if ncn >= minNCN && nrn >= minNRN {
		return nil
	}
	return &PeerBehindError{NextCommitmentNumber: ncn, NextRevocationNumber: nrn,
		MinNextCommitmentNumber: minNCN, MinNextRevocationNumber: minNRN}
}

// checkLastSecret checks your_last_per_commitment_secret against our secret
// of commitment nrn-1, for nrn below H. BOLT 2 makes the sender set it to
// zeroes when nrn is 0; that is not checked, since no secret is at stake and
// failing the channel over it would only force-close.
func (st *reestablishState) checkLastSecret(nrn uint64, secret *wire.PerCommitmentSecret) error {
	if nrn == 0 {
		return nil
	}
	ours, err := st.signer.PerCommitmentSecret(nrn - 1)
	if err != nil {
		return fmt.Errorf("channel: channel_reestablish: our per-commitment secret %d: %w", nrn-1, err)
	}
	if subtle.ConstantTimeCompare(ours[:], secret[:]) != 1 {
		return ruleErr(RuleReestablishYourLastPerCommitmentSecret, "is not our secret of commitment %d", nrn-1)
	}
	return nil
}

// rebuildRevokeAndAck returns our last revoke_and_ack as first sent: the
// secret of commitment H-2 and the point of commitment H.
func (st *reestablishState) rebuildRevokeAndAck(id wire.ChannelID) (*wire.RevokeAndAck, error) {
	h := st.nextHolderCommitment
	secret, err := st.signer.PerCommitmentSecret(h - 2)
	if err != nil {
		return nil, fmt.Errorf("channel: channel_reestablish: our per-commitment secret %d: %w", h-2, err)
	}
	point, err := st.signer.PerCommitmentPoint(h)
	if err != nil {
		return nil, fmt.Errorf("channel: channel_reestablish: our per-commitment point %d: %w", h, err)
	}
	return &wire.RevokeAndAck{ChannelID: id, PerCommitmentSecret: secret, NextPerCommitmentPoint: wire.NewPoint(point)}, nil
}
