package monitor_test

import (
	"context"
	"errors"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/lnkit/lnkit/channel/commit"
	"github.com/lnkit/lnkit/channel/monitor"
	"github.com/lnkit/lnkit/lnkittest/simchain"
	"github.com/lnkit/lnkit/persist"
	"github.com/lnkit/lnkit/persist/persisttest"
	lnwire "github.com/lnkit/lnkit/wire"
)

// update returns update n of A's monitor: commitments n on both sides and
// B's secret of n-1.
func update(t testing.TB, ch *testChannel, n uint64) *monitor.Update {
	t.Helper()
	bal := uint64(aBalance - n*1_000_000)
	return &monitor.Update{ID: n, Steps: []monitor.Step{
		holderStep(t, ch.a, ch.b, n, lnwireMsat(bal)),
		&monitor.NewCounterpartyCommitment{State: state(t, n, ch.b.signer, lnwireMsat(bal))},
		&monitor.CommitmentSecret{Number: n - 1, Secret: secret(t, ch.b.signer, n-1)},
	}}
}

func newKV(t testing.TB, store persist.KVStore, every uint64) *monitor.KVPersister {
	t.Helper()
	p, err := monitor.NewKVPersister(monitor.KVPersisterConfig{Store: store, CompactEvery: every})
	require.NoError(t, err)
	return p
}

func newChainMonitor(t *testing.T, p monitor.Persister) *monitor.ChainMonitor {
	t.Helper()
	cm, err := monitor.NewChainMonitor(monitor.ChainMonitorConfig{Persister: p})
	require.NoError(t, err)
	return cm
}

// watchStored returns a ChainMonitor over a new crash store (compacting
// every every updates) watching s's monitor, the store and the channel id.
func watchStored(t *testing.T, s *side, every uint64) (*persisttest.CrashStore, *monitor.ChainMonitor, lnwire.ChannelID) {
	t.Helper()
	store := persisttest.NewCrashStore()
	cm := newChainMonitor(t, newKV(t, store, every))
	id := s.mon.ChannelID()
	require.Equal(t, monitor.Completed, cm.WatchChannel(id, s.mon))
	return store, cm, id
}

// reload crashes the store and loads its monitors.
func reload(t *testing.T, store *persisttest.CrashStore) (*persisttest.CrashStore, []*monitor.ChannelMonitor) {
	t.Helper()
	store = store.Crash()
	ms, err := newKV(t, store, 1000).Load()
	require.NoError(t, err)
	return store, ms
}

func TestConfigErrors(t *testing.T) {
	_, err := monitor.NewKVPersister(monitor.KVPersisterConfig{})
	require.ErrorIs(t, err, monitor.ErrInvalidConfig)
	_, err = monitor.NewChainMonitor(monitor.ChainMonitorConfig{})
	require.ErrorIs(t, err, monitor.ErrInvalidConfig)
	p := newKV(t, persisttest.NewCrashStore(), 10)
	for _, field := range []string{"Broadcaster", "Fees", "Signers", "Destination"} {
		s := &monitor.SweepConfig{
			Broadcaster: &simchain.Chain{}, Fees: &settableFees{},
			Signers:     func([32]byte) (monitor.ClaimSigner, error) { return nil, nil },
			Destination: func() ([]byte, error) { return nil, nil },
		}
		switch field {
		case "Broadcaster":
			s.Broadcaster = nil
		case "Fees":
			s.Fees = nil
		case "Signers":
			s.Signers = nil
		case "Destination":
			s.Destination = nil
		}
		_, err = monitor.NewChainMonitor(monitor.ChainMonitorConfig{Persister: p, Sweep: s})
		var ce *monitor.ConfigError
		require.ErrorAs(t, err, &ce)
		require.Equal(t, "Sweep."+field, ce.Field)
	}
}

// TestPersistAndReload: watch, updates as increments, compaction into a
// full write, reload with the increments replayed; a double update is a
// no-op and a gap fails.
func TestPersistAndReload(t *testing.T) {
	ch := newTestChannel(t, commit.StaticRemoteKey)
	store, cm, id := watchStored(t, ch.a, 3)
	require.Equal(t, monitor.Failed, cm.WatchChannel(id, ch.a.mon), "watched twice")
	for n := uint64(1); n <= 4; n++ {
		require.Equal(t, monitor.Completed, cm.UpdateChannel(id, update(t, ch, n)))
	}
	require.Equal(t, monitor.Completed, cm.UpdateChannel(id, update(t, ch, 4)), "double update")
	require.Equal(t, monitor.Failed, cm.UpdateChannel(id, update(t, ch, 6)), "gap")

	// Update 3 compacted 1..3 into the full monitor; 4 is an increment.
	ctx := context.Background()
	keys, err := store.List(ctx, persist.Namespace{Primary: monitor.MonitorUpdatesNamespace, Secondary: id.String()})
	require.NoError(t, err)
	require.Equal(t, []string{"00000000000000000004"}, keys)

	want := encoded(t, ch.a.mon)
	_, ms := reload(t, store)
	require.Len(t, ms, 1)
	require.EqualValues(t, 4, ms[0].LatestUpdateID())
	require.Equal(t, want, encoded(t, ms[0]))
}

// asyncPersister persists in the background through a KVPersister and
// reports completion to the ChainMonitor.
type asyncPersister struct {
	kv   *monitor.KVPersister
	cm   *monitor.ChainMonitor
	done chan error
}

func (p *asyncPersister) PersistNewChannel(id lnwire.ChannelID, m *monitor.ChannelMonitor) monitor.UpdateStatus {
	return p.kv.PersistNewChannel(id, m)
}

func (p *asyncPersister) UpdatePersistedChannel(id lnwire.ChannelID, u *monitor.Update, m *monitor.ChannelMonitor) monitor.UpdateStatus {
	if u == nil {
		return p.kv.UpdatePersistedChannel(id, nil, m)
	}
	go func() {
		// CompactEvery is large: only u is written, m is not read.
		if p.kv.UpdatePersistedChannel(id, u, nil) != monitor.Completed {
			p.done <- context.Canceled
			return
		}
		p.done <- p.cm.ChannelMonitorUpdated(id, u.ID)
	}()
	return monitor.InProgress
}

// TestInProgressCrash: an update answered InProgress is not durable until
// the store releases it: a crash before gives the previous state; after,
// the completion is reported in order.
func TestInProgressCrash(t *testing.T) {
	for _, crash := range []bool{true, false} {
		ch := newTestChannel(t, commit.AnchorsZeroFeeHTLC)
		store := persisttest.NewCrashStore()
		p := &asyncPersister{kv: newKV(t, store, 1000), done: make(chan error, 4)}
		cm := newChainMonitor(t, p)
		p.cm = cm
		id := ch.a.mon.ChannelID()
		require.Equal(t, monitor.Completed, cm.WatchChannel(id, ch.a.mon))
		before := encoded(t, ch.a.mon)

		store.Hold(true)
		require.Equal(t, monitor.InProgress, cm.UpdateChannel(id, update(t, ch, 1)))
		require.Equal(t, monitor.InProgress, cm.UpdateChannel(id, update(t, ch, 2)))
		require.Equal(t, []uint64{1, 2}, cm.PendingUpdates(id))
		require.Empty(t, cm.ReleaseCompletedUpdates())
		if crash {
			_, ms := reload(t, store)
			require.Error(t, <-p.done)
			require.Error(t, <-p.done)
			require.Len(t, ms, 1)
			require.EqualValues(t, 0, ms[0].LatestUpdateID())
			require.Equal(t, before, encoded(t, ms[0]))
			continue
		}
		require.Eventually(t, func() bool { return store.Pending() == 2 }, timeout, tick)
		store.Release(-1)
		require.NoError(t, <-p.done)
		require.NoError(t, <-p.done)
		require.Empty(t, cm.PendingUpdates(id))
		// The two writes complete in either order; the completions
		// are reported in order, ending with 2.
		got := cm.ReleaseCompletedUpdates()
		require.NotEmpty(t, got)
		require.EqualValues(t, 2, got[len(got)-1].UpdateID)
		if len(got) == 2 {
			require.EqualValues(t, 1, got[0].UpdateID)
		}
		_, ms := reload(t, store)
		require.EqualValues(t, 2, ms[0].LatestUpdateID())
	}
}

// TestChainMonitorForceClose: the ChainMonitor feeds both monitors, writes
// a monitor whose funding spend it recognised, and after a restart the
// reloaded monitor knows the spend and emits its claim again.
func TestChainMonitorForceClose(t *testing.T) {
	ch := newTestChannel(t, commit.StaticRemoteKey)
	store := persisttest.NewCrashStore()
	cm := newChainMonitor(t, newKV(t, store, 1000))
	require.Equal(t, monitor.Completed, cm.WatchChannel(ch.b.mon.ChannelID(), ch.b.mon))
	disconnect := ch.chain.Connect(cm)
	tx, err := ch.a.mon.LatestHolderCommitmentTx(ch.a.signer)
	require.NoError(t, err)
	require.NoError(t, ch.chain.Broadcast(tx))
	ch.chain.Mine(monitor.AntiReorgDelay)
	evs := cm.ReleasePendingEvents()
	require.Len(t, evs, 2) // SpendableOutputs, ChannelClosed
	disconnect()

	_, ms := reload(t, store)
	require.Len(t, ms, 1)
	require.NotNil(t, ms[0].Spend())
	require.Equal(t, monitor.CounterpartyCommitment, ms[0].Spend().Kind)
	cm2 := newChainMonitor(t, newKV(t, store, 1000))
	require.NoError(t, cm2.Restore(ms[0]))
	ch.chain.Connect(cm2)
	ch.chain.Mine(1)
	require.Len(t, cm2.ReleasePendingEvents(), 2, "at-least-once after a restart")
}

// TestCompletionOrder: update 2 durable before update 1 is reported only
// when 1 is durable too, as 2.
func TestCompletionOrder(t *testing.T) {
	ch := newTestChannel(t, commit.StaticRemoteKey)
	p := &manualPersister{}
	cm := newChainMonitor(t, p)
	id := ch.a.mon.ChannelID()
	require.Equal(t, monitor.Completed, cm.WatchChannel(id, ch.a.mon))
	for n := uint64(1); n <= 3; n++ {
		require.Equal(t, monitor.InProgress, cm.UpdateChannel(id, update(t, ch, n)))
	}
	require.NoError(t, cm.ChannelMonitorUpdated(id, 2))
	require.Empty(t, cm.ReleaseCompletedUpdates())
	require.Equal(t, []uint64{1, 3}, cm.PendingUpdates(id))
	require.NoError(t, cm.ChannelMonitorUpdated(id, 1))
	require.Equal(t, []monitor.CompletedUpdate{{ChannelID: id, UpdateID: 2}}, cm.ReleaseCompletedUpdates())
	require.NoError(t, cm.ChannelMonitorUpdated(id, 3))
	require.Equal(t, []monitor.CompletedUpdate{{ChannelID: id, UpdateID: 3}}, cm.ReleaseCompletedUpdates())
	require.ErrorIs(t, cm.ChannelMonitorUpdated(lnwire.ChannelID{1}, 1), monitor.ErrUnknownChannel)
}

// manualPersister answers Completed for new channels and InProgress for
// updates, and stores nothing: the test reports completions itself.
type manualPersister struct{}

func (manualPersister) PersistNewChannel(lnwire.ChannelID, *monitor.ChannelMonitor) monitor.UpdateStatus {
	return monitor.Completed
}

func (manualPersister) UpdatePersistedChannel(_ lnwire.ChannelID, u *monitor.Update, _ *monitor.ChannelMonitor) monitor.UpdateStatus {
	if u == nil {
		return monitor.Completed
	}
	return monitor.InProgress
}

// TestPersistFailure: a store that fails makes WatchChannel and
// UpdateChannel Failed; a chain-driven write that fails is retried at the
// next block.
func TestPersistFailure(t *testing.T) {
	ch := newTestChannel(t, commit.StaticRemoteKey)
	store := persisttest.NewCrashStore()
	cm := newChainMonitor(t, newKV(t, store, 1000))
	id := ch.b.mon.ChannelID()
	disk := errors.New("disk full")

	store.FailWrites(disk)
	require.Equal(t, monitor.Failed, cm.WatchChannel(id, ch.b.mon))
	store.FailWrites(nil)
	require.Equal(t, monitor.Completed, cm.WatchChannel(id, ch.b.mon))
	store.FailWrites(disk)
	require.Equal(t, monitor.Failed, cm.UpdateChannel(id, &monitor.Update{ID: 1, Steps: []monitor.Step{&monitor.ShutdownScript{Script: []byte{0x51}}}}))

	ch.chain.Connect(cm)
	tx, err := ch.a.mon.LatestHolderCommitmentTx(ch.a.signer)
	require.NoError(t, err)
	require.NoError(t, ch.chain.Broadcast(tx))
	ch.chain.Mine(1)
	ms, err := newKV(t, store, 1000).Load()
	require.NoError(t, err)
	require.Nil(t, ms[0].Spend(), "the write failed")
	store.FailWrites(nil)
	ch.chain.Mine(1)
	_, ms = reload(t, store)
	require.NotNil(t, ms[0].Spend(), "retried at the next block")

	_, err = cm.LatestHolderCommitmentTx(lnwire.ChannelID{9}, ch.b.signer)
	require.ErrorIs(t, err, monitor.ErrUnknownChannel)
	_, err = cm.LatestHolderCommitmentTx(id, ch.b.signer)
	require.NoError(t, err, "A's commitment 0 is one B knows: B is not behind")
}

// TestUpdateOpsWrittenByCaller: a caller writing to the persister's store
// gets the update's write (UpdateOps), makes it durable with its own ops
// in one batch, then has it applied (UpdateChannelPersisted). Another
// store or a gap gets no ops (UpdateChannel then). A
// crash after the batch and before the apply loses nothing (Load replays
// the update); a full write meanwhile keeps it.
func TestUpdateOpsWrittenByCaller(t *testing.T) {
	ch := newTestChannel(t, commit.StaticRemoteKey)
	store := persisttest.NewCrashStore()
	_, off, _ := watchStored(t, ch.b, 3)
	_, ok := off.UpdateOps(ch.b.mon.ChannelID(), update(t, ch, 1), store)
	require.False(t, ok, "not without UpdatesWithChannel")
	_, err := monitor.NewChainMonitor(monitor.ChainMonitorConfig{Persister: &asyncPersister{}, UpdatesWithChannel: true})
	require.ErrorIs(t, err, monitor.ErrInvalidConfig, "a persister that cannot")
	cm, err := monitor.NewChainMonitor(monitor.ChainMonitorConfig{Persister: newKV(t, store, 3), UpdatesWithChannel: true})
	require.NoError(t, err)
	id := ch.a.mon.ChannelID()
	require.Equal(t, monitor.Completed, cm.WatchChannel(id, ch.a.mon))
	ctx := context.Background()
	own := persist.WriteOp(persist.Namespace{Primary: "caller"}, "record", []byte("state 1"))

	u1 := update(t, ch, 1)
	_, ok = cm.UpdateOps(id, u1, persisttest.NewCrashStore())
	require.False(t, ok, "another store")
	_, ok = cm.UpdateOps(id, update(t, ch, 2), store)
	require.False(t, ok, "a gap")
	ops, ok := cm.UpdateOps(id, u1, store)
	require.True(t, ok)
	require.NoError(t, store.Apply(ctx, append([]persist.Op{own}, ops...)))
	require.Equal(t, monitor.Completed, cm.UpdateChannelPersisted(id, u1))
	require.EqualValues(t, 1, ch.a.mon.LatestUpdateID())

	// Update 2 written by the caller, then a full write of the monitor
	// (still at 1) before it is applied, then a crash.
	u2 := update(t, ch, 2)
	ops, ok = cm.UpdateOps(id, u2, store)
	require.True(t, ok)
	require.NoError(t, store.Apply(ctx, ops))
	require.Equal(t, monitor.Completed, newKV(t, store, 3).UpdatePersistedChannel(id, nil, ch.a.mon))
	_, ms := reload(t, store)
	require.Len(t, ms, 1)
	require.EqualValues(t, 2, ms[0].LatestUpdateID(), "the caller's update survived the full write and replays")
}
