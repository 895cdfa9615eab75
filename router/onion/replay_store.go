package onion

import (
	"context"
	"encoding/hex"
	"errors"
	"fmt"
	"strconv"
	"sync"

	"github.com/lnkit/lnkit/persist"
)

// DefaultReplayLogNamespace is the primary namespace a PersistentReplayLog
// writes under when its config leaves Namespace empty.
const DefaultReplayLogNamespace = "onion-replay"

// Store layout of a PersistentReplayLog under its primary namespace P.
// Entries are grouped by expiry height, one secondary namespace per
// height, so that Prune removes whole groups without reading the others:
//
//	P/heights  key "h0000840000"             one per height holding entries
//	P/h0000840000  key 32 lowercase hex      one per entry expiring at 840000
//
// The height is 10 decimal digits so that List returns heights in order.
// An entry's key is the hex of the first 16 bytes of SHA-256(shared
// secret). Every value is one byte, replayStoreVersion; values are never
// read back (the names carry everything), so opening costs one List per
// height. A height's marker is written in the same Apply as its first
// entry, and removed in the same Apply as its last, so a crash leaves no
// entry that Open cannot find.
const (
	replayHeightsNS    = "heights"
	replayStoreVersion = 1
	replayKeyHexLen    = 2 * len(replayKey{})
	replayBucketPrefix = "h"
	replayBucketDigits = 10
)

// PersistentReplayLogConfig configures a PersistentReplayLog. Only Store
// is required.
type PersistentReplayLogConfig struct {
	// Store keeps the entries. Required. The log must be the only writer
	// of its namespace.
	Store persist.KVStore
	// Namespace is the primary namespace of the entries (characters as
	// persist.ValidateNamespace allows). Default (""):
	// DefaultReplayLogNamespace.
	Namespace string
	// MaxEntries bounds the live entries, which are also indexed in
	// memory; when it is reached CheckAndAdd refuses with
	// ErrReplayLogFull. Entries found in the store at open are loaded
	// even beyond it. Default (0): DefaultReplayLogMaxEntries.
	MaxEntries int
}

// PersistentReplayLog is a ReplayLog over a persist.KVStore: an entry is
// durable before CheckAndAdd reports it new (write-through), the log
// reloads its entries when opened, and Prune removes expired entries from
// the store. Lookups use an in-memory index of every live entry.
//
// It is safe for concurrent use: store writes of different CheckAndAdd
// calls may run at the same time; Prune holds the log while it removes
// entries from the store. Store calls use context.Background(): a store
// that can hang should bound its own operations.
type PersistentReplayLog struct {
	store persist.KVStore
	ns    string
	mu    sync.Mutex
	idx   replayIndex
}

// OpenPersistentReplayLog validates cfg and loads the entries in the store.
// An entry or height key the log did not write fails it with an error
// matching ErrReplayLogCorrupt.
func OpenPersistentReplayLog(ctx context.Context, cfg PersistentReplayLogConfig) (*PersistentReplayLog, error) {
	if cfg.Store == nil {
		return nil, configError("Store", "required")
	}
	if cfg.Namespace == "" {
		cfg.Namespace = DefaultReplayLogNamespace
	}
	if err := persist.ValidateNamespace(persist.Namespace{Primary: cfg.Namespace}); err != nil {
		reason := err.Error()
		if ke, ok := errors.AsType[*persist.KeyError](err); ok {
			reason = ke.Reason
		}
		return nil, configError("Namespace", reason)
	}
	max, err := replayMaxEntries(cfg.MaxEntries)
	if err != nil {
		return nil, err
	}
	l := &PersistentReplayLog{store: cfg.Store, ns: cfg.Namespace, idx: newReplayIndex(max)}
	if err := l.load(ctx); err != nil {
		return nil, err
	}
	return l, nil
}

// load reads every height and its entries into the index.
func (l *PersistentReplayLog) load(ctx context.Context) error {
	heights, err := l.store.List(ctx, l.heightsNS())
	if err != nil {
		return fmt.Errorf("onion: replay log: %w", err)
	}
	for _, name := range heights {
		h, err := parseReplayBucket(name)
		if err != nil {
			return fmt.Errorf("%w: key %q in %s: %w", ErrReplayLogCorrupt, name, l.heightsNS(), err)
		}
		ns := l.bucketNS(h)
		keys, err := l.store.List(ctx, ns)
		if err != nil {
			return fmt.Errorf("onion: replay log: %w", err)
		}
		l.idx.bucket(h).durable = true
		for _, s := range keys {
			k, err := parseReplayEntry(s)
			if err != nil {
				return fmt.Errorf("%w: key %q in %s: %w", ErrReplayLogCorrupt, s, ns, err)
			}
			l.idx.insert(k, h)
		}
	}
	return nil
}

// CheckAndAdd implements ReplayLog. A new secret is written to the store
// before CheckAndAdd returns; if the write fails the secret is not
// recorded and the error is returned (the packet must be refused).
func (l *PersistentReplayLog) CheckAndAdd(secret SharedSecret, cltvExpiry uint32) (bool, error) {
	k := newReplayKey(&secret)
	l.mu.Lock()
	if l.idx.has(k) {
		l.mu.Unlock()
		return true, nil
	}
	b, err := l.idx.add(k, cltvExpiry)
	if err != nil {
		l.mu.Unlock()
		return false, err
	}
	needMarker := !b.durable
	b.inflight++
	l.mu.Unlock()

	ctx := context.Background()
	value := []byte{replayStoreVersion}
	entry := persist.WriteOp(l.bucketNS(cltvExpiry), replayEntryName(k), value)
	if needMarker {
		err = l.store.Apply(ctx, []persist.Op{
			persist.WriteOp(l.heightsNS(), replayBucketName(cltvExpiry), value),
			entry,
		})
	} else {
		err = l.store.Write(ctx, entry.NS, entry.Key, value)
	}

	l.mu.Lock()
	defer l.mu.Unlock()
	b.inflight--
	if err != nil {
		l.idx.undo(k, cltvExpiry)
		return false, fmt.Errorf("onion: replay log: %w", err)
	}
	if needMarker {
		b.durable = true
	}
	return false, nil
}

// Prune implements ReplayLog: it removes from the store, then forgets,
// every height at or below height, each in batches of at most
// persist.MaxBatchOps removals, the height's marker with the last batch.
// A height with a CheckAndAdd write in progress is left for the next
// Prune. On a store error the heights not yet removed stay recorded.
func (l *PersistentReplayLog) Prune(height uint32) (int, error) {
	ctx := context.Background()
	l.mu.Lock()
	defer l.mu.Unlock()
	n := 0
	for _, h := range l.idx.expired(height) {
		if l.idx.buckets[h].inflight > 0 {
			continue
		}
		if err := l.removeBucket(ctx, h); err != nil {
			return n, err
		}
		n += l.idx.drop(h)
	}
	return n, nil
}

// removeBucket removes the entries of height h and then its marker. It
// lists the store rather than trusting the index, so an entry whose write
// reported an error but landed is removed too.
func (l *PersistentReplayLog) removeBucket(ctx context.Context, h uint32) error {
	ns := l.bucketNS(h)
	keys, err := l.store.List(ctx, ns)
	if err != nil {
		return fmt.Errorf("onion: replay log: %w", err)
	}
	ops := make([]persist.Op, 0, min(len(keys)+1, persist.MaxBatchOps))
	for _, k := range keys {
		if len(ops) == persist.MaxBatchOps {
			if err := l.store.Apply(ctx, ops); err != nil {
				return fmt.Errorf("onion: replay log: %w", err)
			}
			ops = ops[:0]
		}
		ops = append(ops, persist.RemoveOp(ns, k))
	}
	if len(ops) == persist.MaxBatchOps {
		if err := l.store.Apply(ctx, ops); err != nil {
			return fmt.Errorf("onion: replay log: %w", err)
		}
		ops = ops[:0]
	}
	ops = append(ops, persist.RemoveOp(l.heightsNS(), replayBucketName(h)))
	if err := l.store.Apply(ctx, ops); err != nil {
		return fmt.Errorf("onion: replay log: %w", err)
	}
	return nil
}

// Len returns the number of live entries.
func (l *PersistentReplayLog) Len() int {
	l.mu.Lock()
	defer l.mu.Unlock()
	return len(l.idx.expiry)
}

func (l *PersistentReplayLog) heightsNS() persist.Namespace {
	return persist.Namespace{Primary: l.ns, Secondary: replayHeightsNS}
}

func (l *PersistentReplayLog) bucketNS(h uint32) persist.Namespace {
	return persist.Namespace{Primary: l.ns, Secondary: replayBucketName(h)}
}

// replayBucketName is the name of height h: "h" and 10 decimal digits.
func replayBucketName(h uint32) string {
	b := make([]byte, 0, len(replayBucketPrefix)+replayBucketDigits)
	b = append(b, replayBucketPrefix...)
	d := strconv.AppendUint(nil, uint64(h), 10)
	for range replayBucketDigits - len(d) {
		b = append(b, '0')
	}
	return string(append(b, d...))
}

// parseReplayBucket reads a name written by replayBucketName.
func parseReplayBucket(s string) (uint32, error) {
	if len(s) != len(replayBucketPrefix)+replayBucketDigits || s[:len(replayBucketPrefix)] != replayBucketPrefix {
		return 0, fmt.Errorf("not %q and %d digits", replayBucketPrefix, replayBucketDigits)
	}
	digits := s[len(replayBucketPrefix):]
	for i := 0; i < len(digits); i++ {
		if digits[i] < '0' || digits[i] > '9' {
			return 0, fmt.Errorf("byte %#02x is not a digit", digits[i])
		}
	}
	h, err := strconv.ParseUint(digits, 10, 32)
	if err != nil {
		return 0, fmt.Errorf("height out of range")
	}
	return uint32(h), nil
}

// replayEntryName is the store key of k: 32 lowercase hex digits.
func replayEntryName(k replayKey) string { return hex.EncodeToString(k[:]) }

// parseReplayEntry reads a key written by replayEntryName.
func parseReplayEntry(s string) (replayKey, error) {
	var k replayKey
	if len(s) != replayKeyHexLen {
		return k, fmt.Errorf("%d characters, want %d", len(s), replayKeyHexLen)
	}
	for i := 0; i < len(s); i++ {
		if c := s[i]; !(c >= '0' && c <= '9' || c >= 'a' && c <= 'f') {
			return k, fmt.Errorf("byte %#02x is not a lowercase hex digit", c)
		}
	}
	_, err := hex.Decode(k[:], []byte(s))
	return k, err
}
