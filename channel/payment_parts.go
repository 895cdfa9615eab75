package channel

import (
	"fmt"

	"github.com/lnkit/lnkit/channel/commit"
	"github.com/lnkit/lnkit/wire"
)

// sendPart is one part of a multi-part payment planned on a channel.
type sendPart struct {
	e      *entry
	d      *chanData
	amount wire.MilliSatoshi
}

// sendParts sends r in parts over several usable channels with the payee
// (BOLT 4 basic_mpp; p locked), each carrying what it can, one part per
// channel, every part's onion naming the whole amount and the invoice's
// secret. The payment's record, with every attempt, is durable before
// any HTLC is added; nothing is sent when the channels cannot carry the
// whole amount together.
func (m *Manager) sendParts(p *peerState, r sendRequest, height, cltv uint32, lastErr error) error {
	var plan []sendPart
	left := r.amount
	for _, e := range p.entries {
		d := e.data()
		if left == 0 || d == nil || !usable(p, e, d) {
			continue
		}
		if amt := maxAdd(d, r.hash, cltv, left); amt > 0 {
			plan = append(plan, sendPart{e: e, d: d, amount: amt})
			left -= amt
		}
	}
	if left > 0 || len(plan) < 2 {
		return fmt.Errorf("%w: %v: %v short over %d channels: %w", ErrNoRoute, r.payee, left, len(plan), lastErr)
	}
	pay, err := newPayment(r, height)
	if err != nil {
		return err
	}
	adds := make([]htlcAdd, len(plan))
	for i, part := range plan {
		d := part.d
		idx, add, err := m.directAttempt(pay, d, r, part.amount, cltv)
		if err != nil {
			return err
		}
		adds[i] = add
		if err := pay.AttemptAdded(idx, d.id, adds[i].id); err != nil {
			return fmt.Errorf("channel: payment attempt: %w", err)
		}
	}
	if err := m.pay.persist(m, pay); err != nil {
		return err
	}
	m.pay.track(pay)
	for i, part := range plan {
		d := part.d
		if _, err := d.log.addHTLC(adds[i]); err != nil {
			return err // checked by maxAdd: cannot happen
		}
		part.e.out.send(addMessage(d.id, d.log.find(commit.Local, adds[i].id)))
		m.cfg.Logger.Info("channel: payment part sent", "payment_id", r.id, "payment_hash", r.hash, "amount_msat", part.amount,
			"total_msat", r.amount, "channel_id", d.id, "htlc_id", adds[i].id)
		m.check(p, part.e, m.maybeSignCommitment(p, part.e, d))
	}
	return nil
}

// maxAdd returns the largest amount, at most limit, that d takes as an
// HTLC of ours now (zero for none): found by halving between what the
// log's rules accept and refuse (they refuse every amount above the
// largest they accept, but dust rules aside).
func maxAdd(d *chanData, hash wire.PaymentHash, cltv uint32, limit wire.MilliSatoshi) wire.MilliSatoshi {
	ok := func(amt wire.MilliSatoshi) bool {
		a := htlcAdd{id: d.log.nextID[commit.Local], amount: amt, paymentHash: hash, cltvExpiry: cltv}
		return d.log.checkAdd(commit.Local, &a) == nil
	}
	if ok(limit) {
		return limit
	}
	if least := max(d.log.p.limitsOf(commit.Remote).htlcMinimum, 1); least < limit && !ok(least) {
		return 0 // no room at all (max_accepted_htlcs, a full balance): no search
	}
	lo, hi := wire.MilliSatoshi(0), limit // ok(lo) or lo == 0; !ok(hi)
	for hi-lo > 1 {
		mid := lo + (hi-lo)/2
		if ok(mid) {
			lo = mid
		} else {
			hi = mid
		}
	}
	if lo > 0 && !ok(lo) {
		return 0
	}
	return lo
}
