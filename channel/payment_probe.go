package channel

import (
	"errors"

	"github.com/lnkit/lnkit/channel/internal/outbound"
	"github.com/lnkit/lnkit/events"
	"github.com/lnkit/lnkit/router"
	"github.com/lnkit/lnkit/router/onion"
	"github.com/lnkit/lnkit/wire"
)

// Probing: an HTLC of a random hash, which no one knows a preimage of,
// sent along a route to learn whether its channels can carry the amount.
// The last hop refuses it (incorrect_or_unknown_payment_details): that is
// the success; a failure earlier names the channel that could not. The
// outcome is ProbeSuccessful or ProbeFailed and goes to the Config's
// Scorer; a probe raises no payment event. It is recorded and persisted
// like a payment (ListPayments shows it, marked Probe), so that a restart
// ends it the same way.

// SendProbe sends a probe along route (one or more hops, as
// router.FindRoute returns, the payer us) and returns its id. Probes are
// not retried.
func (m *Manager) SendProbe(route router.Route) (PaymentID, error) {
	if len(route.Hops) == 0 || route.Amount() == 0 {
		return PaymentID{}, errors.New("channel: empty route")
	}
	id := PaymentID(m.cfg.Entropy.GetSecureRandomBytes())
	hash := wire.PaymentHash(m.cfg.Entropy.GetSecureRandomBytes())
	secret := wire.PaymentSecret(m.cfg.Entropy.GetSecureRandomBytes())
	r := route
	r.Payer = m.ourID
	r.Hops = append([]router.Hop(nil), route.Hops...)
	err := m.send(sendRequest{
		id: id, hash: hash, secret: wire.Some(secret), amount: r.Amount(), payee: r.Hops[0].NodeID, route: &r,
		probe: true,
	})
	if err != nil {
		return PaymentID{}, err
	}
	return id, nil
}

// probeEnded fails attempt i of probe pay (its only one) with failure f
// (nil: it never left us) and returns the ProbeSuccessful or ProbeFailed
// to raise; the scorer learns the outcome.
func (m *Manager) probeEnded(pay *outbound.Payment, i int, f *outbound.Failure) ([]events.Event, error) {
	if _, err := pay.AttemptFailed(i, outbound.ReasonRecipientRejected); err != nil {
		return nil, err
	}
	rt := &pay.Attempts[i].Route
	var path []wire.NodeID
	for _, h := range rt.Hops {
		path = append(path, h.NodeID)
	}
	id := PaymentID(pay.ID)
	if f != nil && f.HopIndex == len(rt.Hops)-1 && f.Code == onion.CodeIncorrectOrUnknownPaymentDetails {
		if m.cfg.Scorer != nil {
			m.cfg.Scorer.PaymentPathSucceeded(rt)
		}
		m.cfg.Logger.Info("channel: probe succeeded", "payment_id", id, "hops", len(rt.Hops))
		return []events.Event{&events.ProbeSuccessful{PaymentID: id, PaymentHash: pay.Hash, Path: path}}, nil
	}
	failed := failedChannel(rt, f)
	if m.cfg.Scorer != nil {
		m.cfg.Scorer.PaymentPathFailed(rt, failed)
	}
	ev := &events.ProbeFailed{PaymentID: id, PaymentHash: pay.Hash, Path: path, ShortChannelID: failed}
	if f != nil {
		ev.Failure = htlcFailureEvent(f)
	}
	m.cfg.Logger.Info("channel: probe failed", "payment_id", id, "short_channel_id", failed)
	return []events.Event{ev}, nil
}
