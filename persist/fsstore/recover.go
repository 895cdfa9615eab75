package fsstore

import (
	"fmt"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
)

// recover runs in Open, before the committer: it makes the wal and data
// directories, replays committed batches, removes temporary files and
// fsyncs every directory, so that what a crashed process left visible is
// durable.
func (s *Store) recover() error {
	for _, dir := range []string{s.l.wal(), s.l.data()} {
		if err := s.mkdir(dir); err != nil {
			return err
		}
	}
	if err := s.replay(); err != nil {
		return err
	}
	return s.settle()
}

// replay applies every batch file in wal, oldest first, and removes it.
func (s *Store) replay() error {
	entries, err := s.fs.ReadDir(s.l.wal())
	if err != nil {
		return err
	}
	var batches []string
	for _, e := range entries {
		path := filepath.Join(s.l.wal(), e.Name)
		switch {
		case strings.HasSuffix(e.Name, tmpSuffix):
			if err := s.fs.Remove(path); err != nil {
				return err
			}
		case strings.HasSuffix(e.Name, batchSuffix):
			batches = append(batches, e.Name)
		}
	}
	sort.Strings(batches)
	for _, name := range batches {
		if n, err := strconv.ParseUint(strings.TrimSuffix(name, batchSuffix), 16, 64); err == nil && n > s.seq {
			s.seq = n
		}
		path := filepath.Join(s.l.wal(), name)
		b, err := s.fs.ReadFile(path)
		if err != nil {
			return err
		}
		ops, err := decodeBatch(b)
		if err != nil {
			return fmt.Errorf("batch file %s: %w", path, err)
		}
		if err := s.applyOps(lastPerKey(ops)); err != nil {
			return fmt.Errorf("replay %s: %w", path, err)
		}
		if err := s.dropBatchFile(path); err != nil {
			return err
		}
	}
	if err := s.fs.SyncDir(s.l.wal()); err != nil {
		return err
	}
	s.walDirty = false
	return nil
}

// settle removes temporary files under data and fsyncs every namespace
// directory and its parent, marking them known.
func (s *Store) settle() error {
	prims, err := s.fs.ReadDir(s.l.data())
	if err != nil {
		return err
	}
	for _, p := range prims {
		if !p.IsDir || !strings.HasPrefix(p.Name, primaryPfx) {
			continue
		}
		pdir := filepath.Join(s.l.data(), p.Name)
		secs, err := s.fs.ReadDir(pdir)
		if err != nil {
			return err
		}
		for _, sc := range secs {
			if !sc.IsDir || !strings.HasPrefix(sc.Name, secondPfx) {
				continue
			}
			sdir := filepath.Join(pdir, sc.Name)
			if err := s.settleDir(sdir); err != nil {
				return err
			}
		}
		if err := s.fs.SyncDir(pdir); err != nil {
			return err
		}
		s.dirs[pdir] = true
	}
	return s.fs.SyncDir(s.l.data())
}

// settleDir removes the temporary files of one namespace directory and
// fsyncs it.
func (s *Store) settleDir(dir string) error {
	files, err := s.fs.ReadDir(dir)
	if err != nil {
		return err
	}
	for _, f := range files {
		if !f.IsDir && strings.HasSuffix(f.Name, tmpSuffix) {
			if err := s.fs.Remove(filepath.Join(dir, f.Name)); err != nil {
				return err
			}
		}
	}
	if err := s.fs.SyncDir(dir); err != nil {
		return err
	}
	s.dirs[dir] = true
	return nil
}
