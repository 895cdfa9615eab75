package channel

import (
	"errors"
	"fmt"

	"github.com/lnkit/lnkit/channel/commit"
	"github.com/lnkit/lnkit/channel/monitor"
	"github.com/lnkit/lnkit/events"
	"github.com/lnkit/lnkit/persist"
	"github.com/lnkit/lnkit/wire"
)

// The commitment exchange of normal operation (BOLT 2): the update log
// (updatelog*.go) decides what each next commitment holds, the commitment
// chain (commitments*.go) signs and checks it, and the Manager makes each
// monitor step durable before the message it allows leaves:
//
//	we send           | gated by the monitor update carrying
//	commitment_signed | NewCounterpartyCommitment (the commitment we signed)
//	revoke_and_ack    | NewHolderCommitment (the commitment they signed)
//	update_fulfill    | PaymentPreimage
//
// The channel's record (log and chain included) is written with every
// monitor update, before Watch sees it (updateMonitor).

// checkNormal checks that a decoded channel's update log and commitment
// chain describe the same commitments.
func checkNormal(d *chanData) error {
	l, c := d.log, d.cc
	if l.localNumber != c.holder.Number {
		return fmt.Errorf("update log at our commitment %d, chain at %d", l.localNumber, c.holder.Number)
	}
	remote := c.theirs.Number
	if c.theirPending != nil {
		remote++
	}
	if l.remoteNumber != remote {
		return fmt.Errorf("update log at their commitment %d, chain at %d", l.remoteNumber, remote)
	}
	if l.awaitingRevoke != (c.theirPending != nil) || l.owingRevoke {
		return errors.New("update log and chain disagree on the revocations awaited")
	}
	return nil
}

// usable reports whether new updates may be offered on d now: funded,
// channel_ready both ways, re-established with a connected peer, no
// shutdown, monitor healthy.
func usable(p *peerState, e *entry, d *chanData) bool {
	if _, ok := e.phase.(*funded); !ok {
		return false
	}
	return p.connected && d.reestablished && d.fund.readySent && d.fund.readyReceived && !d.mon.failed
}

// handleCommitmentSigned takes the peer's signature of our next
// commitment: the commitment becomes ours (a monitor update) and the
// revoke_and_ack of the previous one leaves once that update is durable.
func (m *Manager) handleCommitmentSigned(p *peerState, e *entry, msg *wire.CommitmentSigned) error {
	d := e.data()
	if !d.fund.readyReceived {
		return ruleErr(RuleUnexpectedMessage, "commitment_signed before channel_ready")
	}
	next, err := d.log.receivedCommitment()
	if err != nil {
		return err
	}
	d.cc.par = m.cfg.Parallel
	step, raa, err := d.cc.receiveCommitmentSigned(msg, next)
	if err != nil {
		return err
	}
	if err := d.log.sentRevoke(); err != nil {
		return err
	}
	// Our own commitment_signed, when there is something to sign, goes in
	// the same monitor update: one durable write for both messages.
	sig, sigStep, signErr := m.signStep(p, d)
	id, ok := m.updateMonitor(p, e, d, nil, nil, withStep([]monitor.Step{step}, sigStep)...)
	if !ok {
		return nil
	}
	e.out.sendAfter(id, raa)
	if sig != nil {
		e.out.sendAfter(id, sig)
	}
	if signErr != nil {
		return signErr
	}
	m.afterRevoke(p, e, d)
	return nil
}

// withStep appends step to steps unless it is nil.
func withStep(steps []monitor.Step, step monitor.Step) []monitor.Step {
	if step != nil {
		steps = append(steps, step)
	}
	return steps
}

// handleRevokeAndAck takes the peer's revocation of its previous
// commitment: what it made irrevocable is acted on (incoming HTLCs
// processed, payments resolved) in the same durable step as the secret.
func (m *Manager) handleRevokeAndAck(p *peerState, e *entry, msg *wire.RevokeAndAck) error {
	d := e.data()
	step, err := d.cc.receiveRevokeAndAck(msg)
	if err != nil {
		return err
	}
	res, err := d.log.receivedRevoke()
	if err != nil {
		return err
	}
	var act revokeOutcome
	if err := m.actOnRevoke(p, e, d, res, &act); err != nil {
		return err
	}
	// What the revocation unblocked (our next commitment_signed, with the
	// removals just queued) is made durable in the same write.
	sig, sigStep, signErr := m.signStep(p, d)
	id, ok := m.updateMonitor(p, e, d, act.evs, act.ops, withStep([]monitor.Step{step}, sigStep)...)
	if ok || d.mon.failed {
		m.forwardsDurable(&act, id)
	}
	if !ok {
		return nil
	}
	for _, msg := range act.msgs {
		e.out.sendAfter(id, msg)
	}
	if sig != nil {
		e.out.sendAfter(id, sig)
	}
	if signErr != nil {
		return signErr
	}
	m.afterRevoke(p, e, d)
	return nil
}

// revokeOutcome is what a revoke_and_ack made happen: events and writes to
// make durable with the channel, and messages (failures of incoming HTLCs)
// to send after.
type revokeOutcome struct {
	evs  []events.Event
	ops  []persist.Op
	msgs []wire.Message
	// fwds are forwards written with ops, to put in the book once
	// written.
	fwds []*forward
}

// maybeSignCommitment sends commitment_signed when the peer's next
// commitment would differ from the last we signed, no revocation is
// awaited and the peer's next point is known. Updates made meanwhile wait
// for the next round: many updates share one commitment_signed.
func (m *Manager) maybeSignCommitment(p *peerState, e *entry, d *chanData) error {
	msg, step, err := m.signStep(p, d)
	if err != nil || msg == nil {
		return err
	}
	id, ok := m.updateMonitor(p, e, d, nil, nil, step)
	if !ok {
		return nil
	}
	e.out.sendAfter(id, msg)
	return nil
}

// signStep signs the peer's next commitment when maybeSignCommitment
// would send commitment_signed now, and returns the message and the
// monitor step that must be durable before it leaves (nil, nil when there
// is nothing to sign). On success the log and chain count it as sent: the
// caller makes the step durable (updateMonitor) or the channel reloads;
// on an error nothing changed, and the caller still makes its own step
// durable before failing the channel.
func (m *Manager) signStep(p *peerState, d *chanData) (wire.Message, monitor.Step, error) {
	if d.mon.failed || d.log.awaitingRevoke || d.cc.theirNextPoint == nil || !d.log.hasUnsigned() {
		return nil, nil, nil
	}
	if !p.connected || !d.reestablished {
		return nil, nil, nil
	}
	// Signed first, then marked sent: a signer failure changes nothing.
	d.cc.par = m.cfg.Parallel
	msg, step, err := d.cc.signCommitment(d.log.nextState(commit.Remote))
	if err != nil {
		return nil, nil, err
	}
	if _, err := d.log.sendingCommitment(); err != nil {
		return nil, nil, err // checked above: cannot happen
	}
	return msg, step, nil
}

// handleUpdateAddHTLC adds the peer's HTLC to its side of the log; it is
// acted on once irrevocably committed (handleRevokeAndAck).
func (m *Manager) handleUpdateAddHTLC(p *peerState, e *entry, msg *wire.UpdateAddHTLC) error {
	d := e.data()
	switch {
	case !d.fund.readyReceived || !d.fund.readySent:
		return ruleErr(RuleUnexpectedMessage, "update_add_htlc before channel_ready")
	case d.shut.theirScript != nil:
		return ruleErr(RuleUpdateAddHTLCAfterShutdown, "update_add_htlc after the peer's shutdown")
	}
	_, err := d.log.receiveAdd(htlcAdd{
		id: msg.ID, amount: msg.Amount, paymentHash: msg.PaymentHash, cltvExpiry: msg.CLTVExpiry,
		onion: msg.OnionPacket[:], receivedAt: m.unixMilliNow(),
	})
	return err
}

// handleUpdateFulfillHTLC takes the preimage of one of our HTLCs: it is
// the proof of payment at once (the payment succeeds durably now); the
// balance moves when the removal is committed both ways.
func (m *Manager) handleUpdateFulfillHTLC(p *peerState, e *entry, msg *wire.UpdateFulfillHTLC) error {
	d := e.data()
	h, err := d.log.receiveFulfill(msg.ID, msg.PaymentPreimage, receivedAttribution(msg.AttributionData))
	if err != nil {
		return err
	}
	if err := m.forwardFulfilled(d, &h); err != nil {
		return err
	}
	return m.paymentFulfilled(d, &h)
}

// handleUpdateFailHTLC and handleUpdateFailMalformedHTLC take the failure
// of one of our HTLCs; the payment learns it once the removal is
// irrevocable.
func (m *Manager) handleUpdateFailHTLC(p *peerState, e *entry, msg *wire.UpdateFailHTLC) error {
	return e.data().log.receiveFail(msg.ID, msg.Reason, receivedAttribution(msg.AttributionData))
}

func (m *Manager) handleUpdateFailMalformedHTLC(p *peerState, e *entry, msg *wire.UpdateFailMalformedHTLC) error {
	return e.data().log.receiveFailMalformed(msg.ID, msg.OnionHash, msg.FailureCode)
}

// handleUpdateFee takes the opener's new feerate_per_kw, checked against
// our estimator's bounds (HandshakeLimits' tolerance) and the opener's
// ability to pay it.
func (m *Manager) handleUpdateFee(p *peerState, e *entry, msg *wire.UpdateFee) error {
	d := e.data()
	if !d.fund.readyReceived {
		return ruleErr(RuleUnexpectedMessage, "update_fee before channel_ready")
	}
	bounds, err := NewFeeBounds(m.cfg.Context, m.cfg.Fees, m.cfg.User.Limits)
	if err != nil {
		// Our estimator failing is not the peer's fault: accept any rate
		// the opener can pay rather than fail the channel.
		m.cfg.Logger.Warn("channel: no fee estimate to check update_fee against", "channel_id", d.id, "err", err)
		bounds = FeeBounds{MinStaticRemoteKey: wire.FeeRateFloor, MinAnchors: wire.FeeRateFloor, Max: ^wire.FeeRate(0)}
	}
	if err := d.log.receiveFee(msg.FeeRate, bounds); err != nil {
		return err
	}
	m.cfg.Logger.Info("channel: update_fee received", "node_id", p.id, "channel_id", d.id, "feerate", msg.FeeRate)
	return nil
}

// saveWith writes a channel's record together with ops and evs.
func (m *Manager) saveWith(d *chanData, ops []persist.Op, evs ...events.Event) error {
	rec, err := encodeChanData(d)
	if err != nil {
		return err
	}
	held := m.held.take(d.id)
	ops, evs = withHeld(held, ops, evs)
	all := append([]persist.Op{persist.WriteOp(channelsNS(), channelKey(d.id), rec)}, ops...)
	if err := m.cfg.Events.AppendWith(m.cfg.Context, all, evs...); err != nil {
		m.held.restore(d.id, held)
		return fmt.Errorf("%w: %w", ErrPersistence, err)
	}
	return nil
}
