package channel

import (
	"bytes"
	"errors"
	"testing"

	btcwire "github.com/btcsuite/btcd/wire"
	"github.com/stretchr/testify/require"

	"github.com/lnkit/lnkit/channel/monitor"
	"github.com/lnkit/lnkit/events"
	"github.com/lnkit/lnkit/lnkittest/simchain"
	"github.com/lnkit/lnkit/wire"
)

// readyChannel opens a channel A→B and makes it ready.
func readyChannel(t *testing.T, tp *testPair) *testChannel {
	t.Helper()
	ch := tp.open(500_000, 100_000_000, 1)
	tp.mine(int(DefaultMinimumDepth))
	require.Equal(t, StateReady, tp.a.details(t, ch.id).State)
	require.Equal(t, StateReady, tp.b.details(t, ch.id).State)
	return ch
}

// TestPeerProvesWeAreBehind: on reconnection A's channel_reestablish
// carries B's own per-commitment secret of B's current commitment, proving
// that B revoked it (B lost state). B stops the channel without
// broadcasting its commitment, durably: its monitor refuses to hand the
// commitment out, also after a restart; A gets an error and B reports the
// channel closed.
func TestPeerProvesWeAreBehind(t *testing.T) {
	tp := newTestPair(t, testUser(1, false), testUser(1, false))
	ch := readyChannel(t, tp)
	info := tp.b.mon.Monitors()[0]
	secret, err := tp.b.keys.ChannelKeys(info.ChannelKeyID).PerCommitmentSecret(0)
	require.NoError(t, err)
	tp.tamper = func(from *testNode, msg wire.Message) wire.Message {
		if r, ok := msg.(*wire.ChannelReestablish); ok && from == tp.a {
			r.NextCommitmentNumber, r.NextRevocationNumber = 2, 1
			r.YourLastPerCommitmentSecret = wire.PerCommitmentSecret(secret)
		}
		return msg
	}
	before := len(tp.b.bcast.broadcasts())
	tp.reconnect()

	require.Len(t, tp.b.bcast.broadcasts(), before, "B broadcast nothing")
	require.False(t, tp.b.hasChannel(ch.id))
	closed := eventsOf[*events.ChannelClosed](t, tp.b)
	require.Len(t, closed, 1)
	require.Contains(t, closed[0].Reason.Message, "data loss")
	errs := sentOf[*wire.Error](tp, tp.b)
	require.NotEmpty(t, errs)
	require.Equal(t, ch.id, errs[len(errs)-1].ChannelID)

	_, err = tp.b.mon.HolderCommitmentClaim(ch.id, tp.b.keys.ChannelKeys(info.ChannelKeyID))
	require.ErrorIs(t, err, monitor.ErrBehind)
	require.True(t, tp.b.mon.Monitors()[0].Behind)
}

// TestCooperativeCloseUpfrontScripts: both sides committed to an upfront
// shutdown script; the close pays exactly those scripts, and a shutdown
// with another script is refused with a warning and a disconnection while
// the channel stays open.
func TestCooperativeCloseUpfrontScripts(t *testing.T) {
	ua, ub := testUser(1, false), testUser(1, false)
	ua.Handshake.CommitUpfrontShutdownScript = true
	ub.Handshake.CommitUpfrontShutdownScript = true
	tp := newTestPair(t, ua, ub)
	ch := readyChannel(t, tp)

	// A shutdown from B with another script: refused, channel kept.
	tp.tamper = func(from *testNode, msg wire.Message) wire.Message {
		if s, ok := msg.(*wire.Shutdown); ok && from == tp.b {
			s.ScriptPubKey = p2wpkh(0x77)
		}
		return msg
	}
	require.NoError(t, tp.b.m.CloseChannel(ch.id, tp.a.id, CloseOptions{}))
	tp.deliver()
	warns := sentOf[*wire.Warning](tp, tp.a)
	require.NotEmpty(t, warns)
	require.Contains(t, string(warns[len(warns)-1].Data), "upfront")
	require.True(t, tp.a.hasChannel(ch.id))

	// After reconnection B's true shutdown goes again (retransmitted) and
	// the close completes to the upfront scripts.
	tp.tamper = nil
	tp.reconnect()
	require.NotNil(t, closingTxOf(t, tp.a, ch.id))
	tx := closingTxOf(t, tp.a, ch.id)
	var paysA, paysB bool
	for _, o := range tx.TxOut {
		paysA = paysA || bytes.Equal(o.PkScript, p2wpkh(1))
		paysB = paysB || bytes.Equal(o.PkScript, p2wpkh(2))
	}
	require.True(t, paysA && paysB, "both upfront scripts are paid")
	require.Equal(t, tx.TxHash(), closingTxOf(t, tp.b, ch.id).TxHash())
}

// closingTxOf returns n's agreed closing transaction of channel id.
func closingTxOf(t *testing.T, n *testNode, id wire.ChannelID) *btcwire.MsgTx {
	t.Helper()
	p := n.m.peer(n.m.ids[id], false)
	require.NotNil(t, p)
	p.mu.Lock()
	defer p.mu.Unlock()
	d := p.byID[id].data()
	return d.shut.closingTx
}

// TestInboundRequest: with AcceptInboundChannels off, an open_channel
// raises OpenChannelRequest and waits; Reject sends an error and forgets
// the channel, Accept continues the open with the application's user
// channel id.
func TestInboundRequest(t *testing.T) {
	ub := testUser(1, false)
	ub.AcceptInboundChannels = false
	tp := newTestPair(t, testUser(1, false), ub)

	tmp, err := tp.a.m.CreateChannel(tp.b.id, 300_000, 0, 7, nil)
	require.NoError(t, err)
	tp.deliver()
	reqs := eventsOf[*events.OpenChannelRequest](t, tp.b)
	require.Len(t, reqs, 1)
	require.Equal(t, tmp, reqs[0].TemporaryChannelID)
	require.Equal(t, wire.Satoshi(300_000), reqs[0].FundingAmount)
	require.NoError(t, tp.b.m.RejectInboundChannel(tmp, tp.a.id, "no thanks"))
	tp.deliver()
	require.Empty(t, tp.a.m.ListChannels())
	require.Empty(t, tp.b.m.ListChannels())
	closed := eventsOf[*events.ChannelClosed](t, tp.a)
	require.Len(t, closed, 1)
	require.Equal(t, events.ClosedCounterpartyError, closed[0].Reason.Kind)
	require.Contains(t, closed[0].Reason.Message, "no thanks")

	tmp, err = tp.a.m.CreateChannel(tp.b.id, 300_000, 0, 8, nil)
	require.NoError(t, err)
	tp.deliver()
	reqs = eventsOf[*events.OpenChannelRequest](t, tp.b)
	require.Equal(t, tmp, reqs[len(reqs)-1].TemporaryChannelID)
	require.NoError(t, tp.b.m.AcceptInboundChannel(tmp, tp.a.id, 42))
	tp.deliver()
	require.Len(t, eventsOf[*events.FundingGenerationReady](t, tp.a), 1)
	require.ErrorIs(t, tp.b.m.AcceptInboundChannel(tmp, tp.a.id, 42), ErrUnknownChannel, "accepted already")
}

// TestOutdatedManager: A's channel record is older than its monitor (its
// store was restored from an older copy after the monitor took an
// update). At start A cannot continue the channel safely: it force-closes
// from the monitor's latest commitment and says why.
func TestOutdatedManager(t *testing.T) {
	tp := newTestPair(t, testUser(1, false), testUser(1, false))
	ch := readyChannel(t, tp)
	ctx := tp.a.m.cfg.Context
	old, err := tp.a.store.Read(ctx, channelsNS(), channelKey(ch.id))
	require.NoError(t, err)
	require.NoError(t, tp.a.m.CloseChannel(ch.id, tp.b.id, CloseOptions{})) // monitor update 1
	require.Equal(t, uint64(1), tp.a.mon.Monitors()[0].LatestUpdateID)
	require.NoError(t, tp.a.store.Write(ctx, channelsNS(), channelKey(ch.id), old))

	cfg := tp.a.m.cfg
	cfg.User = UserConfig{}
	m, err := Load(cfg, tp.a.mon.Monitors())
	require.NoError(t, err)
	require.Empty(t, m.ListChannels())
	closed := eventsOf[*events.ChannelClosed](t, tp.a)
	require.Len(t, closed, 1)
	require.Equal(t, events.ClosedOutdatedChannelManager, closed[0].Reason.Kind)
	require.True(t, closed[0].Reason.Broadcast)
	last := tp.a.bcast.broadcasts()
	require.Equal(t, ch.fundingTx.TxHash(), last[len(last)-1].TxIn[0].PreviousOutPoint.Hash, "our commitment went out")
}

// TestOrphanMonitor: a monitor whose channel the Manager has no record of
// is force-closed at start; a monitor already force-closed or behind is
// left alone.
func TestOrphanMonitor(t *testing.T) {
	tp := newTestPair(t, testUser(1, false), testUser(1, false))
	ch := readyChannel(t, tp)
	ctx := tp.a.m.cfg.Context
	require.NoError(t, tp.a.store.Remove(ctx, channelsNS(), channelKey(ch.id)))
	m, err := Load(tp.a.m.cfg, tp.a.mon.Monitors())
	require.NoError(t, err)
	require.Empty(t, m.ListChannels())
	closed := eventsOf[*events.ChannelClosed](t, tp.a)
	require.Len(t, closed, 1)
	require.Equal(t, events.ClosedOutdatedChannelManager, closed[0].Reason.Kind)
	require.True(t, tp.a.mon.Monitors()[0].ForceClosed)

	// Loading again: the monitor is force-closed, nothing more happens.
	n := len(tp.a.bcast.broadcasts())
	_, err = Load(tp.a.m.cfg, tp.a.mon.Monitors())
	require.NoError(t, err)
	require.Empty(t, eventsOf[*events.ChannelClosed](t, tp.a)[1:])
	require.Len(t, tp.a.bcast.broadcasts(), n)
}

// TestFollowThroughConfirm: a Manager following the chain as a
// chain.Confirm behind a chain.Watcher (only what it registered through
// Config.Filter is reported) sees its funding confirm, sends channel_ready
// at depth, follows a reorganisation of the funding block, and sees the
// closing transaction spend the funding output.
func TestFollowThroughConfirm(t *testing.T) {
	tp := &testPair{t: t}
	c, err := simchain.New(simchain.Config{})
	require.NoError(t, err)
	c.Mine(1)
	tp.chain = c
	tp.a = tp.newNode("A", 1, testUser(2, false))
	tp.viaConfirm = true
	tp.b = tp.newNode("B", 2, testUser(2, false))
	tp.connect()

	ch := tp.open(400_000, 0, 1)
	tp.mine(1)
	require.Equal(t, uint32(1), tp.b.details(t, ch.id).Confirmations)
	require.Len(t, tp.b.m.RelevantTransactions(), 1)
	_, err = tp.chain.Reorg(1, 1) // the funding's block goes; it confirms again
	require.NoError(t, err)
	tp.deliver()
	require.Equal(t, StateAwaitingFunding, tp.b.details(t, ch.id).State)
	tp.mine(2)
	require.Equal(t, StateReady, tp.b.details(t, ch.id).State)
	require.Equal(t, StateReady, tp.a.details(t, ch.id).State)

	require.NoError(t, tp.b.m.CloseChannel(ch.id, tp.a.id, CloseOptions{}))
	tp.deliver()
	tp.mine(1)
	require.False(t, tp.b.hasChannel(ch.id), "B saw the closing transaction through its filter")
	require.False(t, tp.a.hasChannel(ch.id))
}

// TestAsyncMonitorPersistence: with a persister answering InProgress, the
// acceptor's funding_signed and the opener's funding broadcast wait until
// the monitor's creation is reported durable; then they leave.
func TestAsyncMonitorPersistence(t *testing.T) {
	tp := &testPair{t: t, asyncPersist: true}
	c, err := simchain.New(simchain.Config{})
	require.NoError(t, err)
	c.Mine(1)
	tp.chain = c
	tp.a = tp.newNode("A", 1, testUser(1, false))
	tp.b = tp.newNode("B", 2, testUser(1, false))
	tp.connect()

	tmp, err := tp.a.m.CreateChannel(tp.b.id, 300_000, 0, 1, nil)
	require.NoError(t, err)
	tp.deliver()
	ready := eventsOf[*events.FundingGenerationReady](t, tp.a)
	require.Len(t, ready, 1)
	coin, err := tp.chain.Fund(anyonePkScript(), 300_000+fundingFee)
	require.NoError(t, err)
	tx := spendCoin(coin, btcwire.NewTxOut(300_000, ready[0].OutputScript))
	require.NoError(t, tp.a.m.FundingTransactionGenerated(tmp, tp.b.id, tx))
	tp.deliver() // funding_created reaches B; B's funding_signed waits
	require.Empty(t, sentOf[*wire.FundingSigned](tp, tp.b), "funding_signed before B's monitor is durable")
	id := wire.NewChannelID(btcwire.OutPoint{Hash: tx.TxHash()})

	complete := func(n *testNode, update uint64) {
		require.NoError(t, n.mon.ChannelMonitorUpdated(id, update))
		for _, c := range n.mon.ReleaseCompletedUpdates() {
			n.m.MonitorUpdateCompleted(c.ChannelID, c.UpdateID)
		}
	}
	complete(tp.b, 0)
	tp.deliver()
	require.Len(t, sentOf[*wire.FundingSigned](tp, tp.b), 1)
	require.Empty(t, tp.a.bcast.broadcasts(), "A's monitor is not durable yet: no broadcast")
	complete(tp.a, 0)
	tp.a.m.PendingMessages(nil) // releases the gated broadcast
	require.Len(t, tp.a.bcast.broadcasts(), 1)
	require.Equal(t, tx.TxHash(), tp.a.bcast.broadcasts()[0].TxHash())
}

// TestStoreFailsAtFunding: the acceptor's store refuses the channel's
// record when funding_created arrives: no funding_signed leaves, the
// acceptor drops the connection (its storage failed, not the peer: no
// channel is failed for it), and the opener, forgetting the unfunded
// channel at the disconnection, releases its funding's coins.
func TestStoreFailsAtFunding(t *testing.T) {
	tp := newTestPair(t, testUser(1, false), testUser(1, false))
	tmp, err := tp.a.m.CreateChannel(tp.b.id, 300_000, 0, 1, nil)
	require.NoError(t, err)
	tp.deliver()
	ready := eventsOf[*events.FundingGenerationReady](t, tp.a)
	coin, err := tp.chain.Fund(anyonePkScript(), 300_000+fundingFee)
	require.NoError(t, err)
	tx := spendCoin(coin, btcwire.NewTxOut(300_000, ready[0].OutputScript))
	require.NoError(t, tp.a.m.FundingTransactionGenerated(tmp, tp.b.id, tx))
	tp.b.store.FailWrites(errors.New("disk full"))
	tp.deliver()
	tp.b.store.FailWrites(nil)

	require.Empty(t, sentOf[*wire.FundingSigned](tp, tp.b))
	require.Equal(t, 1, tp.disconnects)
	require.Empty(t, tp.a.m.ListChannels())
	require.Empty(t, tp.b.m.ListChannels())
	require.Empty(t, tp.a.bcast.broadcasts(), "the funding never leaves")
	discards := eventsOf[*events.DiscardFunding](t, tp.a)
	require.Len(t, discards, 1)
	require.Equal(t, tx.TxHash(), discards[0].FundingTx.TxHash())
}

// TestCooperativeCloseWithoutFeeRange: closing_signed without fee_range
// both ways (an older peer): the legacy negotiation converges by moving
// strictly between the last two proposals, and both sides hold the same
// closing transaction.
func TestCooperativeCloseWithoutFeeRange(t *testing.T) {
	tp := newTestPair(t, testUser(1, false), testUser(1, false))
	ch := readyChannel(t, tp)
	tp.b.m.cfg.Fees.(*simchain.FeeEstimator).Set(3_000) // B wants a higher fee than A
	var proposals int
	tp.tamper = func(from *testNode, msg wire.Message) wire.Message {
		if cs, ok := msg.(*wire.ClosingSigned); ok {
			cs.FeeRange = wire.Option[wire.FeeRange]{}
			proposals++
		}
		return msg
	}
	require.NoError(t, tp.a.m.CloseChannel(ch.id, tp.b.id, CloseOptions{}))
	tp.deliver()
	txA, txB := closingTxOf(t, tp.a, ch.id), closingTxOf(t, tp.b, ch.id)
	require.NotNil(t, txA)
	require.NotNil(t, txB)
	require.Equal(t, txA.TxHash(), txB.TxHash())
	require.Greater(t, proposals, 2, "the fees converged over several rounds")
	tp.mine(1)
	require.False(t, tp.a.hasChannel(ch.id))
	require.False(t, tp.b.hasChannel(ch.id))
}

// TestUnfundedInboundCap: a peer may have at most MaxUnfundedInboundPerPeer
// channels in negotiation with us; the next open_channel gets an error and
// leaves nothing behind.
func TestUnfundedInboundCap(t *testing.T) {
	ub := testUser(1, false)
	ub.AcceptInboundChannels = false // requests wait for the application
	tp := newTestPair(t, testUser(1, false), ub)
	for i := range MaxUnfundedInboundPerPeer + 1 {
		_, err := tp.a.m.CreateChannel(tp.b.id, 300_000, 0, uint64(i), nil)
		require.NoError(t, err)
	}
	tp.deliver()
	require.Len(t, eventsOf[*events.OpenChannelRequest](t, tp.b), MaxUnfundedInboundPerPeer)
	require.Len(t, tp.b.m.ListChannels(), MaxUnfundedInboundPerPeer)
	errs := sentOf[*wire.Error](tp, tp.b)
	require.Len(t, errs, 1)
	require.Contains(t, string(errs[0].Data), "still being negotiated or funded")
	require.Len(t, tp.a.m.ListChannels(), MaxUnfundedInboundPerPeer, "the refused one is closed on A's side")
}

// TestCloseFeeRangesDoNotOverlap: fee ranges that do not overlap get a
// warning and the channel waits in shutdown (BOLT 2), neither side fails
// it; the owner can still force-close.
func TestCloseFeeRangesDoNotOverlap(t *testing.T) {
	tp := newTestPair(t, testUser(1, false), testUser(1, false))
	ch := readyChannel(t, tp)
	tp.b.m.cfg.Fees.(*simchain.FeeEstimator).Set(50_000) // far above A's range
	require.NoError(t, tp.a.m.CloseChannel(ch.id, tp.b.id, CloseOptions{}))
	tp.deliver()
	require.NotEmpty(t, append(sentOf[*wire.Warning](tp, tp.a), sentOf[*wire.Warning](tp, tp.b)...))
	require.Empty(t, sentOf[*wire.Error](tp, tp.a))
	require.Empty(t, sentOf[*wire.Error](tp, tp.b))
	require.Equal(t, StateShuttingDown, tp.a.details(t, ch.id).State)
	require.Equal(t, StateShuttingDown, tp.b.details(t, ch.id).State)
	require.NoError(t, tp.a.m.ForceCloseChannel(ch.id, tp.b.id, "no fee agreement"))
	tp.deliver()
	require.False(t, tp.a.hasChannel(ch.id))
}

// TestPeerWithoutChannelsForgotten: a peer that disconnects without any
// channel leaves nothing in the Manager; one with a channel stays; a
// forgotten peer that comes back is a new peer.
func TestPeerWithoutChannelsForgotten(t *testing.T) {
	tp := newTestPair(t, testUser(1, false), testUser(1, false))
	tp.a.m.PeerDisconnected(tp.b.id)
	tp.b.m.PeerDisconnected(tp.a.id)
	require.Empty(t, tp.a.m.peers)
	require.Empty(t, tp.b.m.peers)
	tp.connect()
	ch := readyChannel(t, tp)
	tp.a.m.PeerDisconnected(tp.b.id)
	require.Len(t, tp.a.m.peers, 1, "a peer with a channel stays")
	tp.b.m.PeerDisconnected(tp.a.id)
	tp.connect()
	tp.deliver()
	require.True(t, tp.a.details(t, ch.id).Usable)
}
