package fsstore

import (
	"fmt"
	"path/filepath"
	"sort"
	"strconv"
	"strings"

	"github.com/lnkit/lnkit/persist"
)

// recover runs in Open, before the committer: it makes the wal, packs and
// data directories, loads the packs, finds the key files of earlier
// versions, replays the batch files of older versions and the log into a
// new pack, removes temporary files and fsyncs every directory, so that
// what a crashed process left visible is durable.
func (s *Store) recover() error {
	for _, dir := range []string{s.l.wal(), s.l.packs(), s.l.data()} {
		if err := s.mkdir(dir); err != nil {
			return err
		}
	}
	if err := s.loadPacks(); err != nil {
		return err
	}
	if err := s.settle(); err != nil {
		return err
	}
	if err := s.dropShadowedLegacy(); err != nil {
		return err
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
			batches = append(batches, path)
		case strings.HasSuffix(e.Name, logSuffix):
			segments = append(segments, e.Name)
		}
	}
	ops, err := s.readBatches(batches)
	if err != nil {
		return err
	}
	logOps, segPaths, err := s.readLog(segments)
	if err != nil {
		return err
	}
	ops = append(ops, logOps...)
	if len(ops) > 0 {
		for _, o := range lastPerKey(ops) {
			s.mem[s.l.keyPath(o.NS, o.Key)] = memEntry{op: o}
		}
		if err := s.checkpoint(); err != nil {
			return fmt.Errorf("replay the log: %w", err)
		}
	}
	// Oldest first, each removal durable before the next, so that what a
	// crash leaves is always the newest: batch files, then segments.
	for _, path := range append(batches, segPaths...) {
		if err := s.removeDurably(path); err != nil {
			return err
		}
	}
	return s.fs.SyncDir(s.l.wal())
}

// readBatches reads the ops of the batch files an older version of the
// store left, oldest first.
func (s *Store) readBatches(paths []string) ([]persist.Op, error) {
	sort.Strings(paths)
	var ops []persist.Op
	for _, path := range paths {
		b, err := s.fs.ReadFile(path)
		if err != nil {
			return nil, err
		}
		batch, err := decodeBatch(b)
		if err != nil {
			return nil, fmt.Errorf("batch file %s: %w", path, err)
		}
		ops = append(ops, batch...)
	}
	return ops, nil
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

// readLog reads the log's segments and returns the ops of the records to
// replay, and the segments' paths in the order to remove them. Segments
// are ordered by their records' sequence numbers. Only the segments after
// the newest gap in the numbers are replayed: a segment before a gap is
// one a checkpoint removed (and every one before it) whose removal a
// crash undid, its records all in the packs already. The records
// replayed may include some a checkpoint wrote to a pack already:
// replayed in order before the later ones, into a newer pack, they leave
// each key with its latest value. Nothing is written unless every
// segment reads well.
func (s *Store) readLog(names []string) ([]persist.Op, []string, error) {
	var live, empty []scannedSegment
	for _, name := range names {
		if n, err := strconv.ParseUint(strings.TrimSuffix(name, logSuffix), 16, 64); err == nil && n >= s.nextNum {
			s.nextNum = n + 1
		}
		path := filepath.Join(s.l.wal(), name)
		b, err := s.fs.ReadFile(path)
		if err != nil {
			return nil, nil, err
		}
		sc, err := scanSegment(b)
		if err != nil {
			return nil, nil, fmt.Errorf("log segment %s: %w", path, err)
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
			return nil, nil, corrupt("log segments %s and %s overlap", prev.path, cur.path)
		}
		if cur.scan.first() != prev.scan.last()+1 {
			from = i
		}
	}
	var ops []persist.Op
	for i, seg := range live[from:] {
		if seg.scan.torn && from+i < len(live)-1 {
			return nil, nil, corrupt("log segment %s: a bad record at offset %d before the records of %s", seg.path, seg.scan.end, live[from+i+1].path)
		}
		for _, r := range seg.scan.records {
			ops = append(ops, r.ops...)
		}
	}
	var paths []string
	for _, seg := range append(empty, live...) {
		paths = append(paths, seg.path)
	}
	return ops, paths, nil
}

// settle removes temporary files under data, fsyncs every namespace
// directory and its parent, and notes the key files earlier versions
// wrote there.
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
	}
	return s.fs.SyncDir(s.l.data())
}

// settleDir removes the temporary files of one namespace directory,
// fsyncs it and notes its key files.
func (s *Store) settleDir(dir string) error {
	files, err := s.fs.ReadDir(dir)
	if err != nil {
		return err
	}
	for _, f := range files {
		switch key, ok := keyName(f.Name); {
		case f.IsDir:
		case strings.HasSuffix(f.Name, tmpSuffix):
			if err := s.fs.Remove(filepath.Join(dir, f.Name)); err != nil {
				return err
			}
		case ok:
			s.legacy.add(dir, key)
		}
	}
	return s.fs.SyncDir(dir)
}
