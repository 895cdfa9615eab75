package outbound

import (
	"fmt"
	"math/bits"

	"github.com/lnkit/lnkit/wire"
)

// AddAttempt records a new in-flight attempt along a's route with a's
// session key (the other fields of a are ignored) and returns its index.
// The payment must be pending and not given up, the route must be
// consistent (see checkRoute), its session key non-zero and unused by any
// other attempt, and the attempts in flight or fulfilled plus this one
// must not deliver more than Amount nor, with a MaxFee, pay more fee than
// it (ErrFeeLimit). A refused attempt gives an error
// matching ErrInvalidAttempt or ErrIllegalTransition.
func (p *Payment) AddAttempt(a Attempt) (int, error) {
	switch {
	case p.Status != StatusPending:
		return -1, &TransitionError{Op: "add attempt", Attempt: -1, Reason: "payment is " + p.Status.String()}
	case p.FailureReason != ReasonNone:
		return -1, &TransitionError{Op: "add attempt", Attempt: -1, Reason: "payment given up: " + p.FailureReason.String()}
	case len(p.Attempts) >= MaxAttempts:
		return -1, &TransitionError{Op: "add attempt", Attempt: -1, Reason: fmt.Sprintf("%d attempts already", len(p.Attempts))}
	}
	if err := checkRoute(&a.Route); err != nil {
		return -1, fmt.Errorf("%w: %w", ErrInvalidAttempt, err)
	}
	if _, err := sessionPrivKey(a.SessionKey); err != nil {
		return -1, fmt.Errorf("%w: %w", ErrInvalidAttempt, err)
	}
	for i := range p.Attempts {
		if p.Attempts[i].SessionKey == a.SessionKey {
			return -1, fmt.Errorf("%w: session key of attempt %d reused", ErrInvalidAttempt, i)
		}
	}
	if committed, amt := p.Committed(), a.Route.Amount(); amt > p.Amount-committed {
		return -1, fmt.Errorf("%w: route delivers %d with %d committed of %d", ErrInvalidAttempt, amt, committed, p.Amount)
	}
	fee := p.CommittedFee()
	if sum, carry := bits.Add64(uint64(fee), uint64(a.Route.TotalFee), 0); carry != 0 || (p.MaxFee != 0 && sum > uint64(p.MaxFee)) {
		return -1, fmt.Errorf("%w: route fee %d with %d committed of the %d limit", ErrFeeLimit, a.Route.TotalFee, fee, p.MaxFee)
	}
	hops := append(a.Route.Hops[:0:0], a.Route.Hops...)
	a.Route.Hops = hops
	a.ChannelID, a.HTLCID, a.Added, a.Status = wire.ChannelID{}, 0, false, AttemptInFlight
	p.Attempts = append(p.Attempts, a)
	return len(p.Attempts) - 1, nil
}

// AttemptAdded records that attempt i's update_add_htlc was handed to
// channel ch as HTLC htlcID. The attempt must be in flight and not added
// yet.
func (p *Payment) AttemptAdded(i int, ch wire.ChannelID, htlcID uint64) error {
	a, err := p.attempt("mark added", i)
	if err != nil {
		return err
	}
	switch {
	case a.Status != AttemptInFlight:
		return &TransitionError{Op: "mark added", Attempt: i, Reason: "attempt is " + a.Status.String()}
	case a.Added:
		return &TransitionError{Op: "mark added", Attempt: i, Reason: "already added"}
	}
	a.ChannelID, a.HTLCID, a.Added = ch, htlcID, true
	return nil
}

// AttemptSucceeded records that attempt i was fulfilled with preimage. The
// first fulfil makes the payment succeed (Preimage set, FailureReason
// cleared); every fulfilled attempt adds its route's TotalFee to FeePaid.
// It returns false, and changes nothing, when attempt i is already
// fulfilled with this preimage (a replay). The attempt must have been
// added and not failed; the preimage must hash to Hash
// (ErrWrongPreimage).
func (p *Payment) AttemptSucceeded(i int, preimage wire.Preimage) (bool, error) {
	a, err := p.attempt("mark succeeded", i)
	if err != nil {
		return false, err
	}
	if preimage.Hash() != p.Hash {
		return false, fmt.Errorf("%w: attempt %d", ErrWrongPreimage, i)
	}
	switch {
	case a.Status == AttemptSucceeded:
		return false, nil
	case a.Status != AttemptInFlight:
		return false, &TransitionError{Op: "mark succeeded", Attempt: i, Reason: "attempt is " + a.Status.String()}
	case !a.Added:
		return false, &TransitionError{Op: "mark succeeded", Attempt: i, Reason: "never added to a channel"}
	}
	fee, carry := bits.Add64(uint64(p.FeePaid), uint64(a.Route.TotalFee), 0)
	if carry != 0 {
		return false, &TransitionError{Op: "mark succeeded", Attempt: i, Reason: "fee paid overflows"}
	}
	a.Status = AttemptSucceeded
	p.FeePaid = wire.MilliSatoshi(fee)
	p.Status = StatusSucceeded
	p.Preimage = wire.Some(preimage)
	p.FailureReason = ReasonNone
	return true, nil
}

// AttemptFailed records that attempt i failed (or was never offered).
// reason is ReasonNone when the caller will retry, or why it gives up:
// then no attempt can be added any more, and the payment fails as soon as
// no attempt is in flight (now or when the last one fails). A succeeded
// payment stays succeeded. It returns false, and changes nothing, when
// attempt i has already failed and reason adds nothing.
func (p *Payment) AttemptFailed(i int, reason FailureReason) (bool, error) {
	a, err := p.attempt("mark failed", i)
	if err != nil {
		return false, err
	}
	if reason > maxFailureReason {
		return false, &TransitionError{Op: "mark failed", Attempt: i, Reason: "unknown " + reason.String()}
	}
	switch a.Status {
	case AttemptSucceeded:
		return false, &TransitionError{Op: "mark failed", Attempt: i, Reason: "attempt succeeded"}
	case AttemptFailed:
		if reason == ReasonNone || p.Status != StatusPending || p.FailureReason != ReasonNone {
			return false, nil
		}
	}
	a.Status = AttemptFailed
	p.giveUp(reason)
	return true, nil
}

// Abandon gives the payment up with ReasonAbandoned: no attempt will be
// added, and it fails when no attempt is in flight. It returns false when
// the payment is no longer pending or already given up.
func (p *Payment) Abandon() bool {
	if p.Status != StatusPending || p.FailureReason != ReasonNone {
		return false
	}
	p.giveUp(ReasonAbandoned)
	return true
}

// giveUp records reason (if any, and the first one) on a pending payment
// and fails it when nothing is in flight.
func (p *Payment) giveUp(reason FailureReason) {
	if p.Status != StatusPending {
		return
	}
	if p.FailureReason == ReasonNone {
		p.FailureReason = reason
	}
	if p.FailureReason != ReasonNone && p.InFlight() == 0 {
		p.Status = StatusFailed
	}
}

func (p *Payment) attempt(op string, i int) (*Attempt, error) {
	if i < 0 || i >= len(p.Attempts) {
		return nil, fmt.Errorf("%w: %s: index %d of %d", ErrUnknownAttempt, op, i, len(p.Attempts))
	}
	return &p.Attempts[i], nil
}
