package events_test

import (
	"context"
	"errors"
	"io"
	"log/slog"
	"sync"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/lnkit/lnkit/events"
	"github.com/lnkit/lnkit/persist"
	"github.com/lnkit/lnkit/persist/persisttest"
	"github.com/lnkit/lnkit/wire"
)

var quiet = slog.New(slog.NewTextHandler(io.Discard, nil))

// openQueue opens a queue over store with cfg (Store and Logger filled in).
func openQueue(t *testing.T, store persist.KVStore, cfg events.Config) *events.Queue {
	t.Helper()
	cfg.Store = store
	if cfg.Logger == nil {
		cfg.Logger = quiet
	}
	q, err := events.Open(context.Background(), cfg)
	require.NoError(t, err)
	return q
}

// ready returns a ChannelReady naming user channel n.
func ready(n uint64) *events.ChannelReady { return &events.ChannelReady{UserChannelID: n} }

// recorder is a handler recording what it was given; fail, when set,
// decides which deliveries fail.
type recorder struct {
	mu   sync.Mutex
	got  []uint64 // user channel ids, in delivery order
	ids  []uint64 // event ids
	fail func(e events.Event) error
}

func (r *recorder) HandleEvent(_ context.Context, e events.Event) error {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.got = append(r.got, e.(*events.ChannelReady).UserChannelID)
	r.ids = append(r.ids, e.EventID())
	if r.fail != nil {
		return r.fail(e)
	}
	return nil
}

func (r *recorder) delivered() []uint64 {
	r.mu.Lock()
	defer r.mu.Unlock()
	return append([]uint64(nil), r.got...)
}

func TestOpenValidatesConfig(t *testing.T) {
	store := persisttest.NewCrashStore()
	for _, tc := range []struct {
		name  string
		cfg   events.Config
		field string
	}{
		{"no store", events.Config{}, "Store"},
		{"bad namespace", events.Config{Store: store, Namespace: "a/b"}, "Namespace"},
		{"long namespace", events.Config{Store: store, Namespace: string(make([]byte, 121))}, "Namespace"},
		{"negative max", events.Config{Store: store, MaxPending: -1}, "MaxPending"},
		{"max too large", events.Config{Store: store, MaxPending: events.MaxMaxPending + 1}, "MaxPending"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := events.Open(context.Background(), tc.cfg)
			require.ErrorIs(t, err, events.ErrInvalidConfig)
			var ce *events.ConfigError
			require.ErrorAs(t, err, &ce)
			require.Equal(t, tc.field, ce.Field)
		})
	}
	q, err := events.Open(context.Background(), events.Config{Store: store})
	require.NoError(t, err, "every other field has a default")
	require.Equal(t, 0, q.Len())
}

func TestAppendThenProcessInOrder(t *testing.T) {
	ctx := context.Background()
	store := persisttest.NewCrashStore()
	q := openQueue(t, store, events.Config{})
	first := ready(1)
	require.NoError(t, q.Append(ctx, first))
	require.Equal(t, uint64(1), first.ID, "Append assigns the ID")
	require.NoError(t, q.Append(ctx, ready(2), ready(3)))
	require.NoError(t, q.Append(ctx))
	require.Equal(t, 3, q.Len())

	var r recorder
	require.NoError(t, q.Process(ctx, &r))
	require.Equal(t, []uint64{1, 2, 3}, r.got)
	require.Equal(t, []uint64{1, 2, 3}, r.ids)
	require.Equal(t, 0, q.Len())
	keys, err := store.List(ctx, persist.Namespace{Primary: events.DefaultNamespace, Secondary: "pending"})
	require.NoError(t, err)
	require.Empty(t, keys, "handled events are removed from the store")

	require.NoError(t, q.Process(ctx, &r), "nothing to do")
	require.Len(t, r.got, 3)
}

func TestHandlerErrorRedelivers(t *testing.T) {
	ctx := context.Background()
	q := openQueue(t, persisttest.NewCrashStore(), events.Config{})
	require.NoError(t, q.Append(ctx, ready(1), ready(2), ready(3)))
	errBusy := errors.New("wallet busy")
	failures := 2
	r := recorder{fail: func(e events.Event) error {
		if e.EventID() == 2 && failures > 0 {
			failures--
			return errBusy
		}
		return nil
	}}
	for range 2 {
		err := q.Process(ctx, &r)
		require.ErrorIs(t, err, errBusy)
		var he *events.HandlerError
		require.ErrorAs(t, err, &he)
		require.Equal(t, uint64(2), he.ID)
		require.Equal(t, events.KindChannelReady, he.Kind)
		require.Equal(t, 2, q.Len(), "the failed event and the later ones stay")
	}
	require.NoError(t, q.Process(ctx, &r))
	require.Equal(t, []uint64{1, 2, 2, 2, 3}, r.got, "in order, the failed one first again")
}

func TestRedeliveredAfterRestart(t *testing.T) {
	ctx := context.Background()
	store := persisttest.NewCrashStore()
	q := openQueue(t, store, events.Config{})
	require.NoError(t, q.Append(ctx, ready(1), ready(2)))
	require.NoError(t, q.Append(ctx, ready(3)))
	var r recorder
	r.fail = func(e events.Event) error {
		if e.EventID() == 2 {
			return errors.New("stop")
		}
		return nil
	}
	require.Error(t, q.Process(ctx, &r))

	// A clean stop: the node reopens the same store.
	q = openQueue(t, store.Reopen(), events.Config{})
	require.Equal(t, 2, q.Len())
	r = recorder{}
	require.NoError(t, q.Process(ctx, &r))
	require.Equal(t, []uint64{2, 3}, r.got)
	require.Equal(t, []uint64{2, 3}, r.ids, "the same IDs")
}

// The crash points of the at-least-once guarantee, with a store that keeps
// only what it made durable.
func TestCrash(t *testing.T) {
	ctx := context.Background()
	t.Run("between append and process", func(t *testing.T) {
		store := persisttest.NewCrashStore()
		q := openQueue(t, store, events.Config{})
		require.NoError(t, q.Append(ctx, ready(1), ready(2)))
		q = openQueue(t, store.Crash(), events.Config{})
		var r recorder
		require.NoError(t, q.Process(ctx, &r))
		require.Equal(t, []uint64{1, 2}, r.got)
	})

	t.Run("before the append is durable", func(t *testing.T) {
		store := persisttest.NewCrashStore()
		q := openQueue(t, store, events.Config{})
		store.Hold(true)
		e := ready(1)
		done := make(chan error, 1)
		go func() { done <- q.Append(ctx, e) }()
		require.NoError(t, store.WaitPending(ctx, 1))
		require.Equal(t, 0, q.Len(), "not visible before it is durable")
		var r recorder
		require.NoError(t, q.Process(ctx, &r))
		require.Empty(t, r.got)

		crashed := store.Crash()
		require.ErrorIs(t, <-done, persisttest.ErrCrashed)
		require.Zero(t, e.ID, "a failed Append leaves the ID unset")
		require.Equal(t, 0, q.Len())
		q = openQueue(t, crashed, events.Config{})
		require.Equal(t, 0, q.Len(), "the caller was told it failed; it is not there")
	})

	t.Run("while the handler runs", func(t *testing.T) {
		store := persisttest.NewCrashStore()
		q := openQueue(t, store, events.Config{})
		require.NoError(t, q.Append(ctx, ready(1), ready(2)))
		var crashed *persisttest.CrashStore
		r := recorder{fail: func(e events.Event) error {
			if e.EventID() == 2 {
				crashed = store.Crash() // the process dies mid-handler
				return errors.New("killed")
			}
			return nil
		}}
		require.Error(t, q.Process(ctx, &r))
		q = openQueue(t, crashed, events.Config{})
		r = recorder{}
		require.NoError(t, q.Process(ctx, &r))
		require.Equal(t, []uint64{1, 2}, r.got, "the interrupted event comes back, and the one handled before it: its removal waited for Process to return")
	})

	t.Run("after the handler, before the removal is durable", func(t *testing.T) {
		store := persisttest.NewCrashStore()
		q := openQueue(t, store, events.Config{})
		require.NoError(t, q.Append(ctx, ready(1)))
		store.Hold(true)
		var r recorder
		done := make(chan error, 1)
		go func() { done <- q.Process(ctx, &r) }()
		require.NoError(t, store.WaitPending(ctx, 1))
		require.Equal(t, []uint64{1}, r.delivered(), "handled")
		crashed := store.Crash()
		require.ErrorIs(t, <-done, persisttest.ErrCrashed)
		require.Equal(t, 1, q.Len(), "not removed while the removal failed")

		q = openQueue(t, crashed, events.Config{})
		r = recorder{}
		require.NoError(t, q.Process(ctx, &r))
		require.Equal(t, []uint64{1}, r.got, "delivered again: at least once")
		require.Equal(t, []uint64{1}, r.ids, "with the same ID, so the handler can tell")
	})

	t.Run("after the removal is durable", func(t *testing.T) {
		store := persisttest.NewCrashStore()
		q := openQueue(t, store, events.Config{})
		require.NoError(t, q.Append(ctx, ready(1)))
		require.NoError(t, q.Process(ctx, &recorder{}))
		q = openQueue(t, store.Crash(), events.Config{})
		require.Equal(t, 0, q.Len())
	})
}

func TestIDsAreNeverReused(t *testing.T) {
	ctx := context.Background()
	store := persisttest.NewCrashStore()
	q := openQueue(t, store, events.Config{})
	require.NoError(t, q.Append(ctx, ready(1), ready(2)))
	require.NoError(t, q.Process(ctx, &recorder{}))
	q = openQueue(t, store.Crash(), events.Config{})
	e := ready(3)
	require.NoError(t, q.Append(ctx, e))
	require.Equal(t, uint64(3), e.ID)

	// An ID a failed write may have spent is not given again either.
	store = persisttest.NewCrashStore()
	q = openQueue(t, store, events.Config{})
	store.FailWrites(errors.New("disk full"))
	failed := ready(1)
	require.Error(t, q.Append(ctx, failed))
	require.Zero(t, failed.ID)
	require.Equal(t, 0, q.Len())
	store.FailWrites(nil)
	e = ready(2)
	require.NoError(t, q.Append(ctx, e))
	require.Equal(t, uint64(2), e.ID)
}

func TestQueueFull(t *testing.T) {
	ctx := context.Background()
	q := openQueue(t, persisttest.NewCrashStore(), events.Config{MaxPending: 3})
	require.NoError(t, q.Append(ctx, ready(1), ready(2)))
	err := q.Append(ctx, ready(3), ready(4))
	require.ErrorIs(t, err, events.ErrQueueFull)
	var fe *events.FullError
	require.ErrorAs(t, err, &fe)
	require.Equal(t, events.FullError{Pending: 2, Adding: 2, Max: 3}, *fe)
	require.Equal(t, 2, q.Len(), "all or nothing")
	require.NoError(t, q.Append(ctx, ready(3)))
	require.NoError(t, q.Process(ctx, &recorder{}))
	require.NoError(t, q.Append(ctx, ready(4), ready(5)))
}

func TestAppendRefusesInvalidEvents(t *testing.T) {
	ctx := context.Background()
	q := openQueue(t, persisttest.NewCrashStore(), events.Config{})
	good := ready(1)
	for _, bad := range []events.Event{nil, (*events.ChannelReady)(nil), &events.ChannelClosed{}} {
		require.ErrorIs(t, q.Append(ctx, good, bad), events.ErrInvalidEvent)
		require.Zero(t, good.ID)
		require.Equal(t, 0, q.Len())
	}
}

func TestRemovalFailureRedelivers(t *testing.T) {
	ctx := context.Background()
	store := persisttest.NewCrashStore()
	q := openQueue(t, store, events.Config{})
	require.NoError(t, q.Append(ctx, ready(1), ready(2)))
	errDisk := errors.New("disk gone")
	var r recorder
	r.fail = func(events.Event) error { store.FailWrites(errDisk); return nil }
	require.ErrorIs(t, q.Process(ctx, &r), errDisk)
	store.FailWrites(nil)
	r.fail = nil
	require.NoError(t, q.Process(ctx, &r))
	require.Equal(t, []uint64{1, 2, 1, 2}, r.got, "both handled, their removal failed: both delivered again")
	require.Equal(t, 0, q.Len())
}

// Process removes the events it handled in one write (per removeBatch),
// not one write per event.
func TestProcessRemovesInOneWrite(t *testing.T) {
	ctx := context.Background()
	store := persisttest.NewCrashStore()
	q := openQueue(t, store, events.Config{})
	for i := range 70 {
		require.NoError(t, q.Append(ctx, ready(uint64(i+1))))
	}
	before := store.Mutations()
	var r recorder
	require.NoError(t, q.Process(ctx, &r))
	require.Len(t, r.got, 70)
	require.Equal(t, 0, q.Len())
	require.Equal(t, 2, store.Mutations()-before, "64 removals, then the last 6")
	q = openQueue(t, store.Crash(), events.Config{})
	require.Equal(t, 0, q.Len(), "the removals are durable")
}

func TestProcessStopsWithContext(t *testing.T) {
	q := openQueue(t, persisttest.NewCrashStore(), events.Config{})
	require.NoError(t, q.Append(context.Background(), ready(1), ready(2)))
	ctx, cancel := context.WithCancel(context.Background())
	r := recorder{fail: func(events.Event) error { cancel(); return nil }}
	require.ErrorIs(t, q.Process(ctx, &r), context.Canceled)
	require.Equal(t, []uint64{1}, r.got)
	require.Equal(t, 1, q.Len(), "the handled event was removed even though ctx ended")
}

// A handler may append (the manager raises events while the application
// handles others): no deadlock, and the new events wait for the next
// Process.
func TestHandlerMayAppend(t *testing.T) {
	ctx := context.Background()
	q := openQueue(t, persisttest.NewCrashStore(), events.Config{})
	require.NoError(t, q.Append(ctx, ready(1)))
	var got []uint64
	h := events.HandlerFunc(func(ctx context.Context, e events.Event) error {
		n := e.(*events.ChannelReady).UserChannelID
		got = append(got, n)
		if n < 3 {
			return q.Append(ctx, ready(n+1))
		}
		return nil
	})
	require.NoError(t, q.Process(ctx, h))
	require.Equal(t, []uint64{1}, got)
	require.NoError(t, q.Process(ctx, h))
	require.NoError(t, q.Process(ctx, h))
	require.Equal(t, []uint64{1, 2, 3}, got)
	require.Equal(t, 0, q.Len())
}

// Appenders and processors at once (run with -race): every event is
// delivered exactly once (no handler fails), in ID order, each appender's
// events in its order.
func TestConcurrentAppendAndProcess(t *testing.T) {
	ctx := context.Background()
	const appenders, each = 4, 50
	q := openQueue(t, persisttest.NewCrashStore(), events.Config{})
	var r recorder
	var wg sync.WaitGroup
	errs := make(chan error, appenders+2) // require may not stop the test from another goroutine
	for a := range appenders {
		wg.Go(func() {
			for i := range each {
				e := &events.ChannelReady{UserChannelID: uint64(a*1000 + i), ChannelID: wire.ChannelID{byte(a)}}
				if err := q.Append(ctx, e); err != nil {
					errs <- err
					return
				}
			}
		})
	}
	stop := make(chan struct{})
	var pwg sync.WaitGroup
	for range 2 {
		pwg.Go(func() {
			for {
				if err := q.Process(ctx, &r); err != nil {
					errs <- err
					return
				}
				select {
				case <-stop:
					return
				default:
				}
			}
		})
	}
	wg.Wait()
	close(stop)
	pwg.Wait()
	close(errs)
	for err := range errs {
		require.NoError(t, err)
	}
	require.NoError(t, q.Process(ctx, &r))

	require.Len(t, r.ids, appenders*each)
	for i := 1; i < len(r.ids); i++ {
		require.Less(t, r.ids[i-1], r.ids[i], "delivered in ID order, each once")
	}
	last := map[uint64]int{}
	for _, n := range r.got {
		a := n / 1000
		if prev, ok := last[a]; ok {
			require.Less(t, prev, int(n%1000))
		}
		last[a] = int(n % 1000)
	}
}

func TestOpenRefusesUnreadableEvents(t *testing.T) {
	ctx := context.Background()
	pending := persist.Namespace{Primary: events.DefaultNamespace, Secondary: "pending"}
	meta := persist.Namespace{Primary: events.DefaultNamespace, Secondary: "meta"}
	good, err := events.Encode(&events.ChannelReady{Meta: events.Meta{ID: 5}})
	require.NoError(t, err)
	for _, tc := range []struct {
		name     string
		ns       persist.Namespace
		key      string
		value    []byte
		want     error
		wantLoad bool
	}{
		{"garbage record", pending, "0000000000000001", []byte{byte(events.KindChannelReady), 1, 0, 0xfd}, persist.ErrCorrupt, true},
		{"newer version", pending, "0000000000000001", []byte{byte(events.KindChannelReady), 9, 0}, persist.ErrNewerVersion, true},
		{"key not an id", pending, "hello", good, persist.ErrCorrupt, true},
		{"key of id 0", pending, "0000000000000000", good, persist.ErrCorrupt, true},
		{"key and record disagree", pending, "0000000000000004", good, persist.ErrCorrupt, true},
		{"next id of 3 bytes", meta, "next-id", []byte{1, 2, 3}, persist.ErrCorrupt, true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			store := persisttest.NewCrashStore()
			require.NoError(t, store.Write(ctx, tc.ns, tc.key, tc.value))
			_, err := events.Open(ctx, events.Config{Store: store, Logger: quiet})
			require.ErrorIs(t, err, tc.want)
			var le *events.LoadError
			require.ErrorAs(t, err, &le)
			require.Equal(t, tc.key, le.Key)
		})
	}

	// A record whose key is right loads, and the next ID follows it.
	store := persisttest.NewCrashStore()
	require.NoError(t, store.Write(ctx, pending, "0000000000000005", good))
	q := openQueue(t, store, events.Config{})
	require.Equal(t, 1, q.Len())
	e := ready(1)
	require.NoError(t, q.Append(ctx, e))
	require.Equal(t, uint64(6), e.ID)
}

// Two queues under different namespaces share a store without seeing each
// other's events.
func TestNamespacesAreSeparate(t *testing.T) {
	ctx := context.Background()
	store := persisttest.NewCrashStore()
	a := openQueue(t, store, events.Config{Namespace: "node-a"})
	b := openQueue(t, store, events.Config{Namespace: "node-b"})
	require.NoError(t, a.Append(ctx, ready(1)))
	require.Equal(t, 0, b.Len())
	b = openQueue(t, store.Reopen(), events.Config{Namespace: "node-b"})
	require.Equal(t, 0, b.Len())
}

// AppendWith writes the caller's state change and the events together:
// after a crash both are there or neither.
func TestAppendWithIsAtomic(t *testing.T) {
	ctx := context.Background()
	state := persist.Namespace{Primary: "channels"}
	op := persist.WriteOp(state, "c1", []byte("funded"))

	store := persisttest.NewCrashStore()
	q := openQueue(t, store, events.Config{})
	store.Hold(true)
	done := make(chan error, 1)
	go func() { done <- q.AppendWith(ctx, []persist.Op{op}, ready(1)) }()
	require.NoError(t, store.WaitPending(ctx, 1))
	crashed := store.Crash()
	require.Error(t, <-done)
	_, ok := crashed.Durable(state, "c1")
	require.False(t, ok, "neither the state")
	require.Equal(t, 0, openQueue(t, crashed, events.Config{}).Len(), "nor the event")

	q = openQueue(t, crashed, events.Config{})
	require.NoError(t, q.AppendWith(ctx, []persist.Op{op}, ready(1)))
	crashed = crashed.Crash()
	v, ok := crashed.Durable(state, "c1")
	require.True(t, ok, "both the state")
	require.Equal(t, []byte("funded"), v)
	require.Equal(t, 1, openQueue(t, crashed, events.Config{}).Len(), "and the event")

	q = openQueue(t, crashed, events.Config{})
	require.NoError(t, q.AppendWith(ctx, []persist.Op{persist.RemoveOp(state, "c1")}), "ops alone")
	_, ok = crashed.Durable(state, "c1")
	require.False(t, ok)
	bad := persist.WriteOp(persist.Namespace{Primary: events.DefaultNamespace, Secondary: "meta"}, "next-id", nil)
	require.ErrorIs(t, q.AppendWith(ctx, []persist.Op{bad}, ready(2)), events.ErrInvalidEvent, "the queue's keys are its own")
}

// Events found at Open are all kept, even beyond a smaller MaxPending:
// Append waits for Process to make room.
func TestOpenKeepsEventsBeyondMaxPending(t *testing.T) {
	ctx := context.Background()
	store := persisttest.NewCrashStore()
	q := openQueue(t, store, events.Config{})
	require.NoError(t, q.Append(ctx, ready(1), ready(2), ready(3)))
	q = openQueue(t, store.Reopen(), events.Config{MaxPending: 2})
	require.Equal(t, 3, q.Len())
	require.ErrorIs(t, q.Append(ctx, ready(4)), events.ErrQueueFull)
	var r recorder
	require.NoError(t, q.Process(ctx, &r))
	require.Equal(t, []uint64{1, 2, 3}, r.got)
	require.NoError(t, q.Append(ctx, ready(4)))
}

// An event of every kind comes back from the store after a restart equal
// to what was appended.
func TestEveryKindSurvivesRestart(t *testing.T) {
	ctx := context.Background()
	store := persisttest.NewCrashStore()
	q := openQueue(t, store, events.Config{})
	g := newGen(12)
	var appended []events.Event
	for _, k := range allKinds {
		e := g.event(k)
		setID(e, 0)
		appended = append(appended, e)
	}
	require.NoError(t, q.Append(ctx, appended...))

	q = openQueue(t, store.Reopen(), events.Config{})
	var got []events.Event
	require.NoError(t, q.Process(ctx, events.HandlerFunc(func(_ context.Context, e events.Event) error {
		got = append(got, e)
		return nil
	})))
	require.Equal(t, appended, got)
}
