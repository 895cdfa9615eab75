package outbound

import (
	"errors"
	"fmt"
	"math/bits"

	"github.com/lnkit/lnkit/router"
	"github.com/lnkit/lnkit/wire"
)

// checkRoute checks what the payment logic relies on in a route: 1 to
// MaxHops hops, amounts at most MaxAmount, a first HTLC carrying the
// delivered amount plus the fee, and hop amounts that only decrease along
// the path.
func checkRoute(r *router.Route) error {
	n := len(r.Hops)
	switch {
	case n == 0:
		return fmt.Errorf("%w: no hops", ErrInvalidRoute)
	case n > MaxHops:
		return fmt.Errorf("%w: %d hops, more than %d", ErrInvalidRoute, n, MaxHops)
	case r.TotalAmount > MaxAmount:
		return fmt.Errorf("%w: total amount %d out of range", ErrInvalidRoute, r.TotalAmount)
	case r.Amount() == 0:
		return fmt.Errorf("%w: delivers nothing", ErrInvalidRoute)
	case r.Amount() > r.TotalAmount || r.TotalAmount-r.Amount() != r.TotalFee:
		return fmt.Errorf("%w: total %d is not the amount %d plus the fee %d", ErrInvalidRoute, r.TotalAmount, r.Amount(), r.TotalFee)
	}
	for i := 1; i < n; i++ {
		if r.Hops[i].AmountToForward > r.Hops[i-1].AmountToForward {
			return fmt.Errorf("%w: hop %d forwards more than it receives", ErrInvalidRoute, i)
		}
	}
	return nil
}

// Validate checks the invariants every reachable payment state keeps; a
// decoded record must pass it. They are: known status, attempt states and
// failure reason; Amount in range; bounded metadata and attempts; every
// route consistent; distinct non-zero session keys; only added attempts
// fulfilled; the in-flight and fulfilled attempts delivering at most
// Amount and paying at most MaxFee (when set); a preimage hashing to Hash whenever present, present when
// succeeded or keysend; FeePaid the fee of the fulfilled attempts; a
// succeeded payment with a fulfilled attempt and no failure reason, a
// pending one with none fulfilled, a failed one with a reason and nothing
// in flight or fulfilled.
func (p *Payment) Validate() error {
	if err := p.checkFields(); err != nil {
		return err
	}
	keys := make(map[SessionKey]struct{}, len(p.Attempts))
	var committed, fees, committedFees uint64
	inFlight, succeeded := 0, 0
	for i := range p.Attempts {
		a := &p.Attempts[i]
		if err := checkAttempt(a); err != nil {
			return fmt.Errorf("attempt %d: %w", i, err)
		}
		if _, dup := keys[a.SessionKey]; dup {
			return fmt.Errorf("attempt %d: session key reused", i)
		}
		keys[a.SessionKey] = struct{}{}
		switch a.Status {
		case AttemptInFlight:
			inFlight++
		case AttemptSucceeded:
			succeeded++
			var c uint64
			if fees, c = bits.Add64(fees, uint64(a.Route.TotalFee), 0); c != 0 {
				return fmt.Errorf("attempt %d: fees overflow", i)
			}
		}
		if a.Status != AttemptFailed {
			var c uint64
			if committed, c = bits.Add64(committed, uint64(a.Route.Amount()), 0); c != 0 || committed > uint64(p.Amount) {
				return fmt.Errorf("attempt %d: attempts deliver more than %d", i, p.Amount)
			}
			if committedFees, c = bits.Add64(committedFees, uint64(a.Route.TotalFee), 0); c != 0 ||
				(p.MaxFee != 0 && committedFees > uint64(p.MaxFee)) {
				return fmt.Errorf("attempt %d: attempts pay more fee than %d", i, p.MaxFee)
			}
		}
	}
	if wire.MilliSatoshi(fees) != p.FeePaid {
		return fmt.Errorf("fee paid %d, fulfilled attempts' fee %d", p.FeePaid, fees)
	}
	switch p.Status {
	case StatusPending:
		if succeeded > 0 {
			return errors.New("pending with a fulfilled attempt")
		}
		if p.FailureReason != ReasonNone && inFlight == 0 {
			return errors.New("given up with nothing in flight but not failed")
		}
	case StatusSucceeded:
		if succeeded == 0 || !p.Preimage.Present || p.FailureReason != ReasonNone {
			return errors.New("succeeded without a fulfilled attempt and a preimage, or with a failure reason")
		}
	case StatusFailed:
		if p.FailureReason == ReasonNone || inFlight > 0 || succeeded > 0 {
			return errors.New("failed without a reason, or with attempts in flight or fulfilled")
		}
	}
	return nil
}

// checkFields checks the payment's own fields.
func (p *Payment) checkFields() error {
	switch {
	case p.Status < StatusPending || p.Status > StatusFailed:
		return fmt.Errorf("unknown %v", p.Status)
	case p.FailureReason > maxFailureReason:
		return fmt.Errorf("unknown failure %v", p.FailureReason)
	case p.Amount == 0 || p.Amount > MaxAmount:
		return fmt.Errorf("amount %d out of range", p.Amount)
	case p.MaxFee > MaxAmount:
		return fmt.Errorf("fee limit %d out of range", p.MaxFee)
	case len(p.Metadata) > MaxMetadataLen:
		return fmt.Errorf("metadata of %d bytes", len(p.Metadata))
	case len(p.Attempts) > MaxAttempts:
		return fmt.Errorf("%d attempts", len(p.Attempts))
	case p.Keysend && p.Probe:
		return errors.New("a keysend probe")
	case p.Keysend && !p.Preimage.Present:
		return errors.New("keysend without a preimage")
	case p.Preimage.Present && p.Preimage.Value.Hash() != p.Hash:
		return ErrWrongPreimage
	case !p.Keysend && p.Preimage.Present && p.Status != StatusSucceeded:
		return errors.New("preimage of a payment not succeeded")
	}
	return nil
}

// checkAttempt checks one attempt alone.
func checkAttempt(a *Attempt) error {
	switch {
	case a.Status < AttemptInFlight || a.Status > AttemptFailed:
		return fmt.Errorf("unknown %v", a.Status)
	case !validSessionKey(a.SessionKey):
		return errors.New("session key is not a private key")
	case a.Status == AttemptSucceeded && !a.Added:
		return errors.New("fulfilled but never added")
	case !a.Added && (a.ChannelID != wire.ChannelID{} || a.HTLCID != 0):
		return errors.New("channel and htlc id of an attempt not added")
	}
	return checkRoute(&a.Route)
}
