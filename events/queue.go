package events

import (
	"context"
	"encoding/binary"
	"errors"
	"fmt"
	"strconv"
	"sync"

	"github.com/lnkit/lnkit/persist"
)

// Secondary namespaces and keys of a queue under its Config.Namespace.
const (
	pendingNamespace = "pending" // one key per event: its ID, 16 hex digits
	metaNamespace    = "meta"
	nextIDKey        = "next-id" // the next ID to assign, 8 bytes big-endian
)

// Queue is the durable queue of events between the state machines that
// raise them (Append) and the application that handles them (Process).
// It is safe for concurrent use.
type Queue struct {
	cfg       Config
	pendingNS persist.Namespace
	metaNS    persist.Namespace

	// appendMu serialises Append, so that IDs become visible in order and
	// the bound counts no Append twice.
	appendMu sync.Mutex
	nextID   uint64 // guarded by appendMu

	// processMu serialises Process: one event at a time, in order.
	processMu sync.Mutex

	mu      sync.Mutex
	pending []Event // durable, not yet handled, in ID order; guarded by mu
}

// Open returns the queue kept in cfg.Store, with the events left pending
// by a previous run (they are delivered again). A stored event that cannot
// be read fails Open with a *LoadError: an event is never silently dropped.
func Open(ctx context.Context, cfg Config) (*Queue, error) {
	cfg, err := cfg.withDefaults()
	if err != nil {
		return nil, err
	}
	q := &Queue{
		cfg:       cfg,
		pendingNS: persist.Namespace{Primary: cfg.Namespace, Secondary: pendingNamespace},
		metaNS:    persist.Namespace{Primary: cfg.Namespace, Secondary: metaNamespace},
		nextID:    1,
	}
	if err := q.load(ctx); err != nil {
		return nil, err
	}
	return q, nil
}

// load reads the next ID and the pending events.
func (q *Queue) load(ctx context.Context) error {
	v, err := q.cfg.Store.Read(ctx, q.metaNS, nextIDKey)
	switch {
	case errors.Is(err, persist.ErrNotFound):
	case err != nil:
		return fmt.Errorf("events: reading the next event id: %w", err)
	case len(v) != 8 || binary.BigEndian.Uint64(v) == 0:
		return &LoadError{Key: nextIDKey, Err: fmt.Errorf("%w: next id of %d bytes", persist.ErrCorrupt, len(v))}
	default:
		q.nextID = binary.BigEndian.Uint64(v)
	}
	keys, err := q.cfg.Store.List(ctx, q.pendingNS)
	if err != nil {
		return fmt.Errorf("events: listing pending events: %w", err)
	}
	for _, key := range keys {
		e, err := q.loadEvent(ctx, key)
		if err != nil {
			return err
		}
		q.pending = append(q.pending, e)
		// The next ID is written with every event, so it is above them
		// all; should it not be, never reuse an ID anyway.
		q.nextID = max(q.nextID, e.EventID()+1)
	}
	return nil
}

func (q *Queue) loadEvent(ctx context.Context, key string) (Event, error) {
	id, err := strconv.ParseUint(key, 16, 64)
	if err != nil || len(key) != 16 || id == 0 {
		return nil, &LoadError{Key: key, Err: fmt.Errorf("%w: not an event key", persist.ErrCorrupt)}
	}
	v, err := q.cfg.Store.Read(ctx, q.pendingNS, key)
	if err != nil {
		return nil, fmt.Errorf("events: reading pending event %s: %w", key, err)
	}
	e, err := Decode(v)
	if err != nil {
		return nil, &LoadError{Key: key, Err: err}
	}
	if e.EventID() != id {
		return nil, &LoadError{Key: key, Err: fmt.Errorf("%w: holds event id %d", persist.ErrCorrupt, e.EventID())}
	}
	return e, nil
}

// eventKey is the store key of event id: fixed-width hex, so that the
// store's sorted List gives ID order.
func eventKey(id uint64) string { return fmt.Sprintf("%016x", id) }

// Append assigns the next IDs to evs (setting their Meta.ID), writes them
// and the next ID in one all-or-nothing batch, and, once the store made
// them durable, queues them in order for Process. The queue owns evs
// after Append returns nil: do not change them.
//
// It fails with a *FullError when the queue would hold more than
// Config.MaxPending events, with ErrInvalidEvent for a value Encode
// refuses, and with the store's error; on any failure no event is queued
// (and the IDs are left 0). After a store error the events may still be
// durable (the store could not say): they are then delivered after the
// next Open, as the at-least-once guarantee allows.
//
// Append does no work of its own beyond encoding and one store write: no
// goroutine, clock or randomness.
func (q *Queue) Append(ctx context.Context, evs ...Event) error {
	return q.AppendWith(ctx, nil, evs...)
}

// AppendWith is Append with the caller's own operations in the same
// all-or-nothing batch: a state machine persists the state change that
// raised the events together with them, so that a crash keeps both or
// neither (the way LDK persists pending events with its channel manager).
// ops must not touch the queue's namespace (ErrInvalidEvent otherwise).
// With no events it applies ops alone.
func (q *Queue) AppendWith(ctx context.Context, ops []persist.Op, evs ...Event) error {
	for _, op := range ops {
		if op.NS.Primary == q.cfg.Namespace {
			return fmt.Errorf("%w: the caller's batch writes %s/%s, in the queue's namespace", ErrInvalidEvent, op.NS, op.Key)
		}
	}
	if len(evs) == 0 {
		if len(ops) == 0 {
			return nil
		}
		if err := q.cfg.Store.Apply(ctx, ops); err != nil {
			return fmt.Errorf("events: applying the caller's batch: %w", err)
		}
		return nil
	}
	q.appendMu.Lock()
	defer q.appendMu.Unlock()
	if n := q.Len(); n+len(evs) > q.cfg.MaxPending {
		return &FullError{Pending: n, Adding: len(evs), Max: q.cfg.MaxPending}
	}
	batch := make([]persist.Op, 0, len(ops)+len(evs)+1)
	batch = append(batch, ops...)
	for i, e := range evs {
		if e == nil || isNilEvent(e) {
			resetIDs(evs[:i])
			return fmt.Errorf("%w: nil", ErrInvalidEvent)
		}
		e.meta().ID = q.nextID + uint64(i)
		rec, err := Encode(e)
		if err != nil {
			resetIDs(evs[:i+1])
			return err
		}
		batch = append(batch, persist.WriteOp(q.pendingNS, eventKey(e.EventID()), rec))
	}
	next := q.nextID + uint64(len(evs))
	batch = append(batch, persist.WriteOp(q.metaNS, nextIDKey, binary.BigEndian.AppendUint64(nil, next)))
	// The IDs are spent even if the write fails: it may have reached the
	// disk, and an ID must never name two events.
	q.nextID = next
	if err := q.cfg.Store.Apply(ctx, batch); err != nil {
		resetIDs(evs)
		return fmt.Errorf("events: appending %d events: %w", len(evs), err)
	}
	q.mu.Lock()
	q.pending = append(q.pending, evs...)
	q.mu.Unlock()
	for _, e := range evs {
		q.cfg.Logger.Debug("events: queued", "event", e)
	}
	return nil
}

func resetIDs(evs []Event) {
	for _, e := range evs {
		if e != nil && !isNilEvent(e) {
			e.meta().ID = 0
		}
	}
}

// Store returns the store the queue writes to (AppendWith's ops go there).
func (q *Queue) Store() persist.KVStore { return q.cfg.Store }

// Len returns the number of events queued and not yet handled.
func (q *Queue) Len() int {
	q.mu.Lock()
	defer q.mu.Unlock()
	return len(q.pending)
}

// Process delivers the events queued when it is called to h, in order,
// one at a time, and removes those h returned nil for from the store, in
// one write per removeBatch events and one when it returns (a removal per
// event would make every handler wait for the disk before the next event
// is delivered). Events appended meanwhile (a handler may append) wait for
// the next Process. It returns nil when all were handled; a *HandlerError
// when h failed one (that event and the later ones stay queued, in order,
// and the failed one comes first at the next Process); ctx's error when
// ctx ends between two events; or the store's error when a removal failed
// (the events it removed stay queued and are delivered again: at least
// once).
//
// Concurrent Process calls run one after the other. The removal of the
// events h handled is not cancelled by ctx.
func (q *Queue) Process(ctx context.Context, h Handler) (err error) {
	q.processMu.Lock()
	defer q.processMu.Unlock()
	handled := 0
	defer func() {
		if rerr := q.removeHandled(context.WithoutCancel(ctx), handled); rerr != nil && err == nil {
			err = rerr
		}
	}()
	for n := q.Len(); n > 0; n-- {
		if err := ctx.Err(); err != nil {
			return err
		}
		q.mu.Lock()
		e := q.pending[handled]
		q.mu.Unlock()
		if err := h.HandleEvent(ctx, e); err != nil {
			q.cfg.Logger.Warn("events: handler failed; the event will be delivered again", "event", e, "err", err)
			return &HandlerError{ID: e.EventID(), Kind: e.Kind(), Err: err}
		}
		handled++
		if handled == removeBatch {
			if err := q.removeHandled(context.WithoutCancel(ctx), handled); err != nil {
				return err
			}
			handled = 0
		}
	}
	return nil
}

// removeBatch bounds how many handled events Process removes in one write
// (and so how many a crash delivers again).
const removeBatch = 64

// removeHandled removes the first n pending events, handled, from the
// store in one write, then from the queue (processMu held). On an error
// they stay queued.
func (q *Queue) removeHandled(ctx context.Context, n int) error {
	if n == 0 {
		return nil
	}
	q.mu.Lock()
	ops := make([]persist.Op, n)
	for i, e := range q.pending[:n] {
		ops[i] = persist.RemoveOp(q.pendingNS, eventKey(e.EventID()))
	}
	first, last := q.pending[0].EventID(), q.pending[n-1].EventID()
	q.mu.Unlock()
	if err := q.cfg.Store.Apply(ctx, ops); err != nil {
		return fmt.Errorf("events: removing handled events %d to %d (they will be delivered again): %w", first, last, err)
	}
	q.mu.Lock()
	clear(q.pending[:n])
	q.pending = q.pending[n:]
	q.mu.Unlock()
	return nil
}
