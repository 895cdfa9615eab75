package fsstore

import (
	"errors"
	"fmt"
	"io/fs"
	"path/filepath"
)

// zeroChunk is the most bytes of zeros one write of a segment's
// preallocation carries.
const zeroChunk = 1 << 20

// firstSegmentBytes bounds the size of the first segment an open store
// makes, so that Open (and the first write) need not wait for a whole
// standard segment: the standard ones follow, prepared ahead.
const firstSegmentBytes = 256 << 10

// segment is a log file: preallocated with zeros, fsynced with its
// directory entry before its first record, then written in place.
type segment struct {
	num  uint64 // its file name's number; unique, not an order
	path string
	f    File
	size int
	off  int    // where its next record goes
	last uint64 // the sequence number of its last record, 0 for none
}

// prepared is the result of a segment preparation.
type prepared struct {
	seg *segment
	err error
}

// segmentName is the file name of segment num.
func segmentName(num uint64) string { return fmt.Sprintf("%016x%s", num, logSuffix) }

// createSegment creates segment num of size bytes, all zero, and makes it
// and its directory entry durable. It touches no committer state, so it
// may run beside the committer. On an error it removes what it made: no
// record is in it yet.
func (s *Store) createSegment(num uint64, size int) (*segment, error) {
	path := filepath.Join(s.l.wal(), segmentName(num))
	f, err := s.fs.Create(path, 0o600)
	if err != nil {
		return nil, err
	}
	err = func() error {
		zeros := make([]byte, min(size, zeroChunk))
		for done := 0; done < size; {
			n, err := f.Write(zeros[:min(len(zeros), size-done)])
			if err != nil {
				return err
			}
			done += n
		}
		if err := f.Sync(); err != nil {
			return err
		}
		return s.fs.SyncDir(s.l.wal())
	}()
	if err != nil {
		_ = f.Close()
		_ = s.fs.Remove(path)
		return nil, fmt.Errorf("create log segment %s: %w", path, err)
	}
	return &segment{num: num, path: path, f: f, size: size}, nil
}

// startPrepare prepares the next segment in the background, unless one is
// ready or under way (or preparation is inline, done when needed).
func (s *Store) startPrepare() {
	if s.spare != nil || s.pending != nil || s.inlinePrepare {
		return
	}
	num, size := s.nextNum, s.nextSegmentBytes()
	s.nextNum++
	ch := make(chan prepared, 1)
	s.pending = ch
	go func() {
		seg, err := s.createSegment(num, size)
		ch <- prepared{seg, err}
	}()
}

// nextSegmentBytes is the size of the next segment prepared: the standard
// size, or at most firstSegmentBytes for the first.
func (s *Store) nextSegmentBytes() int {
	if s.cur == nil {
		return min(s.segBytes, firstSegmentBytes)
	}
	return s.segBytes
}

// waitPrepared waits for a preparation under way, if any, and keeps its
// segment as the spare. It returns the preparation's error.
func (s *Store) waitPrepared() error {
	if s.pending == nil {
		return nil
	}
	r := <-s.pending
	s.pending = nil
	if r.err != nil {
		return r.err
	}
	s.spare = r.seg
	return nil
}

// takeSpare returns a fresh segment with room for n bytes: the spare,
// waiting for its preparation if under way, or one made now (when none
// was prepared, its preparation failed, or it is too small: a first
// segment).
func (s *Store) takeSpare(n int) (*segment, error) {
	_ = s.waitPrepared() // a failed preparation is tried again here
	if seg := s.spare; seg != nil {
		s.spare = nil
		if seg.size >= n {
			return seg, nil
		}
		s.dropSegment(seg)
	}
	num, size := s.nextNum, s.nextSegmentBytes()
	s.nextNum++
	if size < n {
		size = s.segBytes
	}
	return s.createSegment(num, size)
}

// segmentFor returns the segment the next record, of n bytes, goes to: the
// current one while it has room, else a fresh one (of its own size for a
// record larger than a standard segment). A full current segment is
// retired: its records wait for the next checkpoint. An error leaves
// nothing visible.
func (s *Store) segmentFor(n int) (*segment, error) {
	if cur := s.cur; cur != nil && cur.off+n <= cur.size {
		return cur, nil
	}
	var seg *segment
	var err error
	if n > s.segBytes {
		num := s.nextNum
		s.nextNum++
		seg, err = s.createSegment(num, roundUp(n, segmentAlign))
	} else {
		seg, err = s.takeSpare(n)
	}
	if err != nil {
		return nil, err
	}
	if s.cur != nil {
		s.retired = append(s.retired, s.cur)
	}
	s.cur = seg
	return seg, nil
}

// dropSegment closes and removes a segment holding no record. A failure
// leaves a segment of zeros, which recovery removes.
func (s *Store) dropSegment(seg *segment) {
	_ = seg.f.Close()
	_ = s.fs.Remove(seg.path)
}

// removeSegment closes and removes a segment whose records are all in the
// packs.
func (s *Store) removeSegment(seg *segment) error {
	_ = seg.f.Close() // its records are durable already
	if err := s.fs.Remove(seg.path); err != nil && !errors.Is(err, fs.ErrNotExist) {
		return err
	}
	return nil
}
