package monitor

import (
	"bytes"
	"fmt"
	"sort"
	"sync"

	"github.com/btcsuite/btcd/chaincfg/chainhash"
	btcwire "github.com/btcsuite/btcd/wire"

	"github.com/lnkit/lnkit/chain"
	"github.com/lnkit/lnkit/channel/commit"
	"github.com/lnkit/lnkit/events"
	"github.com/lnkit/lnkit/internal/configerr"
	"github.com/lnkit/lnkit/persist"
	lnwire "github.com/lnkit/lnkit/wire"
)

// ChainMonitorConfig configures a ChainMonitor.
type ChainMonitorConfig struct {
	// Persister makes the monitors durable. Required.
	Persister Persister
	// Filter, when set, is told each channel's funding output (for chain
	// sources driven through a chain.Filter). Default: none.
	Filter chain.Filter
	// OmitChannelClosed keeps the monitors' ChannelClosed events (emitted
	// for a counterparty commitment AntiReorgDelay deep) out of
	// ReleasePendingEvents: set it when a channel Manager reports every
	// closure itself, from ReleaseFundingSpends, so that the application
	// gets one ChannelClosed per channel. Default: false (emitted).
	OmitChannelClosed bool
	// Sweep, when set, makes the ChainMonitor claim contested outputs
	// itself (see SweepConfig). Default: none.
	Sweep *SweepConfig
	// RevokedCommitment, when set, is called (outside the ChainMonitor's
	// lock, after the update was handed to the Persister) with each
	// counterparty commitment an update revokes, as the Breach it would
	// be on chain: what a watchtower needs (sign its JusticeTx at a
	// chosen rate and hand it to the tower under Breach.Tx's txid).
	// Default: none (and no cost).
	RevokedCommitment func(*Breach)
	// UpdatesWithChannel lets the channel manager write each update in
	// the same store batch as its channel's record, then have it applied
	// (UpdateOps, UpdateChannelPersisted): one durable write per step
	// instead of two. The Persister must be an UpdateWriter on the
	// manager's store (a KVPersister over it is); leave it off for a
	// persister that must see every update itself (a remote backup, a
	// tower feed). Default: false.
	UpdatesWithChannel bool
}

// CompletedUpdate says that every update of a channel up to UpdateID is
// durable: the channel may release the messages they gate.
type CompletedUpdate struct {
	// ChannelID is the channel.
	ChannelID lnwire.ChannelID
	// UpdateID is the highest durable update id.
	UpdateID uint64
}

// watched is one channel of a ChainMonitor.
type watched struct {
	m *ChannelMonitor
	// pending are the updates persisted InProgress, by ascending id.
	pending []pendingUpdate
}

// pendingUpdate is an update answered InProgress.
type pendingUpdate struct {
	id   uint64
	done bool
}

// ChainMonitor holds the monitors of every channel of the node, persists
// them, and feeds them the chain (it implements chain.Listen). It is safe
// for concurrent use.
type ChainMonitor struct {
	persister  Persister
	filter     chain.Filter
	omitClosed bool
	sweeper    *SweepConfig
	tower      func(*Breach)
	// writer is the Persister as an UpdateWriter, with
	// UpdatesWithChannel (nil otherwise).
	writer UpdateWriter

	mu        sync.Mutex
	channels  map[lnwire.ChannelID]*watched
	completed []CompletedUpdate
}

// NewChainMonitor returns an empty ChainMonitor. Restore the monitors
// loaded from the store (KVPersister.Load) before connecting it to the
// chain.
func NewChainMonitor(cfg ChainMonitorConfig) (*ChainMonitor, error) {
	if cfg.Persister == nil {
		return nil, configerr.New("monitor", "Persister", "required")
	}
	var sweeper *SweepConfig
	if cfg.Sweep != nil {
		s := *cfg.Sweep
		if err := s.validate(); err != nil {
			return nil, err
		}
		sweeper = &s
	}
	var writer UpdateWriter
	if cfg.UpdatesWithChannel {
		w, ok := cfg.Persister.(UpdateWriter)
		if !ok {
			return nil, configerr.New("monitor", "UpdatesWithChannel", "the Persister is not an UpdateWriter")
		}
		writer = w
	}
	return &ChainMonitor{
		persister: cfg.Persister, filter: cfg.Filter, omitClosed: cfg.OmitChannelClosed, sweeper: sweeper,
		tower: cfg.RevokedCommitment, writer: writer,
		channels: map[lnwire.ChannelID]*watched{},
	}, nil
}

// Restore adds a monitor read from the store, without persisting it.
func (c *ChainMonitor) Restore(m *ChannelMonitor) error {
	c.mu.Lock()
	defer c.mu.Unlock()
	id := m.ChannelID()
	if _, ok := c.channels[id]; ok {
		return fmt.Errorf("monitor: channel %s restored twice", id)
	}
	c.add(id, m)
	return nil
}

func (c *ChainMonitor) add(id lnwire.ChannelID, m *ChannelMonitor) {
	c.channels[id] = &watched{m: m}
	if c.filter != nil {
		c.filter.RegisterOutput(m.WatchedOutput())
		// A monitor restored after its funding was spent follows the
		// outputs of the spend before the next block is scanned.
		if m.chain.spend != nil {
			c.registerWatched(m)
		}
	}
}

// WatchChannel starts watching a new channel: its monitor is persisted
// whole. A channel already watched, or a monitor whose channel id is not
// id, is Failed.
func (c *ChainMonitor) WatchChannel(id lnwire.ChannelID, m *ChannelMonitor) UpdateStatus {
	c.mu.Lock()
	defer c.mu.Unlock()
	if _, ok := c.channels[id]; ok || m == nil || m.ChannelID() != id {
		return Failed
	}
	st := c.persister.PersistNewChannel(id, m)
	if st == Failed {
		return Failed
	}
	c.add(id, m)
	if st == InProgress {
		c.channels[id].pending = append(c.channels[id].pending, pendingUpdate{id: m.LatestUpdateID()})
	}
	return st
}

// UpdateChannel applies u to the channel's monitor and persists it. An
// update already applied is persisted again (harmless) and answered as the
// persister answers; an update that does not apply is Failed.
func (c *ChainMonitor) UpdateChannel(id lnwire.ChannelID, u *Update) UpdateStatus {
	return c.report(c.update(id, u, false))
}

// report hands the breaches an update revoked to the RevokedCommitment
// callback (outside the lock) and returns st.
func (c *ChainMonitor) report(st UpdateStatus, revoked []*Breach) UpdateStatus {
	for _, b := range revoked {
		c.tower(b)
	}
	return st
}

// update applies u under c.mu and persists it, or, persisted, takes it as
// written by the caller (UpdateOps; discarded from the store when it does
// not apply); it returns the breaches of the commitments u revoked when
// there is a RevokedCommitment callback.
func (c *ChainMonitor) update(id lnwire.ChannelID, u *Update, persisted bool) (UpdateStatus, []*Breach) {
	c.mu.Lock()
	defer c.mu.Unlock()
	w, ok := c.channels[id]
	if !ok {
		return Failed, nil
	}
	next := u != nil && u.ID == w.m.LatestUpdateID()+1
	if persisted && (c.writer == nil || !next) {
		// Nothing else takes the next id meanwhile (ProvidePreimage
		// writes the monitor whole): this is a caller's bug.
		return Failed, nil
	}
	var revoking []*counterpartyCommitment
	if c.tower != nil && next {
		revoking = w.m.counterpartyToRevoke(u)
	}
	if w.m.Apply(u) != nil {
		if persisted {
			_ = c.writer.DiscardUpdate(id, u.ID) // a failure leaves it to Load, which skips it
		}
		return Failed, nil
	}
	st := Completed
	if !persisted {
		st = c.persister.UpdatePersistedChannel(id, u, w.m)
		if st == InProgress {
			w.pending = append(w.pending, pendingUpdate{id: u.ID})
		}
	}
	var revoked []*Breach
	for _, rc := range revoking {
		if b := w.m.revokedBreach(rc); b != nil {
			revoked = append(revoked, b)
		}
	}
	return st, revoked
}

// UpdateOps returns, when the persister is an UpdateWriter on store, the
// ops that persist update u of channel id (the next one): the caller
// writes them with its own, atomically, then calls UpdateChannelPersisted
// (one write instead of two). False: call UpdateChannel instead (the
// persister is another, a compaction is due, or the monitor takes no new
// commitment).
func (c *ChainMonitor) UpdateOps(id lnwire.ChannelID, u *Update, store persist.KVStore) ([]persist.Op, bool) {
	if c.writer == nil {
		return nil, false
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	w, ok := c.channels[id]
	// Not while an earlier update is still in progress: the store would
	// hold this one without it.
	if !ok || u == nil || u.ID != w.m.LatestUpdateID()+1 || len(w.pending) > 0 || w.m.refuseCommitment() != nil {
		return nil, false
	}
	return c.writer.UpdateOps(id, u, store)
}

// UpdateChannelPersisted applies u, which the caller made durable with
// the ops UpdateOps gave. An update that no longer applies (the monitor
// closed meanwhile) is discarded from the store and Failed.
func (c *ChainMonitor) UpdateChannelPersisted(id lnwire.ChannelID, u *Update) UpdateStatus {
	return c.report(c.update(id, u, true))
}

// ChannelMonitorUpdated is how an asynchronous Persister reports that the
// channel's update updateID (answered InProgress) is durable. Updates may
// complete in any order; completions are reported (ReleaseCompletedUpdates)
// in order: once every pending update up to an id is durable, that id is
// reported. An id not pending is ignored.
func (c *ChainMonitor) ChannelMonitorUpdated(id lnwire.ChannelID, updateID uint64) error {
	c.mu.Lock()
	defer c.mu.Unlock()
	w, ok := c.channels[id]
	if !ok {
		return fmt.Errorf("%w: %s", ErrUnknownChannel, id)
	}
	for i := range w.pending {
		if w.pending[i].id == updateID {
			w.pending[i].done = true
		}
	}
	var last uint64
	n := 0
	for n < len(w.pending) && w.pending[n].done {
		last = w.pending[n].id
		n++
	}
	if n > 0 {
		w.pending = w.pending[n:]
		c.completed = append(c.completed, CompletedUpdate{ChannelID: id, UpdateID: last})
	}
	return nil
}

// PendingUpdates returns the ids of the channel's updates not yet durable.
func (c *ChainMonitor) PendingUpdates(id lnwire.ChannelID) []uint64 {
	c.mu.Lock()
	defer c.mu.Unlock()
	var ids []uint64
	if w, ok := c.channels[id]; ok {
		for _, p := range w.pending {
			if !p.done {
				ids = append(ids, p.id)
			}
		}
	}
	return ids
}

// ReleaseCompletedUpdates returns the completions reported since the last
// call, in the order they completed (per channel, increasing ids).
func (c *ChainMonitor) ReleaseCompletedUpdates() []CompletedUpdate {
	c.mu.Lock()
	defer c.mu.Unlock()
	out := c.completed
	c.completed = nil
	return out
}

// ReleasePendingEvents returns the monitors' events (SpendableOutputs,
// ChannelClosed for a counterparty commitment unless OmitChannelClosed)
// since the last call, by channel id, for the application to append to
// its events.Queue. A closure of any kind is also reported, as a
// FundingSpendInfo, by ReleaseFundingSpends.
func (c *ChainMonitor) ReleasePendingEvents() []events.Event {
	c.mu.Lock()
	defer c.mu.Unlock()
	var out []events.Event
	for _, w := range c.sorted() {
		for _, e := range w.m.ReleasePendingEvents() {
			if _, closed := e.(*events.ChannelClosed); closed && c.omitClosed {
				continue
			}
			out = append(out, e)
		}
	}
	return out
}

// sorted returns the channels in channel id order (determinism).
func (c *ChainMonitor) sorted() []*watched {
	ws := make([]*watched, 0, len(c.channels))
	for _, w := range c.channels {
		ws = append(ws, w)
	}
	sort.Slice(ws, func(i, j int) bool {
		a, b := ws[i].m.ChannelID(), ws[j].m.ChannelID()
		return bytes.Compare(a[:], b[:]) < 0
	})
	return ws
}

// BlockConnected implements chain.Listen.
func (c *ChainMonitor) BlockConnected(block *btcwire.MsgBlock, height int32) {
	c.each(func(m *ChannelMonitor) { m.BlockConnected(block, height) })
}

// BlockDisconnected implements chain.Listen.
func (c *ChainMonitor) BlockDisconnected(header *btcwire.BlockHeader, height int32) {
	c.each(func(m *ChannelMonitor) { m.BlockDisconnected(header, height) })
}

// persistChain writes a monitor whose chain state changed; a failed write
// is retried at the next block.
func (c *ChainMonitor) persistChain(w *watched) {
	if w.m.takeChainChanged() && c.persister.UpdatePersistedChannel(w.m.ChannelID(), nil, w.m) == Failed {
		w.m.chain.changed = true
	}
}

// TransactionsConfirmed implements chain.Confirm.
func (c *ChainMonitor) TransactionsConfirmed(header *btcwire.BlockHeader, txdata []chain.TxData, height int32) {
	c.each(func(m *ChannelMonitor) { m.TransactionsConfirmed(header, txdata, height) })
}

// TransactionUnconfirmed implements chain.Confirm.
func (c *ChainMonitor) TransactionUnconfirmed(txid chainhash.Hash) {
	c.each(func(m *ChannelMonitor) { m.TransactionUnconfirmed(txid) })
}

// BestBlockUpdated implements chain.Confirm.
func (c *ChainMonitor) BestBlockUpdated(header *btcwire.BlockHeader, height int32) {
	c.each(func(m *ChannelMonitor) { m.BestBlockUpdated(header, height) })
}

// RelevantTransactions implements chain.Confirm.
func (c *ChainMonitor) RelevantTransactions() []chain.RelevantTx {
	c.mu.Lock()
	defer c.mu.Unlock()
	var out []chain.RelevantTx
	for _, w := range c.sorted() {
		out = append(out, w.m.RelevantTransactions()...)
	}
	return out
}

// each calls f on every monitor in channel id order, then persists what
// changed; then, with a SweepConfig, the monitors' claims are made.
func (c *ChainMonitor) each(f func(m *ChannelMonitor)) {
	c.mu.Lock()
	for _, w := range c.sorted() {
		f(w.m)
		c.persistChain(w)
		if w.m.chain.spend != nil {
			c.registerWatched(w.m)
		}
	}
	pending := c.claimsPending()
	c.mu.Unlock()
	if pending {
		c.sweep()
	}
}

var _ chain.Listen = (*ChainMonitor)(nil)
var _ chain.Confirm = (*ChainMonitor)(nil)
var _ chain.Listen = (*ChannelMonitor)(nil)

// LatestHolderCommitmentTx returns the channel's latest holder commitment,
// signed by both sides (see ChannelMonitor.LatestHolderCommitmentTx).
func (c *ChainMonitor) LatestHolderCommitmentTx(id lnwire.ChannelID, signer commit.Signer) (*btcwire.MsgTx, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	w, ok := c.channels[id]
	if !ok {
		return nil, fmt.Errorf("%w: %s", ErrUnknownChannel, id)
	}
	return w.m.LatestHolderCommitmentTx(signer)
}
