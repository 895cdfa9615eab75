package channel

import (
	"github.com/lnkit/lnkit/channel/commit"
	"github.com/lnkit/lnkit/wire"
)

// The update log's side of the commitment exchange: which updates a
// commitment_signed covers, and how commitment_signed and revoke_and_ack
// move each update through its states (updatelog.go has the states and
// the updates themselves).

// hasUnsigned reports whether their next commitment differs from the
// latest we signed, that is whether commitment_signed has anything to
// cover.
func (l *updateLog) hasUnsigned() bool {
	for i := range l.htlcs {
		switch h := &l.htlcs[i]; h.state {
		case htlcLocalAnnounced, htlcLocalRemoved:
			if !h.signed {
				return true
			}
		case htlcAwaitingRemoteRevokeToAnnounce, htlcAwaitingRemoteRevokeToRemove:
			return true
		}
	}
	for _, f := range l.fees {
		if (f.state == htlcLocalAnnounced && !f.signed) || f.state == htlcAwaitingRemoteRevokeToAnnounce {
			return true
		}
	}
	return false
}

// sendingCommitment records that we sign their next commitment and
// returns it (its PerCommitmentPoint left for the caller).
func (l *updateLog) sendingCommitment() (commit.State, error) {
	if l.awaitingRevoke {
		return commit.State{}, errUpdateLogAwaitingRevoke
	}
	if !l.hasUnsigned() {
		return commit.State{}, errUpdateLogNothingToSign
	}
	st := l.nextState(commit.Remote)
	for i := range l.htlcs {
		switch h := &l.htlcs[i]; h.state {
		case htlcLocalAnnounced, htlcLocalRemoved:
			h.signed = true
		case htlcAwaitingRemoteRevokeToAnnounce:
			h.state = htlcAwaitingAnnouncedRemoteRevoke
		case htlcAwaitingRemoteRevokeToRemove:
			h.state = htlcAwaitingRemovedRemoteRevoke
		}
	}
	for i := range l.fees {
		switch f := &l.fees[i]; f.state {
		case htlcLocalAnnounced:
			f.signed = true
		case htlcAwaitingRemoteRevokeToAnnounce:
			f.state = htlcAwaitingAnnouncedRemoteRevoke
		}
	}
	l.remoteNumber++
	l.awaitingRevoke = true
	return st, nil
}

// receivedCommitment records their commitment_signed for our next
// commitment and returns that commitment, for the caller to check the
// signatures against (a failure there fails the channel, so the log is
// not rolled back).
func (l *updateLog) receivedCommitment() (commit.State, error) {
	if l.owingRevoke {
		return commit.State{}, ruleErr(RuleCommitmentSignedUnexpected, "commitment_signed before our revoke_and_ack of the previous one")
	}
	st := l.nextState(commit.Local)
	for i := range l.htlcs {
		switch h := &l.htlcs[i]; h.state {
		case htlcRemoteAnnounced:
			h.state = htlcAwaitingRemoteRevokeToAnnounce
		case htlcRemoteRemoved:
			h.state = htlcAwaitingRemoteRevokeToRemove
		}
	}
	for i := range l.fees {
		if f := &l.fees[i]; f.state == htlcRemoteAnnounced {
			f.state = htlcAwaitingRemoteRevokeToAnnounce
		}
	}
	l.localNumber++
	l.owingRevoke = true
	return st, nil
}

// sentRevoke records that our revoke_and_ack for the previous commitment
// left.
func (l *updateLog) sentRevoke() error {
	if !l.owingRevoke {
		return errUpdateLogNotOwingRevoke
	}
	l.owingRevoke = false
	return nil
}

// htlcRevokeResult is what their revoke_and_ack made irrevocable.
type htlcRevokeResult struct {
	// lockedIn are the peer's HTLCs now Committed: forward or claim them,
	// or fail them back when failBack is set.
	lockedIn []htlcEntry
	// resolved are our HTLCs now forgotten, with their outcomes.
	resolved []htlcEntry
	// removed are the peer's HTLCs whose removal is now irrevocable
	// (forgotten), with their outcomes.
	removed []htlcEntry
}

// receivedRevoke applies their revoke_and_ack of the commitment before
// the latest we signed.
func (l *updateLog) receivedRevoke() (htlcRevokeResult, error) {
	var res htlcRevokeResult
	if !l.awaitingRevoke {
		return res, ruleErr(RuleRevokeAndAckUnexpected, "revoke_and_ack without a commitment_signed to answer")
	}
	l.awaitingRevoke = false
	kept := l.htlcs[:0]
	for _, h := range l.htlcs {
		switch {
		case h.state == htlcLocalAnnounced && h.signed:
			// The peer has our add for good (it revoked after our
			// commitment_signed covering it): it is never sent again,
			// so its onion, most of the HTLC's bytes in every record
			// written until it is removed, is dropped.
			h.state, h.signed, h.onion = htlcOutCommitted, false, nil
		case h.state == htlcAwaitingAnnouncedRemoteRevoke:
			h.state = htlcInCommitted
			res.lockedIn = append(res.lockedIn, h)
		case h.state == htlcAwaitingRemovedRemoteRevoke:
			l.settle(&h)
			res.resolved = append(res.resolved, h)
			continue
		case h.state == htlcLocalRemoved && h.signed:
			l.settle(&h)
			res.removed = append(res.removed, h)
			continue
		}
		kept = append(kept, h)
	}
	clear(l.htlcs[len(kept):])
	l.htlcs = kept
	keptFees := l.fees[:0]
	for _, f := range l.fees {
		if (f.state == htlcLocalAnnounced && f.signed) || f.state == htlcAwaitingAnnouncedRemoteRevoke {
			l.feeRate = f.rate
			continue
		}
		keptFees = append(keptFees, f)
	}
	l.fees = keptFees
	return res, nil
}

// settle moves a forgotten HTLC's amount to the side its outcome gives it.
func (l *updateLog) settle(h *htlcEntry) {
	to := h.offerer()
	if h.outcome.kind == htlcFulfilled {
		to = to.Other()
	}
	l.balance[to] += h.amount
}

// htlcUnsent is what a disconnection took back of our own updates that no
// commitment_signed covered: the Manager offers them again, or fails them
// back, after channel_reestablish.
type htlcUnsent struct {
	// adds are our HTLCs dropped (their ids will be reused).
	adds []htlcEntry
	// fee is our update_fee dropped, zero if none.
	fee wire.FeeRate
}

// disconnected reverses, as BOLT 2 requires on reconnection, every update
// not covered by a commitment_signed: the peer's (it retransmits them) and
// our adds and fee update (returned). Our removals of the peer's HTLCs stay
// (LocalRemoved, unsigned): a claim or fail-back must never be forgotten,
// and the caller sends them again (unsignedRemovals) after
// channel_reestablish, which for the peer is the same as forgetting and
// redoing them.
func (l *updateLog) disconnected() htlcUnsent {
	var u htlcUnsent
	l.epoch++
	kept := l.htlcs[:0]
	for _, h := range l.htlcs {
		switch {
		case h.state == htlcRemoteAnnounced:
			l.balance[commit.Remote] += h.amount
			l.nextID[commit.Remote] = min(l.nextID[commit.Remote], h.id)
			continue
		case h.state == htlcLocalAnnounced && !h.signed:
			l.balance[commit.Local] += h.amount
			l.nextID[commit.Local] = min(l.nextID[commit.Local], h.id)
			u.adds = append(u.adds, h)
			continue
		case h.state == htlcRemoteRemoved:
			h.state, h.outcome = htlcOutCommitted, htlcOutcome{}
		}
		kept = append(kept, h)
	}
	clear(l.htlcs[len(kept):])
	l.htlcs = kept
	keptFees := l.fees[:0]
	for _, f := range l.fees {
		if f.state == htlcRemoteAnnounced {
			continue
		}
		if f.state == htlcLocalAnnounced && !f.signed {
			u.fee = f.rate
			continue
		}
		keptFees = append(keptFees, f)
	}
	l.fees = keptFees
	return u
}

// unsignedRemovals returns our removals of the peer's HTLCs that no
// commitment_signed covers, in log order: what to send again after a
// reconnection.
func (l *updateLog) unsignedRemovals() []*htlcEntry {
	var out []*htlcEntry
	for i := range l.htlcs {
		if h := &l.htlcs[i]; h.state == htlcLocalRemoved && !h.signed {
			out = append(out, h)
		}
	}
	return out
}
