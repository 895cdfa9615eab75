package monitor

import (
	"context"
	"errors"
	"fmt"
	"reflect"
	"sort"
	"strconv"

	"github.com/lnkit/lnkit/internal/configerr"
	"github.com/lnkit/lnkit/persist"
	lnwire "github.com/lnkit/lnkit/wire"
)

// ErrInvalidConfig is matched by the error of a constructor given an
// invalid Config.
var ErrInvalidConfig = configerr.ErrInvalidConfig

// ConfigError names the invalid Config field.
type ConfigError = configerr.Error

// Persister makes monitors durable. The ChainMonitor calls it for every
// change, under its lock, and hands its answer to the channel: Completed
// when durable, InProgress when it will report completion later through
// ChainMonitor.ChannelMonitorUpdated, Failed when it cannot.
type Persister interface {
	// PersistNewChannel stores a new channel's whole monitor.
	PersistNewChannel(id lnwire.ChannelID, m *ChannelMonitor) UpdateStatus
	// UpdatePersistedChannel stores update u, already applied to m; u is
	// nil when only what m learned from the chain changed (a full write).
	UpdatePersistedChannel(id lnwire.ChannelID, u *Update, m *ChannelMonitor) UpdateStatus
}

// The KVPersister's key layout:
//
//	monitors/<channel id hex>                 the full monitor (MonitorFormat)
//	monitor_updates/<channel id hex>/<id>     an update (UpdateFormat); <id> is
//	                                          the update id in 20 decimal
//	                                          digits, so keys sort by id
//
// Every CompactEvery-th update (and every chain-driven write) rewrites the
// full monitor and removes its updates in one atomic Apply.
const (
	MonitorsNamespace       = "monitors"
	MonitorUpdatesNamespace = "monitor_updates"
)

// DefaultCompactEvery is KVPersisterConfig.CompactEvery's default.
const DefaultCompactEvery = 100

// KVPersisterConfig configures a KVPersister.
type KVPersisterConfig struct {
	// Store is where monitors are kept. Required.
	Store persist.KVStore
	// CompactEvery is how many updates are stored as increments before
	// the full monitor is rewritten. Default: DefaultCompactEvery.
	CompactEvery uint64
	// Context bounds every store call. Default: context.Background().
	Context context.Context
}

// KVPersister is a synchronous Persister over a persist.KVStore: it answers
// Completed or Failed, never InProgress.
type KVPersister struct {
	store persist.KVStore
	every uint64
	ctx   context.Context
}

// NewKVPersister returns a KVPersister.
func NewKVPersister(cfg KVPersisterConfig) (*KVPersister, error) {
	if cfg.Store == nil {
		return nil, configerr.New("monitor", "Store", "required")
	}
	if cfg.CompactEvery == 0 {
		cfg.CompactEvery = DefaultCompactEvery
	}
	if cfg.Context == nil {
		cfg.Context = context.Background()
	}
	return &KVPersister{store: cfg.Store, every: cfg.CompactEvery, ctx: cfg.Context}, nil
}

func monitorKey(id lnwire.ChannelID) string { return id.String() }

func updateKey(id uint64) string { return fmt.Sprintf("%020d", id) }

func updatesNS(id lnwire.ChannelID) persist.Namespace {
	return persist.Namespace{Primary: MonitorUpdatesNamespace, Secondary: monitorKey(id)}
}

var monitorsNS = persist.Namespace{Primary: MonitorsNamespace}

// PersistNewChannel implements Persister.
func (p *KVPersister) PersistNewChannel(id lnwire.ChannelID, m *ChannelMonitor) UpdateStatus {
	return p.full(id, m)
}

// UpdatePersistedChannel implements Persister.
func (p *KVPersister) UpdatePersistedChannel(id lnwire.ChannelID, u *Update, m *ChannelMonitor) UpdateStatus {
	if u == nil || u.ID%p.every == 0 {
		return p.full(id, m)
	}
	b, err := u.Encode()
	if err != nil {
		return Failed
	}
	if p.store.Write(p.ctx, updatesNS(id), updateKey(u.ID), b) != nil {
		return Failed
	}
	return Completed
}

// UpdateWriter is a Persister that can hand the write of an update to a
// caller writing to the same store, which makes it durable in its own
// atomic write (the channel manager: with the channel's record), one
// write instead of two. The caller then has the update applied
// (ChainMonitor.UpdateChannelPersisted). KVPersister implements it.
type UpdateWriter interface {
	Persister
	// UpdateOps returns the ops that persist update u of channel id, to
	// be written to store; false when store is not the persister's or
	// the persister must write the update itself (a compaction is due).
	UpdateOps(id lnwire.ChannelID, u *Update, store persist.KVStore) ([]persist.Op, bool)
	// DiscardUpdate removes update uid of channel id, written through
	// UpdateOps, that its monitor did not take.
	DiscardUpdate(id lnwire.ChannelID, uid uint64) error
}

// UpdateOps implements UpdateWriter.
func (p *KVPersister) UpdateOps(id lnwire.ChannelID, u *Update, store persist.KVStore) ([]persist.Op, bool) {
	if u == nil || u.ID%p.every == 0 || !sameStore(store, p.store) {
		return nil, false
	}
	b, err := u.Encode()
	if err != nil {
		return nil, false
	}
	return []persist.Op{persist.WriteOp(updatesNS(id), updateKey(u.ID), b)}, true
}

// DiscardUpdate implements UpdateWriter.
func (p *KVPersister) DiscardUpdate(id lnwire.ChannelID, uid uint64) error {
	return p.store.Remove(p.ctx, updatesNS(id), updateKey(uid))
}

// sameStore reports whether a and b are the same store: the same pointer
// (a store that is not a pointer is never taken for another).
func sameStore(a, b persist.KVStore) bool {
	va, vb := reflect.ValueOf(a), reflect.ValueOf(b)
	return va.IsValid() && vb.IsValid() && va.Kind() == reflect.Pointer && vb.Kind() == reflect.Pointer &&
		va.Type() == vb.Type() && va.Pointer() == vb.Pointer()
}

// full writes the whole monitor and drops its increments up to the
// monitor's latest update, atomically (a later one, written by a caller
// through UpdateOps and not yet applied, stays).
func (p *KVPersister) full(id lnwire.ChannelID, m *ChannelMonitor) UpdateStatus {
	b, err := m.Encode()
	if err != nil {
		return Failed
	}
	keys, err := p.store.List(p.ctx, updatesNS(id))
	if err != nil {
		return Failed
	}
	ops := []persist.Op{persist.WriteOp(monitorsNS, monitorKey(id), b)}
	for _, k := range keys {
		if uid, err := strconv.ParseUint(k, 10, 64); err == nil && uid > m.LatestUpdateID() {
			continue
		}
		ops = append(ops, persist.RemoveOp(updatesNS(id), k))
	}
	if p.store.Apply(p.ctx, ops) != nil {
		return Failed
	}
	return Completed
}

// ErrStoredUpdate is matched by the error of Load for a stored update that
// does not apply to its monitor.
var ErrStoredUpdate = errors.New("monitor: stored update does not apply")

// Load reads every monitor from the store with its stored updates applied
// in order, sorted by channel id.
func (p *KVPersister) Load() ([]*ChannelMonitor, error) {
	ids, err := p.store.List(p.ctx, monitorsNS)
	if err != nil {
		return nil, err
	}
	ms := make([]*ChannelMonitor, 0, len(ids))
	for _, key := range ids {
		b, err := p.store.Read(p.ctx, monitorsNS, key)
		if err != nil {
			return nil, err
		}
		m, err := Decode(b)
		if err != nil {
			return nil, fmt.Errorf("monitor: channel %s: %w", key, err)
		}
		if monitorKey(m.ChannelID()) != key {
			return nil, fmt.Errorf("%w: channel %s stored under %s", ErrCorrupt, m.ChannelID(), key)
		}
		if err := p.replay(m); err != nil {
			return nil, err
		}
		ms = append(ms, m)
	}
	return ms, nil
}

func (p *KVPersister) replay(m *ChannelMonitor) error {
	ns := updatesNS(m.ChannelID())
	keys, err := p.store.List(p.ctx, ns)
	if err != nil {
		return err
	}
	ids := make([]uint64, 0, len(keys))
	for _, k := range keys {
		id, err := strconv.ParseUint(k, 10, 64)
		if err != nil || updateKey(id) != k {
			return fmt.Errorf("%w: update key %q of channel %s", ErrCorrupt, k, m.ChannelID())
		}
		ids = append(ids, id)
	}
	sort.Slice(ids, func(i, j int) bool { return ids[i] < ids[j] })
	for i, id := range ids {
		b, err := p.store.Read(p.ctx, ns, updateKey(id))
		if err != nil {
			return err
		}
		u, err := DecodeUpdate(b)
		if err != nil {
			return fmt.Errorf("monitor: channel %s update %d: %w", m.ChannelID(), id, err)
		}
		if u.ID != id {
			return fmt.Errorf("%w: update %d stored under %d", ErrCorrupt, u.ID, id)
		}
		if err := m.Apply(u); err != nil {
			if i == len(ids)-1 && u.ID == m.LatestUpdateID()+1 {
				// The last one, written by a caller through UpdateOps
				// and then refused (a crash came before
				// DiscardUpdate): the monitor never held it.
				continue
			}
			return fmt.Errorf("%w: channel %s: %w", ErrStoredUpdate, m.ChannelID(), err)
		}
	}
	return nil
}
