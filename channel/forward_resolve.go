package channel

import (
	"encoding/binary"
	"fmt"
	"slices"

	"github.com/lnkit/lnkit/channel/commit"
	"github.com/lnkit/lnkit/channel/monitor"
	"github.com/lnkit/lnkit/events"
	"github.com/lnkit/lnkit/persist"
	"github.com/lnkit/lnkit/router/onion"
	"github.com/lnkit/lnkit/wire"
)

// Resolving forwards: the downstream's fulfill (at once, BOLT 2: the
// preimage is ours as soon as it arrives) or failure (once its removal is
// irrevocable) is written into the forward, then passed upstream: a
// fulfill with the preimage made durable with the upstream channel's
// monitor before update_fulfill_htlc leaves and PaymentForwarded raised
// in the same write; a failure wrapped with the incoming onion's shared
// secret (BOLT 4 "Returning Errors"), or, for update_fail_malformed_htlc
// from downstream, our own failure with its code and sha256_of_onion.

// failedWith is f failed with our own failure msg, now (unix
// milliseconds) ending our hold time.
func (f *forward) failedWith(msg onion.FailureMessage, now uint64) (*forward, error) {
	enc, err := onion.EncodeFailureMessage(nil, msg, nil)
	if err != nil {
		return nil, fmt.Errorf("%w: encode failure: %w", ErrLocal, err)
	}
	return f.failedWithEncoded(enc, now)
}

// failedWithEncoded is f failed with the encoded failure message enc,
// with its attribution data.
func (f *forward) failedWithEncoded(enc []byte, now uint64) (*forward, error) {
	reason, attr, err := onion.NewFailure(f.secret, enc, onion.FailureOptions{Attribution: true, HoldTime: f.holdTime(now)})
	if err != nil {
		return nil, fmt.Errorf("%w: failure onion: %w", ErrLocal, err)
	}
	nf := *f
	nf.state, nf.next, nf.failure = fwdFailed, nil, htlcOutcome{kind: htlcFailed, reason: reason, attr: (*wire.AttributionData)(attr)}
	return &nf, nil
}

// failedDownstream is f failed by the downstream's removal o, now: its
// reason and attribution data (a zeroed block when it sent none) wrapped
// for upstream with our hold time (BOLT 4 intermediate nodes).
func (f *forward) failedDownstream(o htlcOutcome, now uint64) (*forward, error) {
	if o.kind == htlcFailedMalformed {
		// BOLT 4: the failure_code given, with sha256_of_onion as data.
		enc := binary.BigEndian.AppendUint16(nil, o.failureCode)
		enc = append(enc, o.onionHash[:]...)
		return f.failedWithEncoded(enc, now)
	}
	reason := append([]byte(nil), o.reason...)
	attr := forwardedAttribution(o.attr)
	onion.ForwardFailure(f.secret, reason, attr, f.holdTime(now))
	nf := *f
	nf.state, nf.failure = fwdFailed, htlcOutcome{kind: htlcFailed, reason: reason, attr: (*wire.AttributionData)(attr)}
	return &nf, nil
}

// fulfilled is f fulfilled with preimage, now: the downstream's
// attribution data attr (nil when none; a zeroed block then) with our
// hold time added, for the fulfill upstream (BOLT 4 "Hold times for
// successful payments").
func (f *forward) fulfilled(preimage wire.Preimage, attr *wire.AttributionData, onChain bool, now uint64) *forward {
	a := forwardedAttribution(attr)
	onion.ForwardSuccessAttribution(f.secret, a, f.holdTime(now))
	nf := *f
	nf.state, nf.preimage, nf.onChain, nf.attr = fwdFulfilled, preimage, onChain, (*wire.AttributionData)(a)
	return &nf
}

// holdTime is our hold time of f's incoming HTLC at now (units of 100 ms).
func (f *forward) holdTime(now uint64) uint32 { return holdTime(f.inReceivedAt, now) }

// writeForward writes f's record now and puts it in the book.
func (m *Manager) writeForward(f *forward) error {
	op, err := forwardOp(f)
	if err != nil {
		return err
	}
	if err := m.cfg.Store.Apply(m.cfg.Context, []persist.Op{op}); err != nil {
		return fmt.Errorf("%w: forward: %w", ErrPersistence, err)
	}
	m.fwd.put(f)
	return nil
}

// dropForward removes the forward of incoming HTLC in, durably.
func (m *Manager) dropForward(in htlcRef) error {
	if err := m.cfg.Store.Apply(m.cfg.Context, []persist.Op{forwardRemoveOp(in)}); err != nil {
		return fmt.Errorf("%w: forward: %w", ErrPersistence, err)
	}
	m.fwd.remove(in)
	return nil
}

// resolveUpstream claims or fails f's incoming HTLC (f fulfilled or
// failed), under the upstream peer's lock.
func (m *Manager) resolveUpstream(f *forward) {
	found := false
	m.withChannel(f.in.channel, func(p *peerState, e *entry, d *chanData) {
		found = true
		h := d.log.find(commit.Remote, f.in.id)
		if h == nil || h.state != htlcInCommitted || h.paymentHash != f.hash {
			// Removed already (the write removing f is the same as the
			// removal's): nothing left to do.
			m.logIf(m.dropForward(f.in))
			return
		}
		if d.mon.failed {
			return // the channel is closing on chain; see below
		}
		var err error
		if f.state == fwdFulfilled {
			err = m.claimForwarded(p, e, d, h, f)
		} else {
			err = m.failForwarded(p, e, d, h, f)
		}
		m.check(p, e, err)
	})
	if found {
		return
	}
	if f.state == fwdFulfilled {
		// The incoming channel is closed: its monitor must learn the
		// preimage to claim the HTLC on chain.
		m.preimageToClosed(f)
		return
	}
	// Failed, and the incoming channel is closed: the peer takes its
	// HTLC back on chain; nothing to send.
	m.logIf(m.dropForward(f.in))
}

// claimForwarded fulfills incoming HTLC h with f's preimage: the monitor
// update holding the preimage saves the channel with PaymentForwarded,
// and update_fulfill_htlc leaves once it is durable. f is removed once
// the monitor took the update (a crash before leaves f, which finds h
// removed and is dropped then); a monitor that refused it leaves f, whose
// preimage then goes to the closed channel's monitor (preimageToClosed).
func (m *Manager) claimForwarded(p *peerState, e *entry, d *chanData, h *htlcEntry, f *forward) error {
	send, err := applyRemoval(p, d, h, htlcOutcome{kind: htlcFulfilled, preimage: f.preimage, attr: f.attr})
	if err != nil {
		return err
	}
	// PaymentForwarded is raised with the fulfill, and the forward,
	// kept until the monitor took the preimage, says so.
	var evs []events.Event
	var ops []persist.Op
	announced := *f
	announced.announced = true
	if !f.announced {
		op, err := forwardOp(&announced)
		if err != nil {
			return err
		}
		evs, ops = []events.Event{forwardedEvent(f)}, []persist.Op{op}
	}
	id, ok := m.updateMonitor(p, e, d, evs, ops, &monitor.PaymentPreimage{Preimage: f.preimage})
	if id != 0 {
		m.fwd.put(&announced) // the record holding the fulfill is durable
	}
	if !ok {
		return nil // tried again later (see above)
	}
	m.logIf(m.dropForward(f.in))
	if send {
		e.out.sendAfter(id, removalMessage(d.id, d.log.find(commit.Remote, h.id)))
	}
	m.cfg.Logger.Info("channel: forward claimed", "channel_id", d.id, "htlc_id", h.id, "payment_hash", f.hash,
		"fee_msat", f.inAmount-f.outAmount)
	return m.maybeSignCommitment(p, e, d)
}

// failForwarded fails incoming HTLC h with f's failure, durably with f
// removed.
func (m *Manager) failForwarded(p *peerState, e *entry, d *chanData, h *htlcEntry, f *forward) error {
	send, err := applyRemoval(p, d, h, f.failure)
	if err != nil {
		return err
	}
	if err := m.saveWith(d, []persist.Op{forwardRemoveOp(f.in)}); err != nil {
		if !m.reloadChannel(p, e, d) {
			return err
		}
		return nil
	}
	m.fwd.remove(f.in)
	if send {
		queueRemoval(e, d, d.log.find(commit.Remote, h.id))
	}
	return m.maybeSignCommitment(p, e, d)
}

// preimageToClosed hands f's preimage to the monitor of its closed
// incoming channel (Watch.ProvidePreimage), which claims the HTLC on
// chain, and raises PaymentForwarded with f removed.
func (m *Manager) preimageToClosed(f *forward) {
	if !slices.Contains(m.cfg.Watch.ProvidePreimage(f.preimage), f.in.channel) {
		m.cfg.Logger.Error("channel: the closed incoming channel's monitor did not take the preimage", "channel_id", f.in.channel, "htlc_id", f.in.id)
		return
	}
	var evs []events.Event
	if !f.announced {
		evs = append(evs, forwardedEvent(f))
	}
	m.logIf(m.appendEventsWith([]persist.Op{forwardRemoveOp(f.in)}, evs...))
	m.fwd.remove(f.in)
}

// forwardedEvent is the PaymentForwarded of fulfilled forward f.
func forwardedEvent(f *forward) *events.PaymentForwarded {
	return &events.PaymentForwarded{
		PrevChannelID: f.in.channel, NextChannelID: f.out.channel, PaymentHash: f.hash,
		IncomingAmount: f.inAmount, OutgoingAmount: f.outAmount, FeeEarned: f.inAmount - f.outAmount,
		ClaimedOnChain: f.onChain,
	}
}

// appendEventsWith queues evs durably with ops.
func (m *Manager) appendEventsWith(ops []persist.Op, evs ...events.Event) error {
	if err := m.cfg.Events.AppendWith(m.cfg.Context, ops, evs...); err != nil {
		return fmt.Errorf("%w: %w", ErrPersistence, err)
	}
	return nil
}

// forwardFulfilled records the preimage of outgoing HTLC h of channel d
// if it is a forward's (update_fulfill_htlc received): durably, at once;
// the upstream claim follows (processForwards).
func (m *Manager) forwardFulfilled(d *chanData, h *htlcEntry) error {
	return m.forwardPreimage(htlcRef{d.id, h.id}, h.outcome.preimage, h.outcome.attr, false)
}

// forwardPreimage makes the forward of outgoing HTLC out fulfilled, with
// the downstream's attribution data attr (nil when none, or on chain).
func (m *Manager) forwardPreimage(out htlcRef, preimage [32]byte, attr *wire.AttributionData, onChain bool) error {
	f, ok := m.fwd.added(out)
	if !ok {
		return nil
	}
	if wire.Preimage(preimage).Hash() != f.hash {
		return nil
	}
	return m.writeForward(f.fulfilled(preimage, attr, onChain, m.unixMilliNow()))
}

// forwardResolved fails the forward of our HTLC h of channel d, now
// irrevocably removed with a failure, written with the revocation (act).
func (m *Manager) forwardResolved(d *chanData, h *htlcEntry, act *revokeOutcome) error {
	if h.outcome.kind == htlcFulfilled {
		return nil
	}
	f, ok := m.fwd.added(htlcRef{d.id, h.id})
	if !ok {
		return nil
	}
	nf, err := f.failedDownstream(h.outcome, m.unixMilliNow())
	if err != nil {
		return err
	}
	op, err := forwardOp(nf)
	if err != nil {
		return err
	}
	act.ops = append(act.ops, op)
	act.fwds = append(act.fwds, nf)
	return nil
}

// forwardDropped fails, durably now, the forward of our HTLC out that
// never reached a commitment (a disconnection took it back, or the
// channel closed) or whose timeout the chain confirmed (onChain).
func (m *Manager) forwardDropped(out htlcRef, msg onion.FailureMessage) error {
	f, ok := m.fwd.added(out)
	if !ok {
		return nil
	}
	nf, err := f.failedWith(msg, m.unixMilliNow())
	if err != nil {
		return err
	}
	return m.writeForward(nf)
}
