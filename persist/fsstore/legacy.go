package fsstore

import (
	"errors"
	"io/fs"
	"path/filepath"

	"github.com/lnkit/lnkit/persist"
)

// legacyFiles is the key files earlier versions wrote (this one writes
// none), by namespace directory, then key: found by Open, read where
// neither the memtable nor the packs have the key, removed (durably) once
// a pack has it durably, so that a pack never loses to one and none comes
// back after a merge dropped a tombstone.
type legacyFiles map[string]map[string]bool

func (lf legacyFiles) has(dir, key string) bool { return lf[dir][key] }

func (lf legacyFiles) add(dir, key string) {
	if lf[dir] == nil {
		lf[dir] = map[string]bool{}
	}
	lf[dir][key] = true
}

// drop forgets dir's key file of key and reports whether there was one.
func (lf legacyFiles) drop(dir, key string) bool {
	if !lf[dir][key] {
		return false
	}
	delete(lf[dir], key)
	if len(lf[dir]) == 0 {
		delete(lf, dir)
	}
	return true
}

// dropLegacy forgets the key files of keys (a pack has them durably) and
// returns their paths. viewMu is held for writing.
func (s *Store) dropLegacy(keys []packedRecord) []string {
	if len(s.legacy) == 0 {
		return nil
	}
	var paths []string
	for _, k := range keys {
		if s.legacy.drop(s.l.nsDir(k.ns), k.key) {
			paths = append(paths, s.l.keyPath(k.ns, k.key))
		}
	}
	return paths
}

// dropShadowedLegacy removes, in Open, the key files a pack has the key
// of: a crash stopped the checkpoint that wrote the pack before it
// removed them.
func (s *Store) dropShadowedLegacy() error {
	var keys []packedRecord
	for ns, inPacks := range s.index {
		for key := range s.legacy[s.l.nsDir(ns)] {
			if _, ok := inPacks[key]; ok {
				keys = append(keys, packedRecord{ns: ns, key: key})
			}
		}
	}
	return s.removeLegacy(s.dropLegacy(keys))
}

// removeLegacy removes the key files paths, then fsyncs their
// directories, up to s.par at once.
func (s *Store) removeLegacy(paths []string) error {
	var dirs []string
	seen := map[string]bool{}
	for _, p := range paths {
		if err := s.fs.Remove(p); err != nil && !errors.Is(err, fs.ErrNotExist) {
			return err
		}
		if dir := filepath.Dir(p); !seen[dir] {
			seen[dir] = true
			dirs = append(dirs, dir)
		}
	}
	if len(dirs) == 0 {
		return nil
	}
	return s.parallel(len(dirs), func(i int) error { return s.fs.SyncDir(dirs[i]) })
}

// readLegacy reads and checks key's file.
func (s *Store) readLegacy(ns persist.Namespace, key string) ([]byte, error) {
	b, err := s.fs.ReadFile(s.l.keyPath(ns, key))
	if errors.Is(err, fs.ErrNotExist) {
		return nil, persist.ErrNotFound // removed by hand since Open
	}
	if err != nil {
		return nil, err
	}
	return decodeValue(ns, key, b)
}
