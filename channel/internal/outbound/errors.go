package outbound

import (
	"errors"
	"fmt"
)

// Errors, matched with errors.Is.
var (
	// ErrCorruptRecord: a stored payment record cannot be read. Every
	// decoding failure is a *RecordError matching it.
	ErrCorruptRecord = errors.New("outbound: corrupt payment record")
	// ErrInvalidPayment: NewPayment was given an unusable request.
	ErrInvalidPayment = errors.New("outbound: invalid payment")
	// ErrInvalidAttempt: AddAttempt was given an unusable attempt (route,
	// session key, amount).
	ErrInvalidAttempt = errors.New("outbound: invalid attempt")
	// ErrFeeLimit: an attempt would take the payment's fee above its
	// MaxFee. It matches ErrInvalidAttempt too.
	ErrFeeLimit = fmt.Errorf("%w: fee limit exceeded", ErrInvalidAttempt)
	// ErrIllegalTransition: the move is not allowed in the payment's or
	// attempt's current state.
	ErrIllegalTransition = errors.New("outbound: illegal state transition")
	// ErrUnknownAttempt: the attempt index is out of range.
	ErrUnknownAttempt = errors.New("outbound: unknown attempt")
	// ErrWrongPreimage: the preimage does not hash to the payment hash.
	ErrWrongPreimage = errors.New("outbound: preimage does not match the payment hash")
	// ErrInvalidRoute: a route cannot carry an onion (no hops, too many,
	// an invalid node key).
	ErrInvalidRoute = errors.New("outbound: invalid route")
	// ErrUnreadableFailure: a returned failure could not be attributed to
	// a hop or its message could not be parsed.
	ErrUnreadableFailure = errors.New("outbound: unreadable failure")
)

// RecordError is a payment record that could not be decoded. It matches
// ErrCorruptRecord and the error beneath (a persist.RecordError, a wire
// error, or a broken invariant).
type RecordError struct {
	// Field names the part of the record that was wrong.
	Field string
	// Err is the cause.
	Err error
}

// Error implements error.
func (e *RecordError) Error() string {
	return fmt.Sprintf("outbound: corrupt payment record: %s: %v", e.Field, e.Err)
}

// Unwrap returns ErrCorruptRecord and the cause.
func (e *RecordError) Unwrap() []error { return []error{ErrCorruptRecord, e.Err} }

// TransitionError is a move refused by the state machine. It matches
// ErrIllegalTransition.
type TransitionError struct {
	// Op is the method called.
	Op string
	// Attempt is the attempt index, or -1 for the payment.
	Attempt int
	// Reason says what forbids the move.
	Reason string
}

// Error implements error.
func (e *TransitionError) Error() string {
	if e.Attempt < 0 {
		return fmt.Sprintf("outbound: %s: %s", e.Op, e.Reason)
	}
	return fmt.Sprintf("outbound: %s, attempt %d: %s", e.Op, e.Attempt, e.Reason)
}

// Unwrap returns ErrIllegalTransition.
func (e *TransitionError) Unwrap() error { return ErrIllegalTransition }
