package persist

import (
	"errors"
	"fmt"
)

// Sentinel errors, matched with errors.Is.
var (
	// ErrNotFound: the key holds no value.
	ErrNotFound = errors.New("persist: not found")
	// ErrInvalidKey: a namespace or key outside the allowed set, or a value
	// over MaxValueSize (see ValidateKey).
	ErrInvalidKey = errors.New("persist: invalid key")
	// ErrClosed: the store was closed.
	ErrClosed = errors.New("persist: store closed")
	// ErrCorrupt: what the medium holds for a key is not a value the store
	// wrote (a torn, truncated or foreign file or row).
	ErrCorrupt = errors.New("persist: corrupt value")
	// ErrLocked: another live process holds the store.
	ErrLocked = errors.New("persist: store is in use by another process")
	// ErrBatchTooLarge: an Apply with more than MaxBatchOps operations.
	ErrBatchTooLarge = errors.New("persist: batch too large")
)

// KeyError is an invalid namespace, key or value size. It matches
// ErrInvalidKey.
type KeyError struct {
	NS     Namespace
	Key    string
	Reason string
}

// Error implements error.
func (e *KeyError) Error() string {
	if e.Key == "" {
		return fmt.Sprintf("persist: invalid key in %q: %s", e.NS.String(), e.Reason)
	}
	return fmt.Sprintf("persist: invalid key %q in %q: %s", e.Key, e.NS.String(), e.Reason)
}

// Is reports whether target is ErrInvalidKey.
func (e *KeyError) Is(target error) bool { return target == ErrInvalidKey }

// Error is a failure of an operation on one key: Err is ErrNotFound,
// ErrCorrupt or the medium's own error, wrapped.
type Error struct {
	// Op is the KVStore method: "read", "write", "remove", "list", "apply".
	Op  string
	NS  Namespace
	Key string
	Err error
}

// Error implements error.
func (e *Error) Error() string {
	if e.Key == "" {
		return fmt.Sprintf("persist: %s %s: %v", e.Op, e.NS.String(), e.Err)
	}
	return fmt.Sprintf("persist: %s %s/%s: %v", e.Op, e.NS.String(), e.Key, e.Err)
}

// Unwrap returns the underlying error.
func (e *Error) Unwrap() error { return e.Err }
