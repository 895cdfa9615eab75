package fsstore

import (
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"path/filepath"
	"sort"
	"sync"

	"github.com/lnkit/lnkit/persist"
)

// ErrFailed is matched by every operation's error after a write failed
// half-way (a rename or a directory fsync): the durable state is unknown
// until the store is closed and opened again.
var ErrFailed = errors.New("fsstore: a write failed half-way; close and reopen the store")

// queueLen is how many requests may wait for the committer.
const queueLen = 1024

// Store is a persist.KVStore keeping its keys in pack files under a root
// directory, behind a write-ahead log. It is safe for concurrent use; see
// the package doc for the layout, the write protocol and group commit.
type Store struct {
	fs        FS
	l         layout
	par       int
	ckptBytes int
	lock      io.Closer

	closeMu sync.RWMutex // guards closed and sends on queue
	closed  bool
	queue   chan *request
	stopped chan struct{}

	// viewMu is held for writing while a group's memtable entries, or a
	// checkpoint's or a merge's pack, become visible, so that a reader
	// sees a batch whole or not at all, and a pack is not closed under a
	// reader. It guards mem, packs, index and legacy, which only the
	// committer writes.
	viewMu sync.RWMutex
	// mem is the memtable: the latest op on each key committed in the log
	// and not yet checkpointed to a pack, by key file path.
	mem map[string]memEntry
	// packs are the packs, oldest first; index has each key's latest
	// record in them.
	packs []*packFile
	index packIndex
	// legacy is the key files of earlier versions no pack has the key of.
	legacy legacyFiles

	failMu sync.Mutex
	failed error

	// Owned by the committer (and by Open before it starts, Close after
	// it stopped).
	segBytes      int              // the size of a standard segment
	inlinePrepare bool             // prepare segments when needed, not ahead (tests)
	cur           *segment         // the segment records go to; nil before the first
	retired       []*segment       // older segments with records, oldest first
	spare         *segment         // a prepared segment, not used yet
	pending       chan prepared    // the preparation under way, nil if none
	nextNum       uint64           // the number of the next segment created
	recSeq        uint64           // the sequence number of the last record
	logBytes      int              // record bytes since the last checkpoint
	nextPack      uint64           // the number of the next checkpoint's pack
	merging       chan mergeResult // the merge under way, nil if none
	closing       bool             // Close stopped the committer: merges go inline
	recovering    bool             // Open replays the log: merges go inline
	// packsClosed: Close closed the packs' files (under viewMu): a Read
	// racing Close answers persist.ErrClosed.
	packsClosed bool
}

var _ persist.KVStore = (*Store)(nil)

// request is one Write, Remove or Apply waiting for its group's commit.
type request struct {
	ops  []persist.Op
	done chan error
}

// Open opens the store at cfg.Root, creating it if needed. It takes the
// root's lock (an error matching persist.ErrLocked when another Store, in
// this process or another, holds it), replays the log and makes what an
// earlier process left durable.
func Open(cfg Config) (*Store, error) {
	return open(cfg, false)
}

// open is Open, preparing log segments when needed rather than ahead when
// inlinePrepare (the crash tests' deterministic order of calls).
func open(cfg Config, inlinePrepare bool) (*Store, error) {
	cfg, err := cfg.withDefaults()
	if err != nil {
		return nil, err
	}
	s := &Store{
		fs:        cfg.FS,
		l:         layout{root: filepath.Clean(cfg.Root)},
		par:       cfg.SyncParallelism,
		ckptBytes: cfg.CheckpointBytes,
		segBytes:  cfg.SegmentBytes,
		queue:     make(chan *request, queueLen),
		stopped:   make(chan struct{}),
		mem:       map[string]memEntry{},
		index:     packIndex{},
		legacy:    legacyFiles{},
		nextPack:  1,

		inlinePrepare: inlinePrepare,
	}
	if err := s.mkdir(s.l.root); err != nil {
		return nil, fmt.Errorf("fsstore: open %s: %w", s.l.root, err)
	}
	lock, err := s.fs.Lock(s.l.lock())
	if err != nil {
		return nil, fmt.Errorf("fsstore: open %s: %w", s.l.root, err)
	}
	s.lock = lock
	// A merge the replay starts runs inline: none may outlive a failed
	// Open (and write into a root another Store may hold by then).
	s.recovering = true
	err = s.recover()
	s.recovering = false
	if err != nil {
		s.closePacks()
		lock.Close()
		return nil, fmt.Errorf("fsstore: open %s: %w", s.l.root, err)
	}
	s.startPrepare()
	go s.commitLoop()
	return s, nil
}

// Read implements persist.KVStore. A record (or a key file of an earlier
// version) that is not a value this store wrote for key gives an error
// matching persist.ErrCorrupt.
func (s *Store) Read(ctx context.Context, ns persist.Namespace, key string) ([]byte, error) {
	if err := s.check(ctx, "read", ns, key); err != nil {
		return nil, err
	}
	if err := persist.ValidateKey(ns, key); err != nil {
		return nil, err
	}
	v, err := s.read(ns, key)
	if err != nil {
		return nil, &persist.Error{Op: "read", NS: ns, Key: key, Err: err}
	}
	return v, nil
}

// read returns key's value: the memtable's, else the packs', else that of
// its key file of an earlier version.
func (s *Store) read(ns persist.Namespace, key string) ([]byte, error) {
	s.viewMu.RLock()
	defer s.viewMu.RUnlock()
	if s.packsClosed {
		return nil, persist.ErrClosed
	}
	if e, ok := s.mem[s.l.keyPath(ns, key)]; ok {
		if e.op.Remove {
			return nil, persist.ErrNotFound
		}
		return append([]byte{}, e.op.Value...), nil
	}
	if ref, ok := s.index.get(ns, key); ok {
		if ref.tomb {
			return nil, persist.ErrNotFound
		}
		return ref.p.value(ref, ns, key)
	}
	if s.legacy.has(s.l.nsDir(ns), key) {
		return s.readLegacy(ns, key)
	}
	return nil, persist.ErrNotFound
}

// List implements persist.KVStore.
func (s *Store) List(ctx context.Context, ns persist.Namespace) ([]string, error) {
	if err := s.check(ctx, "list", ns, ""); err != nil {
		return nil, err
	}
	if err := persist.ValidateNamespace(ns); err != nil {
		return nil, err
	}
	s.viewMu.RLock()
	legacy, inPacks := s.legacy[s.l.nsDir(ns)], s.index[ns]
	present := make(map[string]bool, len(legacy)+len(inPacks))
	for key := range legacy {
		present[key] = true
	}
	for key, ref := range inPacks {
		present[key] = !ref.tomb
	}
	for _, e := range s.mem {
		if e.op.NS == ns {
			present[e.op.Key] = !e.op.Remove
		}
	}
	s.viewMu.RUnlock()
	keys := make([]string, 0, len(present))
	for k, ok := range present {
		if ok {
			keys = append(keys, k)
		}
	}
	sort.Strings(keys)
	return keys, nil
}

// Write implements persist.KVStore.
func (s *Store) Write(ctx context.Context, ns persist.Namespace, key string, value []byte) error {
	return s.submit(ctx, "write", []persist.Op{persist.WriteOp(ns, key, value)})
}

// Remove implements persist.KVStore.
func (s *Store) Remove(ctx context.Context, ns persist.Namespace, key string) error {
	return s.submit(ctx, "remove", []persist.Op{persist.RemoveOp(ns, key)})
}

// Apply implements persist.KVStore. The context is checked before the
// batch is queued; once queued it completes.
func (s *Store) Apply(ctx context.Context, ops []persist.Op) error {
	return s.submit(ctx, "apply", ops)
}

// Close waits for queued writes, then releases the lock. It is safe to
// call more than once.
func (s *Store) Close() error {
	s.closeMu.Lock()
	if s.closed {
		s.closeMu.Unlock()
		return nil
	}
	s.closed = true
	close(s.queue)
	s.closeMu.Unlock()
	<-s.stopped
	_ = s.waitPrepared()
	s.closing = true
	err := s.waitMerge()
	if s.failure() == nil {
		err = errors.Join(err, s.closeLog())
	}
	for _, seg := range []*segment{s.cur, s.spare} {
		if seg != nil {
			_ = seg.f.Close()
		}
	}
	for _, seg := range s.retired {
		_ = seg.f.Close()
	}
	s.viewMu.Lock()
	s.closePacks()
	s.packsClosed = true
	s.viewMu.Unlock()
	return errors.Join(err, s.lock.Close())
}

// closeLog checkpoints and removes the log: the retired segments (made
// durably gone by a wal fsync before the current one goes, so that no
// older segment comes back without it), then the current and the spare.
func (s *Store) closeLog() error {
	if s.cur == nil && s.spare == nil {
		return nil // no segment: nothing was written
	}
	if err := s.checkpoint(); err != nil {
		return err
	}
	if err := s.fs.SyncDir(s.l.wal()); err != nil {
		return err
	}
	for _, seg := range []*segment{s.cur, s.spare} {
		if seg != nil {
			if err := s.removeSegment(seg); err != nil {
				return err
			}
		}
	}
	s.cur, s.spare = nil, nil
	return s.fs.SyncDir(s.l.wal())
}

// submit validates ops, queues them for the committer and waits until they
// are durable.
func (s *Store) submit(ctx context.Context, op string, ops []persist.Op) error {
	var ns persist.Namespace
	var key string
	if len(ops) > 0 {
		ns, key = ops[0].NS, ops[0].Key
	}
	if err := s.check(ctx, op, ns, key); err != nil {
		return err
	}
	if len(ops) > persist.MaxBatchOps {
		return &persist.Error{Op: op, NS: ns, Key: key, Err: persist.ErrBatchTooLarge}
	}
	for _, o := range ops {
		if err := persist.ValidateOp(o); err != nil {
			return err
		}
	}
	if len(ops) == 0 {
		return nil
	}
	if opsLen(ops) > maxRequestBytes {
		return &persist.Error{Op: op, NS: ns, Key: key, Err: fmt.Errorf("%w: over %d bytes, more than one log record holds", persist.ErrBatchTooLarge, maxRequestBytes)}
	}
	req := &request{ops: ops, done: make(chan error, 1)}
	s.closeMu.RLock()
	if s.closed {
		s.closeMu.RUnlock()
		return &persist.Error{Op: op, NS: ns, Key: key, Err: persist.ErrClosed}
	}
	s.queue <- req
	s.closeMu.RUnlock()
	if err := <-req.done; err != nil {
		return &persist.Error{Op: op, NS: ns, Key: key, Err: err}
	}
	return nil
}

// check refuses an operation on a closed or failed store, or with an ended
// context.
func (s *Store) check(ctx context.Context, op string, ns persist.Namespace, key string) error {
	s.closeMu.RLock()
	closed := s.closed
	s.closeMu.RUnlock()
	if closed {
		return &persist.Error{Op: op, NS: ns, Key: key, Err: persist.ErrClosed}
	}
	if err := ctx.Err(); err != nil {
		return &persist.Error{Op: op, NS: ns, Key: key, Err: err}
	}
	if err := s.failure(); err != nil {
		return &persist.Error{Op: op, NS: ns, Key: key, Err: err}
	}
	return nil
}

func (s *Store) failure() error {
	s.failMu.Lock()
	defer s.failMu.Unlock()
	return s.failed
}

// fail records err, which left the durable state unknown, and returns it
// joined with ErrFailed.
func (s *Store) fail(err error) error {
	err = fmt.Errorf("%w; %w", err, ErrFailed)
	s.failMu.Lock()
	defer s.failMu.Unlock()
	if s.failed == nil {
		s.failed = err
	}
	return err
}

// mkdir creates dir (0700) unless it exists, and makes its entry durable.
func (s *Store) mkdir(dir string) error {
	if err := s.fs.Mkdir(dir, 0o700); err != nil && !errors.Is(err, fs.ErrExist) {
		return err
	}
	return s.fs.SyncDir(filepath.Dir(dir))
}
