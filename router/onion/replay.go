package onion

import (
	"crypto/sha256"
	"errors"
	"fmt"
	"slices"
	"sync"

	"github.com/lnkit/lnkit/persist"
)

// ReplayLog remembers the shared secrets of the packets a node has
// accepted, so that a replayed onion is refused (BOLT 4 "Onion Decryption":
// a packet seen before MUST be failed unless its preimage is known).
//
// An entry is kept until the HTLC that carried it can no longer be
// replayed: until the chain reaches the HTLC's cltv_expiry. After that a
// replay would have to come in a new HTLC, whose onion still commits to an
// outgoing_cltv_value at or below that height, which every hop already
// refuses as expired. The application calls Prune on each new block
// (a few blocks behind the tip, if it wants a margin for reorgs).
//
// A ReplayLog refuses rather than forgets: when it cannot record a secret
// (full, or its store failed) CheckAndAdd returns an error and the
// Processor fails the HTLC with temporary_node_failure.
type ReplayLog interface {
	// CheckAndAdd records secret, to be kept until the chain reaches
	// cltvExpiry (the incoming HTLC's cltv_expiry), and reports whether
	// it was already recorded. An error means the secret could not be
	// recorded: the packet must be refused. It must be safe for
	// concurrent use.
	CheckAndAdd(secret SharedSecret, cltvExpiry uint32) (seen bool, err error)
	// Prune forgets every entry whose cltvExpiry is at or below height
	// and returns how many it forgot.
	Prune(height uint32) (removed int, err error)
}

// DefaultReplayLogMaxEntries is the number of live entries a replay log
// holds when its config leaves MaxEntries zero. An entry lives from its
// packet to its HTLC's expiry (up to about two weeks): one million is more
// than ten thousand HTLCs a day for two weeks. The index takes at most
// about 120 bytes of memory per entry (BenchmarkReplayLogCheckAndAdd),
// allocated as entries arrive.
const DefaultReplayLogMaxEntries = 1_000_000

// ErrReplayLogFull means a replay log holds MaxEntries live entries; the
// packet is refused (temporary_node_failure) until Prune frees room.
var ErrReplayLogFull = errors.New("onion: replay log full")

// ErrReplayLogCorrupt means a persistent replay log's store holds a key
// the log did not write. It matches persist.ErrCorrupt too.
var ErrReplayLogCorrupt = fmt.Errorf("onion: replay log: %w", persist.ErrCorrupt)

// replayKey is what a replay log stores: the first 16 bytes of the SHA-256
// of a shared secret, so the secrets themselves are not kept.
type replayKey [16]byte

// newReplayKey returns the key of secret.
func newReplayKey(secret *SharedSecret) replayKey {
	h := sha256.Sum256(secret[:])
	return replayKey(h[:16])
}

// replayBucket is the entries expiring at one height.
type replayBucket struct {
	keys []replayKey
	// durable: the bucket's marker is in the store (persistent log).
	durable bool
	// inflight counts store writes in progress into the bucket.
	inflight int
}

// replayIndex is the in-memory index both logs keep: each key's expiry,
// and the keys by expiry height so that Prune touches only what expires.
type replayIndex struct {
	max     int
	expiry  map[replayKey]uint32
	buckets map[uint32]*replayBucket
}

func newReplayIndex(max int) replayIndex {
	return replayIndex{
		max:     max,
		expiry:  make(map[replayKey]uint32, min(max, 1024)),
		buckets: make(map[uint32]*replayBucket),
	}
}

// has reports whether k is recorded.
func (x *replayIndex) has(k replayKey) bool {
	_, ok := x.expiry[k]
	return ok
}

// add records k until height, refusing when the index is full.
func (x *replayIndex) add(k replayKey, height uint32) (*replayBucket, error) {
	if len(x.expiry) >= x.max {
		return nil, fmt.Errorf("%w: %d live entries", ErrReplayLogFull, len(x.expiry))
	}
	return x.insert(k, height), nil
}

// insert records k until height without the bound (for loading).
func (x *replayIndex) insert(k replayKey, height uint32) *replayBucket {
	if old, ok := x.expiry[k]; !ok || old < height {
		x.expiry[k] = height
	}
	b := x.bucket(height)
	b.keys = append(b.keys, k)
	return b
}

// bucket returns the bucket of height, creating it.
func (x *replayIndex) bucket(height uint32) *replayBucket {
	b := x.buckets[height]
	if b == nil {
		b = &replayBucket{}
		x.buckets[height] = b
	}
	return b
}

// undo removes k, added at height by add, after its store write failed.
func (x *replayIndex) undo(k replayKey, height uint32) {
	if x.expiry[k] == height {
		delete(x.expiry, k)
	}
	b := x.buckets[height]
	if i := slices.Index(b.keys, k); i >= 0 {
		b.keys = slices.Delete(b.keys, i, i+1)
	}
	if len(b.keys) == 0 && !b.durable && b.inflight == 0 {
		delete(x.buckets, height)
	}
}

// expired returns the heights at or below height that hold buckets, in
// increasing order.
func (x *replayIndex) expired(height uint32) []uint32 {
	var hs []uint32
	for h := range x.buckets {
		if h <= height {
			hs = append(hs, h)
		}
	}
	slices.Sort(hs)
	return hs
}

// drop forgets the bucket of height and returns how many keys it forgot.
func (x *replayIndex) drop(height uint32) int {
	b := x.buckets[height]
	n := 0
	for _, k := range b.keys {
		if x.expiry[k] == height {
			delete(x.expiry, k)
			n++
		}
	}
	delete(x.buckets, height)
	return n
}

// MemoryReplayLogConfig configures a MemoryReplayLog. The zero value is
// the defaults.
type MemoryReplayLogConfig struct {
	// MaxEntries bounds the live entries; when it is reached CheckAndAdd
	// refuses with ErrReplayLogFull (nothing is forgotten before its
	// expiry). Default (0): DefaultReplayLogMaxEntries.
	MaxEntries int
}

// MemoryReplayLog is an in-memory ReplayLog. It forgets entries only when
// Prune passes their expiry, and refuses new ones when full. It does not
// survive a restart: a node restarting with one accepts, until the
// previous entries would have expired, replays of packets it processed
// before. It is safe for concurrent use.
type MemoryReplayLog struct {
	mu  sync.Mutex
	idx replayIndex
}

// NewMemoryReplayLog returns an empty log for cfg.
func NewMemoryReplayLog(cfg MemoryReplayLogConfig) (*MemoryReplayLog, error) {
	max, err := replayMaxEntries(cfg.MaxEntries)
	if err != nil {
		return nil, err
	}
	return &MemoryReplayLog{idx: newReplayIndex(max)}, nil
}

// replayMaxEntries validates a MaxEntries field and applies its default.
func replayMaxEntries(n int) (int, error) {
	switch {
	case n < 0:
		return 0, configError("MaxEntries", fmt.Sprintf("%d is negative; 0 means DefaultReplayLogMaxEntries", n))
	case n == 0:
		return DefaultReplayLogMaxEntries, nil
	}
	return n, nil
}

// CheckAndAdd implements ReplayLog. It fails only with ErrReplayLogFull.
func (l *MemoryReplayLog) CheckAndAdd(secret SharedSecret, cltvExpiry uint32) (bool, error) {
	k := newReplayKey(&secret)
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.idx.has(k) {
		return true, nil
	}
	if _, err := l.idx.add(k, cltvExpiry); err != nil {
		return false, err
	}
	return false, nil
}

// Prune implements ReplayLog. It never fails.
func (l *MemoryReplayLog) Prune(height uint32) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	n := 0
	for _, h := range l.idx.expired(height) {
		n += l.idx.drop(h)
	}
	return n, nil
}

// Len returns the number of live entries.
func (l *MemoryReplayLog) Len() int {
	l.mu.Lock()
	defer l.mu.Unlock()
	return len(l.idx.expiry)
}
