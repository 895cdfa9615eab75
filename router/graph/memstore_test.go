package graph_test

import (
	"context"
	"slices"
	"sync"

	"github.com/lnkit/lnkit/persist"
)

// memStore is a small in-memory persist.KVStore for the tests.
type memStore struct {
	mu sync.Mutex
	m  map[persist.Namespace]map[string][]byte
}

func newMemStore() *memStore { return &memStore{m: make(map[persist.Namespace]map[string][]byte)} }

func (s *memStore) Read(_ context.Context, ns persist.Namespace, key string) ([]byte, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	v, ok := s.m[ns][key]
	if !ok {
		return nil, persist.ErrNotFound
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
	var out []string
	for k := range s.m[ns] {
		out = append(out, k)
	}
	slices.Sort(out)
	return out, nil
}

func (s *memStore) Apply(_ context.Context, ops []persist.Op) error {
	for _, op := range ops {
		if err := persist.ValidateOp(op); err != nil {
			return err
		}
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	for _, op := range ops {
		if s.m[op.NS] == nil {
			s.m[op.NS] = make(map[string][]byte)
		}
		if op.Remove {
			delete(s.m[op.NS], op.Key)
		} else {
			s.m[op.NS][op.Key] = slices.Clone(op.Value)
		}
	}
	return nil
}

func (s *memStore) Close() error { return nil }
