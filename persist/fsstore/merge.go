package fsstore

import (
	"fmt"
	"slices"

	"github.com/lnkit/lnkit/persist"
)

// maxPacks is the most packs the store keeps: one more merges them all.
const maxPacks = 16

// pickMerge returns the oldest of the newest packs that merge into one,
// or -1 for none. The newest packs merge while the next older one is no
// larger than they are together (so that sizes double from pack to pack
// going back, their number is logarithmic in the store's size, and each
// byte is rewritten that many times), and from the oldest pack back from
// which garbage is more than half of the bytes: the records newer packs
// supersede, and tombstones when the merge takes every pack (only then
// can they go). All merge when there are more than maxPacks.
func pickMerge(packs []*packFile) int {
	m := len(packs)
	if m < 2 {
		return -1
	}
	if m > maxPacks {
		return 0
	}
	from := m - 1
	for acc := packs[m-1].size; from > 0 && packs[from-1].size <= acc; from-- {
		acc += packs[from-1].size
	}
	var size, garbage, tombs int64
	for j := m - 1; j >= 0; j-- {
		size += packs[j].size
		garbage += packs[j].garbage
		tombs += packs[j].tombs
		g := garbage
		if j == 0 {
			g += tombs
		}
		if j < m-1 && 2*g > size {
			from = min(from, j)
		}
	}
	if from == m-1 {
		return -1
	}
	return from
}

// mergeResult is what a merge made: the pack of its inputs' live
// records, which records it holds, and the tombstones it dropped.
type mergeResult struct {
	in      []*packFile
	out     *packFile
	recs    []packedRecord
	dropped []persist.Op
	err     error
}

// maybeMerge starts the merge pickMerge chooses, if any and none is under
// way: in the background (its pack installed by the committer when it is
// done, see finishMerge), or inline when segments are prepared inline
// (the crash tests' deterministic order of calls) or the store is
// closing.
func (s *Store) maybeMerge() error {
	if s.merging != nil {
		return nil // one at a time; the next checkpoint looks again
	}
	from := pickMerge(s.packs)
	if from < 0 {
		return nil
	}
	in := slices.Clone(s.packs[from:])
	if s.inlinePrepare || s.closing || s.recovering {
		return s.installMerge(s.mergePacks(in, from == 0))
	}
	ch := make(chan mergeResult, 1)
	s.merging = ch
	go func() { ch <- s.mergePacks(in, from == 0) }()
	return nil
}

// waitMerge waits for the merge under way, if any, and installs its pack.
func (s *Store) waitMerge() error {
	if s.merging == nil {
		return nil
	}
	return s.finishMerge(<-s.merging)
}

// finishMerge installs the pack of the merge that was under way.
func (s *Store) finishMerge(r mergeResult) error {
	s.merging = nil
	return s.installMerge(r)
}

// mergePacks writes the packs in, the newest packs from some on (every
// pack when full), into one new pack covering their numbers, made durable.
// It may run beside the committer: the packs in are not changed or closed
// while it runs, and checkpoints only add newer packs. Their records are
// read in key order, each key's newest kept; a tombstone is dropped only
// when the merge takes every pack and no key file of an earlier version
// has the key (none has: a checkpoint removes durably those its pack has
// before it merges), as nothing older can then hold the key.
func (s *Store) mergePacks(in []*packFile, full bool) mergeResult {
	res := mergeResult{in: in}
	scans := make([]*packScanner, len(in))
	heads := make([]scannedRecord, len(in))
	live := make([]bool, len(in))
	advance := func(i int) error {
		rec, ok, err := scans[i].next()
		if err != nil {
			return fmt.Errorf("pack %s: %w", in[i].path, err)
		}
		heads[i], live[i] = rec, ok
		return nil
	}
	for i, p := range in {
		sc, err := newPackScanner(p.r)
		if err != nil {
			res.err = fmt.Errorf("pack %s: %w", p.path, err)
			return res
		}
		scans[i] = sc
		if err := advance(i); err != nil {
			res.err = err
			return res
		}
	}
	hasLegacy := func(o persist.Op) bool {
		s.viewMu.RLock()
		defer s.viewMu.RUnlock()
		return s.legacy.has(s.l.nsDir(o.NS), o.Key)
	}
	res.out, res.recs, res.err = s.writePack(in[0].base, in[len(in)-1].top, func(add func(persist.Op) error) error {
		for {
			best := -1
			for i := range in {
				// The newest pack's record of a key wins.
				if live[i] && (best < 0 || compareKeys(heads[i].op.NS, heads[i].op.Key, heads[best].op.NS, heads[best].op.Key) <= 0) {
					best = i
				}
			}
			if best < 0 {
				return nil
			}
			o := heads[best].op
			if o.Remove && full && !hasLegacy(o) {
				res.dropped = append(res.dropped, o)
			} else if err := add(o); err != nil {
				return err
			}
			for i := range in {
				if live[i] && compareKeys(heads[i].op.NS, heads[i].op.Key, o.NS, o.Key) == 0 {
					if err := advance(i); err != nil {
						return err
					}
				}
			}
		}
	})
	if res.err != nil {
		res.err = fmt.Errorf("merge packs: %w", res.err)
	}
	return res
}

// installMerge points the index at a merge's pack, in place of its
// inputs, then removes them. A key a checkpoint wrote to a newer pack
// while the merge ran keeps pointing there: its record in the merge's
// pack is garbage. The removals are not fsynced: a pack that comes back
// after a crash is inside the new one's range, and Open removes it (see
// loadPacks).
func (s *Store) installMerge(r mergeResult) error {
	if r.err != nil {
		return r.err // nothing visible: the inputs stay
	}
	from := slices.Index(s.packs, r.in[0])
	if from < 0 || len(s.packs) < from+len(r.in) || !slices.Equal(s.packs[from:from+len(r.in)], r.in) {
		panic("fsstore: a merge's inputs changed while it ran")
	}
	input := make(map[*packFile]bool, len(r.in))
	for _, p := range r.in {
		input[p] = true
	}
	s.viewMu.Lock()
	for _, rec := range r.recs {
		if cur, ok := s.index.get(rec.ns, rec.key); ok && input[cur.p] {
			s.index.set(rec.ns, rec.key, rec.ref(r.out)) // the garbage it counts is an input's, gone
		} else {
			r.out.garbage += int64(rec.n)
		}
	}
	for _, o := range r.dropped {
		if cur, ok := s.index.get(o.NS, o.Key); ok && input[cur.p] {
			s.index.remove(o.NS, o.Key)
		}
	}
	s.packs = slices.Concat(s.packs[:from], []*packFile{r.out}, s.packs[from+len(r.in):])
	s.viewMu.Unlock()
	for _, p := range r.in {
		_ = p.r.Close()
		_ = s.fs.Remove(p.path) // one left is removed by Open
	}
	return nil
}
