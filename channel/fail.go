package channel

import (
	"errors"
	"strings"

	"github.com/lnkit/lnkit/channel/monitor"
	"github.com/lnkit/lnkit/events"
	"github.com/lnkit/lnkit/peer"
	"github.com/lnkit/lnkit/wire"
)

// failChannel fails the channel of e because of err (BOLT 1 and 2): the
// peer gets an error naming the channel and what went wrong; a channel
// still negotiating is forgotten, a funded one is force-closed.
func (m *Manager) failChannel(p *peerState, e *entry, err error) {
	id := e.phase.channelID()
	m.cfg.Logger.Warn("channel: failing channel", "node_id", p.id, "channel_id", id, "err", err)
	e.out.send(&wire.Error{ChannelID: id, Data: []byte(peerText(err))})
	reason := events.ProcessingError(err.Error())
	var re *RuleError
	if errors.As(err, &re) {
		reason = events.RuleViolation(string(re.Rule), err.Error())
	}
	if d := e.data(); d != nil {
		m.forceClose(p, e, d, reason)
		return
	}
	// The error goes out before the entry is forgotten.
	p.out = append(p.out, e.out.drain(p.id)...)
	m.forgetUnfunded(p, e, reason)
}

// peerText is the text of the error message for err: a rule names itself;
// anything else says what failed without our package prefix.
func peerText(err error) string {
	var re *RuleError
	if errors.As(err, &re) {
		return re.PeerMessage()
	}
	return "lnkit: " + strings.TrimPrefix(err.Error(), "channel: ")
}

// forgetUnfunded forgets a channel that was never funded: an outbound one
// whose funding transaction was built gets DiscardFunding (the application
// releases its coins), and the application hears ChannelClosed for the
// channels it knew of.
func (m *Manager) forgetUnfunded(p *peerState, e *entry, reason events.ClosureReason) {
	p.removeEntry(e)
	switch o := e.phase.(type) {
	case *outboundOpening:
		closed := &events.ChannelClosed{
			ChannelID: o.channelID(), UserChannelID: o.userChannelID, Reason: reason,
			CounterpartyNodeID: p.id, ChannelCapacity: o.sent.FundingAmount,
		}
		if o.d == nil {
			m.logIf(m.appendEvents(closed))
			return
		}
		m.unregisterID(o.d.id)
		discard := &events.DiscardFunding{
			ChannelID: o.d.id, UserChannelID: o.userChannelID, FundingTx: o.d.fundingTx,
			FundingOutPoint: o.d.params.FundingOutpoint,
		}
		m.logIf(m.forget(o.d, closed, discard))
	case *inboundOpening:
		if o.accepted != nil {
			m.logIf(m.appendEvents(&events.ChannelClosed{
				ChannelID: o.channelID(), UserChannelID: o.userChannelID, Reason: reason,
				CounterpartyNodeID: p.id, ChannelCapacity: o.open.FundingAmount,
			}))
		}
	}
}

// logIf logs a persistence error the Manager cannot return to anyone.
func (m *Manager) logIf(err error) {
	if err != nil {
		m.cfg.Logger.Error("channel: persistence failed", "err", err)
	}
}

// forceClose closes a funded channel unilaterally: the monitor is told no
// new commitment will come, our latest commitment is broadcast (unless the
// monitor knows we are behind: then broadcasting it would hand the peer
// our funds, and we wait for theirs), and the channel is forgotten by the
// Manager with a ChannelClosed event. The monitor claims our outputs.
func (m *Manager) forceClose(p *peerState, e *entry, d *chanData, reason events.ClosureReason) {
	// Nothing queued leaves but the error that says why: a gated message
	// whose update is not durable must not leave ungated now.
	e.out.dropAllButErrors()
	if d.shut.closingTx != nil {
		// The cooperative close is agreed and signed by both: broadcasting
		// our commitment would only compete with it and delay our funds.
		// The closing transaction goes out again; the channel waits for it.
		m.cfg.Logger.Warn("channel: failing a channel whose closing transaction is agreed: broadcasting that again",
			"channel_id", d.id, "reason", reason)
		m.queueBroadcast(d.shut.closingTx)
		p.out = append(p.out, e.out.drain(p.id)...)
		return
	}
	if !d.mon.failed {
		d.mon.latest++
		u := &monitor.Update{ID: d.mon.latest, Steps: []monitor.Step{&monitor.ChannelForceClosed{}}}
		switch m.cfg.Watch.UpdateChannel(d.id, u) {
		case monitor.Failed:
			m.cfg.Logger.Error("channel: monitor refused the force-close update", "channel_id", d.id)
		case monitor.InProgress:
			d.mon.pending = append(d.mon.pending, u) // kept by forget
		}
	}
	var bump events.Event
	claim, err := m.cfg.Watch.HolderCommitmentClaim(d.id, d.signer)
	switch {
	case err != nil:
		m.cfg.Logger.Warn("channel: our commitment is not broadcast", "channel_id", d.id, "err", err)
	default:
		m.queueBroadcast(claim.Tx)
		bump = m.bumpEvent(d, claim)
	}
	switch reason.Kind {
	case events.ClosedHolderForceClosed, events.ClosedOutdatedChannelManager, events.ClosedHTLCsTimedOut:
		reason.Broadcast = err == nil
	}
	local, _ := d.balances()
	closed := &events.ChannelClosed{
		ChannelID: d.id, UserChannelID: d.userChannelID, Reason: reason, CounterpartyNodeID: p.id,
		ChannelCapacity: d.params.Capacity, FundingOutPoint: d.params.FundingOutpoint, LastLocalBalance: local,
	}
	evs := []events.Event{closed}
	if bump != nil {
		evs = append(evs, bump)
	}
	if d.fundingTx != nil && d.fund.confirmedHeight == 0 {
		// Our funding never confirmed (its broadcast may never have
		// reached the network): the application may take its coins
		// back. Should it confirm after all, the monitor, told the
		// channel is closed, claims our outputs.
		evs = append(evs, &events.DiscardFunding{
			ChannelID: d.id, UserChannelID: d.userChannelID, FundingTx: d.fundingTx,
			FundingOutPoint: d.params.FundingOutpoint,
		})
	}
	m.failUncommitted(d)
	m.logIf(m.forget(d, evs...))
	// What is queued (the error message) still goes out.
	p.out = append(p.out, e.out.drain(p.id)...)
	p.removeEntry(e)
	m.unregisterID(d.id)
}

// drain returns the queued messages for to, ungated, and empties the
// outbox (the channel is gone: its gates no longer matter for messages
// such as an error).
func (o *outbox) drain(to wire.NodeID) []peer.Outbound {
	var out []peer.Outbound
	for _, it := range o.items {
		if it.msg != nil {
			out = append(out, peer.Outbound{To: to, Msg: it.msg, Disconnect: it.disconnect})
		}
	}
	o.items = nil
	return out
}

// handlePeerError fails the channel an error message names, or every
// channel with the peer for an all-zero channel id (BOLT 1). An error for
// a channel we do not have is ignored; an error never gets an error back.
func (m *Manager) handlePeerError(p *peerState, msg *wire.Error) {
	reason := events.CounterpartyError(msg.Data)
	var targets []*entry
	if msg.ChannelID.IsAll() {
		targets = append(targets, p.entries...)
	} else if e := p.entryByAnyID(msg.ChannelID); e != nil {
		targets = append(targets, e)
	} else if e := p.fundingByTemporaryID(msg.ChannelID); e != nil {
		targets = append(targets, e)
	}
	for _, e := range targets {
		d := e.data()
		switch {
		case d != nil && d.shut.closingTx != nil:
			// Closed cooperatively already (ChannelClosed raised): the
			// agreed closing transaction is out, and our commitment would
			// only compete with it.
			m.cfg.Logger.Info("channel: error from peer after the closing was agreed", "node_id", p.id, "channel_id", d.id, "text", reason.Message)
		case d != nil:
			m.forceClose(p, e, d, reason)
		default:
			m.forgetUnfunded(p, e, reason)
		}
	}
}

// fundingByTemporaryID returns our outbound channel whose funding_created
// went out under temporary id tmp and awaits funding_signed: the peer
// still knows it by tmp (its error for a bad funding_created names tmp),
// though we keyed it by its channel id (p locked).
func (p *peerState) fundingByTemporaryID(tmp wire.ChannelID) *entry {
	for _, e := range p.entries {
		if o, ok := e.phase.(*outboundOpening); ok && o.d != nil && o.sent.TemporaryChannelID == tmp {
			return e
		}
	}
	return nil
}

// ForceCloseChannel closes channel id with counterparty unilaterally:
// the peer gets an error, our latest commitment is broadcast, and our funds
// come back through SpendableOutputs events after the delay. A channel
// still negotiating is just forgotten.
func (m *Manager) ForceCloseChannel(id wire.ChannelID, counterparty wire.NodeID, reason string) error {
	return m.withEntry(id, counterparty, func(p *peerState, e *entry) error {
		e.out.send(&wire.Error{ChannelID: id, Data: []byte("lnkit: channel force-closed by its owner")})
		if d := e.data(); d != nil {
			m.forceClose(p, e, d, events.HolderForceClosed(events.SanitizeText(reason), true))
			return nil
		}
		p.out = append(p.out, e.out.drain(p.id)...)
		m.forgetUnfunded(p, e, events.HolderForceClosed(events.SanitizeText(reason), false))
		return nil
	})
}

// entryByAnyID finds a channel by its current id, or an outbound channel
// being funded by its temporary id (the acceptor names it so until it has
// sent funding_signed).
func (p *peerState) entryByAnyID(id wire.ChannelID) *entry {
	if e := p.byID[id]; e != nil {
		return e
	}
	for _, e := range p.entries {
		if o, ok := e.phase.(*outboundOpening); ok && o.sent.TemporaryChannelID == id {
			return e
		}
	}
	return nil
}

// ClosureError returns the typed error behind a ChannelClosed reason when a
// rule of the protocol failed the channel: a *RuleError (errors.As) naming
// the rule the peer broke, matching ErrRuleViolated; nil for any other
// reason.
func ClosureError(r events.ClosureReason) error {
	if r.Rule == "" {
		return nil
	}
	return &RuleError{Rule: Rule(r.Rule), Msg: r.Message}
}
