package channel

import (
	"bytes"
	"fmt"
	"slices"

	"github.com/lnkit/lnkit/channel/commit"
	"github.com/lnkit/lnkit/channel/internal/outbound"
	"github.com/lnkit/lnkit/channel/monitor"
	"github.com/lnkit/lnkit/wire"
)

// PaymentStatus is where an outgoing payment is.
type PaymentStatus uint8

// The states of a payment.
const (
	// PaymentPending: its HTLC is in flight.
	PaymentPending PaymentStatus = iota + 1
	// PaymentSucceeded: the payee revealed the preimage.
	PaymentSucceeded
	// PaymentFailed: it failed; the id cannot be used again.
	PaymentFailed
)

// String names the status.
func (s PaymentStatus) String() string {
	switch s {
	case PaymentPending:
		return "pending"
	case PaymentSucceeded:
		return "succeeded"
	case PaymentFailed:
		return "failed"
	}
	return "unknown"
}

// PaymentDetails describes an outgoing payment (ListPayments).
type PaymentDetails struct {
	// ID is the application's id of the payment.
	ID PaymentID
	// PaymentHash is the hash the payment pays.
	PaymentHash wire.PaymentHash
	// Amount is what the payee receives; Fee what the route cost.
	Amount, Fee wire.MilliSatoshi
	// Status is where the payment is.
	Status PaymentStatus
	// Preimage is the proof of payment, once succeeded.
	Preimage wire.Option[wire.Preimage]
	// Keysend reports a spontaneous payment.
	Keysend bool
	// Probe reports a probe (SendProbe): it ends Failed, its outcome in
	// ProbeSuccessful or ProbeFailed.
	Probe bool
	// Payee is the final node.
	Payee wire.NodeID
}

// ListPayments returns every outgoing payment, ordered by payment id.
func (m *Manager) ListPayments() []PaymentDetails {
	b := &m.pay
	b.mu.Lock()
	defer b.mu.Unlock()
	out := make([]PaymentDetails, 0, len(b.byID))
	for _, pay := range b.byID {
		d := PaymentDetails{
			ID: PaymentID(pay.ID), PaymentHash: pay.Hash, Amount: pay.Amount, Fee: pay.FeePaid,
			Preimage: pay.Preimage, Keysend: pay.Keysend, Probe: pay.Probe,
		}
		switch pay.Status {
		case outbound.StatusSucceeded:
			d.Status = PaymentSucceeded
		case outbound.StatusFailed:
			d.Status = PaymentFailed
		default:
			d.Status = PaymentPending
		}
		if n := len(pay.Attempts); n > 0 {
			if r := pay.Attempts[n-1].Route; len(r.Hops) > 0 {
				d.Payee = r.Hops[len(r.Hops)-1].NodeID
			}
		}
		out = append(out, d)
	}
	slices.SortFunc(out, func(a, b PaymentDetails) int { return bytes.Compare(a.ID[:], b.ID[:]) })
	return out
}

// loadPayments reads the payment records (Load).
func (m *Manager) loadPayments() error {
	ctx := m.cfg.Context
	keys, err := m.cfg.Store.List(ctx, paymentsNS())
	if err != nil {
		return fmt.Errorf("%w: list payments: %w", ErrPersistence, err)
	}
	b := &m.pay
	b.mu.Lock()
	defer b.mu.Unlock()
	for _, k := range keys {
		v, err := m.cfg.Store.Read(ctx, paymentsNS(), k)
		if err != nil {
			return fmt.Errorf("%w: read payment %s: %w", ErrPersistence, k, err)
		}
		pay, err := outbound.DecodePayment(v)
		if err != nil {
			return fmt.Errorf("channel: payment %s: %w", k, err)
		}
		b.index(pay)
	}
	return nil
}

// reconcilePayments fails, after Load, the in-flight attempts whose HTLC
// no channel holds any more in a commitment: the crash came before it was
// signed (our HTLC ids are then reused, so the payment hash is compared
// too). Attempts of channels that are gone stay pending, their HTLCs
// resolved on chain, unless the channel's monitor never saw the HTLC
// (MonitorInfo.NextOfferedHTLCID): those fail.
func (m *Manager) reconcilePayments(monitors map[wire.ChannelID]monitor.MonitorInfo) error {
	b := &m.pay
	b.mu.Lock()
	refs := make([]htlcRef, 0, len(b.byHTLC))
	for ref := range b.byHTLC {
		refs = append(refs, ref)
	}
	b.mu.Unlock()
	slices.SortFunc(refs, compareRefs)
	for _, ref := range refs {
		m.mu.Lock()
		node, ok := m.ids[ref.channel]
		m.mu.Unlock()
		if !ok {
			// A closed channel: its monitor resolves the HTLC, unless it
			// never saw it (the update holding it was lost at a crash,
			// so no commitment with it left: it fails now).
			if info, has := monitors[ref.channel]; has && ref.id >= info.NextOfferedHTLCID {
				if err := m.reconcileAttempt(nil, ref); err != nil {
					return err
				}
			}
			continue
		}
		p := m.lockPeer(node, false)
		if p == nil {
			continue
		}
		var err error
		if e := p.byID[ref.channel]; e != nil && e.data() != nil {
			err = m.reconcileAttempt(e.data(), ref)
		}
		p.mu.Unlock()
		if err != nil {
			return err
		}
	}
	return nil
}

// reconcileAttempt fails the attempt of ref when d's log lacks its HTLC,
// or, d nil, at once (a closed channel's monitor never saw it).
func (m *Manager) reconcileAttempt(d *chanData, ref htlcRef) error {
	b := &m.pay
	b.mu.Lock()
	pay := b.byID[b.byHTLC[ref]]
	b.mu.Unlock()
	if pay == nil {
		return nil
	}
	if d == nil {
		m.cfg.Logger.Info("channel: payment htlc never committed before its channel closed: failing it", "payment_id", pay.ID, "channel_id", ref.channel, "htlc_id", ref.id)
	} else if h := d.log.find(commit.Local, ref.id); h != nil && h.paymentHash == pay.Hash {
		return nil
	}
	return m.dropAttempt(ref.channel, &htlcEntry{id: ref.id, paymentHash: pay.Hash})
}
