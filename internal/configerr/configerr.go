// Package configerr is the one shape of a configuration error in lnkit.
//
// Every constructor (New…, Open…, Dial…) of a public package validates its
// Config and returns a *Error naming the field. Each package re-exports the
// sentinel and the type:
//
//	var ErrInvalidConfig = configerr.ErrInvalidConfig
//	type ConfigError = configerr.Error
//
// so callers write errors.Is(err, peer.ErrInvalidConfig) or
// errors.As(err, &cfgErr) with a *peer.ConfigError, whichever package the
// error came from.
package configerr

import "errors"

// ErrInvalidConfig is matched (errors.Is) by every *Error.
var ErrInvalidConfig = errors.New("invalid config")

// Error reports one invalid Config field.
type Error struct {
	// Pkg is the package prefix of the message ("peer", "chain/rpc").
	Pkg string
	// Field is the Config field, dotted for nested fields ("Limits.MaxHTLCs").
	Field string
	// Reason says what is wrong and, where it helps, what is expected.
	Reason string
}

// New returns an *Error for field of package pkg.
func New(pkg, field, reason string) *Error {
	return &Error{Pkg: pkg, Field: field, Reason: reason}
}

// Error implements error: "pkg: invalid config: Field: reason".
func (e *Error) Error() string {
	return e.Pkg + ": invalid config: " + e.Field + ": " + e.Reason
}

// Is reports whether target is ErrInvalidConfig.
func (e *Error) Is(target error) bool { return target == ErrInvalidConfig }
