package fsstore

import (
	"sort"

	"github.com/lnkit/lnkit/persist"
)

// memEntry is the latest op on a key committed in the log and not yet
// written to a pack.
type memEntry struct {
	op persist.Op
}

// checkpoint writes the memtable, sorted by key, to one new pack (values
// and tombstones) made durable, points the index at it, empties the
// memtable, removes the key files of earlier versions the pack now has
// (durably), and removes the retired segments: all their records are in
// the packs now. It then starts merging packs if the policy says so (see
// pickMerge and maybeMerge). The current segment stays, its records applied: replaying
// them again after a crash writes again what they wrote, before the later
// records.
//
// Until the segments go, the pack is never the only copy of an
// acknowledged write: its records are all in the log, from the newest
// gap on. The removals are not fsynced: a crash may bring any of them
// back. That is harmless, because a checkpoint always removes every
// segment older than the current one, and recovery replays only the
// segments from the newest gap in the sequence numbers on (see
// readLog): a segment that comes back is either replayed with all the
// segments after it, which brings each key to its latest value again in
// a newer pack, or ignored.
func (s *Store) checkpoint() error {
	if len(s.mem) == 0 {
		return nil
	}
	ops := make([]persist.Op, 0, len(s.mem))
	for _, e := range s.mem {
		if e.op.Remove && !s.mayHold(e.op.NS, e.op.Key) {
			continue // nothing to hide: no tombstone
		}
		ops = append(ops, e.op)
	}
	sort.Slice(ops, func(i, j int) bool { return compareKeys(ops[i].NS, ops[i].Key, ops[j].NS, ops[j].Key) < 0 })
	p, recs, err := s.writePack(s.nextPack, s.nextPack, func(add func(persist.Op) error) error {
		for _, o := range ops {
			if err := add(o); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		return err // the memtable stays: tried again after the next group
	}
	s.nextPack++
	s.viewMu.Lock()
	s.packs = append(s.packs, p)
	for _, r := range recs {
		s.index.set(r.ns, r.key, r.ref(p))
	}
	stale := s.dropLegacy(recs)
	clear(s.mem)
	s.viewMu.Unlock()
	if err := s.removeLegacy(stale); err != nil {
		return s.fail(err)
	}
	s.logBytes = 0
	for len(s.retired) > 0 {
		if err := s.removeSegment(s.retired[0]); err != nil {
			return s.fail(err)
		}
		s.retired = s.retired[1:]
	}
	return s.maybeMerge()
}

// mayHold reports whether a pack or a key file of an earlier version has
// a record of key: a removal needs a tombstone only then.
func (s *Store) mayHold(ns persist.Namespace, key string) bool {
	_, ok := s.index.get(ns, key)
	return ok || s.legacy.has(s.l.nsDir(ns), key)
}
