package channel

import (
	"bytes"
	"errors"
	"fmt"

	"github.com/lnkit/lnkit/channel/monitor"
	"github.com/lnkit/lnkit/events"
	"github.com/lnkit/lnkit/wire"
)

// CloseOptions tune a cooperative close.
type CloseOptions struct {
	// Script is where our funds go. It must equal our upfront shutdown
	// script when the channel has one. Default: the upfront script, else
	// a new script from Config.Destinations.
	Script []byte
	// FeeRate, when not zero, replaces the estimator's
	// chain.TargetChannelCloseMinimum rate for the fee we propose.
	FeeRate wire.FeeRate
}

// CloseChannel starts a cooperative close of channel id with counterparty
// (BOLT 2: shutdown, then closing_signed negotiation). The peer must be
// connected. The channel ends with a ChannelClosed event once the closing
// transaction is agreed and broadcast; our funds reach Script on chain.
func (m *Manager) CloseChannel(id wire.ChannelID, counterparty wire.NodeID, opts CloseOptions) error {
	return m.withEntry(id, counterparty, func(p *peerState, e *entry) error {
		d := e.data()
		switch {
		case d == nil:
			return fmt.Errorf("%w: %v is not funded yet: force-close it to abandon it", ErrChannelNotUsable, id)
		case !p.connected:
			return fmt.Errorf("%w: %v", ErrPeerNotConnected, counterparty)
		case d.shut.ourScript != nil:
			return fmt.Errorf("%w: %v is already closing", ErrChannelNotUsable, id)
		}
		script, err := m.ourShutdownScript(p, d, opts.Script)
		if err != nil {
			return err
		}
		d.shut.initiator = d.shut.theirScript == nil
		c := toClosing(e, d)
		c.feeRate = opts.FeeRate
		return m.sendShutdown(p, e, c, script)
	})
}

// toClosing moves a funded channel into its closing phase.
func toClosing(e *entry, d *chanData) *closing {
	if c, ok := e.phase.(*closing); ok {
		return c
	}
	c := &closing{d: d}
	e.phase = c
	return c
}

// ourShutdownScript picks our shutdown script: the upfront one when we
// committed to it (a different requested script is refused), the
// requested one, or a new one from Destinations; it must be a form the
// peer accepts.
func (m *Manager) ourShutdownScript(p *peerState, d *chanData, requested []byte) ([]byte, error) {
	script := requested
	switch {
	case d.ourUpfrontScript != nil && requested != nil && !bytes.Equal(requested, d.ourUpfrontScript):
		return nil, fmt.Errorf("%w: the channel committed to upfront shutdown script %x", ErrInvalidChannelRequest, d.ourUpfrontScript)
	case d.ourUpfrontScript != nil:
		script = d.ourUpfrontScript
	case script == nil:
		s, err := m.cfg.Destinations.ShutdownScript(m.cfg.Context)
		if err != nil {
			return nil, fmt.Errorf("channel: shutdown script: %w", err)
		}
		script = s
	}
	if !m.shutdownPolicy(p, false).Allows(script) {
		return nil, fmt.Errorf("%w: shutdown script %x is not a form the peer accepts", ErrInvalidChannelRequest, script)
	}
	return append([]byte(nil), script...), nil
}

// shutdownPolicy is the shutdown script forms allowed with p now.
func (m *Manager) shutdownPolicy(p *peerState, receiving bool) ShutdownScriptPolicy {
	var theirs wire.FeatureVector
	if p.init != nil {
		theirs = p.init.Features
	}
	both := func(b wire.FeatureBit) bool { return m.cfg.Features.HasFeature(b) && theirs.HasFeature(b) }
	return ShutdownScriptPolicy{
		AnySegwit: both(wire.ShutdownAnySegwitRequired),
		Legacy:    receiving && m.cfg.User.Limits.AcceptLegacyShutdownScripts,
	}
}

// sendShutdown records our shutdown script with the monitor (so it knows
// the closing output as ours) and sends shutdown once that is durable;
// the fee negotiation starts when both sides sent shutdown.
func (m *Manager) sendShutdown(p *peerState, e *entry, c *closing, script []byte) error {
	d := c.d
	d.shut.ourScript = script
	id, ok := m.updateMonitor(p, e, d, nil, nil, &monitor.ShutdownScript{Script: script})
	if !ok {
		return nil
	}
	e.out.sendAfter(id, &wire.Shutdown{ChannelID: d.id, ScriptPubKey: script})
	m.cfg.Logger.Info("channel: shutdown sent", "node_id", p.id, "channel_id", d.id)
	return m.maybeNegotiate(p, e, c)
}

// handleShutdown handles the peer's shutdown: its script is checked, we
// answer with ours, and the fee negotiation starts.
func (m *Manager) handleShutdown(p *peerState, e *entry, msg *wire.Shutdown) error {
	d := e.data()
	switch {
	case d.shut.theirScript != nil && bytes.Equal(d.shut.theirScript, msg.ScriptPubKey):
		return nil // a retransmission after reconnection
	case d.shut.theirScript != nil:
		return ruleErr(RuleShutdownScript, "a second shutdown with another script")
	case !m.shutdownPolicy(p, true).Allows(msg.ScriptPubKey):
		m.warnDisconnect(p, e, fmt.Sprintf("shutdown script %x is not an allowed form", msg.ScriptPubKey))
		return nil
	case d.theirUpfrontScript != nil && !bytes.Equal(d.theirUpfrontScript, msg.ScriptPubKey):
		m.warnDisconnect(p, e, "shutdown script differs from the upfront_shutdown_script")
		return nil
	}
	d.shut.theirScript = append([]byte(nil), msg.ScriptPubKey...)
	c := toClosing(e, d)
	if d.shut.ourScript != nil {
		if err := m.save(d); err != nil {
			return err
		}
		return m.maybeNegotiate(p, e, c)
	}
	script, err := m.ourShutdownScript(p, d, nil)
	if err != nil {
		return err
	}
	return m.sendShutdown(p, e, c, script)
}

// warnDisconnect sends a warning about the channel and closes the
// connection (BOLT 2's "send a warning and fail the connection"): the
// channel stays open.
func (m *Manager) warnDisconnect(p *peerState, e *entry, text string) {
	m.cfg.Logger.Warn("channel: peer broke a rule: disconnecting", "node_id", p.id, "channel_id", e.phase.channelID(), "why", text)
	e.out.items = append(e.out.items, outItem{
		msg:        &wire.Warning{ChannelID: e.phase.channelID(), Data: []byte("lnkit: " + text)},
		disconnect: true,
	})
}

// fundingSpent handles a confirmed spend of a channel's funding output:
// the channel is over for the Manager (the monitor claims what is ours).
// Our own agreed closing transaction ends the channel quietly (its
// ChannelClosed was raised when it was agreed); any other spend raises
// ChannelClosed: cooperative when it is not a commitment (the peer
// broadcast a closing transaction we signed before we saw agreement),
// else a commitment of the counterparty's (ours were forgotten when we
// broadcast them).
func (m *Manager) fundingSpent(p *peerState, e *entry, d *chanData, txid [32]byte, cooperative bool) {
	var evs []events.Event
	if d.shut.closingTx == nil || d.shut.closingTx.TxHash() != txid {
		local, _ := d.balances()
		kind := events.ClosedCounterpartyForceClosed
		if cooperative {
			kind = events.ClosedCooperativelyByPeer
			if d.shut.initiator {
				kind = events.ClosedCooperativelyByUs
			}
		}
		evs = append(evs, &events.ChannelClosed{
			ChannelID: d.id, UserChannelID: d.userChannelID,
			Reason:             events.Reason(kind),
			CounterpartyNodeID: p.id, ChannelCapacity: d.params.Capacity,
			FundingOutPoint: d.params.FundingOutpoint, LastLocalBalance: local,
		})
	}
	m.failUncommitted(d)
	m.logIf(m.forget(d, evs...))
	p.removeEntry(e)
	m.unregisterID(d.id)
}

// maybeNegotiate starts the closing fee negotiation once both sides sent
// shutdown and every HTLC and fee update is resolved on both commitments
// (BOLT 2): the opener proposes first. It does nothing while the peer is
// away: the negotiation restarts on reconnection (BOLT 2).
func (m *Manager) maybeNegotiate(p *peerState, e *entry, c *closing) error {
	d := c.d
	if c.neg != nil || d.shut.closingTx != nil || d.shut.ourScript == nil || d.shut.theirScript == nil || !p.connected {
		return nil
	}
	if !d.settled() {
		return nil // again after each revoke_and_ack
	}
	params := closingParams{
		channelID: d.id, channel: d.ch, signer: d.signer,
		localScript: d.shut.ourScript, remoteScript: d.shut.theirScript,
		sendFeeRange: true,
	}
	params.localBalance, params.remoteBalance = d.balances()
	rates, err := closingRatesFrom(m.cfg.Context, m.cfg.Fees, m.cfg.User.Limits.FeeRateTolerance)
	if err != nil {
		return fmt.Errorf("channel: closing fee estimate: %w", err)
	}
	if c.feeRate != 0 {
		rates = closingRatesAt(c.feeRate, rates)
	}
	if params.fees, err = closingFeesFor(&params, rates, d.config.ForceCloseAvoidanceMaxFee); err != nil {
		return err
	}
	neg, err := newClosingNegotiation(params)
	if err != nil {
		return err
	}
	c.neg = neg
	first, err := neg.start()
	if err != nil {
		return err
	}
	if first != nil {
		e.out.send(first)
	}
	return nil
}

// handleClosingSigned goes on with the fee negotiation; on agreement the
// closing transaction is recorded, broadcast, and the channel reported
// closed.
func (m *Manager) handleClosingSigned(p *peerState, e *entry, msg *wire.ClosingSigned) error {
	c, ok := e.phase.(*closing)
	if !ok || c.d.shut.ourScript == nil || c.d.shut.theirScript == nil {
		return ruleErr(RuleUnexpectedMessage, "closing_signed before both shutdowns")
	}
	d := c.d
	if d.shut.closingTx != nil {
		return m.closingSignedAgain(e, d)
	}
	if c.neg == nil {
		if err := m.maybeNegotiate(p, e, c); err != nil {
			return err
		}
	}
	if c.neg == nil {
		// HTLCs or updates are still pending (BOLT 2: no closing_signed
		// before both commitments are clean): say so and wait for the
		// peer to propose again once they are.
		e.out.send(&wire.Warning{ChannelID: d.id, Data: []byte("lnkit: closing_signed before the commitments are settled: ignored")})
		return nil
	}
	c.receivedClosingSigned = true
	reply, final, err := c.neg.receive(msg)
	var noOverlap *closingNoOverlapError
	if errors.As(err, &noOverlap) {
		re := noOverlap.RuleError
		// BOLT 2: fee ranges that do not overlap get a warning, and the
		// channel fails only if no acceptable range comes in reasonable
		// time (the peer may propose again; ForceCloseChannel ends it).
		e.out.send(&wire.Warning{ChannelID: d.id, Data: []byte(re.PeerMessage())})
		return nil
	}
	if err != nil {
		return err
	}
	if reply != nil {
		e.out.send(reply)
	}
	if final == nil {
		return nil
	}
	d.shut.closingTx = final
	kind := events.ClosedCooperativelyByPeer
	if d.shut.initiator {
		kind = events.ClosedCooperativelyByUs
	}
	local, _ := d.balances()
	closed := &events.ChannelClosed{
		ChannelID: d.id, UserChannelID: d.userChannelID, Reason: events.Reason(kind),
		CounterpartyNodeID: p.id, ChannelCapacity: d.params.Capacity,
		FundingOutPoint: d.params.FundingOutpoint, LastLocalBalance: local,
	}
	if err := m.save(d, closed); err != nil {
		return err
	}
	m.queueBroadcast(final)
	m.cfg.Logger.Info("channel: closing transaction agreed", "node_id", p.id, "channel_id", d.id, "txid", final.TxHash())
	return nil
}

// closingSignedAgain answers a closing_signed received after we agreed on
// a fee and broadcast the closing transaction: the connection broke before
// our last closing_signed arrived and the peer restarted the negotiation
// (BOLT 2 restarts it on reconnection). Left unanswered, the peer would
// never complete it and would take our closing transaction, once
// confirmed, for a force close. We can accept no fee but the one we
// broadcast, so we name it again, with a fee_range pinned to it: a peer
// whose proposal was that fee completes without replying.
func (m *Manager) closingSignedAgain(e *entry, d *chanData) error {
	tx := d.shut.closingTx
	var out int64
	for _, o := range tx.TxOut {
		out += o.Value
	}
	fee := d.params.Capacity - wire.Satoshi(out)
	p := closingParams{channelID: d.id, channel: d.ch, signer: d.signer}
	sig, err := p.closingSign(tx)
	if err != nil {
		return err
	}
	e.out.send(&wire.ClosingSigned{
		ChannelID: d.id, Fee: fee, Signature: sig,
		FeeRange: wire.Some(wire.FeeRange{MinFee: fee, MaxFee: fee}),
	})
	return nil
}
