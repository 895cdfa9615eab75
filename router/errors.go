package router

import (
	"errors"

	"github.com/lnkit/lnkit/internal/configerr"
)

// ErrInvalidConfig is matched by every configuration error of New.
var ErrInvalidConfig = configerr.ErrInvalidConfig

// ConfigError names the invalid Config field.
type ConfigError = configerr.Error

// Errors of route finding, matched with errors.Is.
var (
	// ErrNoRoute: no route satisfies the request's limits.
	ErrNoRoute = errors.New("router: no route found")
	// ErrInvalidRequest: the request itself is unusable (zero amount,
	// payer equal to payee, an excluded endpoint, ...).
	ErrInvalidRequest = errors.New("router: invalid request")
	// ErrUnknownPayee: the payee is neither in the graph nor reached by a
	// route hint or a first hop.
	ErrUnknownPayee = errors.New("router: payee unknown")
	// ErrCorruptScorer: a persisted scorer that does not decode.
	ErrCorruptScorer = errors.New("router: corrupt scorer data")
)

// RequestError says which request field is unusable. It matches
// ErrInvalidRequest.
type RequestError struct {
	// Field of Request.
	Field string
	// Reason it is refused.
	Reason string
}

// Error implements error.
func (e *RequestError) Error() string {
	return "router: invalid request: " + e.Field + ": " + e.Reason
}

// Is reports whether target is ErrInvalidRequest.
func (e *RequestError) Is(target error) bool { return target == ErrInvalidRequest }
