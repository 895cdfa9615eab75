package router_test

import (
	"context"
	"slices"
	"sync"

	"github.com/lnkit/lnkit/persist"
)

// kv is a minimal in-memory persist.KVStore for the scorer tests.
type kv struct {
	mu   sync.Mutex
	vals map[string][]byte // ns.String()+"/"+key
}

func newKV() *kv { return &kv{vals: map[string][]byte{}} }

func kvKey(ns persist.Namespace, key string) string { return ns.String() + "/" + key }

func (s *kv) Read(_ context.Context, ns persist.Namespace, key string) ([]byte, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if v, ok := s.vals[kvKey(ns, key)]; ok {
		return slices.Clone(v), nil
	}
	return nil, persist.ErrNotFound
}

func (s *kv) Write(ctx context.Context, ns persist.Namespace, key string, value []byte) error {
	return s.Apply(ctx, []persist.Op{persist.WriteOp(ns, key, value)})
}

func (s *kv) Remove(ctx context.Context, ns persist.Namespace, key string) error {
	return s.Apply(ctx, []persist.Op{persist.RemoveOp(ns, key)})
}

func (s *kv) List(_ context.Context, ns persist.Namespace) ([]string, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	var keys []string
	prefix := ns.String() + "/"
	for k := range s.vals {
		if len(k) > len(prefix) && k[:len(prefix)] == prefix {
			keys = append(keys, k[len(prefix):])
		}
	}
	slices.Sort(keys)
	return keys, nil
}

func (s *kv) Apply(_ context.Context, ops []persist.Op) error {
	for _, op := range ops {
		if err := persist.ValidateOp(op); err != nil {
			return err
		}
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	for _, op := range ops {
		if op.Remove {
			delete(s.vals, kvKey(op.NS, op.Key))
		} else {
			s.vals[kvKey(op.NS, op.Key)] = slices.Clone(op.Value)
		}
	}
	return nil
}

func (s *kv) Close() error { return nil }
