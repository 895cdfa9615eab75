package fsstore

import (
	"errors"
	"io/fs"
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
// them as one group, until Close closes the queue.
func (s *Store) commitLoop() {
	defer close(s.stopped)
	for req := range s.queue {
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
// them to the key files.
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

// applyOps makes final (one op per key, see lastPerKey) durable in the key
// files: prepare, then publish.
func (s *Store) applyOps(final []persist.Op) error {
	if err := s.prepare(final); err != nil {
		return err
	}
	return s.publish(final)
}

// tempFile is a file prepare writes and fsyncs.
type tempFile struct {
	name     string
	contents func() []byte
}

// prepare makes the namespace directories of final's writes and writes
// and fsyncs their temporary files, up to s.par at once. On an error it
// removes the temporary files: nothing is visible yet.
func (s *Store) prepare(final []persist.Op) error {
	var files []tempFile
	for _, o := range final {
		if o.Remove {
			continue
		}
		if err := s.ensureNSDir(o.NS); err != nil {
			return err
		}
		files = append(files, tempFile{
			name:     s.l.keyPath(o.NS, o.Key) + tmpSuffix,
			contents: func() []byte { return encodeValue(o.NS, o.Key, o.Value) },
		})
	}
	if err := s.writeFiles(files); err != nil {
		for _, f := range files {
			_ = s.fs.Remove(f.name)
		}
		return err
	}
	return nil
}

// publish renames the temporary files of final over their keys and
// removes the removed keys, under viewMu, then fsyncs each directory
// touched, in parallel. Any error leaves the durable state unknown and
// fails the store.
func (s *Store) publish(final []persist.Op) error {
	var dirs []string
	seen := map[string]bool{}
	s.viewMu.Lock()
	for _, o := range final {
		path := s.l.keyPath(o.NS, o.Key)
		if o.Remove {
			err := s.fs.Remove(path)
			if errors.Is(err, fs.ErrNotExist) {
				continue
			}
			if err != nil {
				s.viewMu.Unlock()
				return s.fail(err)
			}
		} else if err := s.fs.Rename(path+tmpSuffix, path); err != nil {
			s.viewMu.Unlock()
			return s.fail(err)
		}
		if dir := s.l.nsDir(o.NS); !seen[dir] {
			seen[dir] = true
			dirs = append(dirs, dir)
		}
	}
	s.viewMu.Unlock()
	if err := s.parallel(len(dirs), func(i int) error { return s.fs.SyncDir(dirs[i]) }); err != nil {
		return s.fail(err)
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

// ensureNSDir makes the directories of ns exist durably.
func (s *Store) ensureNSDir(ns persist.Namespace) error {
	for _, dir := range []string{s.l.primaryDir(ns), s.l.nsDir(ns)} {
		if s.dirs[dir] {
			continue
		}
		if err := s.mkdir(dir); err != nil {
			return err
		}
	}
	return nil
}

// writeFiles writes and fsyncs files, up to s.par at once.
func (s *Store) writeFiles(files []tempFile) error {
	return s.parallel(len(files), func(i int) error {
		return s.writeFile(files[i].name, files[i].contents())
	})
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

// writeFile creates name (0600) holding b, fsynced.
func (s *Store) writeFile(name string, b []byte) error {
	f, err := s.fs.Create(name, 0o600)
	if err != nil {
		return err
	}
	if _, err := f.Write(b); err != nil {
		f.Close()
		return err
	}
	if err := f.Sync(); err != nil {
		f.Close()
		return err
	}
	return f.Close()
}
