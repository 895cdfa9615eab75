package onion

import (
	"crypto/sha256"
	"sync"
)

// ReplayLog remembers the shared secrets of the packets a node has
// accepted, so that a replayed onion is refused (BOLT 4 "Onion Decryption":
// a packet seen before MUST be failed unless its preimage is known). A
// production node should back it with storage that survives restarts and
// forget entries once their HTLC has expired.
type ReplayLog interface {
	// CheckAndAdd records secret and reports whether it was already
	// recorded. It must be safe for concurrent use.
	CheckAndAdd(secret SharedSecret) (seen bool, err error)
}

// DefaultReplayLogCapacity is the number of entries a MemoryReplayLog keeps
// when NewMemoryReplayLog is given no capacity.
const DefaultReplayLogCapacity = 100_000

// replayKey is what MemoryReplayLog stores: the first 16 bytes of the
// SHA-256 of a shared secret, so the secrets themselves are not kept.
type replayKey [16]byte

// MemoryReplayLog is an in-memory ReplayLog holding a bounded number of
// entries: when full, the oldest entry is forgotten (so a packet older than
// the last capacity packets is not recognised). It is safe for concurrent use.
type MemoryReplayLog struct {
	mu   sync.Mutex
	seen map[replayKey]struct{}
	ring []replayKey
	next int
	full bool
}

// NewMemoryReplayLog returns an empty log of the given capacity
// (DefaultReplayLogCapacity when capacity <= 0).
func NewMemoryReplayLog(capacity int) *MemoryReplayLog {
	if capacity <= 0 {
		capacity = DefaultReplayLogCapacity
	}
	return &MemoryReplayLog{
		seen: make(map[replayKey]struct{}, min(capacity, 1024)),
		ring: make([]replayKey, capacity),
	}
}

// CheckAndAdd implements ReplayLog. It never fails.
func (l *MemoryReplayLog) CheckAndAdd(secret SharedSecret) (bool, error) {
	h := sha256.Sum256(secret[:])
	var k replayKey
	copy(k[:], h[:])

	l.mu.Lock()
	defer l.mu.Unlock()
	if _, ok := l.seen[k]; ok {
		return true, nil
	}
	if l.full {
		delete(l.seen, l.ring[l.next])
	}
	l.ring[l.next] = k
	l.seen[k] = struct{}{}
	l.next++
	if l.next == len(l.ring) {
		l.next = 0
		l.full = true
	}
	return false, nil
}

// Len returns the number of entries held.
func (l *MemoryReplayLog) Len() int {
	l.mu.Lock()
	defer l.mu.Unlock()
	return len(l.seen)
}
