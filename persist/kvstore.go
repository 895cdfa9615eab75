package persist

import "context"

// KVStore is a durable, namespaced key-value store. Implementations are safe
// for concurrent use.
//
// Keys are checked with ValidateKey (and namespaces with ValidateNamespace):
// an invalid one is refused with an error matching ErrInvalidKey before the
// medium is touched. Errors from the medium are wrapped in an *Error naming
// the key, never swallowed. After Close every method returns ErrClosed.
type KVStore interface {
	// Read returns the value stored under key in ns, or an error matching
	// ErrNotFound.
	Read(ctx context.Context, ns Namespace, key string) ([]byte, error)
	// Write stores value under key in ns, replacing any previous value.
	// When it returns nil the value is durable. The store does not retain
	// value after Write returns.
	Write(ctx context.Context, ns Namespace, key string, value []byte) error
	// Remove deletes key from ns, durably. Removing a missing key is not an
	// error.
	Remove(ctx context.Context, ns Namespace, key string) error
	// List returns the keys stored in ns, sorted ascending. An empty or
	// unknown namespace gives an empty list.
	List(ctx context.Context, ns Namespace) ([]string, error)
	// Apply performs ops all-or-nothing and durably: after a crash either
	// every op has taken effect or none has. Ops apply in order (a later op
	// on the same key wins). An empty batch is a no-op.
	Apply(ctx context.Context, ops []Op) error
	// Close releases the store. It is safe to call more than once.
	Close() error
}

// Namespace names a group of keys: a primary namespace and, within it, a
// secondary one. The zero Namespace is the top level.
type Namespace struct {
	Primary   string
	Secondary string
}

// String returns "primary/secondary" (empty parts kept), for messages.
func (ns Namespace) String() string { return ns.Primary + "/" + ns.Secondary }

// Op is one operation of a batch for KVStore.Apply: a write of Value, or a
// removal when Remove is set.
type Op struct {
	NS     Namespace
	Key    string
	Value  []byte
	Remove bool
}

// WriteOp returns an Op writing value under key in ns.
func WriteOp(ns Namespace, key string, value []byte) Op {
	return Op{NS: ns, Key: key, Value: value}
}

// RemoveOp returns an Op removing key from ns.
func RemoveOp(ns Namespace, key string) Op {
	return Op{NS: ns, Key: key, Remove: true}
}
