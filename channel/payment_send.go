package channel

import (
	"errors"
	"fmt"
	"time"

	"github.com/lnkit/lnkit/channel/commit"
	"github.com/lnkit/lnkit/channel/internal/outbound"
	"github.com/lnkit/lnkit/events"
	"github.com/lnkit/lnkit/invoice"
	"github.com/lnkit/lnkit/router"
	"github.com/lnkit/lnkit/wire"
)

// Sending payments over a channel with the payee. A payment is identified
// by the application's PaymentID and sent at most once per id, across
// restarts: its record is durable before its HTLC can leave. It ends with
// exactly one PaymentSent (the preimage, durable with the commitment_signed
// that follows the payee's update_fulfill_htlc, before our revocation of
// the HTLC can leave) or PaymentFailed (once the HTLC's removal is irrevocable, or
// when the HTLC never reached a commitment).

// PaymentID is the application's id of a payment (events.PaymentID).
type PaymentID = events.PaymentID

// FinalCLTVShadow is added to the payee's min_final_cltv_expiry_delta: a
// few blocks for the chain to move while the HTLC travels.
const FinalCLTVShadow = 3

// DefaultMinFinalCLTVExpiryDelta is BOLT 11's min_final_cltv_expiry_delta
// when an invoice has none.
const DefaultMinFinalCLTVExpiryDelta = 18

// sendRequest is a payment to send.
type sendRequest struct {
	id       PaymentID
	hash     wire.PaymentHash
	secret   wire.Option[wire.PaymentSecret]
	metadata []byte
	keysend  *wire.Preimage
	amount   wire.MilliSatoshi
	// mpp: the payee takes multi-part payments (basic_mpp).
	mpp       bool
	payee     wire.NodeID
	finalCLTV uint32
	// route, when set, is the whole route to pay over: its first hop is
	// payee, over the channel it names (or another with the same peer).
	route *router.Route
	// probe: a probe (SendProbe), not a payment.
	probe bool
}

// SendPayment pays inv (BOLT 11) over a channel with its payee, or, when
// none carries it and Config.Router is set, over the network with
// DefaultRetry (payment_route.go): amount is the amount to pay, zero
// meaning the invoice's (an invoice without one needs it; paying less
// than the invoice asks is refused). The invoice is checked first
// (invoice.CheckPayable at the Manager's time). A second call with the
// same id fails with ErrDuplicatePayment, whatever happened to the first,
// even across restarts.
func (m *Manager) SendPayment(id PaymentID, inv *invoice.Invoice, amount wire.MilliSatoshi) error {
	return m.SendPaymentWithRetry(id, inv, amount, DefaultRetry)
}

// invoiceRequest checks inv and returns the payment of amount it asks.
func (m *Manager) invoiceRequest(inv *invoice.Invoice, amount wire.MilliSatoshi) (sendRequest, error) {
	if err := inv.CheckPayable(m.timeNow()); err != nil {
		return sendRequest{}, fmt.Errorf("channel: invoice not payable: %w", err)
	}
	if a, ok := inv.Amount(); ok {
		switch {
		case amount == 0:
			amount = a
		case amount < a:
			return sendRequest{}, fmt.Errorf("channel: paying %v of an invoice of %v", amount, a)
		}
	}
	if amount == 0 {
		return sendRequest{}, errors.New("channel: the invoice has no amount: give one")
	}
	delta := uint32(DefaultMinFinalCLTVExpiryDelta)
	if inv.HasMinFinalCLTVExpiryDelta() {
		if inv.MinFinalCLTVExpiryDelta() > MaxCLTVExpiryAhead {
			return sendRequest{}, fmt.Errorf("channel: the invoice's min_final_cltv_expiry_delta %d is unreasonable", inv.MinFinalCLTVExpiryDelta())
		}
		delta = uint32(inv.MinFinalCLTVExpiryDelta())
	}
	meta, _ := inv.Metadata()
	return sendRequest{
		id: PaymentID{}, hash: inv.PaymentHash(), secret: wire.Some(inv.PaymentSecret()), metadata: meta,
		amount: amount, payee: inv.Payee(), finalCLTV: delta, mpp: inv.Features().HasFeature(wire.BasicMPPOptional),
	}, nil
}

// SendSpontaneousPayment pays amount to payee without an invoice (keysend:
// the preimage travels in the onion, record 5482373484) over a channel with
// it or, when none carries it and Config.Router is set, over the network
// in one part with DefaultRetry, and returns the payment hash.
func (m *Manager) SendSpontaneousPayment(id PaymentID, payee wire.NodeID, amount wire.MilliSatoshi, preimage wire.Preimage) (wire.PaymentHash, error) {
	if amount == 0 {
		return wire.PaymentHash{}, errors.New("channel: keysend of zero")
	}
	hash := preimage.Hash()
	r := sendRequest{
		id: id, hash: hash, keysend: &preimage, amount: amount, payee: payee,
		finalCLTV: DefaultKeysendMinFinalCLTVExpiryDelta,
	}
	err := m.send(r)
	if err == nil || m.cfg.Router == nil || !errors.Is(err, ErrNoRoute) {
		return hash, err
	}
	req := router.Request{
		Payer: m.ourID, Payee: payee, Amount: amount, CurrentHeight: uint32(m.bestHeight()),
		FinalCLTVDelta: DefaultKeysendMinFinalCLTVExpiryDelta, MaxParts: 1,
	}
	err = m.sendRouted(r, req, DefaultRetry)
	m.flush()
	m.processRetries()
	return hash, err
}

// SendPaymentRoute pays over route (one or more hops, as router.FindRoute
// returns, the payer us): the payment's hash and the payee's payment
// secret (an invoice's), route.Amount() delivered. The first HTLC goes
// over the channel with route.Hops[0].NodeID that the first hop names, or
// another usable channel with that peer. A failure anywhere on the route
// comes back as PaymentFailed, decoded to the hop that sent it.
func (m *Manager) SendPaymentRoute(id PaymentID, hash wire.PaymentHash, secret wire.PaymentSecret, route router.Route) error {
	if len(route.Hops) == 0 || route.Amount() == 0 {
		return errors.New("channel: empty route")
	}
	r := route
	r.Payer = m.ourID
	r.Hops = append([]router.Hop(nil), route.Hops...)
	return m.send(sendRequest{
		id: id, hash: hash, secret: wire.Some(secret), amount: r.Amount(), payee: r.Hops[0].NodeID, route: &r,
	})
}

// timeNow is the injected time (TimerTick).
func (m *Manager) timeNow() time.Time {
	m.mu.Lock()
	defer m.mu.Unlock()
	return m.now
}

// send adds the payment's HTLC to the first usable channel with the payee
// that can carry it; when none can and the payee takes multi-part
// payments, parts over several (sendParts).
func (m *Manager) send(r sendRequest) error {
	if !m.pay.reserve(r.id) {
		return fmt.Errorf("%w: %v", ErrDuplicatePayment, r.id)
	}
	sent := false
	defer func() {
		if !sent {
			m.pay.unreserve(r.id)
		}
	}()
	p := m.lockPeer(r.payee, false)
	if p == nil {
		return fmt.Errorf("%w: %v is not a peer", ErrNoRoute, r.payee)
	}
	err := m.sendLocked(p, r)
	sent = err == nil
	p.mu.Unlock()
	m.flush()
	return err
}

// sendLocked is send under the payee's lock.
func (m *Manager) sendLocked(p *peerState, r sendRequest) error {
	height := uint32(m.bestHeight())
	cltv := height + r.finalCLTV + FinalCLTVShadow
	lastErr := errors.New("no usable channel")
	for _, e := range p.entries {
		d := e.data()
		if d == nil || !usable(p, e, d) {
			continue
		}
		if err := roomFor(d, r, r.amount, cltv); err != nil {
			lastErr = err
			continue
		}
		pay, err := newPayment(r, height)
		if err != nil {
			return err
		}
		idx, add, err := m.directAttempt(pay, d, r, r.amount, cltv) // the HTLC roomFor checked
		if err != nil {
			return err
		}
		if err := pay.AttemptAdded(idx, d.id, add.id); err != nil {
			return fmt.Errorf("channel: payment attempt: %w", err)
		}
		if err := m.pay.persist(m, pay); err != nil {
			return err
		}
		if _, err := d.log.addHTLC(add); err != nil {
			return err // checked just above: cannot happen
		}
		m.pay.track(pay)
		e.out.send(addMessage(d.id, d.log.find(commit.Local, add.id)))
		m.cfg.Logger.Info("channel: payment sent", "payment_id", r.id, "payment_hash", r.hash, "amount_msat", r.amount,
			"channel_id", d.id, "htlc_id", add.id)
		m.check(p, e, m.maybeSignCommitment(p, e, d))
		return nil
	}
	if r.mpp {
		return m.sendParts(p, r, height, cltv, lastErr)
	}
	return fmt.Errorf("%w: %v: %w", ErrNoRoute, r.payee, lastErr)
}

// newPayment is the record of a payment about to be sent.
func newPayment(r sendRequest, height uint32) (*outbound.Payment, error) {
	req := outbound.Request{
		ID: outbound.PaymentID(r.id), Hash: r.hash, Secret: r.secret, Metadata: r.metadata,
		Amount: r.amount, Height: height, Probe: r.probe,
	}
	if r.keysend != nil {
		req.KeysendPreimage = wire.Some(*r.keysend)
	}
	pay, err := outbound.NewPayment(req)
	if err != nil {
		return nil, fmt.Errorf("channel: payment: %w", err)
	}
	return pay, nil
}

// roomFor checks that channel d has room now for the HTLC directAttempt
// would add for r (count, value in flight, balance, fees), before its
// onion is built: a busy channel refusing sends costs no key derivation.
func roomFor(d *chanData, r sendRequest, amount wire.MilliSatoshi, cltv uint32) error {
	if r.route != nil {
		amount, cltv = r.route.TotalAmount, r.route.TotalCLTV
	}
	add := htlcAdd{id: d.log.nextID[commit.Local], amount: amount, paymentHash: r.hash, cltvExpiry: cltv}
	return d.log.checkAdd(commit.Local, &add)
}

// directAttempt adds to pay an attempt of amount over channel d to the
// payee r names, its HTLC expiring at cltv (or along r.route, its first
// hop over d), and returns it with the HTLC to add (not checked against
// the channel's rules yet).
func (m *Manager) directAttempt(pay *outbound.Payment, d *chanData, r sendRequest, amount wire.MilliSatoshi, cltv uint32) (int, htlcAdd, error) {
	route := router.Route{
		Payer: m.ourID, TotalAmount: amount, TotalCLTV: cltv,
		Hops: []router.Hop{{NodeID: r.payee, ShortChannelID: d.fund.scid, AmountToForward: amount, OutgoingCLTV: cltv}},
	}
	if r.route != nil {
		// The whole route, its first hop over d.
		route = *r.route
		route.Hops = append([]router.Hop(nil), r.route.Hops...)
		route.Hops[0].ShortChannelID = d.fund.scid
		amount, cltv = route.TotalAmount, route.TotalCLTV
	}
	idx, err := pay.AddAttempt(outbound.Attempt{SessionKey: outbound.SessionKey(m.cfg.Entropy.GetSecureRandomBytes()), Route: route})
	if err != nil {
		return 0, htlcAdd{}, fmt.Errorf("channel: payment attempt: %w", err)
	}
	pkt, err := pay.Onion(idx)
	if err != nil {
		return 0, htlcAdd{}, fmt.Errorf("channel: onion: %w", err)
	}
	return idx, htlcAdd{id: d.log.nextID[commit.Local], amount: amount, paymentHash: r.hash, cltvExpiry: cltv, onion: pkt.Encode(nil)}, nil
}
