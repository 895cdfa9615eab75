package monitor_test

import (
	"testing"

	btcwire "github.com/btcsuite/btcd/wire"
	"github.com/stretchr/testify/require"

	"github.com/lnkit/lnkit/chain"
	"github.com/lnkit/lnkit/channel/commit"
	"github.com/lnkit/lnkit/channel/monitor"
	"github.com/lnkit/lnkit/events"
	"github.com/lnkit/lnkit/persist/persisttest"
)

// confirmRef forwards chain.Confirm calls to a consumer set after the
// Watcher is built (the ChainMonitor needs the Watcher as its Filter).
type confirmRef struct{ chain.Confirm }

// TestConfirmThroughFilter drives a ChainMonitor as a chain.Confirm behind
// a chain.Watcher that reports only what its Filter registered: the
// funding spend is recognised, undone by a reorganisation, recognised
// again, and the claim comes 6 blocks after the final confirmation.
func TestConfirmThroughFilter(t *testing.T) {
	ch := newTestChannel(t, commit.StaticRemoteKey)
	c := ch.chain
	ref := &confirmRef{}
	watcher, err := chain.NewWatcher(chain.WatcherConfig{Confirm: ref})
	require.NoError(t, err)
	cm, err := monitor.NewChainMonitor(monitor.ChainMonitorConfig{Persister: newKV(t, persisttest.NewCrashStore(), 100), Filter: watcher})
	require.NoError(t, err)
	ref.Confirm = cm
	require.Equal(t, monitor.Completed, cm.WatchChannel(ch.b.mon.ChannelID(), ch.b.mon))
	c.Connect(watcher)

	tx, err := ch.a.mon.LatestHolderCommitmentTx(ch.a.signer)
	require.NoError(t, err)
	require.NoError(t, c.Broadcast(tx))
	c.Mine(2)
	require.Equal(t, monitor.CounterpartyCommitment, ch.b.mon.Spend().Kind)
	require.Len(t, cm.RelevantTransactions(), 1)

	_, err = c.ReorgBlocks(2, []*btcwire.MsgTx{}, []*btcwire.MsgTx{}, []*btcwire.MsgTx{})
	require.NoError(t, err)
	require.Nil(t, ch.b.mon.Spend())
	if !c.InMempool(tx.TxHash()) {
		require.NoError(t, c.Broadcast(tx))
	}
	c.Mine(1)
	conf := c.Tip().Height
	require.Equal(t, conf, ch.b.mon.Spend().Height)
	c.Mine(monitor.AntiReorgDelay - 2)
	require.Empty(t, cm.ReleasePendingEvents())
	c.Mine(1)
	evs := cm.ReleasePendingEvents()
	require.Len(t, evs, 2)
	require.IsType(t, &events.SpendableOutputs{}, evs[0])
}

// TestConfirmLearnsPreimage: behind a chain.Watcher, B's ChainMonitor
// registers the HTLC outputs of A's commitment once it confirmed, so that
// A's later HTLC-success transaction (which touches nothing else of B's)
// is reported and B learns the preimage; the spend is among the relevant
// transactions.
func TestConfirmLearnsPreimage(t *testing.T) {
	ch := newTestChannel(t, commit.StaticRemoteKey)
	c := ch.chain
	hs := breachHTLCs()
	states := advanceB(t, ch, 2, hs)
	ref := &confirmRef{}
	watcher, err := chain.NewWatcher(chain.WatcherConfig{Confirm: ref})
	require.NoError(t, err)
	cm, err := monitor.NewChainMonitor(monitor.ChainMonitorConfig{Persister: newKV(t, persisttest.NewCrashStore(), 100), Filter: watcher})
	require.NoError(t, err)
	ref.Confirm = cm
	require.Equal(t, monitor.Completed, cm.WatchChannel(ch.b.mon.ChannelID(), ch.b.mon))
	c.Connect(watcher)

	rc := signedCommitmentA(t, ch, states[2])
	success := rc.htlcSuccess(t, hs[1].preimage)
	_, err = c.MineTx(rc.tx)
	require.NoError(t, err)
	require.Equal(t, monitor.CounterpartyCommitment, ch.b.mon.Spend().Kind)
	_, err = c.MineTx(success)
	require.NoError(t, err)
	res := cm.ReleaseHTLCResolutions()
	require.Len(t, res, 1)
	require.NotNil(t, res[0].Preimage)
	require.Equal(t, hs[1].preimage, *res[0].Preimage)
	require.Len(t, cm.RelevantTransactions(), 2)
}
