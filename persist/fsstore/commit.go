package fsstore

import (
	"errors"
	"sync"

	"github.com/lnkit/lnkit/persist"
)

// Bounds of a commit group: the most requests it takes, and the value
// bytes past which it takes no more (a group goes whole into one log
// record, held in memory).
const (
	maxGroup      = 256
	maxGroupBytes = 64 << 20
)

// maxRequestBytes bounds the encoded ops of one request, so that a group
// (under maxGroupBytes, then one more request) fits a record's 32-bit
// payload length.
const maxRequestBytes = 1 << 30

// commitLoop is the committer: it takes every waiting request and commits
// them as one group, and installs the pack of a merge done in the
// background, until Close closes the queue.
func (s *Store) commitLoop() {
	defer close(s.stopped)
	for {
		var req *request
		select {
		case r, ok := <-s.queue:
			if !ok {
				return
			}
			req = r
		case r := <-s.merging: // never ready when nil
			_ = s.finishMerge(r) // one that failed is tried again after a checkpoint
			continue
		}
		group := []*request{req}
		size := req.size()
	drain:
		for len(group) < maxGroup && size < maxGroupBytes {
			select {
			case r, ok := <-s.queue:
				if !ok {
					break drain
				}
				group = append(group, r)
				size += r.size()
			default:
				break drain
			}
		}
		err := s.commitGroup(group)
		for _, r := range group {
			r.done <- err
		}
	}
}

// size is the total length of the request's values.
func (r *request) size() int {
	n := 0
	for _, o := range r.ops {
		n += len(o.Value)
	}
	return n
}

// commitGroup makes every request of group durable, or fails them all:
// their ops go whole into one log record, written in place in the current
// segment and fdatasynced, then to the memtable until a checkpoint writes
// them to a pack.
func (s *Store) commitGroup(group []*request) error {
	if err := s.failure(); err != nil {
		return err
	}
	var ops []persist.Op
	for _, r := range group {
		ops = append(ops, r.ops...)
	}
	rec := encodeRecord(s.recSeq+1, ops)
	seg, err := s.segmentFor(len(rec))
	if err != nil {
		return err // nothing written: the store stays usable
	}
	// The group commits when its record is durable. A failed write or
	// fdatasync may have left any part of it on disk.
	if _, err := seg.f.WriteAt(rec, int64(seg.off)); err != nil {
		return s.fail(err)
	}
	if err := seg.f.Datasync(); err != nil {
		return s.fail(err)
	}
	s.recSeq++
	seg.off += len(rec)
	seg.last = s.recSeq
	s.logBytes += len(rec)
	final := lastPerKey(ops)
	s.viewMu.Lock()
	for _, o := range final {
		e := memEntry{op: o}
		if !o.Remove {
			e.op.Value = append([]byte{}, o.Value...)
		}
		s.mem[s.l.keyPath(o.NS, o.Key)] = e
	}
	s.viewMu.Unlock()
	if 2*seg.off > seg.size {
		s.startPrepare()
	}
	if s.logBytes >= s.ckptBytes {
		// The group is durable already; a checkpoint that fails is tried
		// again after the next group (or fails the store).
		_ = s.checkpoint()
	}
	return nil
}

// lastPerKey returns the ops that decide each key's final state: the last
// op on every key, in the order of those last ops.
func lastPerKey(ops []persist.Op) []persist.Op {
	if len(ops) == 1 {
		return ops
	}
	type id struct {
		ns  persist.Namespace
		key string
	}
	last := make(map[id]int, len(ops))
	for i, o := range ops {
		last[id{o.NS, o.Key}] = i
	}
	final := make([]persist.Op, 0, len(last))
	for i, o := range ops {
		if last[id{o.NS, o.Key}] == i {
			final = append(final, o)
		}
	}
	return final
}

// parallel runs job(0..n-1), up to s.par at once (inline when n is 1),
// and joins their errors.
func (s *Store) parallel(n int, job func(i int) error) error {
	if n == 1 {
		return job(0)
	}
	errs := make([]error, n)
	sem := make(chan struct{}, s.par)
	var wg sync.WaitGroup
	for i := range n {
		sem <- struct{}{}
		wg.Add(1)
		go func() {
			defer wg.Done()
			defer func() { <-sem }()
			errs[i] = job(i)
		}()
	}
	wg.Wait()
	return errors.Join(errs...)
}
