package noise

import (
	"errors"
	"strconv"
	"strings"

	"github.com/lnkit/lnkit/internal/configerr"
)

// Handshake errors. Act failures are returned inside an *ActError that says
// which act failed; test them with errors.Is.
var (
	// ErrActLength means an act was not exactly ActOneSize, ActTwoSize or
	// ActThreeSize bytes long (the test vectors' ACTn_READ_FAILED).
	ErrActLength = errors.New("noise: act has the wrong length")
	// ErrBadVersion means an act carried an unknown handshake version
	// (ACTn_BAD_VERSION). Only version 0 exists.
	ErrBadVersion = errors.New("noise: unknown handshake version")
	// ErrBadPubKey means a public key in an act, or given to a constructor,
	// is not a valid compressed secp256k1 point (ACTn_BAD_PUBKEY).
	ErrBadPubKey = errors.New("noise: invalid public key")
	// ErrBadCiphertext means the encrypted static key of act three failed
	// authentication (ACT3_BAD_CIPHERTEXT).
	ErrBadCiphertext = errors.New("noise: encrypted static key failed authentication")
	// ErrBadTag means an act's final tag failed authentication (ACTn_BAD_TAG).
	ErrBadTag = errors.New("noise: act failed authentication")
	// ErrStaticKey means the StaticKey failed to perform ECDH.
	ErrStaticKey = errors.New("noise: static key ecdh failed")
	// ErrOutOfOrder means a handshake step was called in the wrong state,
	// for example ProcessActTwo before ActOne, or Cipher before the
	// handshake completed, or Cipher a second time.
	ErrOutOfOrder = errors.New("noise: handshake step out of order")
	// ErrHandshakeFailed is returned by every step after one step failed.
	ErrHandshakeFailed = errors.New("noise: handshake already failed")
)

// ErrInvalidConfig is matched (errors.Is) by the *ConfigError a
// constructor (NewInitiator, NewResponder, NewLocalKey) returns when given
// a nil or zero key; the error names the argument.
var ErrInvalidConfig = configerr.ErrInvalidConfig

// ConfigError is the error of a constructor given an unusable argument; it
// names the argument ("local", "ephemeral", "priv").
type ConfigError = configerr.Error

// Transport errors.
var (
	// ErrMessageTooLarge means a message to encrypt is longer than
	// MaxMessageSize. It does not affect the Cipher.
	ErrMessageTooLarge = errors.New("noise: message exceeds 65535 bytes")
	// ErrBadLengthMAC means an encrypted length header failed authentication.
	ErrBadLengthMAC = errors.New("noise: message length failed authentication")
	// ErrBadBodyMAC means an encrypted message body failed authentication.
	ErrBadBodyMAC = errors.New("noise: message body failed authentication")
	// ErrFrameLength means a header, body or whole frame given to a decrypt
	// method has the wrong length.
	ErrFrameLength = errors.New("noise: frame has the wrong length")
	// ErrUnexpectedPart means DecryptHeader was called when a body was
	// expected, or DecryptBody when a header was expected.
	ErrUnexpectedPart = errors.New("noise: header or body out of order")
	// ErrOverlap means an output buffer partly overlaps an input buffer. Only
	// exact overlap (in-place operation) is allowed.
	ErrOverlap = errors.New("noise: input and output buffers overlap inexactly")
)

// ActError reports which act of the handshake failed and why. Err is one of
// the sentinels above (ErrActLength, ErrBadVersion, ErrBadPubKey,
// ErrBadCiphertext, ErrBadTag, or an error wrapping ErrStaticKey).
type ActError struct {
	// Act is the act that failed: 1, 2 or 3.
	Act int
	// Version is the version byte received, set when Err is ErrBadVersion.
	Version byte
	// Err is the cause.
	Err error
}

// Error implements error.
func (e *ActError) Error() string {
	var b strings.Builder
	b.WriteString("noise: act ")
	b.WriteString(actName(e.Act))
	b.WriteString(": ")
	b.WriteString(strings.TrimPrefix(e.Err.Error(), "noise: "))
	if errors.Is(e.Err, ErrBadVersion) {
		b.WriteString(" ")
		b.WriteString(strconv.Itoa(int(e.Version)))
	}
	return b.String()
}

// Unwrap returns the cause.
func (e *ActError) Unwrap() error { return e.Err }

// Code returns the error code the BOLT 8 test vectors use for this failure,
// such as "ACT1_BAD_PUBKEY" or "ACT3_BAD_CIPHERTEXT". A failure of the
// StaticKey has no code in the vectors and returns "ACTn_ECDH_FAILED".
func (e *ActError) Code() string {
	var what string
	switch {
	case errors.Is(e.Err, ErrActLength):
		what = "READ_FAILED"
	case errors.Is(e.Err, ErrBadVersion):
		what = "BAD_VERSION"
	case errors.Is(e.Err, ErrBadPubKey):
		what = "BAD_PUBKEY"
	case errors.Is(e.Err, ErrBadCiphertext):
		what = "BAD_CIPHERTEXT"
	case errors.Is(e.Err, ErrBadTag):
		what = "BAD_TAG"
	case errors.Is(e.Err, ErrStaticKey):
		what = "ECDH_FAILED"
	default:
		what = "FAILED"
	}
	return "ACT" + strconv.Itoa(e.Act) + "_" + what
}

// newActError returns the error for act number act, received as msg,
// failing with err.
func newActError(act int, msg []byte, err error) *ActError {
	e := &ActError{Act: act, Err: err}
	if errors.Is(err, ErrBadVersion) && len(msg) > 0 {
		e.Version = msg[0]
	}
	return e
}

func actName(n int) string {
	switch n {
	case 1:
		return "one"
	case 2:
		return "two"
	case 3:
		return "three"
	default:
		return strconv.Itoa(n)
	}
}
