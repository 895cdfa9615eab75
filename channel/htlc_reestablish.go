package channel

import (
	"slices"

	"github.com/lnkit/lnkit/channel/commit"
	"github.com/lnkit/lnkit/wire"
)

// Normal operation across a reconnection (BOLT 2, "Message
// Retransmission"): both sides forget the updates no commitment_signed
// covered; a commitment_signed the peer lacks is sent again after the
// updates it covered, in their original order; our forgotten removals and
// fee update are offered again, and our forgotten HTLCs fail back to
// their payment (they never reached a commitment).

// takeUnsent rewinds d's update log as a disconnection requires and keeps
// what it took back of ours until channel_reestablish is done.
func (d *chanData) takeUnsent() {
	u := d.log.disconnected()
	d.unsent.adds = append(d.unsent.adds, u.adds...)
	d.unsent.removals = append(d.unsent.removals, u.removals...)
	if u.fee != 0 {
		d.unsent.fee = u.fee
	}
}

// storedLog is the update log as the channel's record keeps it: with the
// removals waiting for channel_reestablish (d.unsent) applied, unsigned.
// A restart takes every unsigned update of ours back into d.unsent (Load),
// so a claim or fail-back decided while the peer was away survives a crash
// and is offered again after the next channel_reestablish.
func (d *chanData) storedLog() *updateLog {
	if len(d.unsent.removals) == 0 {
		return d.log
	}
	l := *d.log
	l.htlcs = slices.Clone(d.log.htlcs)
	for _, r := range d.unsent.removals {
		if h := l.find(commit.Remote, r.id); h != nil && h.state == htlcInCommitted {
			h.state, h.signed, h.outcome = htlcLocalRemoved, false, r.outcome
		}
	}
	return &l
}

// retransmitCommitment queues again the updates our pending
// commitment_signed covered, then that commitment_signed.
func (m *Manager) retransmitCommitment(e *entry, d *chanData, number uint64) error {
	msg, err := d.cc.retransmitCommitmentSigned(number)
	if err != nil {
		return err
	}
	// Gated on every update so far: after a restart, the updates that made
	// them safe may still be in progress.
	for _, u := range signedUpdates(d) {
		e.out.sendAfter(d.mon.latest, u)
	}
	e.out.sendAfter(d.mon.latest, msg)
	return nil
}

// signedUpdates rebuilds the messages of our updates that the pending
// commitment_signed covers (the "signed" ones still in the log): the fee
// update first, then the HTLC updates in log order.
func signedUpdates(d *chanData) []wire.Message {
	var out []wire.Message
	for _, f := range d.log.fees {
		if f.state == htlcLocalAnnounced && f.signed {
			out = append(out, &wire.UpdateFee{ChannelID: d.id, FeeRate: f.rate})
		}
	}
	for i := range d.log.htlcs {
		h := &d.log.htlcs[i]
		switch {
		case h.state == htlcLocalAnnounced && h.signed:
			out = append(out, addMessage(d.id, h))
		case h.state == htlcLocalRemoved && h.signed:
			out = append(out, removalMessage(d.id, h))
		}
	}
	return out
}

// addMessage is the update_add_htlc of our HTLC h.
func addMessage(id wire.ChannelID, h *htlcEntry) *wire.UpdateAddHTLC {
	msg := &wire.UpdateAddHTLC{
		ChannelID: id, ID: h.id, Amount: h.amount, PaymentHash: h.paymentHash, CLTVExpiry: h.cltvExpiry,
	}
	copy(msg.OnionPacket[:], h.onion)
	return msg
}

// removalMessage is the update_fulfill_htlc, update_fail_htlc or
// update_fail_malformed_htlc of the peer's HTLC h that we removed.
func removalMessage(id wire.ChannelID, h *htlcEntry) wire.Message {
	switch h.outcome.kind {
	case htlcFulfilled:
		return &wire.UpdateFulfillHTLC{ChannelID: id, ID: h.id, PaymentPreimage: h.outcome.preimage}
	case htlcFailedMalformed:
		return &wire.UpdateFailMalformedHTLC{ChannelID: id, ID: h.id, OnionHash: h.outcome.onionHash, FailureCode: h.outcome.failureCode}
	}
	return &wire.UpdateFailHTLC{ChannelID: id, ID: h.id, Reason: h.outcome.reason}
}

// resendUnsent offers again, after channel_reestablish, what the
// disconnection took back of ours: removals and our fee update go out
// again; our HTLCs fail back to their payments.
func (m *Manager) resendUnsent(p *peerState, e *entry, d *chanData) error {
	u := d.unsent
	d.unsent = htlcUnsent{}
	for i := range u.removals {
		h := &u.removals[i]
		if x := d.log.find(commit.Remote, h.id); x == nil || x.state != htlcInCommitted {
			continue // removed meanwhile (a retransmitted commitment covered it)
		}
		var err error
		if h.outcome.kind == htlcFulfilled {
			err = d.log.fulfill(h.id, h.outcome.preimage)
		} else {
			err = d.log.fail(h.id, h.outcome)
		}
		if err != nil {
			return err
		}
		queueRemoval(e, d, d.log.find(commit.Remote, h.id))
	}
	if u.fee != 0 && d.params.Opener == commit.Local {
		if err := d.log.sendFee(u.fee); err == nil {
			e.out.send(&wire.UpdateFee{ChannelID: d.id, FeeRate: u.fee})
		}
	}
	if len(u.adds) > 0 {
		if err := m.addsDropped(p, e, d, u.adds); err != nil {
			return err
		}
	}
	return m.maybeSignCommitment(p, e, d)
}
