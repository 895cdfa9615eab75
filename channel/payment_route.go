package channel

import (
	"errors"
	"fmt"
	"slices"
	"time"

	"github.com/lnkit/lnkit/channel/commit"
	"github.com/lnkit/lnkit/channel/internal/outbound"
	"github.com/lnkit/lnkit/events"
	"github.com/lnkit/lnkit/invoice"
	"github.com/lnkit/lnkit/persist"
	"github.com/lnkit/lnkit/router"
	"github.com/lnkit/lnkit/wire"
)

// Paying over the network: a payee we have no usable channel with (or one
// no direct channel carries the payment to) is paid over the routes the
// Config's Router finds, one attempt per route (several when the router
// splits a basic_mpp payment), each recorded durably before its HTLC
// leaves. A failed attempt is fed to the Config's Scorer, raised as
// PaymentPathFailed and, while the Retry budget lasts and the failure is
// not the recipient's, retried over new routes for what is no longer in
// flight, the failing channels excluded. The retries run after the public
// call that learnt of the failure, with no lock held. The retry state is
// persisted (payment_retry_record.go): written with the payment's record
// when it is sent, and, when a failure or a retry changed it, at the next
// round of retries; removed when the payment ends or gives up. A crash can
// lose the last change (a retry more, or a failing channel not excluded),
// never the payment's own record; at Load a pending payment not given up
// whose parts in flight no longer carry its amount is retried. A retry
// waiting for a usable channel waits as long as none is (its deadline, if
// any, still ends it).

// PaymentRouter finds routes for payments over the network;
// *router.Router implements it.
type PaymentRouter interface {
	FindRoutes(req router.Request) ([]*router.Route, error)
}

// PaymentScorer learns from the routes payments tried; router.Scorer
// implementations (router.ProbabilisticScorer) implement it.
type PaymentScorer interface {
	// PaymentPathFailed: r failed at the channel failed (zero: at the
	// payee).
	PaymentPathFailed(r *router.Route, failed wire.ShortChannelID)
	// PaymentPathSucceeded: r's HTLC was fulfilled.
	PaymentPathSucceeded(r *router.Route)
}

// PermanentFailureScorer is what a PaymentScorer may also implement to
// learn that a channel forwards nothing (router.ProbabilisticScorer
// does): the Manager calls PaymentPathFailedPermanently instead of
// PaymentPathFailed when an intermediate node failed a path with a
// permanent channel failure (BOLT 4's PERM bit without NODE, such as
// unknown_next_peer: "remove the channel from consideration"), so that
// later payments avoid it whatever their amount.
type PermanentFailureScorer interface {
	PaymentPathFailedPermanently(r *router.Route, failed wire.ShortChannelID)
}

// Retry bounds the retries of a payment over the network: at most
// Attempts rounds of new routes after failures, and none once Timeout
// (Manager time, TimerTick) passed since the payment was sent; a zero
// Timeout is no time bound.
type Retry struct {
	Attempts int
	Timeout  time.Duration
}

// DefaultRetry is SendPayment's retry budget.
var DefaultRetry = Retry{Attempts: 3}

// SendPaymentWithRetry is SendPayment with the retry budget of a payment
// over the network.
func (m *Manager) SendPaymentWithRetry(id PaymentID, inv *invoice.Invoice, amount wire.MilliSatoshi, retry Retry) error {
	r, err := m.invoiceRequest(inv, amount)
	if err != nil {
		return err
	}
	r.id = id
	err = m.send(r)
	if err == nil || m.cfg.Router == nil || !errors.Is(err, ErrNoRoute) {
		return err
	}
	req := router.RequestFromInvoice(inv, m.ourID, r.amount, uint32(m.bestHeight()))
	err = m.sendRouted(r, req, retry)
	m.flush()
	m.processRetries()
	return err
}

// sendRouted sends r over the routes the router finds for req.
func (m *Manager) sendRouted(r sendRequest, req router.Request, retry Retry) error {
	if !m.pay.reserve(r.id) {
		return fmt.Errorf("%w: %v", ErrDuplicatePayment, r.id)
	}
	req.FirstHops = m.firstHops()
	routes, err := m.cfg.Router.FindRoutes(req)
	if err != nil {
		m.pay.unreserve(r.id)
		return fmt.Errorf("%w: %v: %w", ErrNoRoute, r.payee, err)
	}
	pay, err := newPayment(r, req.CurrentHeight)
	if err != nil {
		m.pay.unreserve(r.id)
		return err
	}
	rt := &routing{req: req, left: retry.Attempts}
	if now := m.timeNow(); retry.Timeout > 0 && !now.IsZero() {
		rt.deadline = now.Add(retry.Timeout)
	}
	payOp, err := paymentOp(pay)
	var rtOp persist.Op
	if err == nil {
		rtOp, err = routingOp(r.id, rt)
	}
	if err == nil {
		if err = m.cfg.Store.Apply(m.cfg.Context, []persist.Op{payOp, rtOp}); err != nil {
			err = fmt.Errorf("%w: payment %v: %w", ErrPersistence, r.id, err)
		}
	}
	if err != nil {
		m.pay.unreserve(r.id)
		return err
	}
	m.pay.track(pay)
	m.retries.put(r.id, rt)
	m.cfg.Logger.Info("channel: payment sent over the network", "payment_id", r.id, "payment_hash", r.hash,
		"amount_msat", r.amount, "routes", len(routes))
	m.addRoutes(r.id, routes)
	return nil
}

// addRoutes adds an attempt of payment id over each route; a route whose
// first channel cannot take it counts as a failed attempt (retried).
func (m *Manager) addRoutes(id PaymentID, routes []*router.Route) {
	for _, rt := range routes {
		if err := m.addRouteAttempt(id, rt); err != nil {
			m.cfg.Logger.Info("channel: route not taken", "payment_id", id, "err", err)
			var scid wire.ShortChannelID
			if len(rt.Hops) > 0 {
				scid = rt.Hops[0].ShortChannelID
			}
			m.retries.failed(id, scid, wire.NodeID{})
		}
	}
}

// addRouteAttempt adds an attempt of payment id over rt: over the channel
// its first hop names, or another usable one with the same peer.
func (m *Manager) addRouteAttempt(id PaymentID, rt *router.Route) error {
	if len(rt.Hops) == 0 {
		return errors.New("channel: empty route")
	}
	p := m.lockPeer(rt.Hops[0].NodeID, false)
	if p == nil {
		return fmt.Errorf("%w: %v is not a peer", ErrNoRoute, rt.Hops[0].NodeID)
	}
	defer p.mu.Unlock()
	b := &m.pay
	b.mu.Lock()
	pay := b.byID[id]
	if pay == nil || pay.Status != outbound.StatusPending {
		b.mu.Unlock()
		return errors.New("channel: payment no longer pending")
	}
	r := sendRequest{id: id, hash: pay.Hash, payee: rt.Hops[0].NodeID, route: rt}
	var lastErr error = errors.New("no usable channel")
	for _, e := range orderedFirst(p.entries, rt.Hops[0].ShortChannelID) {
		d := e.data()
		if d == nil || !usable(p, e, d) {
			continue
		}
		if err := roomFor(d, r, rt.Amount(), rt.TotalCLTV); err != nil {
			lastErr = err
			continue
		}
		prev := clonePayment(pay)
		idx, add, err := m.directAttempt(pay, d, r, rt.Amount(), rt.TotalCLTV) // the HTLC roomFor checked
		if err == nil {
			err = pay.AttemptAdded(idx, d.id, add.id)
		}
		if err == nil {
			err = b.persist(m, pay)
		}
		if err != nil {
			*pay = prev
			lastErr = err
			continue
		}
		if _, err := d.log.addHTLC(add); err != nil {
			b.mu.Unlock()
			return err // checked just above: cannot happen
		}
		b.byHTLC[htlcRef{d.id, add.id}] = id
		b.mu.Unlock()
		e.out.send(addMessage(d.id, d.log.find(commit.Local, add.id)))
		m.cfg.Logger.Info("channel: payment route attempt", "payment_id", id, "hops", len(rt.Hops),
			"amount_msat", rt.Amount(), "channel_id", d.id, "htlc_id", add.id)
		m.check(p, e, m.maybeSignCommitment(p, e, d))
		return nil
	}
	b.mu.Unlock()
	return lastErr
}

// orderedFirst returns entries with the channel scid names first.
func orderedFirst(entries []*entry, scid wire.ShortChannelID) []*entry {
	out := make([]*entry, 0, len(entries))
	for _, e := range entries {
		if d := e.data(); d != nil && (d.fund.scid == scid || d.fund.ourAlias == scid || d.fund.theirAlias == scid) {
			out = append(out, e)
		}
	}
	for _, e := range entries {
		if !slices.Contains(out, e) {
			out = append(out, e)
		}
	}
	return out
}

// firstHops are our usable channels as the router sees them.
func (m *Manager) firstHops() []router.FirstHop {
	var hops []router.FirstHop
	m.eachChannel(func(p *peerState, e *entry, d *chanData) {
		if !usable(p, e, d) || d.fund.scid == (wire.ShortChannelID{}) {
			return
		}
		out := maxAdd(d, wire.PaymentHash{}, uint32(m.bestHeight())+MaxCLTVExpiryAhead/2, wire.MilliSatoshi(d.params.Capacity)*1000)
		hops = append(hops, router.FirstHop{
			ShortChannelID: d.fund.scid, Peer: p.id, OutboundMsat: out,
			HTLCMinimumMsat: d.theirs.htlcMinimum,
		})
	})
	return hops
}

// routeFailed handles the failure f of attempt i of payment pay, sent over
// the network (b.mu held): the scorer learns it, and while the budget
// lasts and the recipient did not refuse it, the attempt fails alone and
// a retry is queued. It returns the PaymentPathFailed to raise and
// whether the failure was taken here (false: the payment gives up).
func (m *Manager) routeFailed(pay *outbound.Payment, i int, f *outbound.Failure) (events.Event, bool, error) {
	id := PaymentID(pay.ID)
	if !m.retries.routed(id) {
		return nil, false, nil
	}
	rt := &pay.Attempts[i].Route
	failed := failedChannel(rt, f)
	if m.cfg.Scorer != nil {
		if ps, ok := m.cfg.Scorer.(PermanentFailureScorer); ok && permanentChannelFailure(rt, f) {
			ps.PaymentPathFailedPermanently(rt, failed)
		} else {
			m.cfg.Scorer.PaymentPathFailed(rt, failed)
		}
	}
	permanent := f != nil && f.PaymentFailedPermanently
	ev := &events.PaymentPathFailed{
		PaymentID: id, PaymentHash: pay.Hash, PaymentFailedPermanently: permanent,
		ShortChannelID: failed, Retryable: !permanent,
	}
	for _, h := range rt.Hops {
		ev.Path = append(ev.Path, h.NodeID)
	}
	if f != nil {
		ev.Failure = htlcFailureEvent(f)
	}
	if permanent {
		m.retries.done(id)
		return ev, false, nil
	}
	if _, err := pay.AttemptFailed(i, outbound.ReasonNone); err != nil {
		return nil, false, fmt.Errorf("channel: payment %v: %w", pay.ID, err)
	}
	m.retries.failed(id, failed, failedNode(rt, f))
	return ev, true, nil
}

// permanentChannelFailure reports whether f is a permanent failure of the
// channel out of an intermediate node of rt (PERM without NODE, from a
// hop before the payee, attributed and not tampered with).
func permanentChannelFailure(rt *router.Route, f *outbound.Failure) bool {
	return f != nil && !f.Tampered && f.Code.IsPermanent() && !f.Code.IsNode() && f.HopIndex >= 0 && f.HopIndex+1 < len(rt.Hops)
}

// failedNode is the node of rt to avoid after failure f: an intermediate
// node that answered with a NODE failure (BOLT 4: the payer should then
// exclude all its channels); zero otherwise (the payee, a channel
// failure, a tampered or unattributed failure).
func failedNode(rt *router.Route, f *outbound.Failure) wire.NodeID {
	if f == nil || f.Tampered || !f.Code.IsNode() || f.HopIndex < 0 || f.HopIndex+1 >= len(rt.Hops) {
		return wire.NodeID{}
	}
	return rt.Hops[f.HopIndex].NodeID
}

// failedChannel is the channel of rt the failure f names: the one out of
// the erring hop (zero when the payee failed it or it is unknown).
func failedChannel(rt *router.Route, f *outbound.Failure) wire.ShortChannelID {
	if f == nil {
		if len(rt.Hops) > 0 {
			return rt.Hops[0].ShortChannelID // never left us
		}
		return wire.ShortChannelID{}
	}
	if f.Tampered {
		return f.ShortChannelID // into the hop the attribution data blames
	}
	if f.HopIndex < 0 || f.HopIndex+1 >= len(rt.Hops) {
		return wire.ShortChannelID{}
	}
	return rt.Hops[f.HopIndex+1].ShortChannelID
}

// processRetries retries the payments whose attempts failed, with no lock
// held: new routes for what is not in flight, or, once the budget is spent
// or no route is found, the payment given up (PaymentFailed when nothing
// is in flight).
func (m *Manager) processRetries() {
	m.retries.unpark()
	for {
		ids, rts := m.retries.take()
		m.persistRetries()
		if len(ids) == 0 {
			return
		}
		for i, id := range ids {
			m.retry(id, rts[i])
		}
	}
}

// retry retries payment id with its routing rt.
func (m *Manager) retry(id PaymentID, rt routing) {
	b := &m.pay
	b.mu.Lock()
	pay := b.byID[id]
	if pay == nil || pay.Status != outbound.StatusPending || pay.FailureReason != outbound.ReasonNone {
		b.mu.Unlock()
		m.retries.done(id) // ended, or given up: no new part
		return
	}
	remaining := pay.Amount - pay.Committed()
	b.mu.Unlock()
	if remaining == 0 {
		return // the parts in flight carry it
	}
	reason := events.FailureRetriesExhausted
	if m.cfg.Router == nil {
		reason = events.FailureRouteNotFound // restarted without one
	} else if rt.left > 0 && (rt.deadline.IsZero() || m.timeNow().Before(rt.deadline)) {
		hops := m.firstHops()
		if len(hops) == 0 {
			// No channel is usable (yet: after a restart, before the
			// peers are back): the retry waits, its budget untouched.
			m.retries.park(id)
			return
		}
		m.retries.spend(id)
		req := rt.req
		req.Amount, req.CurrentHeight = remaining, uint32(m.bestHeight())
		req.ExcludeChannels = rt.exclude
		req.ExcludeNodes = rt.excludeNodes
		req.FirstHops = hops
		routes, err := m.cfg.Router.FindRoutes(req)
		if err == nil {
			m.cfg.Logger.Info("channel: payment retried", "payment_id", id, "amount_msat", remaining, "routes", len(routes))
			m.addRoutes(id, routes)
			m.flush()
			return
		}
		m.cfg.Logger.Info("channel: payment retry found no route", "payment_id", id, "err", err)
		reason = events.FailureRouteNotFound
	}
	m.retries.done(id)
	m.logIf(m.giveUp(id, reason))
}

// giveUp ends the retries of payment id: it fails with reason once
// nothing is in flight (now, or when its last attempt ends).
func (m *Manager) giveUp(id PaymentID, reason events.PaymentFailureReason) error {
	b := &m.pay
	b.mu.Lock()
	defer b.mu.Unlock()
	pay := b.byID[id]
	if pay == nil || pay.Status != outbound.StatusPending {
		return nil
	}
	prev := clonePayment(pay)
	why := outbound.ReasonRetriesExhausted
	if reason == events.FailureRouteNotFound {
		why = outbound.ReasonRouteNotFound
	}
	last := -1
	for i := range pay.Attempts {
		if pay.Attempts[i].Status == outbound.AttemptFailed {
			last = i
		}
	}
	if last < 0 {
		pay.Abandon() // no attempt ever left: nothing in flight
	} else if _, err := pay.AttemptFailed(last, why); err != nil {
		*pay = prev
		return fmt.Errorf("channel: payment %v: %w", pay.ID, err)
	}
	var evs []events.Event
	if pay.Status == outbound.StatusFailed {
		evs = append(evs, &events.PaymentFailed{PaymentID: id, PaymentHash: pay.Hash, Reason: reason})
		m.cfg.Logger.Info("channel: payment failed", "payment_id", id, "payment_hash", pay.Hash, "reason", reason)
	}
	op, err := paymentOp(pay)
	if err == nil {
		err = m.cfg.Events.AppendWith(m.cfg.Context, []persist.Op{op}, evs...)
	}
	if err != nil {
		*pay = prev
		return fmt.Errorf("%w: %w", ErrPersistence, err)
	}
	return nil
}
