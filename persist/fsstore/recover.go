package fsstore

import (
	"fmt"
	"path/filepath"
	"sort"
	"strconv"
	"strings"

	"github.com/lnkit/lnkit/persist"
)

// recover runs in Open, before the committer: it makes the wal and data
// directories, replays the batch files of older versions and the log,
// removes temporary files and fsyncs every directory, so that what a
// crashed process left visible is durable.
func (s *Store) recover() error {
	for _, dir := range []string{s.l.wal(), s.l.data()} {
		if err := s.mkdir(dir); err != nil {
			return err
		}
	}
	entries, err := s.fs.ReadDir(s.l.wal())
	if err != nil {
		return err
	}
	var batches, segments []string
	for _, e := range entries {
		path := filepath.Join(s.l.wal(), e.Name)
		switch {
		case e.IsDir:
		case strings.HasSuffix(e.Name, tmpSuffix):
			if err := s.fs.Remove(path); err != nil {
				return err
			}
		case strings.HasSuffix(e.Name, batchSuffix):
			batches = append(batches, e.Name)
		case strings.HasSuffix(e.Name, logSuffix):
			segments = append(segments, e.Name)
		}
	}
	if err := s.replayBatches(batches); err != nil {
		return err
	}
	if err := s.replayLog(segments); err != nil {
		return err
	}
	if err := s.fs.SyncDir(s.l.wal()); err != nil {
		return err
	}
	return s.settle()
}

// replayBatches applies the batch files an older version of the store
// left, oldest first, each removed (durably, before the next is applied)
// once applied.
func (s *Store) replayBatches(batches []string) error {
	sort.Strings(batches)
	for _, name := range batches {
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
		if err := s.removeDurably(path); err != nil {
			return err
		}
	}
	return nil
}

// removeDurably removes path from wal and fsyncs wal.
func (s *Store) removeDurably(path string) error {
	if err := s.fs.Remove(path); err != nil {
		return err
	}
	return s.fs.SyncDir(s.l.wal())
}

// scannedSegment is a segment file recovery read.
type scannedSegment struct {
	path string
	scan segmentScan
}

// replayLog applies the log's records to the key files and removes its
// segments. Segments are ordered by their records' sequence numbers. Only
// the segments after the newest gap in the numbers are replayed: a
// segment before a gap is one a checkpoint removed (and every one before
// it) whose removal a crash undid, its records all in the key files
// already. The records replayed may include some a checkpoint applied
// already: replayed in order before the later ones, they leave each key
// with its latest value. Nothing is written unless every segment reads
// well. The segments go oldest first, each removal durable before the
// next, so that what a crash leaves of them is always the newest ones.
func (s *Store) replayLog(names []string) error {
	var live, empty []scannedSegment
	for _, name := range names {
		if n, err := strconv.ParseUint(strings.TrimSuffix(name, logSuffix), 16, 64); err == nil && n >= s.nextNum {
			s.nextNum = n + 1
		}
		path := filepath.Join(s.l.wal(), name)
		b, err := s.fs.ReadFile(path)
		if err != nil {
			return err
		}
		sc, err := scanSegment(b)
		if err != nil {
			return fmt.Errorf("log segment %s: %w", path, err)
		}
		s.recSeq = max(s.recSeq, sc.last())
		if len(sc.records) == 0 {
			empty = append(empty, scannedSegment{path, sc})
		} else {
			live = append(live, scannedSegment{path, sc})
		}
	}
	sort.Slice(live, func(i, j int) bool { return live[i].scan.first() < live[j].scan.first() })
	from := 0
	for i := 1; i < len(live); i++ {
		prev, cur := live[i-1], live[i]
		if cur.scan.first() <= prev.scan.last() {
			return corrupt("log segments %s and %s overlap", prev.path, cur.path)
		}
		if cur.scan.first() != prev.scan.last()+1 {
			from = i
		}
	}
	var ops []persist.Op
	for i, seg := range live[from:] {
		if seg.scan.torn && from+i < len(live)-1 {
			return corrupt("log segment %s: a bad record at offset %d before the records of %s", seg.path, seg.scan.end, live[from+i+1].path)
		}
		for _, r := range seg.scan.records {
			ops = append(ops, r.ops...)
		}
	}
	if len(ops) > 0 {
		if err := s.applyOps(lastPerKey(ops)); err != nil {
			return fmt.Errorf("replay the log: %w", err)
		}
	}
	for _, seg := range append(empty, live...) {
		if err := s.removeDurably(seg.path); err != nil {
			return err
		}
	}
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
