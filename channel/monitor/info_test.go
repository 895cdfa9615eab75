package monitor_test

import (
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/lnkit/lnkit/channel/commit"
	"github.com/lnkit/lnkit/channel/monitor"
	"github.com/lnkit/lnkit/persist/persisttest"
)

// TestMonitorsInfo: what the Manager reads at start-up follows the
// updates and survives a restart.
func TestMonitorsInfo(t *testing.T) {
	ch := newTestChannel(t, commit.StaticRemoteKey)
	store := persisttest.NewCrashStore()
	cm := newChainMonitor(t, newKV(t, store, 2))
	require.Empty(t, cm.Monitors())
	id := ch.a.mon.ChannelID()
	require.Equal(t, monitor.Completed, cm.WatchChannel(id, ch.a.mon))
	want := monitor.MonitorInfo{ChannelID: id, FundingOutPoint: ch.a.mon.FundingOutPoint(), ChannelKeyID: ch.a.signer.KeyID()}
	require.Equal(t, []monitor.MonitorInfo{want}, cm.Monitors())

	for n := uint64(1); n <= 3; n++ {
		require.Equal(t, monitor.Completed, cm.UpdateChannel(id, update(t, ch, n)))
	}
	require.Equal(t, monitor.Completed, cm.UpdateChannel(id, &monitor.Update{ID: 4, Steps: []monitor.Step{&monitor.ChannelForceClosed{}}}))
	want.LatestUpdateID, want.HolderCommitmentNumber, want.ForceClosed = 4, 3, true
	require.Equal(t, []monitor.MonitorInfo{want}, cm.Monitors())

	_, ms := reload(t, store)
	cm2 := newChainMonitor(t, newKV(t, store, 2))
	require.NoError(t, cm2.Restore(ms[0]))
	require.Equal(t, []monitor.MonitorInfo{want}, cm2.Monitors(), "after a restart")
}

// TestChannelForceClosedStep: after ChannelForceClosed the monitor takes
// no new commitment of either side (the update fails whole), still takes
// the counterparty's secrets and a shutdown script, and still hands out
// the same latest holder commitment for broadcast, also after a restart.
func TestChannelForceClosedStep(t *testing.T) {
	ch := newTestChannel(t, commit.AnchorsZeroFeeHTLC)
	store, cm, id := watchStored(t, ch.a, 1000)
	require.Equal(t, monitor.Completed, cm.UpdateChannel(id, update(t, ch, 1)))
	before, err := cm.HolderCommitmentClaim(id, ch.a.signer)
	require.NoError(t, err)
	open := encoded(t, ch.a.mon)

	require.Equal(t, monitor.Completed, cm.UpdateChannel(id, &monitor.Update{ID: 2, Steps: []monitor.Step{&monitor.ChannelForceClosed{}}}))
	require.True(t, ch.a.mon.ForceClosed())
	refused := []struct {
		name string
		step monitor.Step
	}{
		{"holder commitment", holderStep(t, ch.a, ch.b, 2, aBalance)},
		{"counterparty commitment", &monitor.NewCounterpartyCommitment{State: state(t, 2, ch.b.signer, aBalance)}},
	}
	for _, tc := range refused {
		control, err := monitor.Decode(open)
		require.NoError(t, err)
		require.NoError(t, control.Apply(&monitor.Update{ID: 2, Steps: []monitor.Step{tc.step}}), "%s: valid before the force close", tc.name)
		require.Equal(t, monitor.Failed, cm.UpdateChannel(id, &monitor.Update{ID: 3, Steps: []monitor.Step{tc.step}}), tc.name)
		require.ErrorIs(t, ch.a.mon.Apply(&monitor.Update{ID: 3, Steps: []monitor.Step{tc.step}}), monitor.ErrInvalidUpdate, tc.name)
	}
	require.EqualValues(t, 2, ch.a.mon.LatestUpdateID())
	require.Equal(t, monitor.Completed, cm.UpdateChannel(id, &monitor.Update{ID: 3, Steps: []monitor.Step{
		&monitor.CommitmentSecret{Number: 1, Secret: secret(t, ch.b.signer, 1)},
		&monitor.ShutdownScript{Script: []byte{0x51}},
	}}), "a late revoke_and_ack is still recorded")

	after, err := cm.HolderCommitmentClaim(id, ch.a.signer)
	require.NoError(t, err)
	require.Equal(t, before, after, "the same commitment to broadcast")
	tx, err := cm.LatestHolderCommitmentTx(id, ch.a.signer)
	require.NoError(t, err)
	require.Equal(t, before.Tx, tx)

	_, ms := reload(t, store)
	require.True(t, ms[0].ForceClosed())
	require.ErrorIs(t, ms[0].Apply(&monitor.Update{ID: 4, Steps: []monitor.Step{holderStep(t, ch.a, ch.b, 2, aBalance)}}), monitor.ErrInvalidUpdate)
	reloaded, err := ms[0].HolderCommitmentClaim(ch.a.signer)
	require.NoError(t, err)
	require.Equal(t, before, reloaded, "after a restart")
}
