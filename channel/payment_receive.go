package channel

import (
	"fmt"

	"github.com/lnkit/lnkit/channel/commit"
	"github.com/lnkit/lnkit/channel/internal/inbound"
	"github.com/lnkit/lnkit/channel/monitor"
	"github.com/lnkit/lnkit/events"
	"github.com/lnkit/lnkit/router/onion"
	"github.com/lnkit/lnkit/wire"
)

// Receiving payments: an incoming HTLC for us is checked against the
// invoice it pays (the payment secret carries the invoice's terms and the
// preimage is derived from it, as channel/internal/inbound explains: no
// invoice is stored) or against its keysend preimage, and raised as
// PaymentClaimable; the application claims it (ClaimFunds) or fails it
// (FailHTLCBackwards); PaymentClaimed follows once the preimage is
// irrevocably committed.

// DefaultKeysendMinFinalCLTVExpiryDelta is the least blocks a keysend
// HTLC must have before its expiry when it reaches us (no invoice sets it).
const DefaultKeysendMinFinalCLTVExpiryDelta = 24

// receiveFinal checks an HTLC that ends here against its payload; it
// returns the PaymentClaimable to raise, or the failure to send back, or
// neither (a part of a multi-part payment held until the rest arrives:
// payment_mpp.go).
func (m *Manager) receiveFinal(d *chanData, h *htlcEntry, payload *onion.HopPayload, height uint32) (events.Event, onion.FailureMessage) {
	r, fail := m.inbound.CheckFinal(inbound.HTLC{Amount: h.amount, CLTVExpiry: h.cltvExpiry, PaymentHash: h.paymentHash},
		payload, height, m.unixNow(), DefaultKeysendMinFinalCLTVExpiryDelta)
	if fail != nil {
		m.cfg.Logger.Info("channel: incoming payment refused", "channel_id", d.id, "htlc_id", h.id,
			"payment_hash", h.paymentHash, "failure", fail.Code())
		return nil, fail
	}
	amount, deadline := h.amount, claimDeadline(h.cltvExpiry)
	if r.Total > r.Amount {
		part := mppPart{ch: d.id, id: h.id, amount: h.amount, deadline: deadline}
		outcome, set := m.mpp.add(h.paymentHash, r.Total, r.Secret, part, m.timeNow())
		switch outcome {
		case mppRefused:
			m.cfg.Logger.Info("channel: multi-part payment part refused", "channel_id", d.id, "htlc_id", h.id,
				"payment_hash", h.paymentHash, "total_msat", r.Total)
			return nil, &onion.IncorrectOrUnknownPaymentDetails{HTLCMsat: h.amount, Height: height}
		case mppHeld:
			m.cfg.Logger.Info("channel: multi-part payment part held", "channel_id", d.id, "htlc_id", h.id,
				"payment_hash", h.paymentHash, "amount_msat", h.amount, "total_msat", r.Total)
			return nil, nil
		}
		amount, deadline = set.sum(), set.claimDeadline()
	}
	purpose := events.PaymentPurpose{Kind: events.PurposeInvoice, Secret: r.Secret}
	if r.Keysend {
		purpose.Kind = events.PurposeSpontaneous
	}
	if r.Preimage != nil {
		purpose.Preimage = wire.Some(*r.Preimage)
	}
	return &events.PaymentClaimable{
		PaymentHash: h.paymentHash, Amount: amount, Purpose: purpose, ReceiverNodeID: m.ourID,
		ViaChannelID: d.id, ViaUserChannelID: d.userChannelID, ClaimDeadline: deadline,
		PaymentMetadata: r.Metadata, CustomRecords: r.Custom,
	}, nil
}

// unixNow is the injected time (TimerTick) in unix seconds, 0 before the
// first tick.
func (m *Manager) unixNow() uint64 {
	m.mu.Lock()
	defer m.mu.Unlock()
	if m.now.IsZero() {
		return 0
	}
	return uint64(m.now.Unix())
}

// ClaimFunds claims every incoming HTLC paying preimage's hash (after a
// PaymentClaimable): the preimage is made durable with each channel's
// monitor before update_fulfill_htlc leaves, and PaymentClaimed follows
// once the removals are irrevocable (one for all the parts of a
// multi-part payment). An HTLC whose channel closed before the claim is
// claimed on chain by its monitor (Watch.ProvidePreimage). It fails with ErrUnknownPayment when no committed
// HTLC pays that hash, with ErrPaymentIncomplete when the parts of a
// multi-part payment do not reach its total yet, and with ErrPersistence
// when the preimage could not be made durable with a channel's monitor
// (that channel's HTLCs are not claimed).
func (m *Manager) ClaimFunds(preimage wire.Preimage) error {
	hash := preimage.Hash()
	if m.mpp.incomplete(hash) && !m.claimedSomewhere(hash) {
		return fmt.Errorf("%w: %v", ErrPaymentIncomplete, hash)
	}
	m.mpp.settle(hash, true)
	found := false
	var firstErr error
	for _, p := range m.allPeers() {
		p.mu.Lock()
		for _, e := range p.entries {
			d := e.data()
			if d == nil || d.mon.failed {
				continue
			}
			hs := incomingWithHash(d, hash)
			if len(hs) == 0 {
				found = found || claimedAlready(d, hash)
				continue
			}
			found = true
			if err := m.claimIn(p, e, d, hs, preimage); err != nil && firstErr == nil {
				firstErr = err
			}
		}
		p.mu.Unlock()
	}
	m.flush()
	// Parts whose channel closed before the claim (all of them, or some
	// of a multi-part payment): their monitors claim them on chain.
	for _, id := range m.cfg.Watch.ProvidePreimage(preimage) {
		found = true
		m.cfg.Logger.Info("channel: payment claimed on chain: its channel closed", "channel_id", id, "payment_hash", hash)
	}
	if !found {
		return fmt.Errorf("%w: no incoming htlc pays %v", ErrUnknownPayment, hash)
	}
	return firstErr
}

// claimIn fulfills hs, the peer's HTLCs of channel d paying preimage's
// hash: the log takes the removals, the monitor update holding the
// preimage saves them with the channel, and the update_fulfill_htlc
// messages leave once it is durable.
func (m *Manager) claimIn(p *peerState, e *entry, d *chanData, hs []htlcEntry, preimage wire.Preimage) error {
	var send []uint64
	for i := range hs {
		o := htlcOutcome{kind: htlcFulfilled, preimage: preimage, attr: m.fulfillAttribution(&hs[i])}
		ok, err := applyRemoval(p, d, &hs[i], o)
		if err != nil {
			m.check(p, e, err)
			return err
		}
		if ok {
			send = append(send, hs[i].id)
		}
	}
	// The commitment_signed holding the removals is made durable in the
	// same monitor update as the preimage (one write).
	sig, sigStep, signErr := m.signStep(p, d)
	id, ok := m.updateMonitor(p, e, d, nil, nil, withStep([]monitor.Step{&monitor.PaymentPreimage{Preimage: preimage}}, sigStep)...)
	if !ok {
		// The preimage is not durable: nothing is claimed on this
		// channel, and the caller must hear it.
		return fmt.Errorf("%w: the claim of %v on channel %v was not made durable", ErrPersistence, preimage.Hash(), d.id)
	}
	for _, h := range send {
		e.out.sendAfter(id, removalMessage(d.id, d.log.find(commit.Remote, h)))
	}
	if sig != nil {
		e.out.sendAfter(id, sig)
	}
	m.check(p, e, signErr) // the preimage is durable: the claim stands
	return nil
}

// FailHTLCBackwards fails every incoming HTLC paying hash (the application
// refuses the payment): each goes back with
// incorrect_or_unknown_payment_details.
func (m *Manager) FailHTLCBackwards(hash wire.PaymentHash) error {
	m.mpp.settle(hash, false)
	height := uint32(m.bestHeight())
	found := false
	m.eachChannel(func(p *peerState, e *entry, d *chanData) {
		for _, h := range incomingWithHash(d, hash) {
			if m.fwd.has(htlcRef{d.id, h.id}) {
				continue // a forward's: failed back by its forward only
			}
			found = true
			m.check(p, e, m.failIncomingHTLC(p, e, d, &h, &onion.IncorrectOrUnknownPaymentDetails{HTLCMsat: h.amount, Height: height}))
		}
	})
	m.flush()
	if !found {
		return fmt.Errorf("%w: no incoming htlc pays %v", ErrUnknownPayment, hash)
	}
	return nil
}

// incomingWithHash returns copies of the peer's committed HTLCs paying
// hash that we have not removed yet.
func incomingWithHash(d *chanData, hash wire.PaymentHash) []htlcEntry {
	var out []htlcEntry
	for _, h := range d.log.htlcs {
		if h.state == htlcInCommitted && h.paymentHash == hash && h.offerer() == commit.Remote {
			out = append(out, h)
		}
	}
	return out
}

// claimedSomewhere reports whether a channel holds a peer's HTLC paying
// hash that we fulfilled already: a claim interrupted by a crash is taken
// up again even if the parts left no longer reach the total.
func (m *Manager) claimedSomewhere(hash wire.PaymentHash) bool {
	found := false
	m.eachChannel(func(_ *peerState, _ *entry, d *chanData) {
		found = found || claimedAlready(d, hash)
	})
	return found
}

// claimedAlready reports whether d holds a peer's HTLC paying hash that we
// fulfilled already (a repeated ClaimFunds changes nothing).
func claimedAlready(d *chanData, hash wire.PaymentHash) bool {
	for _, h := range d.log.htlcs {
		if h.state == htlcLocalRemoved && h.paymentHash == hash && h.outcome.kind == htlcFulfilled {
			return true
		}
	}
	return false
}

// claimedEvent is the PaymentClaimed of the peer's HTLC h, fulfilled and
// now irrevocably removed; nil for a forwarded HTLC (PaymentForwarded
// was raised when it was claimed), and for a part of a multi-part
// payment whose other parts are still being removed.
func (m *Manager) claimedEvent(d *chanData, h *htlcEntry) events.Event {
	purpose, final := m.purposeOf(h)
	if !final {
		return nil
	}
	last, amount, count := m.mpp.claimedPart(h.paymentHash, h.amount)
	if !last {
		return nil // the last part of the payment raises it
	}
	return &events.PaymentClaimed{
		PaymentHash: h.paymentHash, Amount: amount, ReceiverNodeID: m.ourID, HTLCCount: uint32(count),
		Purpose: purpose,
	}
}

// purposeOf tells, from h's onion peeled again (no replay check: it was
// accepted once), whether h was a keysend or paid an invoice, and with
// which secret; final is false when the onion names a next hop.
func (m *Manager) purposeOf(h *htlcEntry) (_ events.PaymentPurpose, final bool) {
	p := events.PaymentPurpose{Kind: events.PurposeInvoice, Preimage: wire.Some(h.outcome.preimage)}
	var pkt onion.Packet
	if pkt.Decode(h.onion) != nil {
		return p, true
	}
	pp, err := m.onion.Process(&pkt, h.paymentHash[:], h.cltvExpiry)
	if err != nil {
		return p, true
	}
	if !pp.Final {
		return p, false
	}
	if pp.Payload.KeysendPreimage.Present {
		p.Kind = events.PurposeSpontaneous
	}
	if pd, ok := pp.Payload.PaymentData.Get(); ok {
		p.Secret = pd.PaymentSecret
	}
	return p, true
}
