package persisttest_test

import (
	"context"
	"errors"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/lnkit/lnkit/persist"
	"github.com/lnkit/lnkit/persist/persisttest"
)

func TestCrashStoreConformance(t *testing.T) {
	persisttest.Run(t, persisttest.Factory{
		New: func(t *testing.T) persist.KVStore { return persisttest.NewCrashStore() },
		Reopen: func(t *testing.T, closed persist.KVStore) persist.KVStore {
			return closed.(*persisttest.CrashStore).Reopen()
		},
	})
}

func TestCrashStoreCrashKeepsOnlyDurable(t *testing.T) {
	ctx := context.Background()
	ns := persist.Namespace{Primary: "chan"}
	s := persisttest.NewCrashStore()
	require.NoError(t, s.Write(ctx, ns, "state", []byte("v1")))

	s.Hold(true)
	errc := make(chan error, 1)
	go func() { errc <- s.Write(ctx, ns, "state", []byte("v2")) }()
	require.NoError(t, s.WaitPending(ctx, 1))

	// Held: visible to readers, not durable.
	got, err := s.Read(ctx, ns, "state")
	require.NoError(t, err)
	require.Equal(t, []byte("v2"), got)
	d, ok := s.Durable(ns, "state")
	require.True(t, ok)
	require.Equal(t, []byte("v1"), d)

	r := s.Crash()
	require.ErrorIs(t, <-errc, persisttest.ErrCrashed)
	_, err = s.Read(ctx, ns, "state")
	require.ErrorIs(t, err, persist.ErrClosed)
	got, err = r.Read(ctx, ns, "state")
	require.NoError(t, err)
	require.Equal(t, []byte("v1"), got)
}

func TestCrashStoreRelease(t *testing.T) {
	ctx := context.Background()
	ns := persist.Namespace{Primary: "chan"}
	s := persisttest.NewCrashStore()
	s.Hold(true)
	errc := make(chan error, 2)
	go func() { errc <- s.Write(ctx, ns, "a", []byte("1")) }()
	require.NoError(t, s.WaitPending(ctx, 1))
	go func() {
		errc <- s.Apply(ctx, []persist.Op{persist.WriteOp(ns, "b", []byte("2")), persist.RemoveOp(ns, "a")})
	}()
	require.NoError(t, s.WaitPending(ctx, 2))
	require.Equal(t, 1, s.Release(1))
	require.NoError(t, <-errc)
	_, ok := s.Durable(ns, "a")
	require.True(t, ok)

	r := s.Crash()
	require.ErrorIs(t, <-errc, persisttest.ErrCrashed)
	keys, err := r.List(ctx, ns)
	require.NoError(t, err)
	require.Equal(t, []string{"a"}, keys)
}

func TestCrashStoreFailWrites(t *testing.T) {
	ctx := context.Background()
	ns := persist.Namespace{Primary: "p"}
	s := persisttest.NewCrashStore()
	full := errors.New("disk full")
	s.FailWrites(full)
	err := s.Write(ctx, ns, "k", []byte("v"))
	require.ErrorIs(t, err, full)
	var perr *persist.Error
	require.ErrorAs(t, err, &perr)
	require.Equal(t, "k", perr.Key)
	require.ErrorIs(t, s.Apply(ctx, []persist.Op{persist.WriteOp(ns, "k", nil)}), full)
	_, err = s.Read(ctx, ns, "k")
	require.ErrorIs(t, err, persist.ErrNotFound)
	s.FailWrites(nil)
	require.NoError(t, s.Write(ctx, ns, "k", []byte("v")))
}

func TestCrashStoreWaitPendingCancelled(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	require.ErrorIs(t, persisttest.NewCrashStore().WaitPending(ctx, 1), context.Canceled)
}
