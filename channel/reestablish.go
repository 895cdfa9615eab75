package channel

import (
	"errors"
	"fmt"

	"github.com/lnkit/lnkit/channel/monitor"
	"github.com/lnkit/lnkit/events"
	"github.com/lnkit/lnkit/wire"
)

// reestablishStateOf is what channel_reestablish needs of d: the
// commitment numbers from its chain, the rest from the channel.
func reestablishStateOf(e *entry, d *chanData) (reestablishState, error) {
	st := reestablishState{
		channelReadySent: d.fund.readySent,
		shutdownSent:     d.shut.ourScript != nil,
	}
	if err := d.cc.fillReestablishState(&st); err != nil {
		return st, err
	}
	if c, ok := e.phase.(*closing); ok && c.neg != nil {
		st.closingSignedReceived = c.receivedClosingSigned
	}
	return st, nil
}

// startReestablish sends channel_reestablish for a funded channel when its
// peer connects: before any other message of the channel (what the outbox
// held was dropped at the disconnection; what is queued after this, such as
// a channel_ready the chain just triggered, follows it).
func (m *Manager) startReestablish(p *peerState, e *entry, d *chanData) {
	// Both sides forget the updates no commitment_signed covered (BOLT 2);
	// ours are offered again after channel_reestablish.
	d.takeUnsent()
	st, err := reestablishStateOf(e, d)
	if err != nil {
		m.failChannel(p, e, err)
		return
	}
	msg, err := reestablishMessage(&st, d.id)
	if err != nil {
		m.failChannel(p, e, err)
		return
	}
	d.reestablished = false
	e.out.items = append([]outItem{{msg: msg}}, e.out.items...)
}

// peerGone drops what a connection held: the closing negotiation restarts
// on reconnection (BOLT 2). The updates no commitment_signed covered are
// taken back when the peer connects again (startReestablish).
func (m *Manager) peerGone(e *entry) {
	if c, ok := e.phase.(*closing); ok {
		c.neg, c.receivedClosingSigned = nil, false
	}
	if d := e.data(); d != nil {
		d.reestablished = false
	}
}

// handleReestablish checks the peer's channel_reestablish and retransmits
// what it lacks. A peer proving (your_last_per_commitment_secret) we lost
// state stops the channel for good without our commitment ever being
// broadcast; a peer claiming to be ahead without that proof fails the
// channel (BOLT 2); a peer behind us is warned and waited for.
func (m *Manager) handleReestablish(p *peerState, e *entry, msg *wire.ChannelReestablish) error {
	d := e.data()
	st, err := reestablishStateOf(e, d)
	if err != nil {
		return err
	}
	act, err := reestablishReceive(&st, msg)
	var behind *ProvedBehindError
	var peerBehind *PeerBehindError
	var ahead *PeerAheadError
	switch {
	case errors.As(err, &behind):
		m.dataLoss(p, e, d, behind.PeerMessage(), msg)
		return nil
	case errors.As(err, &ahead):
		// Without a proof, BOLT 2 fails the channel (a peer claiming to be
		// ahead must not freeze our funds by making us wait forever).
		return ruleErr(RuleReestablishNextCommitmentNumber, "%s", ahead.PeerMessage())
	case errors.As(err, &peerBehind):
		e.out.send(&wire.Warning{ChannelID: d.id, Data: []byte(peerBehind.PeerMessage())})
		return nil
	case err != nil:
		return err
	}
	d.reestablished = true
	for _, step := range act.steps {
		switch step {
		case reestablishResendChannelReady:
			if err := m.resendChannelReady(p, e, d); err != nil {
				return err
			}
		case reestablishResendShutdown:
			e.out.send(&wire.Shutdown{ChannelID: d.id, ScriptPubKey: d.shut.ourScript})
		case reestablishSendTxAbort:
			e.out.send(&wire.TxAbort{ChannelID: d.id, Data: []byte("lnkit: no interactive funding in progress")})
		case reestablishResendRevokeAndAck:
			e.out.sendAfter(d.mon.latest, act.revokeAndAck)
		case reestablishResendCommitmentSigned:
			if err := m.retransmitCommitment(e, d, act.commitmentNumber); err != nil {
				return err
			}
		default:
			return fmt.Errorf("channel: retransmitting %v is not supported", step)
		}
	}
	if err := m.resendUnsent(p, e, d); err != nil {
		return err
	}
	if c, ok := e.phase.(*closing); ok {
		return m.maybeNegotiate(p, e, c)
	}
	return m.afterReestablish(p, e, d)
}

// dataLoss stops a channel whose peer proved (or claims in a way we cannot
// rule out) that our state is older than theirs: broadcasting our
// commitment could hand them our funds. The monitor is told, durably, never
// to broadcast it; the peer gets an error so that it closes with its own
// commitment, from which the monitor claims our output.
func (m *Manager) dataLoss(p *peerState, e *entry, d *chanData, text string, msg *wire.ChannelReestablish) {
	m.cfg.Logger.Error("channel: the peer says our channel state is old: stopping without broadcasting",
		"node_id", p.id, "channel_id", d.id, "why", text)
	step := &monitor.DataLossDetected{}
	if pt, err := msg.MyCurrentPerCommitmentPoint.PublicKey(); err == nil {
		step.TheirCurrentPoint = pt
	}
	// Durable before anything else: should the monitor's update not be
	// durable when we crash (an asynchronous persister), Load finds the
	// mark and never broadcasts this channel's commitment.
	m.logIf(m.markDataLoss(d.id))
	if !d.mon.failed {
		d.mon.latest++
		if st := m.cfg.Watch.UpdateChannel(d.id, &monitor.Update{ID: d.mon.latest,
			Steps: []monitor.Step{step, &monitor.ChannelForceClosed{}}}); st == monitor.Failed {
			m.cfg.Logger.Error("channel: monitor refused the data-loss update", "channel_id", d.id)
		}
	}
	local, _ := d.balances()
	closed := &events.ChannelClosed{
		ChannelID: d.id, UserChannelID: d.userChannelID,
		Reason:             events.ProcessingError("the peer proved our channel state is old (data loss): waiting for its commitment"),
		CounterpartyNodeID: p.id, ChannelCapacity: d.params.Capacity,
		FundingOutPoint: d.params.FundingOutpoint, LastLocalBalance: local,
	}
	e.out.dropMessages()
	e.out.send(&wire.Error{ChannelID: d.id, Data: []byte(text)})
	m.failUncommitted(d)
	m.logIf(m.forget(d, closed))
	p.out = append(p.out, e.out.drain(p.id)...)
	p.removeEntry(e)
	m.unregisterID(d.id)
}
