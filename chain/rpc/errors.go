package rpc

import (
	"errors"
	"fmt"

	"github.com/lnkit/lnkit/internal/configerr"
)

// ErrInvalidConfig is matched (errors.Is) by the error of New or Dial given
// an invalid Config.
var ErrInvalidConfig = configerr.ErrInvalidConfig

// ConfigError is the type of that error: errors.As gives the field.
type ConfigError = configerr.Error

var (
	// ErrConnection reports that the daemon could not be reached or the
	// connection broke: refused, reset, TLS failure, daemon down.
	ErrConnection = errors.New("rpc: cannot reach daemon")

	// ErrAuth reports that the daemon refused the credentials (HTTP 401)
	// or the client's address (HTTP 403).
	ErrAuth = errors.New("rpc: authentication failed")

	// ErrTimeout reports that a call did not complete within its timeout
	// or its context's deadline.
	ErrTimeout = errors.New("rpc: request timed out")

	// ErrMalformedResponse reports a response that is not the JSON-RPC
	// answer expected: bad JSON, wrong id, wrong result type, bad hex, a
	// block or header that does not decode or does not hash as asked.
	ErrMalformedResponse = errors.New("rpc: malformed response")

	// ErrResponseTooLarge reports a response body over
	// Config.MaxResponseSize. It also matches ErrMalformedResponse.
	ErrResponseTooLarge = fmt.Errorf("%w: response too large", ErrMalformedResponse)

	// ErrNotFound matches an *RPCError with code CodeNotFound (-5): an
	// unknown block, transaction or output.
	ErrNotFound = errors.New("rpc: not found")

	// ErrUnknownNetwork reports a chain name the client cannot map to
	// chaincfg parameters.
	ErrUnknownNetwork = errors.New("rpc: unknown network")

	// ErrWrongNetwork reports a daemon on another network than
	// Config.Params.
	ErrWrongNetwork = errors.New("rpc: daemon is on another network")

	// ErrNoFeeEstimate reports that the daemon has no fee estimate and no
	// fallback fee rate is configured.
	ErrNoFeeEstimate = errors.New("rpc: no fee estimate available")
)

// JSON-RPC error codes shared by bitcoind and btcd.
const (
	CodeMiscError          = -1     // generic error; btcd: command unimplemented
	CodeTypeError          = -3     // a parameter has the wrong type
	CodeNotFound           = -5     // invalid address or key: unknown block/tx
	CodeInvalidParameter   = -8     // a parameter is out of range
	CodeInWarmup           = -28    // daemon still starting
	CodeVerifyError        = -25    // transaction or block verification failed
	CodeVerifyRejected     = -26    // transaction rejected by mempool policy
	CodeVerifyAlreadyChain = -27    // transaction already in the block chain
	CodeMethodNotFound     = -32601 // unknown method
	CodeInvalidParams      = -32602 // parameters do not parse
)

// RPCError is an error answered by the daemon.
type RPCError struct {
	// Method is the JSON-RPC method called.
	Method string

	// Code is the daemon's error code (see the Code constants).
	Code int

	// Message is the daemon's error message.
	Message string
}

// Error formats the error, e.g. "rpc: getblock: error -5: Block not found".
func (e *RPCError) Error() string {
	return fmt.Sprintf("rpc: %s: error %d: %s", e.Method, e.Code, e.Message)
}

// Is makes errors.Is match ErrNotFound for code -5, and another *RPCError
// with the same code (its Method and Message are ignored).
func (e *RPCError) Is(target error) bool {
	if target == ErrNotFound {
		return e.Code == CodeNotFound
	}
	if t, ok := target.(*RPCError); ok {
		return t.Code == e.Code
	}
	return false
}

// HTTPStatusError is a non-JSON answer with an unexpected HTTP status.
type HTTPStatusError struct {
	// Method is the JSON-RPC method called.
	Method string

	// StatusCode is the HTTP status.
	StatusCode int

	// Body is the start of the response body.
	Body string
}

// Error formats the error, e.g. "rpc: getblock: HTTP 503: Work queue depth exceeded".
func (e *HTTPStatusError) Error() string {
	return fmt.Sprintf("rpc: %s: HTTP %d: %s", e.Method, e.StatusCode, e.Body)
}

// Is makes 401 and 403 answers match ErrAuth.
func (e *HTTPStatusError) Is(target error) bool {
	return target == ErrAuth && (e.StatusCode == 401 || e.StatusCode == 403)
}
