package channel

import (
	"fmt"
	"slices"
	"sync"
)

// forwardBook is the Manager's forwards in memory, mirroring the durable
// records (forward_record.go): by incoming HTLC, and by outgoing HTLC once
// added. A forward enters or changes here only after its record is
// written. Its lock is taken under a peer's lock, never the other way
// round; proc serialises processForwards and is taken before any peer's
// lock.
type forwardBook struct {
	proc  sync.Mutex
	mu    sync.Mutex
	byIn  map[htlcRef]*forward
	byOut map[htlcRef]htlcRef
}

// put records f (durable), replacing the forward of the same incoming
// HTLC.
func (b *forwardBook) put(f *forward) {
	b.mu.Lock()
	defer b.mu.Unlock()
	if b.byIn == nil {
		b.byIn = make(map[htlcRef]*forward)
		b.byOut = make(map[htlcRef]htlcRef)
	}
	if old := b.byIn[f.in]; old != nil && old.state != fwdPending && b.byOut[old.out] == old.in {
		delete(b.byOut, old.out)
	}
	b.byIn[f.in] = f
	if f.state == fwdAdded {
		b.byOut[f.out] = f.in
	}
}

// remove forgets the forward of incoming HTLC in (its record removed).
func (b *forwardBook) remove(in htlcRef) {
	b.mu.Lock()
	defer b.mu.Unlock()
	if f := b.byIn[in]; f != nil && f.state != fwdPending && b.byOut[f.out] == in {
		delete(b.byOut, f.out)
	}
	delete(b.byIn, in)
}

// get returns a copy of the forward of incoming HTLC in.
func (b *forwardBook) get(in htlcRef) (forward, bool) {
	b.mu.Lock()
	defer b.mu.Unlock()
	f := b.byIn[in]
	if f == nil {
		return forward{}, false
	}
	return *f, true
}

// has reports whether incoming HTLC in is forwarded (in any state): it
// is then resolved by its forward only, never failed back on its own.
func (b *forwardBook) has(in htlcRef) bool {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.byIn[in] != nil
}

// added returns a copy of the forward whose outgoing HTLC is out, while
// that HTLC is unresolved.
func (b *forwardBook) added(out htlcRef) (forward, bool) {
	b.mu.Lock()
	defer b.mu.Unlock()
	in, ok := b.byOut[out]
	if !ok {
		return forward{}, false
	}
	f := b.byIn[in]
	if f == nil || f.state != fwdAdded {
		return forward{}, false
	}
	return *f, true
}

// refs returns the incoming HTLCs of every forward, in a fixed order.
func (b *forwardBook) refs() []htlcRef { return b.collect(true) }

// work returns the incoming HTLCs of the forwards processForwards has
// something to do for (all but those added and waiting downstream), in a
// fixed order.
func (b *forwardBook) work() []htlcRef { return b.collect(false) }

// collect returns the refs of the forwards, those added included when
// added is set, sorted.
func (b *forwardBook) collect(added bool) []htlcRef {
	b.mu.Lock()
	refs := make([]htlcRef, 0, max(0, len(b.byIn)-len(b.byOut)))
	for ref, f := range b.byIn {
		if added || f.state != fwdAdded {
			refs = append(refs, ref)
		}
	}
	b.mu.Unlock()
	slices.SortFunc(refs, compareRefs)
	return refs
}

// loadForwards reads the durable forwards.
func (m *Manager) loadForwards() error {
	ctx := m.cfg.Context
	keys, err := m.cfg.Store.List(ctx, forwardsNS())
	if err != nil {
		return fmt.Errorf("%w: list forwards: %w", ErrPersistence, err)
	}
	for _, k := range keys {
		v, err := m.cfg.Store.Read(ctx, forwardsNS(), k)
		if err != nil {
			return fmt.Errorf("%w: read forward %s: %w", ErrPersistence, k, err)
		}
		f, err := decodeForward(v)
		if err != nil {
			return err
		}
		if forwardKey(f.in) != k {
			return fmt.Errorf("%w: forward of %v/%d stored under %s", ErrCorruptRecord, f.in.channel, f.in.id, k)
		}
		m.fwd.put(f)
	}
	return nil
}
