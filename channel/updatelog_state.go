package channel

import (
	"github.com/lnkit/lnkit/channel/commit"
	"github.com/lnkit/lnkit/wire"
)

// htlcPlace is where an HTLC's amount is in one commitment.
type htlcPlace uint8

const (
	// htlcIn: an output of the commitment.
	htlcIn htlcPlace = iota
	// htlcNotYet: not added yet; the amount is still its offerer's.
	htlcNotYet
	// htlcOut: removed; the amount went where the outcome sends it.
	htlcOut
)

// placeIn says where h is in the next commitment of owner: theirs as
// sendingCommitment will leave the states, ours as receivedCommitment
// will (see the table in updatelog.go).
func placeIn(h *htlcEntry, owner commit.Side) htlcPlace {
	switch h.state {
	case htlcOutCommitted, htlcAwaitingRemoteRevokeToAnnounce, htlcAwaitingAnnouncedRemoteRevoke, htlcInCommitted:
		return htlcIn
	case htlcAwaitingRemoteRevokeToRemove, htlcAwaitingRemovedRemoteRevoke:
		return htlcOut
	case htlcLocalAnnounced:
		if owner == commit.Remote {
			return htlcIn
		}
		return htlcNotYet
	case htlcRemoteRemoved:
		if owner == commit.Remote {
			return htlcIn
		}
		return htlcOut
	case htlcRemoteAnnounced:
		if owner == commit.Local {
			return htlcIn
		}
		return htlcNotYet
	case htlcLocalRemoved:
		if owner == commit.Local {
			return htlcIn
		}
		return htlcOut
	}
	return htlcNotYet
}

// feeIn reports whether fee update f is in owner's next commitment.
func feeIn(f *htlcFeeUpdate, owner commit.Side) bool {
	switch f.state {
	case htlcLocalAnnounced:
		return owner == commit.Remote
	case htlcRemoteAnnounced:
		return owner == commit.Local
	}
	return true
}

// nextFeeRate is the feerate_per_kw of owner's next commitment: that of
// the newest fee update in it, else the agreed rate.
func (l *updateLog) nextFeeRate(owner commit.Side) wire.FeeRate {
	for i := len(l.fees) - 1; i >= 0; i-- {
		if feeIn(&l.fees[i], owner) {
			return l.fees[i].rate
		}
	}
	return l.feeRate
}

// latestFeeRate is the rate of the newest fee update, sent or received,
// else the agreed rate: the rate the limits are checked at.
func (l *updateLog) latestFeeRate() wire.FeeRate {
	if n := len(l.fees); n > 0 {
		return l.fees[n-1].rate
	}
	return l.feeRate
}

// nextState returns owner's next commitment from our point of view: the
// HTLCs in it, the balances once the removals it reflects are settled,
// its fee rate and number. PerCommitmentPoint is left nil for the caller.
func (l *updateLog) nextState(owner commit.Side) commit.State {
	st := commit.State{FeeRate: l.nextFeeRate(owner)}
	if owner == commit.Local {
		st.Number = l.localNumber + 1
	} else {
		st.Number = l.remoteNumber + 1
	}
	bal := l.balance
	for i := range l.htlcs {
		h := &l.htlcs[i]
		switch placeIn(h, owner) {
		case htlcIn:
			st.HTLCs = append(st.HTLCs, commit.HTLC{
				ID: h.id, Offerer: h.offerer(), Amount: h.amount, PaymentHash: h.paymentHash, CLTVExpiry: h.cltvExpiry,
			})
		case htlcNotYet:
			bal[h.offerer()] += h.amount
		case htlcOut:
			to := h.offerer()
			if h.outcome.kind == htlcFulfilled {
				to = to.Other()
			}
			bal[to] += h.amount
		}
	}
	st.LocalBalance, st.RemoteBalance = bal[commit.Local], bal[commit.Remote]
	return st
}
