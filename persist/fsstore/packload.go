package fsstore

import (
	"fmt"
	"path/filepath"
	"sort"
	"strings"
)

// loadPacks, in Open, removes the packs' temporary files (a pack never
// renamed was never relied on: its segments, or its merge's inputs, were
// still there), reads and checks every pack whose range no other pack's
// contains, in order, into the index, then removes those contained (the
// inputs of a merge whose removal a crash undid, or stopped) and fsyncs
// the packs directory. A pack under its name was fsynced before its
// rename: one that does not check is corruption, and Open fails naming it
// (it may hold acknowledged writes whose segments are gone). Two ranges
// that overlap without one containing the other are corruption too.
func (s *Store) loadPacks() error {
	entries, err := s.fs.ReadDir(s.l.packs())
	if err != nil {
		return err
	}
	type named struct {
		path      string
		base, top uint64
	}
	var all []named
	for _, e := range entries {
		path := filepath.Join(s.l.packs(), e.Name)
		if e.IsDir {
			continue
		}
		if strings.HasSuffix(e.Name, tmpSuffix) {
			if err := s.fs.Remove(path); err != nil {
				return err
			}
			continue
		}
		if base, top, ok := parsePackName(e.Name); ok {
			all = append(all, named{path, base, top})
			s.nextPack = max(s.nextPack, top+1)
		}
	}
	// By base, the widest first: a pack whose top is no higher than one
	// before it is inside that one's range.
	sort.Slice(all, func(i, j int) bool {
		if all[i].base != all[j].base {
			return all[i].base < all[j].base
		}
		return all[i].top > all[j].top
	})
	var live, superseded []named
	var reach uint64
	for _, p := range all {
		switch {
		case p.top <= reach:
			superseded = append(superseded, p)
		case p.base <= reach:
			return corrupt("pack %s overlaps pack %s", p.path, live[len(live)-1].path)
		default:
			live = append(live, p)
			reach = p.top
		}
	}
	for _, p := range live {
		if err := s.loadPack(p.path, p.base, p.top); err != nil {
			s.closePacks()
			return err
		}
	}
	for _, p := range superseded {
		if err := s.fs.Remove(p.path); err != nil {
			s.closePacks()
			return err
		}
	}
	if err := s.fs.SyncDir(s.l.packs()); err != nil {
		s.closePacks()
		return err
	}
	return nil
}

// loadPack reads and checks the pack at path, covering base to top, into
// the index, on top of the older packs'.
func (s *Store) loadPack(path string, base, top uint64) error {
	r, err := s.fs.Open(path)
	if err != nil {
		return err
	}
	p := &packFile{base: base, top: top, path: path, r: r}
	err = func() error {
		sc, err := newPackScanner(r)
		if err != nil {
			return err
		}
		if sc.base != base || sc.top != top {
			return corrupt("covers %d to %d, its name says %d to %d", sc.base, sc.top, base, top)
		}
		var recs []packedRecord
		for {
			rec, ok, err := sc.next()
			if err != nil {
				return err
			}
			if !ok {
				break
			}
			recs = append(recs, packedRecord{ns: rec.op.NS, key: rec.op.Key, off: rec.off, n: int32(rec.n), tomb: rec.op.Remove})
		}
		p.size = sc.off + 4
		for _, rec := range recs {
			s.index.set(rec.ns, rec.key, rec.ref(p))
		}
		return nil
	}()
	if err != nil {
		_ = r.Close()
		return fmt.Errorf("pack %s: %w", path, err)
	}
	s.packs = append(s.packs, p)
	return nil
}
