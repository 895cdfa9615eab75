package wallet

import (
	"context"
	"errors"
	"maps"
	"slices"
	"sync"

	"github.com/lnkit/lnkit/persist"
)

// memStore is an in-memory persist.KVStore for tests. failApply makes the
// next Apply calls fail (a store that is down), without applying anything.
type memStore struct {
	mu        sync.Mutex
	data      map[persist.Namespace]map[string][]byte
	failApply int
	applies   int
}

func newMemStore() *memStore {
	return &memStore{data: make(map[persist.Namespace]map[string][]byte)}
}

var errStoreDown = errors.New("memstore: down")

func (s *memStore) Read(_ context.Context, ns persist.Namespace, key string) ([]byte, error) {
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
	s.mu.Lock()
	defer s.mu.Unlock()
	return slices.Sorted(maps.Keys(s.data[ns])), nil
}

func (s *memStore) Apply(_ context.Context, ops []persist.Op) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if len(ops) > persist.MaxBatchOps {
		return persist.ErrBatchTooLarge
	}
	for _, op := range ops {
		if err := persist.ValidateOp(op); err != nil {
			return err
		}
	}
	if s.failApply > 0 {
		s.failApply--
		return errStoreDown
	}
	s.applies++
	for _, op := range ops {
		m := s.data[op.NS]
		if m == nil {
			m = make(map[string][]byte)
			s.data[op.NS] = m
		}
		if op.Remove {
			delete(m, op.Key)
		} else {
			m[op.Key] = slices.Clone(op.Value)
		}
	}
	return nil
}

func (s *memStore) Close() error { return nil }
