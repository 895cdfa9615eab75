package main

import (
	"context"
	"time"

	"github.com/lnkit/lnkit/channel"
	"github.com/lnkit/lnkit/channel/monitor"
	"github.com/lnkit/lnkit/wire"
)

// Periods of the node's background loops.
const (
	// chainPollRegtest and chainPollOther are the waits between two polls
	// of the chain daemon's tip: short on regtest, where blocks come when
	// a test or a person mines them.
	chainPollRegtest = 250 * time.Millisecond
	chainPollOther   = 5 * time.Second
	// pollRetryWait is the wait after a failed poll.
	pollRetryWait = 2 * time.Second
	// channelTickInterval is the period of the channel manager's
	// TimerTick (it stamps channel_updates).
	channelTickInterval = time.Minute
	// eventRetryInterval is how often the event loop tries again when a
	// handler failed and nothing woke it.
	eventRetryInterval = time.Second
	// reconnectInterval is how often channel peers that are not connected
	// are dialled again, as ldk-sample does.
	reconnectInterval = 2 * time.Second
)

// startLoops starts the node's goroutines: chain polling, event handling,
// the channel manager's timer, reconnection to channel peers and gossip. stopLoops
// ends them.
func (n *node) startLoops() {
	ctx, cancel := context.WithCancel(n.bgCtx)
	n.cancelLoops = cancel
	for _, loop := range []func(context.Context){n.chainLoop, n.eventLoop, n.tickLoop, n.reconnectLoop, n.gossipLoop} {
		n.loops.Add(1)
		go func() {
			defer n.loops.Done()
			loop(ctx)
		}()
	}
}

// stopLoops ends the goroutines of startLoops and waits for them.
func (n *node) stopLoops() {
	if n.cancelLoops != nil {
		n.cancelLoops()
		n.loops.Wait()
	}
}

// pollInterval is the wait between two polls of the chain.
func (n *node) pollInterval() time.Duration {
	if n.cfg.Network == "regtest" {
		return chainPollRegtest
	}
	return chainPollOther
}

// chainLoop polls the chain daemon and, after each poll, does what
// follows a new block: the chain monitor's completions and events, the
// rebroadcasts, the sweeps, and progress lines on the console.
func (n *node) chainLoop(ctx context.Context) {
	for {
		wait := n.pollInterval()
		if err := n.pollChain(ctx); err != nil && ctx.Err() == nil {
			n.log.Warn("sample-node: chain poll failed", "err", err)
			wait = pollRetryWait
		}
		select {
		case <-ctx.Done():
			return
		case <-time.After(wait):
		}
	}
}

// pollChain runs one poll and its follow-up.
func (n *node) pollChain(ctx context.Context) error {
	err := n.poller.PollOnce(ctx)
	n.drainMonitor()
	n.releaseCompletedUpdates()
	n.noteFundingSpends()
	n.resolveOnChainHTLCs()
	best := n.channels.BestBlock()
	if best != n.lastSeen {
		n.lastSeen = best
		if rerr := n.rebroadcast.Rebroadcast(ctx); rerr != nil {
			n.log.Warn("sample-node: rebroadcast", "err", rerr)
		}
		n.retrySweeps(ctx)
		n.reportProgress()
		if best.Height > 0 {
			n.graph.BlockConnected(uint32(best.Height))
		}
	}
	if n.tcp != nil {
		n.tcp.Notify()
	}
	n.wakeEvents()
	return err
}

// tickLoop gives the channel manager and the scorer the time, now and
// every channelTickInterval (--tick-interval); the scorer is saved now
// and then.
func (n *node) tickLoop(ctx context.Context) {
	every := channelTickInterval
	if n.cfg.TickInterval > 0 {
		every = n.cfg.TickInterval
	}
	t := time.NewTicker(every)
	defer t.Stop()
	for {
		now := time.Now()
		n.channels.TimerTick(now)
		n.scorer.tick(ctx, now)
		n.tcp.Notify()
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
	}
}

// reconnectLoop dials the peers of our channels that are not connected,
// at once and then every reconnectInterval (ldk-sample does the same with
// the addresses it persisted).
func (n *node) reconnectLoop(ctx context.Context) {
	t := time.NewTicker(reconnectInterval)
	defer t.Stop()
	for {
		n.reconnect(ctx)
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
	}
}

// reconnect dials, one after the other, each channel peer with a known
// address that is not connected.
func (n *node) reconnect(ctx context.Context) {
	addrs, skipped, err := n.nstore.peers(ctx)
	if err != nil {
		n.log.Warn("sample-node: reconnect", "err", err)
		return
	}
	for _, k := range skipped {
		n.log.Warn("sample-node: unreadable peer address in the store", "key", k)
	}
	want := map[wire.NodeID]bool{}
	for _, c := range n.channels.ListChannels() {
		want[c.CounterpartyNodeID] = true
	}
	for id := range want {
		addr, ok := addrs[id]
		if !ok {
			continue
		}
		if _, connected := n.peers.PeerByNodeID(id); connected {
			continue
		}
		cctx, cancel := context.WithTimeout(ctx, connectTimeout)
		err := n.tcp.Connect(cctx, id, addr)
		cancel()
		if err != nil {
			if ctx.Err() == nil {
				n.log.Debug("sample-node: reconnect failed", "node_id", id, "addr", addr, "err", err)
			}
			continue
		}
		n.log.Info("sample-node: reconnected to channel peer", "node_id", id, "addr", addr)
		n.notice("reconnected peer=%s addr=%s", id, addr)
	}
}

// reportProgress prints the confirmations of the channels waiting for
// their funding, once per new block.
func (n *node) reportProgress() {
	for _, c := range n.channels.ListChannels() {
		if c.FundingOutPoint == zeroOutPoint || c.State != channel.StateAwaitingFunding {
			continue
		}
		need := max(c.MinimumDepth, 1)
		n.notice("funding_confirmations channel_id=%s depth=%d/%d funding_txid=%s",
			c.ChannelID, min(c.Confirmations, need), need, c.FundingOutPoint.Hash)
	}
}

// noteFundingSpends records the transaction that spent each channel's
// funding output, for listclosed's closing_txid.
func (n *node) noteFundingSpends() {
	for _, s := range n.monitor.ReleaseFundingSpends() {
		n.closed.setClosingTxid(s.ChannelID, s.Txid)
		n.notice("funding_spent channel_id=%s txid=%s height=%d kind=%s", s.ChannelID, s.Txid, s.Height, spendKindName(s.Kind))
	}
}

// resolveOnChainHTLCs hands the channel manager what the chain decided for
// HTLCs of closed channels (their payments end). What it could not write
// is kept for the next poll.
func (n *node) resolveOnChainHTLCs() {
	n.resolutions = append(n.resolutions, n.monitor.ReleaseHTLCResolutions()...)
	if len(n.resolutions) == 0 {
		return
	}
	if err := n.channels.HTLCsResolvedOnChain(n.resolutions); err != nil {
		n.log.Warn("sample-node: on-chain htlc resolutions", "err", err)
		return
	}
	n.resolutions = nil
}

// spendKindName names what spent a channel's funding output.
func spendKindName(k monitor.SpendKind) string {
	switch k {
	case monitor.CooperativeClose:
		return "cooperative_close"
	case monitor.HolderCommitment:
		return "our_commitment"
	case monitor.CounterpartyCommitment:
		return "their_commitment"
	case monitor.RevokedHolderCommitment:
		return "our_revoked_commitment"
	case monitor.RevokedCounterpartyCommitment:
		return "their_revoked_commitment"
	default:
		return "unknown"
	}
}

// wakeEvents asks the event loop to process the queue soon.
func (n *node) wakeEvents() {
	select {
	case n.wake <- struct{}{}:
	default:
	}
}
