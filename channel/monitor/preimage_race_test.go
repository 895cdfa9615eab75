package monitor_test

import (
	"context"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/lnkit/lnkit/channel/monitor"
	lnwire "github.com/lnkit/lnkit/wire"
)

// TestProvidePreimageBesideUpdateOps: the channel manager's update,
// written through UpdateOps, and ProvidePreimage for a channel whose
// funding is spent (the manager has not seen it yet) both land: the
// preimage is not a numbered update, so ids never collide, and both
// preimages are held in memory and after a reload.
func TestProvidePreimageBesideUpdateOps(t *testing.T) {
	r, hs, id := spentWithTwoHTLCs(t)
	next := r.ch.b.mon.LatestUpdateID() + 1
	mgr := &monitor.Update{ID: next, Steps: []monitor.Step{&monitor.PaymentPreimage{Preimage: hs[0].preimage}}}
	ops, ok := r.cm.UpdateOps(id, mgr, r.store)
	require.True(t, ok)
	// ProvidePreimage (ClaimFunds of another payment) in the window.
	require.Equal(t, []lnwire.ChannelID{id}, r.cm.ProvidePreimage(hs[1].preimage))
	require.NoError(t, r.store.Apply(context.Background(), ops))
	require.Equal(t, monitor.Completed, r.cm.UpdateChannelPersisted(id, mgr))
	_, mgrHeld := r.ch.b.mon.Preimage(hs[0].preimage.Hash())
	_, ppHeld := r.ch.b.mon.Preimage(hs[1].preimage.Hash())
	t.Logf("in memory: manager's preimage held=%v, ProvidePreimage's held=%v", mgrHeld, ppHeld)
	_, ms := reload(t, r.store)
	_, mgrStored := ms[0].Preimage(hs[0].preimage.Hash())
	_, ppStored := ms[0].Preimage(hs[1].preimage.Hash())
	t.Logf("after reload: manager's preimage held=%v, ProvidePreimage's held=%v", mgrStored, ppStored)
	require.True(t, mgrHeld && ppHeld && mgrStored && ppStored, "a preimage was lost")
}

// TestProvidePreimageBesideUpdateChannel: the same through UpdateChannel
// (the path without UpdateOps).
func TestProvidePreimageBesideUpdateChannel(t *testing.T) {
	r, hs, id := spentWithTwoHTLCs(t)
	next := r.ch.b.mon.LatestUpdateID() + 1
	mgr := &monitor.Update{ID: next, Steps: []monitor.Step{&monitor.PaymentPreimage{Preimage: hs[0].preimage}}}
	require.Equal(t, []lnwire.ChannelID{id}, r.cm.ProvidePreimage(hs[1].preimage))
	require.Equal(t, monitor.Completed, r.cm.UpdateChannel(id, mgr))
	_, mgrHeld := r.ch.b.mon.Preimage(hs[0].preimage.Hash())
	_, ms := reload(t, r.store)
	_, ppStored := ms[0].Preimage(hs[1].preimage.Hash())
	t.Logf("in memory manager's held=%v; after reload ProvidePreimage's held=%v", mgrHeld, ppStored)
	require.True(t, mgrHeld && ppStored, "a preimage was lost")
}
