package channel

import (
	"github.com/lnkit/lnkit/channel/commit"
	"github.com/lnkit/lnkit/router/onion"
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
	if u.fee != 0 {
		d.unsent.fee = u.fee
	}
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
		return &wire.UpdateFulfillHTLC{ChannelID: id, ID: h.id, PaymentPreimage: h.outcome.preimage, AttributionData: sentAttribution(h.outcome.attr)}
	case htlcFailedMalformed:
		return &wire.UpdateFailMalformedHTLC{ChannelID: id, ID: h.id, OnionHash: h.outcome.onionHash, FailureCode: h.outcome.failureCode}
	}
	return &wire.UpdateFailHTLC{ChannelID: id, ID: h.id, Reason: h.outcome.reason, AttributionData: sentAttribution(h.outcome.attr)}
}

// resendUnsent offers again, after channel_reestablish, what the
// disconnection took back of ours and our removals no commitment_signed
// covered (they stayed in the log): removals and our fee update go out
// again (no update_fee once shutdown started); our HTLCs fail back to
// their payments; as the opener we catch up with our fee estimate.
func (m *Manager) resendUnsent(p *peerState, e *entry, d *chanData) error {
	for _, h := range d.log.unsignedRemovals() {
		queueRemoval(e, d, h)
	}
	if fee := d.unsent.fee; fee != 0 {
		d.unsent.fee = 0
		if d.params.Opener == commit.Local && d.shut.ourScript == nil && d.shut.theirScript == nil {
			if err := d.log.sendFee(fee); err == nil {
				e.out.send(&wire.UpdateFee{ChannelID: d.id, FeeRate: fee})
			}
		}
	}
	for len(d.unsent.adds) > 0 {
		if err := m.dropAttempt(d.id, &d.unsent.adds[0]); err != nil {
			return err
		}
		if err := m.forwardDropped(htlcRef{d.id, d.unsent.adds[0].id}, &onion.TemporaryChannelFailure{ChannelUpdate: m.failureUpdate(d)}); err != nil {
			return err
		}
		d.unsent.adds = d.unsent.adds[1:]
	}
	if d.params.Opener == commit.Local && usable(p, e, d) {
		// Fees may have moved while the peer was away.
		if err := m.maybeUpdateFee(p, e, d); err != nil {
			return err
		}
	}
	return m.maybeSignCommitment(p, e, d)
}
