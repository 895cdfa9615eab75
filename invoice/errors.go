package invoice

import (
	"errors"
	"strings"
)

// Sentinel errors. Every error this package returns wraps one of them
// (usually inside an *Error), so errors.Is tells the cases apart.
var (
	// ErrTooLong means the invoice exceeds MaxLength characters.
	ErrTooLong = errors.New("invoice: too long")
	// ErrMixedCase means the invoice mixes upper- and lower-case letters,
	// which bech32 forbids.
	ErrMixedCase = errors.New("invoice: mixed case")
	// ErrInvalidCharacter means a character outside the bech32 alphabet
	// (or, in the human-readable part, outside printable US-ASCII).
	ErrInvalidCharacter = errors.New("invoice: invalid character")
	// ErrMissingSeparator means there is no '1' separating the
	// human-readable part from the data, or one of the two is empty.
	ErrMissingSeparator = errors.New("invoice: missing bech32 separator")
	// ErrInvalidChecksum means the bech32 checksum does not match.
	ErrInvalidChecksum = errors.New("invoice: invalid checksum")
	// ErrTooShort means the data part cannot hold a timestamp and a
	// signature.
	ErrTooShort = errors.New("invoice: too short")
	// ErrUnknownNetwork means the prefix is not one of lnbc, lntb, lntbs,
	// lnbcrt, lnsb (or a network given to the Builder has no prefix).
	ErrUnknownNetwork = errors.New("invoice: unknown network")
	// ErrInvalidAmount means the amount is not a positive decimal integer
	// without leading zeros, or does not fit in 64 bits of millisatoshis.
	ErrInvalidAmount = errors.New("invoice: invalid amount")
	// ErrInvalidMultiplier means the amount ends in a letter other than
	// m, u, n or p.
	ErrInvalidMultiplier = errors.New("invoice: invalid amount multiplier")
	// ErrSubMillisatoshi means a pico-bitcoin amount not a multiple of 10,
	// which would be a fraction of a millisatoshi.
	ErrSubMillisatoshi = errors.New("invoice: amount has sub-millisatoshi precision")
	// ErrInvalidField means a tagged field is truncated or its data is
	// malformed (bad padding, bad UTF-8, bad public key, bad address,
	// value too large).
	ErrInvalidField = errors.New("invoice: invalid tagged field")
	// ErrNonMinimal means a 9 field starts with zero groups.
	ErrNonMinimal = errors.New("invoice: non-minimal field encoding")
	// ErrMissingPaymentHash means there is no valid p field.
	ErrMissingPaymentHash = errors.New("invoice: missing payment hash")
	// ErrMissingPaymentSecret means there is no valid s field.
	ErrMissingPaymentSecret = errors.New("invoice: missing payment secret")
	// ErrMissingDescription means there is neither a d nor an h field.
	ErrMissingDescription = errors.New("invoice: missing description")
	// ErrBothDescriptions means there are both a d and an h field.
	ErrBothDescriptions = errors.New("invoice: both description and description hash")
	// ErrInvalidSignature means the signature is malformed, cannot be
	// recovered, or does not verify against the n field.
	ErrInvalidSignature = errors.New("invoice: invalid signature")
	// ErrHighS means the signature is not low-S although an n field is
	// present (BOLT 11 requires low-S then).
	ErrHighS = errors.New("invoice: high-S signature with payee field")
	// ErrExpired means the invoice's expiry time has passed.
	ErrExpired = errors.New("invoice: expired")
	// ErrUnknownRequiredFeature means the invoice requires a feature the
	// payer does not know.
	ErrUnknownRequiredFeature = errors.New("invoice: unknown required feature")
	// ErrMissingFeatureDependency means a feature is set without one it
	// depends on.
	ErrMissingFeatureDependency = errors.New("invoice: missing feature dependency")
	// ErrDescriptionHashMismatch means a description does not hash to the
	// invoice's h field.
	ErrDescriptionHashMismatch = errors.New("invoice: description does not match description hash")
	// ErrInvalidBuild means the Builder was given a value it cannot
	// encode (out of range, wrong network, too long, missing).
	ErrInvalidBuild = errors.New("invoice: invalid builder input")
	// ErrSigner means the Signer failed or returned an unusable signature.
	ErrSigner = errors.New("invoice: signer failed")
)

// Error is the error Decode, Builder.Build and CheckPayable return. Err is
// one of the sentinels above; Cause, when set, is the underlying error
// (for example a *wire.UnknownRequiredFeaturesError), reachable with
// errors.As.
type Error struct {
	// Field names the part that failed: "bech32", "hrp", "amount",
	// "timestamp", a tag letter ("p", "9", ...), "signature", "expiry",
	// "features" or a Builder method.
	Field string
	// Err is the sentinel.
	Err error
	// Detail says what exactly was wrong; it may be empty.
	Detail string
	// Cause is the underlying error, or nil.
	Cause error
}

// Error implements error, e.g. "invoice: invalid tagged field: field d:
// invalid utf-8".
func (e *Error) Error() string {
	var sb strings.Builder
	if e.Err != nil {
		sb.WriteString(e.Err.Error())
	} else {
		sb.WriteString("invoice: error")
	}
	if e.Field != "" {
		sb.WriteString(": ")
		sb.WriteString(e.Field)
	}
	if e.Detail != "" {
		sb.WriteString(": ")
		sb.WriteString(e.Detail)
	}
	if e.Cause != nil {
		sb.WriteString(": ")
		sb.WriteString(e.Cause.Error())
	}
	return sb.String()
}

// Unwrap returns the sentinel and the cause, so errors.Is and errors.As
// see both.
func (e *Error) Unwrap() []error {
	if e.Cause == nil {
		return []error{e.Err}
	}
	return []error{e.Err, e.Cause}
}

// newError returns an *Error.
func newError(field string, err error, detail string) *Error {
	return &Error{Field: field, Err: err, Detail: detail}
}
