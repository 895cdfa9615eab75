package inbound

import (
	"errors"

	"github.com/lnkit/lnkit/internal/configerr"
)

// ErrUnknownPayment is the error of Verify for a payment secret that this
// node did not create for the payment hash (or that was altered).
var ErrUnknownPayment = errors.New("inbound: unknown payment")

// ErrInvalidParams is wrapped by the errors of Create and CreateForHash
// for parameters the payment secret cannot carry.
var ErrInvalidParams = errors.New("inbound: invalid payment parameters")

// ErrInvalidConfig is wrapped by the errors of NewInvoice for invalid
// InvoiceParams (as a *ConfigError naming the field).
var ErrInvalidConfig = configerr.ErrInvalidConfig

// ConfigError is the error of NewInvoice for an invalid InvoiceParams field.
type ConfigError = configerr.Error

// ParamsError is the error of Create and CreateForHash: Field is the Params
// field that cannot be encoded. It wraps ErrInvalidParams.
type ParamsError struct {
	// Field is the offending Params field.
	Field string
	// Reason says what is wrong.
	Reason string
}

// Error implements error.
func (e *ParamsError) Error() string {
	return "inbound: invalid payment parameters: " + e.Field + ": " + e.Reason
}

// Unwrap returns ErrInvalidParams.
func (e *ParamsError) Unwrap() error { return ErrInvalidParams }
