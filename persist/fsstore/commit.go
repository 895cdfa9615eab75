package fsstore

import (
	"errors"
	"fmt"
	"io/fs"
	"path/filepath"
	"sync"

	"github.com/lnkit/lnkit/persist"
)

// maxGroup is the most requests one commit group takes.
const maxGroup = 256

// commitLoop is the committer: it takes every waiting request and commits
// them as one group, until Close closes the queue.
func (s *Store) commitLoop() {
	defer close(s.stopped)
	for req := range s.queue {
		group := []*request{req}
	drain:
		for len(group) < maxGroup {
			select {
			case r, ok := <-s.queue:
				if !ok {
					break drain
				}
				group = append(group, r)
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

// commitGroup makes every request of group durable, or fails them all. A
// lone single-key request is written directly to its key file; any other
// group (several requests, a batch, or a key still in the memtable) is
// committed whole to one batch file and kept in the memtable until a
// checkpoint writes it to the key files.
func (s *Store) commitGroup(group []*request) error {
	if err := s.failure(); err != nil {
		return err
	}
	var ops []persist.Op
	batch := len(group) > 1 // one batch file is cheaper than a fsync per file
	for _, r := range group {
		ops = append(ops, r.ops...)
		batch = batch || len(r.ops) > 1
	}
	final := lastPerKey(ops)
	// A key in the memtable goes through a batch file too: written
	// directly, it would be hidden by the memtable, and overwritten by the
	// older batch's replay after a crash.
	if !batch && !s.inMemtable(final) {
		return s.applyOps(final)
	}
	s.seq++
	name := filepath.Join(s.l.wal(), fmt.Sprintf("%016x%s", s.seq, batchSuffix))
	body := encodeBatch(ops)
	tmp := name + tmpSuffix
	if err := s.writeFile(tmp, body); err != nil {
		_ = s.fs.Remove(tmp)
		return err
	}
	// The group commits when its batch file is durably in place.
	if err := s.fs.Rename(tmp, name); err != nil {
		return s.fail(err)
	}
	if err := s.fs.SyncDir(s.l.wal()); err != nil {
		return s.fail(err)
	}
	s.walDirty = false
	s.ckpt.add(name, len(body))
	s.viewMu.Lock()
	for _, o := range final {
		e := memEntry{op: o}
		if !o.Remove {
			e.op.Value = append([]byte{}, o.Value...)
		}
		s.mem[s.l.keyPath(o.NS, o.Key)] = e
	}
	s.viewMu.Unlock()
	if s.ckpt.bytes >= s.ckptBytes || len(s.ckpt.batches) >= maxPendingBatches {
		// The group is durable already; a checkpoint that fails is tried
		// again after the next batch (or fails the store).
		_ = s.checkpoint()
	}
	return nil
}

// dropBatchFile removes an applied batch file. Its removal becomes durable
// with the next fsync of wal, which the next group does alongside its
// directory fsyncs (and Close does): before any later write is
// acknowledged, so the batch is never replayed over a later write, and
// replaying it before then only writes again what it wrote.
func (s *Store) dropBatchFile(name string) error {
	if err := s.fs.Remove(name); err != nil {
		return s.fail(err)
	}
	s.walDirty = true
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
// touched, in parallel, and wal when a removed batch file is not yet
// durably gone. Any error leaves the durable state unknown and fails the
// store.
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
	if s.walDirty {
		dirs = append(dirs, s.l.wal())
	}
	if err := s.parallel(len(dirs), func(i int) error { return s.fs.SyncDir(dirs[i]) }); err != nil {
		return s.fail(err)
	}
	s.walDirty = false
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
