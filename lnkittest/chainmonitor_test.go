package lnkittest_test

import (
	"context"
	"errors"
	"testing"

	btcwire "github.com/btcsuite/btcd/wire"
	"github.com/stretchr/testify/require"

	"github.com/lnkit/lnkit/chain"
	"github.com/lnkit/lnkit/chain/chaintest"
	"github.com/lnkit/lnkit/chain/wallet/spendable"
	"github.com/lnkit/lnkit/channel/commit"
	"github.com/lnkit/lnkit/channel/monitor"
	"github.com/lnkit/lnkit/events"
	"github.com/lnkit/lnkit/keys"
	"github.com/lnkit/lnkit/lnkittest"
	"github.com/lnkit/lnkit/wire"
)

// monitored is a channel between two nodes that exists only in their
// ChainMonitors: funded on chain, each side holding commitment 0 signed
// by the other, as a channel manager would leave it after funding.
type monitored struct {
	id          wire.ChannelID
	opener, acc *keys.InMemorySigner
}

const (
	monCapacity = 1_000_000
	openerMsat  = 600_000_000 // the opener's balance
	openerDelay = 12          // the opener's to_self_delay
	accDelay    = 9           // the acceptor's
)

// channelSide is one node's view of the channel.
type channelSide struct {
	signer  *keys.InMemorySigner
	ch      *commit.Channel
	balance wire.MilliSatoshi
}

// commitment0 is the state of commitment 0 owned by owner, seen by viewer
// (whose balance is mine).
func commitment0(t *testing.T, owner *keys.InMemorySigner, mine wire.MilliSatoshi) *commit.State {
	t.Helper()
	pcp, err := owner.PerCommitmentPoint(0)
	require.NoError(t, err)
	return &commit.State{PerCommitmentPoint: pcp, LocalBalance: mine, RemoteBalance: monCapacity*1000 - mine, FeeRate: wire.FeeRateFloor}
}

// newMonitor is s's monitor: its commitment 0 signed by other, and the
// other's commitment 0 it signed.
func newMonitor(t *testing.T, params commit.Params, s, other channelSide) *monitor.ChannelMonitor {
	t.Helper()
	cm, err := other.ch.Build(commit.Remote, commitment0(t, s.signer, other.balance))
	require.NoError(t, err)
	sigs, err := cm.SignAsCounterparty(other.signer)
	require.NoError(t, err)
	m, err := monitor.New(monitor.Config{
		Params: params, ChannelKeyID: s.signer.KeyID(),
		FirstHolder:       &monitor.NewHolderCommitment{State: commitment0(t, s.signer, s.balance), CounterpartySig: sigs.Commitment, HTLCSigs: sigs.HTLCs},
		FirstCounterparty: &monitor.NewCounterpartyCommitment{State: commitment0(t, other.signer, s.balance)},
	})
	require.NoError(t, err)
	return m
}

// watchChannel funds a channel from a to b and has both ChainMonitors
// watch it.
func watchChannel(t *testing.T, net *lnkittest.Network, a, b *lnkittest.Node) monitored {
	t.Helper()
	sa, sb := a.Keys.ChannelKeys(a.Keys.NewChannelKeyID()), b.Keys.ChannelKeys(b.Keys.NewChannelKeyID())
	out, _ := commit.FundingOutput(sa.Basepoints().FundingKey, sb.Basepoints().FundingKey, monCapacity)
	op, err := net.Chain.Fund(out.PkScript, monCapacity)
	require.NoError(t, err)
	party := func(s *keys.InMemorySigner, delay uint16) commit.Party {
		bp := s.Basepoints()
		return commit.Party{Basepoints: commit.Basepoints{Funding: bp.FundingKey, Revocation: bp.RevocationBasepoint,
			Payment: bp.PaymentBasepoint, DelayedPayment: bp.DelayedPaymentBasepoint, HTLC: bp.HTLCBasepoint},
			DustLimit: commit.MinDustLimit, CSVDelay: delay}
	}
	pa := commit.Params{Type: commit.StaticRemoteKey, FundingOutpoint: op, Capacity: monCapacity, Opener: commit.Local,
		Local: party(sa, openerDelay), Remote: party(sb, accDelay)}
	pb := pa
	pb.Opener, pb.Local, pb.Remote = commit.Remote, pa.Remote, pa.Local
	ca, err := commit.New(pa)
	require.NoError(t, err)
	cb, err := commit.New(pb)
	require.NoError(t, err)
	sideA := channelSide{signer: sa, ch: ca, balance: openerMsat}
	sideB := channelSide{signer: sb, ch: cb, balance: monCapacity*1000 - openerMsat}
	ma, mb := newMonitor(t, pa, sideA, sideB), newMonitor(t, pb, sideB, sideA)
	require.Equal(t, ma.ChannelID(), mb.ChannelID())
	require.Equal(t, monitor.Completed, a.ChainMonitor.WatchChannel(ma.ChannelID(), ma))
	require.Equal(t, monitor.Completed, b.ChainMonitor.WatchChannel(mb.ChannelID(), mb))
	return monitored{id: ma.ChannelID(), opener: sa, acc: sb}
}

// forceClose broadcasts node's latest commitment of the channel (node's
// signer is s) to the mempool.
func forceClose(t *testing.T, net *lnkittest.Network, node *lnkittest.Node, id wire.ChannelID, s *keys.InMemorySigner) *btcwire.MsgTx {
	t.Helper()
	tx, err := node.ChainMonitor.LatestHolderCommitmentTx(id, s)
	require.NoError(t, err)
	require.NoError(t, net.Chain.BroadcastTransactions(context.Background(), tx))
	return tx
}

// TestChainMonitorEvents: the events a node's ChainMonitor releases as
// blocks come reach its queue. The acceptor force-closes: six blocks deep,
// the opener is told the channel closed and gets its to_remote output.
func TestChainMonitorEvents(t *testing.T) {
	net := lnkittest.NewNetwork(t, lnkittest.Options{Seed: 17, Handlers: noManager})
	a, b := net.Node(0), net.Node(1)
	ch := watchChannel(t, net, a, b)
	tx := forceClose(t, net, b, ch.id, ch.acc)
	net.Mine(monitor.AntiReorgDelay - 1)
	require.Empty(t, net.Events(a), "five deep: not yet")

	net.Mine(1)
	outs := lnkittest.NextEvent[*events.SpendableOutputs](t, net, a)
	require.Equal(t, ch.id, outs.ChannelID)
	require.Len(t, outs.Outputs, 1)
	require.Equal(t, spendable.StaticRemote, outs.Outputs[0].Kind)
	require.Equal(t, tx.TxHash(), outs.Outputs[0].OutPoint.Hash)
	closed := lnkittest.NextEvent[*events.ChannelClosed](t, net, a)
	require.Equal(t, events.ClosedCounterpartyForceClosed, closed.Reason.Kind)
	require.Empty(t, net.Events(a))

	net.Mine(accDelay) // b's to_local waits for its to_self_delay
	outs = lnkittest.NextEvent[*events.SpendableOutputs](t, net, b)
	require.Equal(t, spendable.ToLocalDelayed, outs.Outputs[0].Kind)
}

// TestChainMonitorAcrossRestart: a crashed node's ChainMonitor is rebuilt
// from its store with its monitors and caught up with the blocks it
// missed, including a reorganisation: the force close it saw confirm
// before the crash is reorged out while it is down, so the close it
// learns of after the restart is at the new height.
func TestChainMonitorAcrossRestart(t *testing.T) {
	net := lnkittest.NewNetwork(t, lnkittest.Options{Seed: 18, Handlers: noManager})
	a, b := net.Node(0), net.Node(1)
	ch := watchChannel(t, net, a, b)
	forceClose(t, net, b, ch.id, ch.acc)
	net.Mine(2) // the close 2 deep at a

	net.Crash(a)
	net.Reorg(2, 1) // the close goes back to the mempool: tip at 2
	net.Mine(4)     // the close at height 3
	net.Restart(a)
	require.Empty(t, net.Events(a))
	net.Mine(1)
	require.Empty(t, net.Events(a), "five deep: a dropped the close it saw at height 2")

	net.Mine(1)
	require.Equal(t, ch.id, lnkittest.NextEvent[*events.SpendableOutputs](t, net, a).ChannelID)
	require.Equal(t, ch.id, lnkittest.NextEvent[*events.ChannelClosed](t, net, a).ChannelID)

	net.Crash(a)
	net.Restart(a)
	require.Empty(t, net.Events(a), "handled events stay handled")
	_, err := a.ChainMonitor.LatestHolderCommitmentTx(ch.id, ch.opener)
	require.NoError(t, err, "the monitor was restored")
}

// TestFailingStore: while a node's store fails its writes, the
// ChainMonitor's events wait in memory and reach the queue once it
// writes again; a listener's checkpoint stays at the last block written,
// so a restart delivers the blocks after it again rather than skip any.
func TestFailingStore(t *testing.T) {
	var rec *chaintest.Recorder
	var from chain.BestBlock
	net := lnkittest.NewNetwork(t, lnkittest.Options{Seed: 19, Handlers: func(n *lnkittest.Node) lnkittest.Handlers {
		if n.Index != 0 {
			return lnkittest.Handlers{}
		}
		if from == (chain.BestBlock{}) {
			from = n.Network().Chain.Tip()
		}
		rec = chaintest.NewRecorder(t, from)
		return lnkittest.Handlers{Listen: rec}
	}})
	a, b := net.Node(0), net.Node(1)
	ch := watchChannel(t, net, a, b)
	forceClose(t, net, b, ch.id, ch.acc)
	net.Mine(monitor.AntiReorgDelay - 1)
	from = net.Chain.Tip()

	a.Store.FailWrites(errors.New("disk full"))
	net.Mine(1)
	require.Zero(t, a.Events.Len(), "the queue could not write them")
	a.Store.FailWrites(nil)
	require.Len(t, net.Events(a), 2, "SpendableOutputs and ChannelClosed, queued at the next drain")

	rec.Take()
	net.Crash(a)
	net.Restart(a) // from the checkpoint before the failed write
	require.Len(t, rec.Take(), 1, "the block whose checkpoint failed, again")
}

// noManager runs a node without a channel manager: these tests drive the
// ChainMonitor by hand, and a manager would force-close a monitor it has
// no channel for.
func noManager(*lnkittest.Node) lnkittest.Handlers { return lnkittest.Handlers{} }
