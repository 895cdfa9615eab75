package channel

import (
	"errors"
	"fmt"

	"github.com/lnkit/lnkit/channel/monitor"
	"github.com/lnkit/lnkit/events"
	"github.com/lnkit/lnkit/persist"
	"github.com/lnkit/lnkit/wire"
)

// ErrMissingMonitor is matched by Load's error when a channel that already
// handed its monitor updates has no monitor: the monitors' store lost data
// the Manager relies on, and guessing could lose funds, so Load refuses.
var ErrMissingMonitor = errors.New("channel: channel without its monitor")

// Load returns the Manager of a restarted node: its channels read from
// cfg.Store, reconciled with the channels' monitors (monitors, from the
// chain monitor the node restored before: monitor.ChainMonitor.Monitors).
// The monitors are the truth:
//
//   - a channel whose monitor is newer than the Manager's record (the
//     Manager's store is older than the monitors') cannot continue safely:
//     it is force-closed from the monitor's latest commitment, with
//     ClosedOutdatedChannelManager;
//   - a monitor with no channel (and not yet closed on chain) is
//     force-closed the same way;
//   - a channel whose force close was interrupted by the crash finishes it;
//   - updates the Manager handed out and the monitor does not have are
//     handed to Watch again, in order; a monitor whose creation was not
//     durable is created again;
//   - an outbound funding transaction signed but never funded gets
//     DiscardFunding, and an unconfirmed one of ours is broadcast again.
//
// Channels still negotiating were never persisted: BOLT 2 forgets them.
// The Manager starts at the best block it made durable (cfg.BestBlock
// when it never processed one) and must be caught up with the chain from
// BestBlock before it goes on.
func Load(cfg Config, monitors []monitor.MonitorInfo) (*Manager, error) {
	m, err := New(cfg)
	if err != nil {
		return nil, err
	}
	if best, ok, err := m.loadBestBlock(); err != nil {
		return nil, err
	} else if ok {
		m.best = best
	}
	byID := make(map[wire.ChannelID]monitor.MonitorInfo, len(monitors))
	for _, info := range monitors {
		byID[info.ChannelID] = info
	}
	ctx := m.cfg.Context
	keys, err := m.cfg.Store.List(ctx, channelsNS())
	if err != nil {
		return nil, fmt.Errorf("%w: list channels: %w", ErrPersistence, err)
	}
	seen := make(map[wire.ChannelID]bool, len(keys))
	for _, k := range keys {
		b, err := m.cfg.Store.Read(ctx, channelsNS(), k)
		if err != nil {
			return nil, fmt.Errorf("%w: read channel %s: %w", ErrPersistence, k, err)
		}
		d, err := decodeChanData(b, m.cfg.Signers)
		if err != nil {
			return nil, fmt.Errorf("channel: channel %s: %w", k, err)
		}
		if channelKey(d.id) != k {
			return nil, fmt.Errorf("%w: channel %s stored under %s", ErrCorruptRecord, d.id, k)
		}
		// The connection the record was written under is gone: what no
		// commitment_signed covered is forgotten (BOLT 2).
		d.takeUnsent()
		seen[d.id] = true
		info, ok := byID[d.id]
		if err := m.loadChannel(d, info, ok); err != nil {
			return nil, err
		}
	}
	for _, info := range monitors {
		if seen[info.ChannelID] {
			continue
		}
		info, err := m.replayClosedUpdates(info)
		if err != nil {
			return nil, err
		}
		if !info.ForceClosed && !info.Behind && info.FundingSpend == nil {
			if err := m.closeOrphanMonitor(info); err != nil {
				return nil, err
			}
		}
	}
	if err := m.discardPendingFundings(seen); err != nil {
		return nil, err
	}
	if err := m.replay.load(m); err != nil {
		return nil, err
	}
	if err := m.loadPayments(); err != nil {
		return nil, err
	}
	if err := m.loadRoutings(); err != nil {
		return nil, err
	}
	if err := m.reconcilePayments(byID); err != nil {
		return nil, err
	}
	m.loadMPP()
	if err := m.loadForwards(); err != nil {
		return nil, err
	}
	m.flush()
	return m, nil
}

// loadChannel reconciles one stored channel with its monitor and adds it.
func (m *Manager) loadChannel(d *chanData, info monitor.MonitorInfo, hasMonitor bool) error {
	p := m.peer(d.counterparty, true)
	p.mu.Lock()
	defer p.mu.Unlock()
	var e *entry
	if d.shut.ourScript != nil || d.shut.theirScript != nil {
		e = &entry{phase: &closing{d: d}}
	} else {
		e = &entry{phase: &funded{d: d}}
	}
	p.addEntry(d.id, e)
	m.registerID(d.id, p.id)
	m.registerWatch(d)
	switch {
	case !hasMonitor && (!pendingFromStart(d) || !d.atFirstCommitments()):
		return fmt.Errorf("%w: %v (update %d handed out)", ErrMissingMonitor, d.id, d.mon.latest)
	case !hasMonitor:
		// The creation was not durable (the crash came between the
		// record and the monitor, or an asynchronous persister had not
		// finished): create it again and hand it every update since.
		if !m.watchNew(p, e, d) {
			return nil
		}
		for _, u := range append([]*monitor.Update(nil), d.mon.pending...) {
			if !m.monitorStatus(p, e, d, u.ID, m.cfg.Watch.UpdateChannel(d.id, u)) {
				return nil
			}
		}
	case info.LatestUpdateID > d.mon.latest:
		m.cfg.Logger.Error("channel: channel manager older than the channel's monitor: force-closing",
			"channel_id", d.id, "manager_update", d.mon.latest, "monitor_update", info.LatestUpdateID)
		d.mon.latest = info.LatestUpdateID
		m.forceClose(p, e, d, events.ClosureReason{Kind: events.ClosedOutdatedChannelManager})
		return nil
	case info.ForceClosed:
		d.mon.latest = info.LatestUpdateID
		d.mon.completedAll, d.mon.completed = true, info.LatestUpdateID
		m.forceClose(p, e, d, events.HolderForceClosed("force close resumed after a restart", true))
		return nil
	default:
		d.mon.complete(info.LatestUpdateID)
		for _, u := range append([]*monitor.Update(nil), d.mon.pending...) {
			if !m.monitorStatus(p, e, d, u.ID, m.cfg.Watch.UpdateChannel(d.id, u)) {
				return nil
			}
		}
	}
	if hasMonitor && info.FundingSpend != nil {
		m.fundingSpent(p, e, d, info.FundingSpend.Txid, info.FundingSpend.Kind == monitor.CooperativeClose)
		return nil
	}
	if d.fundingTx != nil && d.fund.confirmedHeight == 0 {
		e.out.broadcastAfter(0, d.fundingTx)
	}
	if d.shut.closingTx != nil {
		// Agreed before the crash: it may never have left.
		m.queueBroadcast(d.shut.closingTx)
	}
	return nil
}

// atFirstCommitments reports whether both sides are still at commitment 0:
// a monitor rebuilt from the record then starts where the lost one did.
// Past it, the first commitments are gone from the record, and a monitor
// whose creation was never durable cannot be rebuilt faithfully.
func (d *chanData) atFirstCommitments() bool {
	return d.cc.holder.Number == 0 && d.cc.theirs.Number == 0 && d.cc.theirPending == nil
}

// pendingFromStart reports whether d still holds every update it handed
// out (1 to latest): none was ever known durable, so a monitor can be
// rebuilt from the record and given them all.
func pendingFromStart(d *chanData) bool {
	if uint64(len(d.mon.pending)) != d.mon.latest {
		return false
	}
	for i, u := range d.mon.pending {
		if u.ID != uint64(i)+1 {
			return false
		}
	}
	return true
}

// closeOrphanMonitor force-closes a channel the Manager has no record of:
// its monitor is the only truth left. A channel marked by markDataLoss
// (our state was proven old, and the crash came before the monitor's
// update was durable) gets that update again and nothing is broadcast.
func (m *Manager) closeOrphanMonitor(info monitor.MonitorInfo) error {
	lost, err := m.dataLossMarked(info.ChannelID)
	if err != nil {
		return err
	}
	steps := []monitor.Step{&monitor.ChannelForceClosed{}}
	if lost {
		m.cfg.Logger.Error("channel: monitor of a channel whose state was proven old: never broadcasting", "channel_id", info.ChannelID)
		steps = []monitor.Step{&monitor.DataLossDetected{}, &monitor.ChannelForceClosed{}}
		if st := m.cfg.Watch.UpdateChannel(info.ChannelID, &monitor.Update{ID: info.LatestUpdateID + 1, Steps: steps}); st == monitor.Failed {
			m.cfg.Logger.Error("channel: monitor refused the data-loss update", "channel_id", info.ChannelID)
		}
		return nil
	}
	m.cfg.Logger.Error("channel: monitor without a channel: force-closing", "channel_id", info.ChannelID)
	signer := m.cfg.Signers.ChannelSigner(info.ChannelKeyID)
	st := m.cfg.Watch.UpdateChannel(info.ChannelID, &monitor.Update{ID: info.LatestUpdateID + 1, Steps: steps})
	if st == monitor.Failed {
		m.cfg.Logger.Error("channel: monitor refused the force-close update", "channel_id", info.ChannelID)
	}
	broadcast := false
	if claim, err := m.cfg.Watch.HolderCommitmentClaim(info.ChannelID, signer); err != nil {
		m.cfg.Logger.Warn("channel: our commitment is not broadcast", "channel_id", info.ChannelID, "err", err)
	} else {
		m.queueBroadcast(claim.Tx)
		broadcast = true
	}
	if closed, err := m.closedMarked(info.ChannelID); err != nil || closed {
		// The Manager closed it and said so before the crash: its
		// monitor missed the close update only.
		return err
	}
	m.logIf(m.appendEvents(&events.ChannelClosed{
		ChannelID: info.ChannelID, FundingOutPoint: info.FundingOutPoint,
		Reason: events.ClosureReason{Kind: events.ClosedOutdatedChannelManager, Broadcast: broadcast},
	}))
	return nil
}

// discardPendingFundings tells the application to release the coins of
// outbound funding transactions that never became channels.
func (m *Manager) discardPendingFundings(funded map[wire.ChannelID]bool) error {
	ctx := m.cfg.Context
	keys, err := m.cfg.Store.List(ctx, pendingFundingNS())
	if err != nil {
		return fmt.Errorf("%w: list pending fundings: %w", ErrPersistence, err)
	}
	for _, k := range keys {
		var id wire.ChannelID
		if n, err := hexDecode(id[:], k); err != nil || n != len(id) {
			return fmt.Errorf("%w: pending funding key %q", ErrCorruptRecord, k)
		}
		if funded[id] {
			m.logIf(m.cfg.Store.Remove(ctx, pendingFundingNS(), k))
			continue
		}
		b, err := m.cfg.Store.Read(ctx, pendingFundingNS(), k)
		if err != nil {
			return fmt.Errorf("%w: read pending funding %s: %w", ErrPersistence, k, err)
		}
		user, tx, err := decodePendingFunding(b)
		if err != nil {
			return err
		}
		reason := events.Reason(events.ClosedDisconnectedBeforeFunding)
		ops := []persist.Op{persist.RemoveOp(pendingFundingNS(), k)}
		if err := m.cfg.Events.AppendWith(ctx, ops,
			&events.ChannelClosed{ChannelID: id, UserChannelID: user, Reason: reason},
			&events.DiscardFunding{ChannelID: id, UserChannelID: user, FundingTx: tx},
		); err != nil {
			return fmt.Errorf("%w: %w", ErrPersistence, err)
		}
	}
	return nil
}
