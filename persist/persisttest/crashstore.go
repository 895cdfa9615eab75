package persisttest

import (
	"context"
	"errors"
	"sort"
	"sync"

	"github.com/lnkit/lnkit/persist"
)

// ErrCrashed is returned to a write that was still waiting to be made
// durable when its CrashStore crashed: it may not be in the store that
// Crash returned.
var ErrCrashed = errors.New("persisttest: store crashed before the write was durable")

// CrashStore is an in-memory persist.KVStore that keeps only what it made
// durable, for tests that must prove a part survives a crash: that a channel
// persists its state before it sends the message that commits to it.
//
// By default every mutation is durable when it returns, as in a real store.
// Hold makes later mutations wait, not yet durable, until Release makes them
// durable in order (the store answers asynchronously): Read and List already
// see a held value, as a concurrent reader of a real store may, but Crash
// drops it. FailWrites makes mutations fail without applying anything, as a
// full disk does. Crash returns a new handle over exactly the durable data,
// what a restarted process would find, and closes this one.
//
// A CrashStore is safe for concurrent use and passes the conformance suite.
type CrashStore struct {
	mu       sync.Mutex
	changed  *sync.Cond
	durable  map[entryKey][]byte
	volatile map[entryKey][]byte
	pending  []*heldWrite
	hold     bool
	failErr  error
	closed   bool
	// mutations counts the mutations applied (Mutations).
	mutations int
}

type entryKey struct {
	ns  persist.Namespace
	key string
}

// heldWrite is a mutation waiting for Release.
type heldWrite struct {
	ops  []persist.Op
	done chan error
}

var _ persist.KVStore = (*CrashStore)(nil)

// NewCrashStore returns an empty CrashStore.
func NewCrashStore() *CrashStore {
	return newCrashStore(map[entryKey][]byte{})
}

func newCrashStore(durable map[entryKey][]byte) *CrashStore {
	s := &CrashStore{durable: durable, volatile: cloneEntries(durable)}
	s.changed = sync.NewCond(&s.mu)
	return s
}

func cloneEntries(m map[entryKey][]byte) map[entryKey][]byte {
	out := make(map[entryKey][]byte, len(m))
	for k, v := range m {
		out[k] = v
	}
	return out
}

// Read implements persist.KVStore.
func (s *CrashStore) Read(ctx context.Context, ns persist.Namespace, key string) ([]byte, error) {
	if err := s.check(ctx, "read", ns, key); err != nil {
		return nil, err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	v, ok := s.volatile[entryKey{ns, key}]
	if !ok {
		return nil, &persist.Error{Op: "read", NS: ns, Key: key, Err: persist.ErrNotFound}
	}
	return append([]byte{}, v...), nil
}

// Write implements persist.KVStore.
func (s *CrashStore) Write(ctx context.Context, ns persist.Namespace, key string, value []byte) error {
	return s.mutate(ctx, "write", []persist.Op{persist.WriteOp(ns, key, value)})
}

// Remove implements persist.KVStore.
func (s *CrashStore) Remove(ctx context.Context, ns persist.Namespace, key string) error {
	return s.mutate(ctx, "remove", []persist.Op{persist.RemoveOp(ns, key)})
}

// Apply implements persist.KVStore.
func (s *CrashStore) Apply(ctx context.Context, ops []persist.Op) error {
	return s.mutate(ctx, "apply", ops)
}

// List implements persist.KVStore.
func (s *CrashStore) List(ctx context.Context, ns persist.Namespace) ([]string, error) {
	if err := s.checkOpen(ctx, "list", ns, ""); err != nil {
		return nil, err
	}
	if err := persist.ValidateNamespace(ns); err != nil {
		return nil, err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	var keys []string
	for k := range s.volatile {
		if k.ns == ns {
			keys = append(keys, k.key)
		}
	}
	sort.Strings(keys)
	return keys, nil
}

// Close implements persist.KVStore. Held writes fail with ErrClosed and
// are dropped.
func (s *CrashStore) Close() error {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.dropPending(persist.ErrClosed)
	s.closed = true
	return nil
}

// Hold makes every later mutation wait, applied but not durable, until
// Release (or fail with ErrCrashed at Crash). Hold(false) stops holding new
// mutations; those already held stay held.
func (s *CrashStore) Hold(on bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.hold = on
}

// Pending returns the number of held mutations.
func (s *CrashStore) Pending() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return len(s.pending)
}

// WaitPending blocks until at least n mutations are held, or ctx ends.
func (s *CrashStore) WaitPending(ctx context.Context, n int) error {
	stop := context.AfterFunc(ctx, func() {
		s.mu.Lock()
		defer s.mu.Unlock()
		s.changed.Broadcast()
	})
	defer stop()
	s.mu.Lock()
	defer s.mu.Unlock()
	for len(s.pending) < n {
		if err := ctx.Err(); err != nil {
			return err
		}
		s.changed.Wait()
	}
	return nil
}

// Release makes the n oldest held mutations durable, in order, and returns
// nil to their callers; n < 0 releases all. It returns how many it released.
func (s *CrashStore) Release(n int) int {
	s.mu.Lock()
	defer s.mu.Unlock()
	if n < 0 || n > len(s.pending) {
		n = len(s.pending)
	}
	for _, w := range s.pending[:n] {
		applyOps(s.durable, w.ops)
		w.done <- nil
	}
	s.pending = s.pending[n:]
	return n
}

// FailWrites makes every later Write, Remove and Apply fail with err
// (wrapped in a *persist.Error) and apply nothing; nil stops it.
func (s *CrashStore) FailWrites(err error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.failErr = err
}

// Crash simulates a crash: this handle is closed, held mutations fail with
// ErrCrashed and are lost, and the returned store holds exactly what was
// durable (neither held nor failing, like a freshly opened store).
func (s *CrashStore) Crash() *CrashStore {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.dropPending(ErrCrashed)
	s.closed = true
	return newCrashStore(cloneEntries(s.durable))
}

// Reopen returns a new handle over the durable data, as Crash does, without
// closing this one; for the conformance suite's reopen after Close.
func (s *CrashStore) Reopen() *CrashStore {
	s.mu.Lock()
	defer s.mu.Unlock()
	return newCrashStore(cloneEntries(s.durable))
}

// Durable returns the durable value of key in ns, if any: what a crash now
// would keep.
func (s *CrashStore) Durable(ns persist.Namespace, key string) ([]byte, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	v, ok := s.durable[entryKey{ns, key}]
	return append([]byte{}, v...), ok
}

// dropPending fails every held write with err and rolls the visible state
// back to the durable one. s.mu is held.
func (s *CrashStore) dropPending(err error) {
	for _, w := range s.pending {
		w.done <- err
	}
	if len(s.pending) > 0 {
		s.volatile = cloneEntries(s.durable)
	}
	s.pending = nil
	s.changed.Broadcast()
}

func (s *CrashStore) mutate(ctx context.Context, op string, ops []persist.Op) error {
	var ns persist.Namespace
	var key string
	if len(ops) > 0 {
		ns, key = ops[0].NS, ops[0].Key
	}
	if err := s.checkOpen(ctx, op, ns, key); err != nil {
		return err
	}
	if len(ops) > persist.MaxBatchOps {
		return &persist.Error{Op: op, Err: persist.ErrBatchTooLarge}
	}
	owned := make([]persist.Op, len(ops))
	for i, o := range ops {
		if err := persist.ValidateOp(o); err != nil {
			return err
		}
		owned[i] = o
		if !o.Remove {
			owned[i].Value = append([]byte{}, o.Value...)
		}
	}
	if len(ops) == 0 {
		return nil
	}
	s.mu.Lock()
	if s.closed {
		s.mu.Unlock()
		return &persist.Error{Op: op, NS: ns, Key: key, Err: persist.ErrClosed}
	}
	if s.failErr != nil {
		err := s.failErr
		s.mu.Unlock()
		return &persist.Error{Op: op, NS: ns, Key: key, Err: err}
	}
	applyOps(s.volatile, owned)
	s.mutations++
	if !s.hold {
		applyOps(s.durable, owned)
		s.mu.Unlock()
		return nil
	}
	w := &heldWrite{ops: owned, done: make(chan error, 1)}
	s.pending = append(s.pending, w)
	s.changed.Broadcast()
	s.mu.Unlock()
	if err := <-w.done; err != nil {
		return &persist.Error{Op: op, NS: ns, Key: key, Err: err}
	}
	return nil
}

func applyOps(m map[entryKey][]byte, ops []persist.Op) {
	for _, o := range ops {
		if o.Remove {
			delete(m, entryKey{o.NS, o.Key})
			continue
		}
		m[entryKey{o.NS, o.Key}] = o.Value
	}
}

// Mutations returns how many mutations (Write, Remove, Apply) this handle
// applied: what a real store would make durable one by one, each an
// fsync.
func (s *CrashStore) Mutations() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.mutations
}

// check is checkOpen followed by key validation.
func (s *CrashStore) check(ctx context.Context, op string, ns persist.Namespace, key string) error {
	if err := s.checkOpen(ctx, op, ns, key); err != nil {
		return err
	}
	return persist.ValidateKey(ns, key)
}

// checkOpen refuses an operation on a closed store or with an ended context.
func (s *CrashStore) checkOpen(ctx context.Context, op string, ns persist.Namespace, key string) error {
	s.mu.Lock()
	closed := s.closed
	s.mu.Unlock()
	if closed {
		return &persist.Error{Op: op, NS: ns, Key: key, Err: persist.ErrClosed}
	}
	if err := ctx.Err(); err != nil {
		return &persist.Error{Op: op, NS: ns, Key: key, Err: err}
	}
	return nil
}
