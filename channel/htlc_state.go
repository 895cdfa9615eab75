package channel

// settled reports whether both latest commitments are the same and hold
// no HTLC, and no update is pending either way: a cooperative close may
// negotiate its fee (BOLT 2).
func (d *chanData) settled() bool {
	h, t := &d.cc.holder, &d.cc.theirs
	return len(d.log.htlcs) == 0 && len(d.log.fees) == 0 && !d.log.awaitingRevoke && d.cc.theirPending == nil &&
		len(h.HTLCs) == 0 && len(t.HTLCs) == 0 &&
		h.LocalBalance == t.LocalBalance && h.RemoteBalance == t.RemoteBalance && h.FeeRate == t.FeeRate
}

// actOnRevoke acts on what the peer's revoke_and_ack made irrevocable:
// its new HTLCs are peeled and checked (or failed back), our resolved
// HTLCs end their payment attempts, and its HTLCs we fulfilled are
// claimed payments. What it raises goes into act, to be made durable with
// the revocation.
func (m *Manager) actOnRevoke(p *peerState, e *entry, d *chanData, res htlcRevokeResult, act *revokeOutcome) error {
	for i := range res.lockedIn {
		if err := m.acceptIncoming(d, &res.lockedIn[i], act); err != nil {
			return err
		}
	}
	for i := range res.resolved {
		if err := m.outgoingResolved(d, &res.resolved[i], act); err != nil {
			return err
		}
	}
	for i := range res.removed {
		if h := &res.removed[i]; h.outcome.kind == htlcFulfilled {
			if ev := m.claimedEvent(d, h); ev != nil {
				act.evs = append(act.evs, ev)
			}
		}
	}
	return nil
}

// afterRevoke goes on with a closing channel whose HTLCs may now be
// resolved.
func (m *Manager) afterRevoke(p *peerState, e *entry, d *chanData) {
	if c, ok := e.phase.(*closing); ok {
		m.check(p, e, m.maybeNegotiate(p, e, c))
	}
}
