package fsstore

import (
	"errors"
	"io/fs"
	"sort"

	"github.com/lnkit/lnkit/persist"
)

// maxPendingBatches is the most batch files that wait for a checkpoint.
const maxPendingBatches = 256

// checkpointState is what the committed batches left to make durable: a
// batch is durable in its batch file as soon as that is in place, and its
// ops are visible in the key files, but those files and their directories
// are fsynced only at the next checkpoint, after which the batch files go.
// Repeated batches on the same keys thus pay one fsync per key per
// checkpoint, not per batch.
type checkpointState struct {
	batches []string        // batch files, oldest first
	keys    map[string]bool // key files the batches wrote or removed
	dirs    map[string]bool // their directories
	bytes   int             // total size of the batch files
}

// add records a committed batch file of size bytes and its ops.
func (c *checkpointState) add(l layout, name string, size int, final []persist.Op) {
	if c.keys == nil {
		c.keys, c.dirs = map[string]bool{}, map[string]bool{}
	}
	c.batches = append(c.batches, name)
	c.bytes += size
	for _, o := range final {
		c.keys[l.keyPath(o.NS, o.Key)] = true
		c.dirs[l.nsDir(o.NS)] = true
	}
}

// touches reports whether an op of final is on a key a waiting batch
// wrote or removed.
func (c *checkpointState) touches(l layout, final []persist.Op) bool {
	if len(c.keys) == 0 {
		return false
	}
	for _, o := range final {
		if c.keys[l.keyPath(o.NS, o.Key)] {
			return true
		}
	}
	return false
}

// checkpoint fsyncs the key files and directories of the waiting batches
// and then removes their batch files (made durable, as dropBatchFile's
// removal, by the next wal fsync).
func (s *Store) checkpoint() error {
	c := &s.ckpt
	if len(c.batches) == 0 {
		return nil
	}
	keys := sortedKeys(c.keys)
	if err := s.parallel(len(keys), func(i int) error {
		err := s.fs.SyncFile(keys[i])
		if errors.Is(err, fs.ErrNotExist) { // removed by the batch
			return nil
		}
		return err
	}); err != nil {
		return s.fail(err)
	}
	dirs := sortedKeys(c.dirs)
	if err := s.parallel(len(dirs), func(i int) error {
		err := s.fs.SyncDir(dirs[i])
		if errors.Is(err, fs.ErrNotExist) { // a namespace only removed from
			return nil
		}
		return err
	}); err != nil {
		return s.fail(err)
	}
	for _, name := range c.batches {
		if err := s.dropBatchFile(name); err != nil {
			return err
		}
	}
	*c = checkpointState{}
	return nil
}

func sortedKeys(m map[string]bool) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}
