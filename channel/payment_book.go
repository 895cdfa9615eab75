package channel

import (
	"bytes"
	"cmp"
	"encoding/hex"
	"errors"
	"fmt"
	"slices"
	"sync"

	"github.com/lnkit/lnkit/channel/internal/outbound"
	"github.com/lnkit/lnkit/events"
	"github.com/lnkit/lnkit/persist"
	"github.com/lnkit/lnkit/router/onion"
	"github.com/lnkit/lnkit/wire"
)

// PaymentsNamespace holds our outgoing payments' records, one per payment
// id (hex), kept after they end so that an id is never paid twice.
const PaymentsNamespace = "payments"

func paymentsNS() persist.Namespace { return persist.Namespace{Primary: PaymentsNamespace} }

// paymentBook is the Manager's outgoing payments: every record by id, and
// the in-flight HTLCs by channel and HTLC id. Its lock is taken under a
// peer's lock, never the other way round.
type paymentBook struct {
	mu       sync.Mutex
	byID     map[PaymentID]*outbound.Payment
	byHTLC   map[htlcRef]PaymentID
	reserved map[PaymentID]bool
}

// htlcRef names one of our HTLCs.
type htlcRef struct {
	channel wire.ChannelID
	id      uint64
}

// compareRefs orders HTLCs by channel, then id.
func compareRefs(x, y htlcRef) int {
	if c := bytes.Compare(x.channel[:], y.channel[:]); c != 0 {
		return c
	}
	return cmp.Compare(x.id, y.id)
}

// reserve takes id for a payment being sent: false when it exists.
func (b *paymentBook) reserve(id PaymentID) bool {
	b.mu.Lock()
	defer b.mu.Unlock()
	if b.byID[id] != nil || b.reserved[id] {
		return false
	}
	if b.reserved == nil {
		b.reserved = make(map[PaymentID]bool)
	}
	b.reserved[id] = true
	return true
}

// unreserve gives back an id whose payment was not sent.
func (b *paymentBook) unreserve(id PaymentID) {
	b.mu.Lock()
	delete(b.reserved, id)
	b.mu.Unlock()
}

// track adds a durable payment.
func (b *paymentBook) track(pay *outbound.Payment) {
	b.mu.Lock()
	defer b.mu.Unlock()
	b.index(pay)
	delete(b.reserved, PaymentID(pay.ID))
}

// index records pay and its in-flight attempts (b locked).
func (b *paymentBook) index(pay *outbound.Payment) {
	if b.byID == nil {
		b.byID = make(map[PaymentID]*outbound.Payment)
		b.byHTLC = make(map[htlcRef]PaymentID)
	}
	b.byID[PaymentID(pay.ID)] = pay
	if pay.Status != outbound.StatusPending {
		return
	}
	for _, a := range pay.Attempts {
		if a.Status == outbound.AttemptInFlight {
			b.byHTLC[htlcRef{a.ChannelID, a.HTLCID}] = PaymentID(pay.ID)
		}
	}
}

// persist writes pay's record now.
func (b *paymentBook) persist(m *Manager, pay *outbound.Payment) error {
	op, err := paymentOp(pay)
	if err != nil {
		return err
	}
	if err := m.cfg.Store.Apply(m.cfg.Context, []persist.Op{op}); err != nil {
		return fmt.Errorf("%w: payment %v: %w", ErrPersistence, pay.ID, err)
	}
	return nil
}

// paymentOp is the write of pay's record.
func paymentOp(pay *outbound.Payment) (persist.Op, error) {
	rec, err := pay.Encode()
	if err != nil {
		return persist.Op{}, fmt.Errorf("channel: encode payment %v: %w", pay.ID, err)
	}
	return persist.WriteOp(paymentsNS(), hex.EncodeToString(pay.ID[:]), rec), nil
}

// attempt returns the payment and attempt index of HTLC ref, with the
// book locked (the caller unlocks); nil when none is in flight.
func (b *paymentBook) attempt(ref htlcRef, hash wire.PaymentHash) (*outbound.Payment, int) {
	b.mu.Lock()
	id, ok := b.byHTLC[ref]
	if !ok {
		return nil, -1
	}
	pay := b.byID[id]
	if pay == nil || pay.Hash != hash {
		return nil, -1
	}
	i := pay.FindAttempt(ref.channel, ref.id)
	if i < 0 || pay.Attempts[i].Status != outbound.AttemptInFlight {
		return nil, -1
	}
	return pay, i
}

// clonePayment copies pay, to restore it when a write fails.
func clonePayment(pay *outbound.Payment) outbound.Payment {
	c := *pay
	c.Attempts = slices.Clone(pay.Attempts)
	return c
}

// paymentFulfilled records the preimage of our HTLC h (update_fulfill_htlc
// received): the payment succeeds, durably, at once. A retransmitted
// fulfill changes nothing.
func (m *Manager) paymentFulfilled(d *chanData, h *htlcEntry) error {
	return m.attemptSucceeded(htlcRef{d.id, h.id}, h.paymentHash, h.outcome.preimage, h.outcome.attr, true)
}

// attemptSucceeded ends the payment of our HTLC ref with its preimage,
// durably (PaymentSent, with the hold times of attr, the fulfill's
// attribution data, nil when none); nothing when no payment waits for it.
// With hold, the write waits for the channel's next one (held_writes.go):
// an update_fulfill_htlc, which the peer's commitment_signed follows.
func (m *Manager) attemptSucceeded(ref htlcRef, hash wire.PaymentHash, preimage wire.Preimage, attr *wire.AttributionData, hold bool) error {
	b := &m.pay
	pay, i := b.attempt(ref, hash)
	defer b.mu.Unlock()
	if pay == nil {
		return nil
	}
	prev := clonePayment(pay)
	changed, err := pay.AttemptSucceeded(i, preimage)
	if err != nil || !changed {
		*pay = prev
		return nil
	}
	// Every fulfilled part teaches the scorer (those of a multi-part
	// payment fulfilled after the first too).
	if m.cfg.Scorer != nil {
		m.cfg.Scorer.PaymentPathSucceeded(&pay.Attempts[i].Route)
	}
	m.retries.done(PaymentID(pay.ID))
	op, err := paymentOp(pay)
	if err == nil {
		// One PaymentSent per payment, at its first fulfilled part, with
		// the fee of every part that reached the payee (those still in
		// flight are claimed with the same preimage); one
		// PaymentPathSuccessful per fulfilled part.
		var evs []events.Event
		if prev.Status != outbound.StatusSucceeded {
			evs = append(evs, &events.PaymentSent{
				PaymentID: PaymentID(pay.ID), PaymentHash: pay.Hash, Preimage: preimage,
				FeePaid: pay.CommittedFee(), Amount: pay.Amount, HoldTimes: successHoldTimes(&pay.Attempts[i], attr),
			})
		}
		evs = append(evs, pathSuccessful(pay, i))
		if hold && allOn(pay, ref.channel) {
			m.held.hold(ref.channel, []persist.Op{op}, evs)
		} else if err = m.cfg.Events.AppendWith(m.cfg.Context, []persist.Op{op}, evs...); err != nil {
			err = fmt.Errorf("%w: %w", ErrPersistence, err)
		}
	}
	if err != nil {
		*pay = prev
		return err
	}
	delete(b.byHTLC, ref)
	m.cfg.Logger.Info("channel: payment succeeded", "payment_id", pay.ID, "payment_hash", pay.Hash, "fee_msat", pay.FeePaid)
	return nil
}

// allOn reports whether every attempt of pay is over channel id.
func allOn(pay *outbound.Payment, id wire.ChannelID) bool {
	for i := range pay.Attempts {
		if pay.Attempts[i].ChannelID != id {
			return false
		}
	}
	return true
}

// pathSuccessful is the PaymentPathSuccessful of pay's fulfilled attempt i.
func pathSuccessful(pay *outbound.Payment, i int) *events.PaymentPathSuccessful {
	rt := &pay.Attempts[i].Route
	ev := &events.PaymentPathSuccessful{
		PaymentID: PaymentID(pay.ID), PaymentHash: pay.Hash, Amount: rt.Amount(), FeePaid: rt.TotalFee,
	}
	for _, h := range rt.Hops {
		ev.Path = append(ev.Path, h.NodeID)
	}
	return ev
}

// outgoingResolved ends the attempt of our HTLC h, now irrevocably
// removed: a failure fails the payment (its decoded failure in
// PaymentFailed), written with the revocation (act).
func (m *Manager) outgoingResolved(d *chanData, h *htlcEntry, act *revokeOutcome) error {
	if err := m.forwardResolved(d, h, act); err != nil {
		return err
	}
	if h.outcome.kind == htlcFulfilled {
		return nil // PaymentSent was raised when the preimage came
	}
	b := &m.pay
	pay, i := b.attempt(htlcRef{d.id, h.id}, h.paymentHash)
	defer b.mu.Unlock()
	if pay == nil {
		return nil
	}
	var f *outbound.Failure
	if h.outcome.kind == htlcFailedMalformed {
		f = outbound.MalformedFailure(&pay.Attempts[i], h.outcome.failureCode)
	} else {
		var err error
		if f, err = outbound.DecodeAttributedFailure(&pay.Attempts[i], h.outcome.reason, (*onion.AttributionData)(h.outcome.attr)); err != nil {
			m.cfg.Logger.Warn("channel: unreadable payment failure", "payment_id", pay.ID, "err", err)
		}
	}
	evs, err := m.failAttempt(pay, i, f)
	if err != nil {
		return err
	}
	op, err := paymentOp(pay)
	if err != nil {
		return err
	}
	act.ops = append(act.ops, op)
	act.evs = append(act.evs, evs...)
	delete(b.byHTLC, htlcRef{d.id, h.id})
	return nil
}

// failAttempt fails attempt i and returns the events to raise: a payment
// over the network may retry (routeFailed: PaymentPathFailed); otherwise
// the payment gives up, PaymentFailed once nothing is in flight.
func (m *Manager) failAttempt(pay *outbound.Payment, i int, f *outbound.Failure) ([]events.Event, error) {
	if pay.Probe {
		return m.probeEnded(pay, i, f)
	}
	var evs []events.Event
	if pay.Status == outbound.StatusPending {
		path, retried, err := m.routeFailed(pay, i, f)
		if err != nil {
			return nil, err
		}
		if path != nil {
			evs = append(evs, path)
		}
		if retried {
			return evs, nil
		}
		m.retries.done(PaymentID(pay.ID))
	}
	ev, err := m.failPayment(pay, i, f)
	if ev != nil {
		evs = append(evs, ev)
	}
	return evs, err
}

// failPayment fails attempt i and with it payment pay and returns the
// PaymentFailed to raise (nil when the payment had ended already or
// other attempts are in flight).
func (m *Manager) failPayment(pay *outbound.Payment, i int, f *outbound.Failure) (events.Event, error) {
	reason, evReason := outbound.ReasonRetriesExhausted, events.FailureRetriesExhausted
	if f != nil && f.PaymentFailedPermanently {
		reason, evReason = outbound.ReasonRecipientRejected, events.FailureRecipientRejected
	}
	wasPending := pay.Status == outbound.StatusPending
	if _, err := pay.AttemptFailed(i, reason); err != nil {
		return nil, fmt.Errorf("channel: payment %v: %w", pay.ID, err)
	}
	if !wasPending || pay.Status != outbound.StatusFailed {
		return nil, nil
	}
	ev := &events.PaymentFailed{PaymentID: PaymentID(pay.ID), PaymentHash: pay.Hash, Reason: evReason}
	if f != nil {
		ev.Failure = wire.Some(htlcFailureEvent(f))
	}
	m.cfg.Logger.Info("channel: payment failed", "payment_id", pay.ID, "payment_hash", pay.Hash, "reason", evReason)
	return ev, nil
}

// htlcFailureEvent is f as events carry it.
func htlcFailureEvent(f *outbound.Failure) events.HTLCFailure {
	return events.HTLCFailure{
		ErringNode: f.ErringNode, HopIndex: hopIndex(f.HopIndex), Code: uint16(f.Code),
		Permanent: f.Permanent, ChannelUpdate: f.ChannelUpdate, Tampered: f.Tampered, HoldTimes: f.HoldTimes,
	}
}

// successHoldTimes are the hold times the hops of attempt a reported in
// its fulfill's attribution data attr (BOLT 4), for the hops whose HMAC
// verified; nil without attr.
func successHoldTimes(a *outbound.Attempt, attr *wire.AttributionData) []uint32 {
	if attr == nil {
		return nil
	}
	secrets, err := a.SharedSecrets()
	if err != nil {
		return nil
	}
	holds, err := onion.DecryptSuccessAttribution(secrets, (*onion.AttributionData)(attr))
	var ae *onion.AttributionError
	if errors.As(err, &ae) {
		return ae.HoldTimes
	}
	return holds
}

// hopIndex is f.HopIndex as events carry it.
func hopIndex(i int) uint8 {
	if i < 0 || i >= int(events.HopIndexUnknown) {
		return events.HopIndexUnknown
	}
	return uint8(i)
}

// dropAttempt fails the attempt of our HTLC h that never reached a
// commitment, durably, now.
func (m *Manager) dropAttempt(ch wire.ChannelID, h *htlcEntry) error {
	b := &m.pay
	pay, i := b.attempt(htlcRef{ch, h.id}, h.paymentHash)
	defer b.mu.Unlock()
	if pay == nil {
		return nil
	}
	prev := clonePayment(pay)
	evs, err := m.failAttempt(pay, i, nil)
	if err != nil {
		*pay = prev
		return err
	}
	op, err := paymentOp(pay)
	if err != nil {
		*pay = prev
		return err
	}
	if err := m.cfg.Events.AppendWith(m.cfg.Context, []persist.Op{op}, evs...); err != nil {
		*pay = prev
		return fmt.Errorf("%w: %w", ErrPersistence, err)
	}
	delete(b.byHTLC, htlcRef{ch, h.id})
	return nil
}

// failUncommitted fails, when channel d ends on chain, the payments of
// our HTLCs no commitment ever held (never signed, or taken back by a
// disconnection): they cannot be on chain. The others end with the
// on-chain resolution.
func (m *Manager) failUncommitted(d *chanData) {
	for _, h := range d.log.htlcs {
		if h.state == htlcLocalAnnounced && !h.signed {
			m.logIf(m.dropAttempt(d.id, &h))
			m.logIf(m.forwardDropped(htlcRef{d.id, h.id}, &onion.PermanentChannelFailure{}))
		}
	}
	for i := range d.unsent.adds {
		m.logIf(m.dropAttempt(d.id, &d.unsent.adds[i]))
		m.logIf(m.forwardDropped(htlcRef{d.id, d.unsent.adds[i].id}, &onion.PermanentChannelFailure{}))
	}
	d.unsent.adds = nil
}
