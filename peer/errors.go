package peer

import (
	"errors"
	"strings"

	"github.com/lnkit/lnkit/internal/configerr"
)

// ConfigError is the error New returns for an invalid Config: it names the
// field and says what is wrong. It matches ErrInvalidConfig (errors.Is).
type ConfigError = configerr.Error

// Configuration and API misuse errors.
var (
	// ErrInvalidConfig is matched by every *ConfigError (the same value in
	// every lnkit package).
	ErrInvalidConfig = configerr.ErrInvalidConfig
	// ErrInvalidDescriptor means a Descriptor is nil or of a type that
	// cannot be a map key.
	ErrInvalidDescriptor = errors.New("peer: descriptor is nil or not comparable")
	// ErrUnknownDescriptor means a Descriptor is not (or no longer) a
	// connection of the Manager.
	ErrUnknownDescriptor = errors.New("peer: unknown descriptor")
	// ErrDuplicateDescriptor means a new connection was registered with a
	// Descriptor already in use.
	ErrDuplicateDescriptor = errors.New("peer: descriptor already registered")
	// ErrSelfConnection means an outbound connection to our own node id.
	ErrSelfConnection = errors.New("peer: connection to own node id")
	// ErrInvalidNodeID means a node id is not a valid public key.
	ErrInvalidNodeID = errors.New("peer: invalid node id")
)

// Reasons a connection is closed. Errors returned by the Manager wrap one of
// them.
var (
	// ErrHandshake means the BOLT 8 handshake failed; the error also wraps
	// the peer/noise cause (an *noise.ActError).
	ErrHandshake = errors.New("peer: handshake failed")
	// ErrTransport means received ciphertext failed to decrypt; the error
	// also wraps the peer/noise cause.
	ErrTransport = errors.New("peer: transport decryption failed")
	// ErrNoInit means the peer's first message was not init.
	ErrNoInit = errors.New("peer: message before init")
	// ErrDuplicateInit means the peer sent init twice.
	ErrDuplicateInit = errors.New("peer: second init")
	// ErrIncompatibleInit means the peer's init was rejected: it requires
	// features we do not support (wrapping wire.ErrUnknownRequiredFeature),
	// lacks a feature dependency (wire.ErrMissingFeatureDependency), or
	// shares no chain with us (ErrNoCommonChain).
	ErrIncompatibleInit = errors.New("peer: incompatible init")
	// ErrNoCommonChain means the peer's networks record does not list any
	// of our chains.
	ErrNoCommonChain = errors.New("peer: no common chain")
	// ErrMalformedMessage means a message failed to decode; the error also
	// wraps the wire error. Unknown even types wrap wire.ErrUnknownMessage.
	ErrMalformedMessage = errors.New("peer: malformed message")
	// ErrBadPong means a pong's length did not match our ping's
	// num_pong_bytes.
	ErrBadPong = errors.New("peer: pong of the wrong length")
	// ErrPingTimeout means the peer did not answer a ping in time.
	ErrPingTimeout = errors.New("peer: ping timeout")
	// ErrHandshakeTimeout means the handshake and init exchange did not
	// finish in time.
	ErrHandshakeTimeout = errors.New("peer: handshake timeout")
	// ErrRemoteError means the peer sent an error message for all channels.
	ErrRemoteError = errors.New("peer: peer sent an error for all channels")
	// ErrHandler means a handler's method returned an error; the error also
	// wraps the handler's error.
	ErrHandler = errors.New("peer: handler failed")
	// ErrDisconnectRequested means a handler or the application asked for
	// the disconnection.
	ErrDisconnectRequested = errors.New("peer: disconnect requested")
	// ErrDuplicateConnection means another connection with the same node
	// replaced this one, or this one lost to an existing one.
	ErrDuplicateConnection = errors.New("peer: duplicate connection")
	// ErrSendBufferFull means the peer's send buffer exceeded
	// Config.MaxSendBufferBytes: the peer does not read fast enough.
	ErrSendBufferFull = errors.New("peer: send buffer full")
	// ErrSocketClosed means the socket was closed (SocketDisconnected).
	ErrSocketClosed = errors.New("peer: socket closed")
)

// joinedError is outer wrapping inner, both peer errors, with the package
// named once: "peer: incompatible init: no common chain".
type joinedError struct{ outer, inner error }

func (e *joinedError) Error() string {
	return e.outer.Error() + ": " + strings.TrimPrefix(e.inner.Error(), "peer: ")
}

// Unwrap makes errors.Is true for both.
func (e *joinedError) Unwrap() []error { return []error{e.outer, e.inner} }
