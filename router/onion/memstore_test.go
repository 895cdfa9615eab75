package onion

import (
	"context"
	"slices"
	"sync"

	"github.com/lnkit/lnkit/persist"
)

// memStore is a tiny in-memory persist.KVStore for the persistent replay
// log's tests: it validates keys as every store must, applies batches all
// or nothing, and can be told to fail.
type memStore struct {
	mu   sync.Mutex
	data map[persist.Namespace]map[string][]byte
	// fail, when set, is returned by every Write and Apply.
	fail error
	// writes counts successful Write and Apply calls.
	writes int
	// entered and release, when set, hold the next write that is not a
	// pure removal: it sends on entered, then waits for release.
	entered, release chan struct{}
}

func newMemStore() *memStore {
	return &memStore{data: make(map[persist.Namespace]map[string][]byte)}
}

func (s *memStore) Read(_ context.Context, ns persist.Namespace, key string) ([]byte, error) {
	if err := persist.ValidateKey(ns, key); err != nil {
		return nil, err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	v, ok := s.data[ns][key]
	if !ok {
		return nil, &persist.Error{Op: "read", NS: ns, Key: key, Err: persist.ErrNotFound}
	}
	return slices.Clone(v), nil
}

func (s *memStore) Write(ctx context.Context, ns persist.Namespace, key string, value []byte) error {
	return s.Apply(ctx, []persist.Op{persist.WriteOp(ns, key, value)})
}

func (s *memStore) Remove(ctx context.Context, ns persist.Namespace, key string) error {
	return s.Apply(ctx, []persist.Op{persist.RemoveOp(ns, key)})
}

func (s *memStore) List(_ context.Context, ns persist.Namespace) ([]string, error) {
	if err := persist.ValidateNamespace(ns); err != nil {
		return nil, err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	keys := make([]string, 0, len(s.data[ns]))
	for k := range s.data[ns] {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	return keys, nil
}

func (s *memStore) Apply(_ context.Context, ops []persist.Op) error {
	if len(ops) > persist.MaxBatchOps {
		return persist.ErrBatchTooLarge
	}
	for _, op := range ops {
		if err := persist.ValidateOp(op); err != nil {
			return err
		}
	}
	s.mu.Lock()
	if entered, release := s.entered, s.release; entered != nil && !ops[0].Remove {
		s.entered, s.release = nil, nil
		s.mu.Unlock()
		entered <- struct{}{}
		<-release
		s.mu.Lock()
	}
	defer s.mu.Unlock()
	if s.fail != nil {
		return &persist.Error{Op: "apply", Err: s.fail}
	}
	for _, op := range ops {
		m := s.data[op.NS]
		if op.Remove {
			delete(m, op.Key)
			if len(m) == 0 {
				delete(s.data, op.NS)
			}
			continue
		}
		if m == nil {
			m = make(map[string][]byte)
			s.data[op.NS] = m
		}
		m[op.Key] = slices.Clone(op.Value)
	}
	s.writes++
	return nil
}

func (s *memStore) Close() error { return nil }

// setFail makes every later write fail with err (nil: succeed).
func (s *memStore) setFail(err error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.fail = err
}

// keyCount returns the number of keys stored in all namespaces.
func (s *memStore) keyCount() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	n := 0
	for _, m := range s.data {
		n += len(m)
	}
	return n
}

// hold makes the next write wait: it returns a channel that receives when
// the write has started and one to close to let it finish.
func (s *memStore) hold() (entered <-chan struct{}, release chan<- struct{}) {
	s.mu.Lock()
	defer s.mu.Unlock()
	e, r := make(chan struct{}), make(chan struct{})
	s.entered, s.release = e, r
	return e, r
}
