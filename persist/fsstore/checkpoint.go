package fsstore

import (
	"sort"

	"github.com/lnkit/lnkit/persist"
)

// memEntry is the latest op on a key committed in the log and not yet
// written to its key file.
type memEntry struct {
	op persist.Op
}

// checkpoint writes the memtable to the key files durably (temporary
// files, fsync, rename, directory fsync), empties it, and removes the
// retired segments: all their records are in the key files now. The
// current segment stays, its records applied: replaying them again after a
// crash writes again what they wrote, before the later records.
//
// The removals are not fsynced: a crash may bring any of them back. That
// is harmless, because a checkpoint always removes every segment older
// than the current one, and recovery replays only the segments from the
// newest gap in the sequence numbers on (see replayLog): a segment that
// comes back is either replayed with all the segments after it, which
// brings each key to its latest value again, or ignored.
func (s *Store) checkpoint() error {
	if len(s.mem) == 0 {
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
	s.logBytes = 0
	for len(s.retired) > 0 {
		if err := s.removeSegment(s.retired[0]); err != nil {
			return s.fail(err)
		}
		s.retired = s.retired[1:]
	}
	return nil
}
