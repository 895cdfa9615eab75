package events

import (
	"errors"
	"fmt"
)

// ErrQueueFull is matched by the *FullError of an Append that would hold
// more than Config.MaxPending events.
var ErrQueueFull = errors.New("events: queue full")

// FullError is an Append refused because the queue is full.
type FullError struct {
	// Pending is the number of events queued.
	Pending int
	// Adding is the number of events the Append carried.
	Adding int
	// Max is Config.MaxPending.
	Max int
}

// Error implements error.
func (e *FullError) Error() string {
	return fmt.Sprintf("events: queue full: %d pending, %d more would pass the maximum of %d (is Process called?)", e.Pending, e.Adding, e.Max)
}

// Is reports whether target is ErrQueueFull.
func (e *FullError) Is(target error) bool { return target == ErrQueueFull }

// HandlerError is the error Process returns when a handler fails: the event
// stays queued and is delivered again first at the next Process.
type HandlerError struct {
	// ID and Kind name the event.
	ID   uint64
	Kind Kind
	// Err is the handler's error.
	Err error
}

// Error implements error.
func (e *HandlerError) Error() string {
	return fmt.Sprintf("events: handler did not handle %s event %d: %v", e.Kind, e.ID, e.Err)
}

// Unwrap returns the handler's error.
func (e *HandlerError) Unwrap() error { return e.Err }

// LoadError is a stored event Open could not read: a corrupt record or one
// written by a newer major version. Open refuses to start rather than drop
// an event; the key names what to inspect.
type LoadError struct {
	// Key is the event's key in the pending namespace.
	Key string
	// Err is the cause (a *persist.RecordError, or a key/ID mismatch
	// matching persist.ErrCorrupt).
	Err error
}

// Error implements error.
func (e *LoadError) Error() string {
	return fmt.Sprintf("events: pending event %s: %v", e.Key, e.Err)
}

// Unwrap returns the cause.
func (e *LoadError) Unwrap() error { return e.Err }
