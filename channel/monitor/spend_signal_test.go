package monitor_test

import (
	"testing"

	btcwire "github.com/btcsuite/btcd/wire"
	"github.com/stretchr/testify/require"

	"github.com/lnkit/lnkit/channel/commit"
	"github.com/lnkit/lnkit/channel/monitor"
	"github.com/lnkit/lnkit/events"
	"github.com/lnkit/lnkit/persist/persisttest"
)

// watchedPair is a test channel whose two monitors are each held by a
// ChainMonitor of its own (one per node), both following the chain.
type watchedPair struct {
	*testChannel
	cmA, cmB *monitor.ChainMonitor
}

func newWatchedPair(t *testing.T, typ commit.ChannelType, cfg monitor.ChainMonitorConfig) *watchedPair {
	t.Helper()
	ch := newTestChannel(t, typ)
	p := &watchedPair{testChannel: ch}
	for _, x := range []struct {
		cm  **monitor.ChainMonitor
		mon *monitor.ChannelMonitor
	}{{&p.cmA, ch.a.mon}, {&p.cmB, ch.b.mon}} {
		cfg.Persister = newKV(t, persisttest.NewCrashStore(), 1000)
		cm, err := monitor.NewChainMonitor(cfg)
		require.NoError(t, err)
		require.Equal(t, monitor.Completed, cm.WatchChannel(x.mon.ChannelID(), x.mon))
		*x.cm = cm
	}
	ch.chain.Connect(p.cmA, p.cmB)
	return p
}

// spendReport is the report of tx confirmed at height.
func spendReport(ch *testChannel, kind monitor.SpendKind, tx *btcwire.MsgTx, height int32) []monitor.FundingSpendInfo {
	return []monitor.FundingSpendInfo{{ChannelID: ch.a.mon.ChannelID(), Kind: kind, Txid: tx.TxHash(), Height: height}}
}

// TestFundingSpendReports: every kind of funding spend is reported to
// both nodes once, at its first confirmation.
func TestFundingSpendReports(t *testing.T) {
	tests := []struct {
		name       string
		tx         func(t *testing.T, p *watchedPair) *btcwire.MsgTx
		kindA, kdB monitor.SpendKind
	}{
		{"cooperative", func(t *testing.T, p *watchedPair) *btcwire.MsgTx { return closingTx(t, p.testChannel) },
			monitor.CooperativeClose, monitor.CooperativeClose},
		{"A's commitment", func(t *testing.T, p *watchedPair) *btcwire.MsgTx {
			c, err := p.cmA.HolderCommitmentClaim(p.a.mon.ChannelID(), p.a.signer)
			require.NoError(t, err)
			return c.Tx
		}, monitor.HolderCommitment, monitor.CounterpartyCommitment},
		{"B's commitment", func(t *testing.T, p *watchedPair) *btcwire.MsgTx {
			c, err := p.cmB.HolderCommitmentClaim(p.b.mon.ChannelID(), p.b.signer)
			require.NoError(t, err)
			return c.Tx
		}, monitor.CounterpartyCommitment, monitor.HolderCommitment},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			p := newWatchedPair(t, commit.AnchorsZeroFeeHTLC, monitor.ChainMonitorConfig{})
			c := p.chain
			tx := tc.tx(t, p)
			_, err := c.MineTx(tx)
			require.NoError(t, err)
			h := c.Tip().Height
			require.Equal(t, spendReport(p.testChannel, tc.kindA, tx, h), p.cmA.ReleaseFundingSpends())
			require.Equal(t, spendReport(p.testChannel, tc.kdB, tx, h), p.cmB.ReleaseFundingSpends())
			c.Mine(monitor.AntiReorgDelay + 1)
			require.Empty(t, p.cmA.ReleaseFundingSpends(), "reported once")
			require.Empty(t, p.cmB.ReleaseFundingSpends())
		})
	}
}

// TestFundingSpendReportReorg: a spend reorganised out before its report
// was released is not reported; the spend that replaces it is. One
// released and then replaced is followed by the replacement's report.
func TestFundingSpendReportReorg(t *testing.T) {
	p := newWatchedPair(t, commit.AnchorsZeroFeeHTLC, monitor.ChainMonitorConfig{})
	c := p.chain
	txA, err := p.a.mon.LatestHolderCommitmentTx(p.a.signer)
	require.NoError(t, err)
	txB, err := p.b.mon.LatestHolderCommitmentTx(p.b.signer)
	require.NoError(t, err)
	_, err = c.MineTx(txA)
	require.NoError(t, err)
	require.Len(t, p.cmB.ReleaseFundingSpends(), 1, "B released A's commitment; A did not")

	_, err = c.ReorgBlocks(1, []*btcwire.MsgTx{txB})
	require.NoError(t, err)
	h := c.Tip().Height
	require.Equal(t, spendReport(p.testChannel, monitor.CounterpartyCommitment, txB, h), p.cmA.ReleaseFundingSpends(),
		"A's stale report of its own commitment is gone")
	require.Equal(t, spendReport(p.testChannel, monitor.HolderCommitment, txB, h), p.cmB.ReleaseFundingSpends(),
		"B hears of the replacement")
}

// TestFundingSpendReportRestart: a reloaded monitor that knows a funding
// spend reports it again (at least once across a restart), and Monitors
// shows it.
func TestFundingSpendReportRestart(t *testing.T) {
	ch := newTestChannel(t, commit.StaticRemoteKey)
	store, cm, _ := watchStored(t, ch.b, 1000)
	disconnect := ch.chain.Connect(cm)
	tx, err := ch.a.mon.LatestHolderCommitmentTx(ch.a.signer)
	require.NoError(t, err)
	_, err = ch.chain.MineTx(tx)
	require.NoError(t, err)
	want := spendReport(ch, monitor.CounterpartyCommitment, tx, ch.chain.Tip().Height)
	require.Equal(t, want, cm.ReleaseFundingSpends())
	disconnect()

	_, ms := reload(t, store)
	cm2 := newChainMonitor(t, newKV(t, store, 1000))
	require.NoError(t, cm2.Restore(ms[0]))
	require.Equal(t, want, cm2.ReleaseFundingSpends(), "reported again after the restart")
	require.Empty(t, cm2.ReleaseFundingSpends())
	infos := cm2.Monitors()
	require.Len(t, infos, 1)
	require.Equal(t, &want[0], infos[0].FundingSpend)
}

// TestOmitChannelClosed: with OmitChannelClosed the ChainMonitor hands out
// no ChannelClosed event (the Manager reports the closure from
// ReleaseFundingSpends); the claims still come.
func TestOmitChannelClosed(t *testing.T) {
	for _, omit := range []bool{false, true} {
		p := newWatchedPair(t, commit.StaticRemoteKey, monitor.ChainMonitorConfig{OmitChannelClosed: omit})
		tx, err := p.a.mon.LatestHolderCommitmentTx(p.a.signer)
		require.NoError(t, err)
		require.NoError(t, p.chain.Broadcast(tx))
		p.chain.Mine(monitor.AntiReorgDelay)
		var closed, spendable int
		for _, e := range p.cmB.ReleasePendingEvents() {
			switch e.(type) {
			case *events.ChannelClosed:
				closed++
			case *events.SpendableOutputs:
				spendable++
			}
		}
		require.Equal(t, 1, spendable, "omit %v", omit)
		require.Equal(t, map[bool]int{false: 1, true: 0}[omit], closed, "omit %v", omit)
		require.Len(t, p.cmB.ReleaseFundingSpends(), 1)
	}
}
