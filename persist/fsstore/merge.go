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

// merge writes the packs from the from-th on, the newest, into one new
// pack covering their numbers, made durable, then points the index at it
// and removes them. Their records are read in key order, each key's
// newest kept; a tombstone is dropped only when the merge takes every
// pack and no key file of an earlier version has the key (none has: a
// checkpoint removes those its pack has before it merges), as nothing
// older can then hold the key. The removals are not fsynced: a pack that
// comes back after a crash is inside the new one's range, and Open
// removes it (see loadPacks).
func (s *Store) merge(from int) error {
	in := slices.Clone(s.packs[from:])
	full := from == 0
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
			return fmt.Errorf("pack %s: %w", p.path, err)
		}
		scans[i] = sc
		if err := advance(i); err != nil {
			return err
		}
	}
	var dropped []persist.Op
	p, recs, err := s.writePack(in[0].base, in[len(in)-1].top, func(add func(persist.Op) error) error {
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
			if o.Remove && full && !s.legacy.has(s.l.nsDir(o.NS), o.Key) {
				dropped = append(dropped, o)
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
	if err != nil {
		return fmt.Errorf("merge packs: %w", err)
	}
	s.viewMu.Lock()
	for _, r := range recs {
		s.index.set(r.ns, r.key, r.ref(p)) // the garbage it counts is an input's, gone
	}
	for _, o := range dropped {
		s.index.remove(o.NS, o.Key)
	}
	s.packs = append(s.packs[:from:from], p)
	s.viewMu.Unlock()
	for _, q := range in {
		_ = q.r.Close()
		_ = s.fs.Remove(q.path) // one left is removed by Open
	}
	return nil
}
