package channel

import (
	"crypto/sha256"
	"fmt"

	"github.com/btcsuite/btcd/btcec/v2"

	"github.com/lnkit/lnkit/channel/commit"
	"github.com/lnkit/lnkit/router/onion"
	"github.com/lnkit/lnkit/wire"
)

// What happens to an HTLC of the peer once it is irrevocably committed
// (BOLT 2: not before): its onion is peeled; an HTLC for us is checked
// against the invoice it pays (PaymentClaimable, payment_receive.go); one
// to forward becomes a forward (forward.go); any failure goes back to
// the peer as update_fail_htlc (the failure encrypted with the onion's
// shared secret) or update_fail_malformed_htlc (an onion we cannot read).

// MaxCLTVExpiryAhead is how far above the current height an incoming
// HTLC's cltv_expiry may be (BOLT 4 expiry_too_far): further, and the
// HTLC is failed back before its onion is even peeled.
const MaxCLTVExpiryAhead = 2016 + 144

// HTLCFailBackBuffer is how many blocks before its cltv_expiry an incoming
// HTLC nobody claimed is failed back: claiming it later could force us on
// chain to claim it before it expires (HTLCClaimBuffer, 18 blocks, for the
// fulfillment deadline, and 3 for the peer to take the fulfill: more than
// HTLCTimeoutGrace; see htlc_deadline.go).
const HTLCFailBackBuffer = 21

// incomingFailure is how an incoming HTLC is failed: a failure message to
// encrypt, or a malformed onion.
type incomingFailure struct {
	msg       onion.FailureMessage
	malformed bool
	code      onion.FailureCode
	onionHash [32]byte
}

// acceptIncoming handles the peer's HTLC h, now irrevocably committed.
func (m *Manager) acceptIncoming(d *chanData, h *htlcEntry, act *revokeOutcome) error {
	height := uint32(m.bestHeight())
	var pkt onion.Packet
	if err := pkt.Decode(h.onion); err != nil {
		return m.failIncoming(d, h, nil, &incomingFailure{malformed: true, code: onion.CodeInvalidOnionVersion, onionHash: sha256.Sum256(h.onion)}, act)
	}
	if h.failBack != "" {
		// A limit BOLT 2 answers by failing the HTLC, not the channel.
		m.cfg.Logger.Info("channel: incoming htlc breaks a limit: failing it back", "channel_id", d.id, "htlc_id", h.id, "rule", h.failBack)
		return m.failIncoming(d, h, &pkt, &incomingFailure{msg: &onion.TemporaryChannelFailure{}}, act)
	}
	if h.cltvExpiry > height+MaxCLTVExpiryAhead {
		return m.failIncoming(d, h, &pkt, &incomingFailure{msg: &onion.ExpiryTooFar{}}, act)
	}
	pp, err := m.onion.Process(&pkt, h.paymentHash[:], h.cltvExpiry)
	if err != nil {
		pe, ok := err.(*onion.ProcessError)
		if !ok {
			return fmt.Errorf("%w: onion: %w", ErrLocal, err)
		}
		if pe.Code.IsBadOnion() {
			return m.failIncoming(d, h, nil, &incomingFailure{malformed: true, code: pe.Code, onionHash: pe.OnionHash}, act)
		}
		return m.failIncoming(d, h, &pkt, &incomingFailure{msg: pe.FailureMessage()}, act)
	}
	if m.replay.seen(pp.SharedSecret, d.id, h.id) {
		m.cfg.Logger.Warn("channel: replayed onion: failing the htlc", "channel_id", d.id, "htlc_id", h.id)
		return m.failIncoming(d, h, &pkt, &incomingFailure{msg: &onion.TemporaryNodeFailure{}}, act)
	}
	act.ops = append(act.ops, m.replay.add(pp.SharedSecret, d.id, h.id, h.cltvExpiry))
	if !pp.Final {
		return m.acceptForward(d, h, &pkt, pp, act)
	}
	ev, fail := m.receiveFinal(d, h, &pp.Payload, height)
	if fail != nil {
		return m.failIncoming(d, h, &pkt, &incomingFailure{msg: fail}, act)
	}
	if ev != nil {
		act.evs = append(act.evs, ev)
	}
	return nil
}

// failIncoming removes the peer's committed HTLC h with failure f: the
// message leaves after the revocation's monitor update.
func (m *Manager) failIncoming(d *chanData, h *htlcEntry, pkt *onion.Packet, f *incomingFailure, act *revokeOutcome) error {
	o, err := m.incomingOutcome(h, pkt, f)
	if err != nil {
		return err
	}
	if err := d.log.fail(h.id, o); err != nil {
		return err
	}
	act.msgs = append(act.msgs, removalMessage(d.id, d.log.find(commit.Remote, h.id)))
	return nil
}

// incomingOutcome encodes failure f of h: a malformed onion as such, a
// failure message encrypted for the payer with the onion's shared secret,
// with its attribution data (our hold time of h, htlc_attribution.go).
func (m *Manager) incomingOutcome(h *htlcEntry, pkt *onion.Packet, f *incomingFailure) (htlcOutcome, error) {
	if f.malformed || pkt == nil {
		code := f.code
		if code == 0 {
			code = onion.CodeInvalidOnionVersion
		}
		hash := f.onionHash
		if hash == ([32]byte{}) {
			hash = sha256.Sum256(h.onion)
		}
		return htlcOutcome{kind: htlcFailedMalformed, failureCode: uint16(code), onionHash: hash}, nil
	}
	ss, err := m.onionSharedSecret(pkt)
	if err != nil {
		// A key the ECDH refuses is an onion we cannot read.
		return htlcOutcome{kind: htlcFailedMalformed, failureCode: uint16(onion.CodeInvalidOnionKey), onionHash: sha256.Sum256(h.onion)}, nil
	}
	msg, err := onion.EncodeFailureMessage(nil, f.msg, nil)
	if err != nil {
		return htlcOutcome{}, fmt.Errorf("%w: encode failure: %w", ErrLocal, err)
	}
	hold := holdTime(h.receivedAt, m.unixMilliNow())
	reason, attr, err := onion.NewFailure(ss, msg, onion.FailureOptions{Attribution: true, HoldTime: hold})
	if err != nil {
		return htlcOutcome{}, fmt.Errorf("%w: failure onion: %w", ErrLocal, err)
	}
	return htlcOutcome{kind: htlcFailed, reason: reason, attr: (*wire.AttributionData)(attr)}, nil
}

// onionSharedSecret is the shared secret of pkt (the node key's ECDH with
// its ephemeral key), to encrypt a failure of its HTLC at any time
// without peeling it again.
func (m *Manager) onionSharedSecret(pkt *onion.Packet) (onion.SharedSecret, error) {
	pub, err := btcec.ParsePubKey(pkt.EphemeralKey[:])
	if err != nil {
		return onion.SharedSecret{}, err
	}
	ss, err := m.ecdh.ECDH(pub)
	return onion.SharedSecret(ss), err
}

// failIncomingHTLC fails the peer's committed HTLC h with msg at the
// application's request or on expiry (p locked).
func (m *Manager) failIncomingHTLC(p *peerState, e *entry, d *chanData, h *htlcEntry, msg onion.FailureMessage) error {
	var pkt onion.Packet
	f := &incomingFailure{msg: msg}
	pk := &pkt
	if err := pkt.Decode(h.onion); err != nil {
		pk, f = nil, &incomingFailure{malformed: true}
	}
	o, err := m.incomingOutcome(h, pk, f)
	if err != nil {
		return err
	}
	return m.removeIncoming(p, e, d, h, o)
}

// removeIncoming removes the peer's committed HTLC h with outcome o (p
// locked), durably (the record is saved when no commitment_signed did),
// and sends the removal when it can.
func (m *Manager) removeIncoming(p *peerState, e *entry, d *chanData, h *htlcEntry, o htlcOutcome) error {
	send, err := applyRemoval(p, d, h, o)
	if err != nil {
		return err
	}
	if send {
		queueRemoval(e, d, d.log.find(commit.Remote, h.id))
	}
	before := d.mon.latest
	if err := m.maybeSignCommitment(p, e, d); err != nil || d.mon.latest != before {
		return err // signed: updateMonitor saved the record
	}
	return m.save(d)
}

// applyRemoval records in the log the removal of the peer's committed HTLC
// h and reports whether its message may be queued now: on a
// re-established connection. Otherwise it waits in the log (LocalRemoved,
// unsigned: a disconnection keeps it) and resendRemovals sends it after
// the next channel_reestablish; sent before, it would overtake the
// retransmissions.
func applyRemoval(p *peerState, d *chanData, h *htlcEntry, o htlcOutcome) (bool, error) {
	var err error
	if o.kind == htlcFulfilled {
		err = d.log.fulfill(h.id, o.preimage, o.attr)
	} else {
		err = d.log.fail(h.id, o)
	}
	return p.connected && d.reestablished && err == nil, err
}

// queueRemoval queues the removal message of the peer's HTLC h; a fulfill
// waits for every monitor update so far (the one holding its preimage).
func queueRemoval(e *entry, d *chanData, h *htlcEntry) {
	msg := removalMessage(d.id, h)
	if h.outcome.kind == htlcFulfilled {
		e.out.sendAfter(d.mon.latest, msg)
		return
	}
	e.out.send(msg)
}

// expireIncoming fails back the peer's committed HTLCs nobody claimed
// that are within HTLCFailBackBuffer blocks of their expiry (p locked).
func (m *Manager) expireIncoming(p *peerState, e *entry, d *chanData, height int32) error {
	if !p.connected || !d.reestablished {
		return nil // tried again at the next block once re-established
	}
	for i := 0; i < len(d.log.htlcs); i++ {
		h := d.log.htlcs[i]
		if h.state != htlcInCommitted || int64(h.cltvExpiry) > int64(height)+HTLCFailBackBuffer {
			continue
		}
		if m.fwd.has(htlcRef{d.id, h.id}) {
			// Forwarded: it is failed back when its outgoing HTLC is,
			// never while that one may still be claimed downstream.
			continue
		}
		m.cfg.Logger.Info("channel: incoming htlc unclaimed near its expiry: failing it back",
			"channel_id", d.id, "htlc_id", h.id, "cltv_expiry", h.cltvExpiry, "height", height)
		if err := m.failIncomingHTLC(p, e, d, &h, &onion.IncorrectOrUnknownPaymentDetails{HTLCMsat: h.amount, Height: uint32(height)}); err != nil {
			return err
		}
	}
	return nil
}
