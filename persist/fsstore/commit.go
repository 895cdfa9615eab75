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

// commitGroup makes every request of group durable, or fails them all.
// A group holding a batch goes whole through a batch file.
func (s *Store) commitGroup(group []*request) error {
	if err := s.failure(); err != nil {
		return err
	}
	var ops []persist.Op
	batch := false
	for _, r := range group {
		ops = append(ops, r.ops...)
		batch = batch || len(r.ops) > 1
	}
	if !batch {
		return s.applyOps(ops)
	}
	name, err := s.writeBatchFile(ops)
	if err != nil {
		return err
	}
	if err := s.applyOps(ops); err != nil {
		if s.failure() != nil {
			return err
		}
		// Nothing became visible: withdraw the batch, or recovery would
		// apply it later, over newer writes.
		if derr := s.dropBatchFile(name); derr != nil {
			return derr
		}
		return err
	}
	return s.dropBatchFile(name)
}

// writeBatchFile commits ops to a new batch file: once it returns nil,
// recovery applies them.
func (s *Store) writeBatchFile(ops []persist.Op) (string, error) {
	s.seq++
	name := filepath.Join(s.l.wal(), fmt.Sprintf("%016x%s", s.seq, batchSuffix))
	tmp := name + tmpSuffix
	if err := s.writeFile(tmp, encodeBatch(ops)); err != nil {
		_ = s.fs.Remove(tmp)
		return "", err
	}
	if err := s.fs.Rename(tmp, name); err != nil {
		return "", s.fail(err)
	}
	if err := s.fs.SyncDir(s.l.wal()); err != nil {
		return "", s.fail(err)
	}
	return name, nil
}

// dropBatchFile removes an applied batch file durably, so that it is never
// replayed over later writes.
func (s *Store) dropBatchFile(name string) error {
	if err := s.fs.Remove(name); err != nil {
		return s.fail(err)
	}
	if err := s.fs.SyncDir(s.l.wal()); err != nil {
		return s.fail(err)
	}
	return nil
}

// applyOps makes ops (in order; the last op on a key wins) durable in the
// key files: temporary files written and fsynced, then renamed (or keys
// removed) under viewMu, then each directory fsynced once.
func (s *Store) applyOps(ops []persist.Op) error {
	final := lastPerKey(ops)
	for _, o := range final {
		if !o.Remove {
			if err := s.ensureNSDir(o.NS); err != nil {
				return err
			}
		}
	}
	if err := s.writeTemps(final); err != nil {
		for _, o := range final {
			if !o.Remove {
				_ = s.fs.Remove(s.l.keyPath(o.NS, o.Key) + tmpSuffix)
			}
		}
		return err
	}
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
	for _, dir := range dirs {
		if err := s.fs.SyncDir(dir); err != nil {
			return s.fail(err)
		}
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

// writeTemps writes and fsyncs the temporary file of every write in ops,
// up to s.par at once.
func (s *Store) writeTemps(ops []persist.Op) error {
	var writes []persist.Op
	for _, o := range ops {
		if !o.Remove {
			writes = append(writes, o)
		}
	}
	if len(writes) == 1 {
		o := writes[0]
		return s.writeFile(s.l.keyPath(o.NS, o.Key)+tmpSuffix, encodeValue(o.NS, o.Key, o.Value))
	}
	errs := make([]error, len(writes))
	sem := make(chan struct{}, s.par)
	var wg sync.WaitGroup
	for i, o := range writes {
		sem <- struct{}{}
		wg.Add(1)
		go func() {
			defer wg.Done()
			defer func() { <-sem }()
			errs[i] = s.writeFile(s.l.keyPath(o.NS, o.Key)+tmpSuffix, encodeValue(o.NS, o.Key, o.Value))
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
