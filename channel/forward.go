package channel

import (
	"math/bits"

	"github.com/lnkit/lnkit/channel/commit"
	"github.com/lnkit/lnkit/persist"
	"github.com/lnkit/lnkit/router/onion"
	"github.com/lnkit/lnkit/wire"
)

// Forwarding (BOLT 4, BOLT 2 "Forwarding HTLCs"): an incoming HTLC whose
// onion names a next hop becomes a pending forward, written with the
// revocation that made it irrevocable. processForwards, run by the public
// entry points once they hold no lock, then adds the outgoing HTLC to the
// channel the onion names (by short_channel_id or our alias; another
// usable channel with the same peer when that one cannot carry it), after
// checking it against the named channel's forwarding policy
// (ChannelConfig: fee, cltv_expiry_delta; its htlc_minimum_msat), or
// fails it back with the BOLT 4 failure and our channel_update. The
// upstream and downstream channels belong to different peers: each step
// holds one peer's lock only.

// MinForwardExpiryAhead is how many blocks above the current height an
// outgoing HTLC's cltv_expiry (the onion's outgoing_cltv_value) must be:
// closer, and the next hop could not claim it before it expires
// (HTLCClaimBuffer), so it is refused with expiry_too_soon.
const MinForwardExpiryAhead = HTLCClaimBuffer

// acceptForward makes the peer's committed HTLC h, whose onion pp names a
// next hop, a pending forward: written with the revocation (act), and
// processed once that revocation is durable.
func (m *Manager) acceptForward(d *chanData, h *htlcEntry, pkt *onion.Packet, pp *onion.ProcessedPacket, act *revokeOutcome) error {
	pl := &pp.Payload
	scid, okS := pl.ShortChannelID.Get()
	amt, okA := pl.AmountToForward.Get()
	cltv, okC := pl.OutgoingCLTV.Get()
	if !okS || !okA || !okC || pl.EncryptedRecipientData.Present || pl.CurrentPathKey.Present {
		// Blinded paths are not forwarded yet; a payload without the
		// forwarding fields is invalid (BOLT 4).
		return m.failIncoming(d, h, pkt, &incomingFailure{msg: &onion.InvalidOnionPayload{}}, act)
	}
	f := &forward{
		state: fwdPending, in: htlcRef{d.id, h.id}, inAmount: h.amount, inCLTV: h.cltvExpiry,
		hash: h.paymentHash, secret: pp.SharedSecret,
		outSCID: scid, outAmount: amt, outCLTV: cltv, next: pp.Next.Encode(nil), inReceivedAt: h.receivedAt,
	}
	op, err := forwardOp(f)
	if err != nil {
		return err
	}
	act.ops = append(act.ops, op)
	act.fwds = append(act.fwds, f)
	m.cfg.Logger.Info("channel: htlc to forward", "channel_id", d.id, "htlc_id", h.id, "payment_hash", h.paymentHash,
		"next_scid", scid, "amount_msat", h.amount, "forward_msat", amt)
	return nil
}

// forwardsDurable puts the forwards act wrote into the book, gated on
// monitor update id of the upstream channel (BOLT 2: the revocation that
// made the incoming HTLC irrevocable is durable before we forward it).
func (m *Manager) forwardsDurable(act *revokeOutcome, id uint64) {
	for _, f := range act.fwds {
		f.gate = id
		m.fwd.put(f)
	}
}

// ProcessPendingHTLCForwards adds the outgoing HTLCs of the forwards
// waiting for it, and claims or fails back the incoming HTLCs whose
// forward the downstream resolved. The Manager's public methods that can
// make a forward progress (HandleChannelMessage, PeerConnected,
// TimerTick, MonitorUpdateCompleted, HTLCsResolvedOnChain) call it; it
// is exported for callers that want to drive it (after Load, say).
func (m *Manager) ProcessPendingHTLCForwards() {
	m.processForwards()
	m.flush()
}

// processForwards moves every forward one step on and retries the
// payments whose attempts failed (no lock held).
func (m *Manager) processForwards() {
	m.failDoomedMPP()
	m.forwardWork()
	m.processRetries()
}

// forwardWork moves every forward on as far as it can now.
func (m *Manager) forwardWork() {
	b := &m.fwd
	b.proc.Lock()
	defer b.proc.Unlock()
	for _, ref := range b.work() {
		f, ok := b.get(ref)
		if !ok {
			continue
		}
		switch f.state {
		case fwdPending:
			m.forwardOut(&f)
		case fwdIntercepted:
			m.expireIntercepted(&f)
		case fwdFulfilled, fwdFailed:
			m.resolveUpstream(&f)
		}
	}
}

// forwardOut adds the outgoing HTLC of pending forward f, or fails it.
func (m *Manager) forwardOut(f *forward) {
	switch m.upstreamReady(f) {
	case upstreamGone:
		m.logIf(m.dropForward(f.in))
		return
	case upstreamWait:
		return
	}
	msg := m.addDownstream(f)
	if msg == nil {
		return
	}
	if _, unknown := msg.(*onion.UnknownNextPeer); unknown && m.cfg.User.AcceptInterceptHTLCs && f.target == (wire.ChannelID{}) {
		m.logIf(m.intercept(f))
		return
	}
	m.cfg.Logger.Info("channel: forward refused", "channel_id", f.in.channel, "htlc_id", f.in.id,
		"payment_hash", f.hash, "next_scid", f.outSCID, "failure", msg.Code())
	nf, err := f.failedWith(msg, m.unixMilliNow())
	if err == nil {
		err = m.writeForward(nf)
	}
	if err != nil {
		m.logIf(err)
		return
	}
	m.resolveUpstream(nf)
}

// upstreamStatus is whether a pending forward may go out.
type upstreamStatus uint8

const (
	upstreamOK upstreamStatus = iota
	// upstreamWait: the revocation is not durable yet.
	upstreamWait
	// upstreamGone: the incoming HTLC is no longer committed in a live
	// channel (closed meanwhile): nothing to forward.
	upstreamGone
)

// upstreamReady checks f's incoming HTLC under its peer's lock.
func (m *Manager) upstreamReady(f *forward) upstreamStatus {
	st := upstreamGone
	m.withChannel(f.in.channel, func(p *peerState, e *entry, d *chanData) {
		h := d.log.find(commit.Remote, f.in.id)
		switch {
		case h == nil || h.state != htlcInCommitted || h.paymentHash != f.hash || d.mon.failed:
		case !d.mon.durable(f.gate):
			st = upstreamWait
		default:
			st = upstreamOK
		}
	})
	return st
}

// withChannel runs fn on funded channel id under its peer's lock; it
// does nothing when the Manager has no such channel.
func (m *Manager) withChannel(id wire.ChannelID, fn func(p *peerState, e *entry, d *chanData)) {
	m.mu.Lock()
	node, ok := m.ids[id]
	m.mu.Unlock()
	if !ok {
		return
	}
	p := m.lockPeer(node, false)
	if p == nil {
		return
	}
	defer p.mu.Unlock()
	if e := p.byID[id]; e != nil {
		if d := e.data(); d != nil {
			fn(p, e, d)
		}
	}
}

// addDownstream adds f's outgoing HTLC, durably with the downstream
// channel's record and f's new state, and returns nil; or returns the
// failure to send back.
func (m *Manager) addDownstream(f *forward) onion.FailureMessage {
	if f.target != (wire.ChannelID{}) {
		return m.addIntercepted(f)
	}
	if msg, found := m.addDownstreamVia(m.cachedScidPeer(f.outSCID), f); found {
		return msg
	}
	m.mu.Lock()
	delete(m.scids, f.outSCID) // stale (the channel closed), or never seen
	m.mu.Unlock()
	for _, p := range m.allPeers() {
		if msg, found := m.addDownstreamVia(p, f); found {
			return msg
		}
	}
	return &onion.UnknownNextPeer{}
}

// addDownstreamVia adds f's HTLC with peer p when one of its channels has
// f's short channel id (found).
func (m *Manager) addDownstreamVia(p *peerState, f *forward) (_ onion.FailureMessage, found bool) {
	if p == nil {
		return nil, false
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	e := p.byScid(f.outSCID)
	if p.removed || e == nil {
		return nil, false
	}
	m.mu.Lock()
	if m.scids == nil {
		m.scids = make(map[wire.ShortChannelID]wire.NodeID)
	}
	m.scids[f.outSCID] = p.id
	m.mu.Unlock()
	return m.addDownstreamTo(p, e, f), true
}

// cachedScidPeer is the peer scid was last found with, if any.
func (m *Manager) cachedScidPeer(scid wire.ShortChannelID) *peerState {
	m.mu.Lock()
	defer m.mu.Unlock()
	node, ok := m.scids[scid]
	if !ok {
		return nil
	}
	return m.peers[node]
}

// byScid returns p's funded channel with short channel id (or our alias)
// scid (p locked).
func (p *peerState) byScid(scid wire.ShortChannelID) *entry {
	for _, e := range p.entries {
		if d := e.data(); d != nil && (d.fund.scid == scid || d.fund.ourAlias == scid) && scid != (wire.ShortChannelID{}) {
			return e
		}
	}
	return nil
}

// addDownstreamTo checks f against named channel e's policy and adds it
// to e, or to another usable channel with the same peer (non-strict
// forwarding) (p locked).
func (m *Manager) addDownstreamTo(p *peerState, named *entry, f *forward) onion.FailureMessage {
	d := named.data()
	update := m.failureUpdate(d)
	if msg := m.checkPolicy(d, f, update); msg != nil {
		return msg
	}
	candidates := append([]*entry{named}, p.entries...)
	var disabled bool
	for i, e := range candidates {
		if i > 0 && e == named {
			continue
		}
		cd := e.data()
		if cd == nil {
			continue
		}
		if _, closing := e.phase.(*closing); closing && e == named {
			disabled = true
		}
		if !usable(p, e, cd) {
			continue
		}
		add := htlcAdd{id: cd.log.nextID[commit.Local], amount: f.outAmount, paymentHash: f.hash, cltvExpiry: f.outCLTV, onion: f.next}
		if err := cd.log.checkAdd(commit.Local, &add); err != nil {
			m.cfg.Logger.Debug("channel: forward does not fit a channel", "channel_id", cd.id, "err", err)
			continue
		}
		if err := m.addForwardHTLC(p, e, cd, f, add); err != nil {
			m.logIf(err)
			return &onion.TemporaryChannelFailure{ChannelUpdate: update}
		}
		return nil
	}
	if disabled {
		return &onion.ChannelDisabled{ChannelUpdate: update}
	}
	return &onion.TemporaryChannelFailure{ChannelUpdate: update}
}

// checkPolicy checks f against channel d's forwarding policy (BOLT 4,
// BOLT 7 channel_update): htlc_minimum_msat, the fee, the
// cltv_expiry_delta and how soon the outgoing HTLC expires.
func (m *Manager) checkPolicy(d *chanData, f *forward, update []byte) onion.FailureMessage {
	height := uint32(m.bestHeight())
	// The previous policy still holds for PolicyGrace after a change
	// (policy.go).
	prev := d.policy.honours(m.timeNow())
	paysFee := func(c *ChannelConfig) bool {
		return feeSufficient(f.inAmount, f.outAmount, c.ForwardingFeeBaseMsat, c.ForwardingFeeProportionalMillionths)
	}
	keepsDelta := func(c *ChannelConfig) bool {
		return uint64(f.inCLTV) >= uint64(f.outCLTV)+uint64(c.CLTVExpiryDelta)
	}
	// One policy whole: the current one, or the previous one in its
	// grace (never the fee of one with the delta of the other).
	oldOK := prev && paysFee(&d.policy.prev) && keepsDelta(&d.policy.prev)
	switch {
	case f.outAmount < d.theirs.htlcMinimum:
		return &onion.AmountBelowMinimum{HTLCMsat: f.outAmount, ChannelUpdate: update}
	case !paysFee(&d.config) && !oldOK:
		return &onion.FeeInsufficient{HTLCMsat: f.inAmount, ChannelUpdate: update}
	case !keepsDelta(&d.config) && !oldOK:
		return &onion.IncorrectCLTVExpiry{CLTVExpiry: f.inCLTV, ChannelUpdate: update}
	case uint64(f.outCLTV) <= uint64(height)+MinForwardExpiryAhead:
		return &onion.ExpiryTooSoon{ChannelUpdate: update}
	case f.outCLTV > height+MaxCLTVExpiryAhead:
		return &onion.ExpiryTooFar{}
	}
	return nil
}

// feeSufficient reports whether an incoming HTLC of in pays the fee
// base + out*proportional/1e6 for forwarding out (BOLT 7), computed
// without overflow.
func feeSufficient(in, out wire.MilliSatoshi, base, proportional uint32) bool {
	if in < out {
		return false
	}
	hi, lo := bits.Mul64(uint64(out), uint64(proportional))
	if hi >= 1_000_000 {
		return false
	}
	prop, _ := bits.Div64(hi, lo, 1_000_000)
	fee, carry := bits.Add64(prop, uint64(base), 0)
	return carry == 0 && uint64(in-out) >= fee
}

// addForwardHTLC adds f's HTLC (checked) to channel d and writes d's
// record with f's new state in one batch, then sends it (p locked).
func (m *Manager) addForwardHTLC(p *peerState, e *entry, d *chanData, f *forward, add htlcAdd) error {
	id, err := d.log.addHTLC(add)
	if err != nil {
		return err
	}
	nf := *f
	nf.state, nf.out, nf.next = fwdAdded, htlcRef{d.id, id}, nil
	op, err := forwardOp(&nf)
	if err == nil {
		err = m.saveWith(d, []persist.Op{op})
	}
	if err != nil {
		// Not durable: the channel goes back to its record (dropping the
		// add), and the forward fails back.
		if !m.reloadChannel(p, e, d) {
			m.failChannel(p, e, err)
		}
		return err
	}
	m.fwd.put(&nf)
	e.out.send(addMessage(d.id, d.log.find(commit.Local, id)))
	m.cfg.Logger.Info("channel: htlc forwarded", "from_channel", f.in.channel, "from_htlc", f.in.id,
		"channel_id", d.id, "htlc_id", id, "amount_msat", f.outAmount, "fee_msat", f.inAmount-f.outAmount)
	m.check(p, e, m.maybeSignCommitment(p, e, d))
	return nil
}

// failureUpdate is our channel_update of d as a failure carries it (with
// its type prefix), empty when we cannot sign one yet.
func (m *Manager) failureUpdate(d *chanData) []byte {
	var a Announcement
	m.addUpdate(d, &a)
	if a.ChannelUpdate == nil {
		return nil
	}
	b, err := a.ChannelUpdate.Encode([]byte{0x01, 0x02})
	if err != nil {
		return nil
	}
	return b
}
