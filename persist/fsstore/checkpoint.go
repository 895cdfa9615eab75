package fsstore

import (
	"sort"

	"github.com/lnkit/lnkit/persist"
)

// maxPendingBatches is the most batch files that wait for a checkpoint.
const maxPendingBatches = 256

// memEntry is the latest op on a key committed in a batch file and not yet
// written to its key file.
type memEntry struct {
	op persist.Op
}

// checkpointState lists the batch files whose ops are in the memtable.
type checkpointState struct {
	batches []string // oldest first
	bytes   int      // their total size
}

// add records a committed batch file of size bytes.
func (c *checkpointState) add(name string, size int) {
	c.batches = append(c.batches, name)
	c.bytes += size
}

// inMemtable reports whether an op of final is on a key in the memtable.
// Only the committer calls it (the only writer of the memtable).
func (s *Store) inMemtable(final []persist.Op) bool {
	if len(s.mem) == 0 {
		return false
	}
	for _, o := range final {
		if _, ok := s.mem[s.l.keyPath(o.NS, o.Key)]; ok {
			return true
		}
	}
	return false
}

// checkpoint writes the memtable to the key files durably (temporary
// files, fsync, rename, directory fsync, as a lone write), empties it, and
// removes the batch files it came from (made durable, as dropBatchFile's
// removal, by the next wal fsync).
func (s *Store) checkpoint() error {
	if len(s.ckpt.batches) == 0 {
		return nil
	}
	paths := make([]string, 0, len(s.mem))
	for p := range s.mem {
		paths = append(paths, p)
	}
	sort.Strings(paths)
	final := make([]persist.Op, len(paths))
	for i, p := range paths {
		final[i] = s.mem[p].op
	}
	if err := s.applyOps(final); err != nil {
		return err
	}
	s.viewMu.Lock()
	clear(s.mem)
	s.viewMu.Unlock()
	for _, name := range s.ckpt.batches {
		if err := s.dropBatchFile(name); err != nil {
			return err
		}
	}
	s.ckpt = checkpointState{}
	return nil
}
