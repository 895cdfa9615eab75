package channel

import (
	"encoding/binary"
	"encoding/hex"
	"fmt"
	"sync"

	"github.com/lnkit/lnkit/persist"
	"github.com/lnkit/lnkit/router/onion"
	"github.com/lnkit/lnkit/wire"
)

// replaySet remembers the onion shared secrets of the incoming HTLCs the
// Manager accepted, until their cltv_expiry (BOLT 4: a replayed onion is
// refused). Unlike router/onion's ReplayLog it records which HTLC an
// entry belongs to, and its entries are written in the same batch as the
// channel record that accepted the HTLC: a revoke_and_ack processed again
// after a crash finds its own entries, not a replay.
type replaySet struct {
	mu      sync.Mutex
	entries map[onion.SharedSecret]replayEntry
}

// replayEntry is the HTLC an onion came with.
type replayEntry struct {
	channel wire.ChannelID
	htlc    uint64
	expiry  uint32
}

// replayNS holds the replay set: key the shared secret in hex, value the
// channel id, HTLC id and cltv_expiry (big-endian).
func replayNS() persist.Namespace {
	return persist.Namespace{Primary: "channel_manager", Secondary: "onion_replay"}
}

// seen reports whether ss came with another HTLC than channel's htlc.
func (r *replaySet) seen(ss onion.SharedSecret, channel wire.ChannelID, htlc uint64) bool {
	r.mu.Lock()
	defer r.mu.Unlock()
	e, ok := r.entries[ss]
	return ok && (e.channel != channel || e.htlc != htlc)
}

// add records ss for channel's htlc and returns the write that makes it
// durable (to batch with the channel's record).
func (r *replaySet) add(ss onion.SharedSecret, channel wire.ChannelID, htlc uint64, expiry uint32) persist.Op {
	r.mu.Lock()
	if r.entries == nil {
		r.entries = make(map[onion.SharedSecret]replayEntry)
	}
	r.entries[ss] = replayEntry{channel: channel, htlc: htlc, expiry: expiry}
	r.mu.Unlock()
	v := make([]byte, 44)
	copy(v, channel[:])
	binary.BigEndian.PutUint64(v[32:], htlc)
	binary.BigEndian.PutUint32(v[40:], expiry)
	return persist.WriteOp(replayNS(), hex.EncodeToString(ss[:]), v)
}

// prune forgets the entries whose HTLC expired at or below height and
// returns the removals to apply.
func (r *replaySet) prune(height uint32) []persist.Op {
	r.mu.Lock()
	defer r.mu.Unlock()
	var ops []persist.Op
	for ss, e := range r.entries {
		if e.expiry <= height {
			delete(r.entries, ss)
			ops = append(ops, persist.RemoveOp(replayNS(), hex.EncodeToString(ss[:])))
		}
	}
	return ops
}

// load reads the durable entries.
func (r *replaySet) load(m *Manager) error {
	ctx := m.cfg.Context
	keys, err := m.cfg.Store.List(ctx, replayNS())
	if err != nil {
		return fmt.Errorf("%w: list onion replay entries: %w", ErrPersistence, err)
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	r.entries = make(map[onion.SharedSecret]replayEntry, len(keys))
	for _, k := range keys {
		var ss onion.SharedSecret
		if n, err := hexDecode(ss[:], k); err != nil || n != len(ss) {
			return fmt.Errorf("%w: onion replay key %q", ErrCorruptRecord, k)
		}
		v, err := m.cfg.Store.Read(ctx, replayNS(), k)
		if err != nil {
			return fmt.Errorf("%w: read onion replay entry: %w", ErrPersistence, err)
		}
		if len(v) != 44 {
			return fmt.Errorf("%w: onion replay entry of %d bytes", ErrCorruptRecord, len(v))
		}
		var e replayEntry
		copy(e.channel[:], v)
		e.htlc = binary.BigEndian.Uint64(v[32:])
		e.expiry = binary.BigEndian.Uint32(v[40:])
		r.entries[ss] = e
	}
	return nil
}

// noReplayLog is the onion Processor's ReplayLog: the Manager checks
// replays itself (replaySet), after the HMAC.
type noReplayLog struct{}

func (noReplayLog) CheckAndAdd(onion.SharedSecret, uint32) (bool, error) { return false, nil }
func (noReplayLog) Prune(uint32) (int, error)                            { return 0, nil }
