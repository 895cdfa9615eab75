package channel

import (
	"bytes"
	"fmt"
	"math"
	"time"

	"github.com/lnkit/lnkit/wire"
)

// AnnouncementDepth is the funding depth at which a public channel's
// announcement_signatures are sent (BOLT 7: "enough confirmations to
// ensure that it won't be reorganized"; a channel_announcement MUST NOT
// be sent below 6).
const AnnouncementDepth uint32 = 6

// Announcement is a public channel's gossip, for the gossip side to
// broadcast: the channel_announcement signed by both nodes and both
// funding keys, and our channel_update of it.
type Announcement struct {
	// ChannelAnnouncement is the complete, signed channel_announcement
	// (BOLT 7).
	ChannelAnnouncement *wire.ChannelAnnouncement
	// ChannelUpdate is our direction's channel_update, signed with the
	// node key, stamped with the time of the last TimerTick; nil until
	// the first TimerTick.
	ChannelUpdate *wire.ChannelUpdate
}

// TimerTick gives the Manager the time (it reads no clock): it stamps our
// channel_updates and invoices, sends update_fee on the channels we
// opened whose fee rate drifted from our estimator's (FeeUpdateDivisor),
// and fails back the parts of multi-part payments that did not reach
// their total within MPPTimeout.
func (m *Manager) TimerTick(now time.Time) {
	m.mu.Lock()
	m.now = now
	m.mu.Unlock()
	m.nowMilli.Store(unixMilli(now))
	m.updateFees()
	m.expireMPP(now)
	m.flushHeld()
	m.processForwards()
	m.flush()
}

// announceStep sends our announcement_signatures once a public channel is
// ready both ways and its funding AnnouncementDepth deep, and completes
// the announcement if the peer's came first (p locked; e is *funded).
func (m *Manager) announceStep(p *peerState, e *entry, d *chanData, best int32, c *change) error {
	f := &d.fund
	if !d.announce || f.announcementSent || !f.readySent || !f.readyReceived || f.depth(best) < AnnouncementDepth {
		return nil
	}
	msg, err := m.announcementSignaturesMsg(d)
	if err != nil {
		return err
	}
	f.announcementSent, c.dirty = true, true
	c.msgs = append(c.msgs, msg)
	m.cfg.Logger.Info("channel: announcement_signatures sent", "node_id", p.id, "channel_id", d.id, "scid", f.scid)
	if f.theirAnnouncement == nil {
		return nil
	}
	return m.completeAnnouncement(p, e, d, c)
}

// announcementSignaturesMsg is our announcement_signatures of d, whose
// funding is confirmed. The reestablishment sends it again with this
// function (BOLT 7: upon reconnection, when the peer's were not received,
// or when the peer sends its own again).
func (m *Manager) announcementSignaturesMsg(d *chanData) (*wire.AnnouncementSignatures, error) {
	nodeSig, btcSig, err := m.signAnnouncement(d, m.unsignedAnnouncement(d))
	if err != nil {
		return nil, err
	}
	return &wire.AnnouncementSignatures{
		ChannelID: d.id, ShortChannelID: d.fund.scid, NodeSignature: nodeSig, BitcoinSignature: btcSig,
	}, nil
}

// handleAnnouncementSignatures records the peer's announcement_signatures.
// Before ours are sent (channel_ready not exchanged, or the funding not
// yet AnnouncementDepth deep for us) they wait (BOLT 7: "defer handling");
// then both signatures are checked against the peer's node id and funding
// key, and the channel's announcement is assembled. A private channel's
// are ignored with a warning.
func (m *Manager) handleAnnouncementSignatures(p *peerState, e *entry, msg *wire.AnnouncementSignatures) error {
	d := e.data()
	if !d.announce {
		m.cfg.Logger.Warn("channel: announcement_signatures for a private channel ignored", "node_id", p.id, "channel_id", d.id)
		e.out.send(&wire.Warning{ChannelID: d.id, Data: []byte("lnkit: announcement_signatures for a private channel ignored")})
		return nil
	}
	if _, ok := e.phase.(*funded); !ok {
		m.cfg.Logger.Debug("channel: announcement_signatures after shutdown ignored", "node_id", p.id, "channel_id", d.id)
		return nil
	}
	f := &d.fund
	if old := f.theirAnnouncement; old != nil && old.ShortChannelID == msg.ShortChannelID &&
		old.NodeSignature == msg.NodeSignature && old.BitcoinSignature == msg.BitcoinSignature {
		return nil // a retransmission
	}
	cp := *msg
	cp.ExtraTLVs = nil
	f.theirAnnouncement = &cp
	c := change{dirty: true}
	var err error
	if f.announcementSent {
		err = m.completeAnnouncement(p, e, d, &c)
	} else {
		err = m.announceStep(p, e, d, m.bestHeight(), &c)
	}
	if err != nil {
		return err
	}
	return m.apply(e, d, &c)
}

// completeAnnouncement checks the peer's announcement_signatures and
// assembles the channel's announcement and our channel_update (p locked;
// ours are sent). Signatures for another short_channel_id (the peer sees
// the funding in another block) get a warning and are dropped (BOLT 7);
// bad signatures break a rule.
func (m *Manager) completeAnnouncement(p *peerState, e *entry, d *chanData, c *change) error {
	f := &d.fund
	if f.theirAnnouncement.ShortChannelID != f.scid {
		text := fmt.Sprintf("lnkit: announcement_signatures for short_channel_id %v, the funding is at %v",
			f.theirAnnouncement.ShortChannelID, f.scid)
		m.cfg.Logger.Warn("channel: announcement_signatures dropped", "node_id", p.id, "channel_id", d.id, "why", text)
		f.theirAnnouncement, c.dirty = nil, true
		c.msgs = append(c.msgs, &wire.Warning{ChannelID: d.id, Data: []byte(text)})
		return nil
	}
	ann, err := m.signedAnnouncement(d, f.theirAnnouncement)
	if err != nil {
		return err
	}
	fu := e.phase.(*funded)
	fu.ann = &Announcement{ChannelAnnouncement: ann}
	m.addUpdate(d, fu.ann)
	m.cfg.Logger.Info("channel: channel announcement complete", "node_id", p.id, "channel_id", d.id, "scid", f.scid)
	return nil
}

// unsignedAnnouncement is the channel_announcement of d without its
// signatures: no features (none is defined for channels, so both sides
// sign the same bytes), node ids in ascending order with their funding
// keys.
func (m *Manager) unsignedAnnouncement(d *chanData) *wire.ChannelAnnouncement {
	a := &wire.ChannelAnnouncement{
		ChainHash: m.cfg.ChainHash, ShortChannelID: d.fund.scid,
		NodeID1: m.ourID, NodeID2: d.counterparty,
		BitcoinKey1: wire.NewPoint(d.params.Local.Basepoints.Funding),
		BitcoinKey2: wire.NewPoint(d.params.Remote.Basepoints.Funding),
	}
	if !m.weAreNode1(d) {
		a.NodeID1, a.NodeID2 = a.NodeID2, a.NodeID1
		a.BitcoinKey1, a.BitcoinKey2 = a.BitcoinKey2, a.BitcoinKey1
	}
	return a
}

// weAreNode1 reports whether our node id is node_id_1 of d's
// announcement (the lesser of the two).
func (m *Manager) weAreNode1(d *chanData) bool {
	return bytes.Compare(m.ourID[:], d.counterparty[:]) < 0
}

// signAnnouncement signs ann's hash with the node key and our funding key.
func (m *Manager) signAnnouncement(d *chanData, ann *wire.ChannelAnnouncement) (node, bitcoin wire.Signature, err error) {
	h, err := ann.SignedDataHash()
	if err != nil {
		return node, bitcoin, fmt.Errorf("channel: channel_announcement: %w", err)
	}
	if node, err = m.cfg.Node.SignHash(wire.Digest(h)); err != nil {
		return node, bitcoin, fmt.Errorf("channel: node signer: %w", err)
	}
	if bitcoin, err = d.signer.SignFunding(wire.Digest(h)); err != nil {
		return node, bitcoin, fmt.Errorf("channel: signer: %w", err)
	}
	return node, bitcoin, nil
}

// signedAnnouncement checks the peer's signatures and returns the complete
// channel_announcement of d.
func (m *Manager) signedAnnouncement(d *chanData, theirs *wire.AnnouncementSignatures) (*wire.ChannelAnnouncement, error) {
	ann := m.unsignedAnnouncement(d)
	h, err := ann.SignedDataHash()
	if err != nil {
		return nil, fmt.Errorf("channel: channel_announcement: %w", err)
	}
	nodeKey, err := d.counterparty.PublicKey()
	if err != nil {
		return nil, fmt.Errorf("channel: counterparty node id: %w", err)
	}
	if !theirs.NodeSignature.Verify(h[:], nodeKey) {
		return nil, ruleErr(RuleAnnouncementNodeSignature, "does not sign the channel_announcement of %v", d.fund.scid)
	}
	if !theirs.BitcoinSignature.Verify(h[:], d.params.Remote.Basepoints.Funding) {
		return nil, ruleErr(RuleAnnouncementBitcoinSignature, "does not sign the channel_announcement of %v", d.fund.scid)
	}
	nodeSig, btcSig, err := m.signAnnouncement(d, ann)
	if err != nil {
		return nil, err
	}
	if m.weAreNode1(d) {
		ann.NodeSignature1, ann.BitcoinSignature1 = nodeSig, btcSig
		ann.NodeSignature2, ann.BitcoinSignature2 = theirs.NodeSignature, theirs.BitcoinSignature
	} else {
		ann.NodeSignature1, ann.BitcoinSignature1 = theirs.NodeSignature, theirs.BitcoinSignature
		ann.NodeSignature2, ann.BitcoinSignature2 = nodeSig, btcSig
	}
	return ann, nil
}

// addUpdate sets a's ChannelUpdate to our channel_update of d, stamped
// with the Manager's time; it does nothing before the first TimerTick
// (BOLT 7: the timestamp must be above 0) or when it is already set.
func (m *Manager) addUpdate(d *chanData, a *Announcement) {
	m.mu.Lock()
	now := m.now
	m.mu.Unlock()
	if a.ChannelUpdate != nil || now.Unix() <= 0 || now.Unix() > math.MaxUint32 {
		return
	}
	u := &wire.ChannelUpdate{
		ChainHash:                 m.cfg.ChainHash,
		ShortChannelID:            d.fund.scid,
		Timestamp:                 max(uint32(now.Unix()), d.policy.stamp),
		MessageFlags:              wire.ChanUpdateMustBeOne,
		CLTVExpiryDelta:           d.config.CLTVExpiryDelta,
		HTLCMinimumMsat:           d.theirs.htlcMinimum,
		FeeBaseMsat:               d.config.ForwardingFeeBaseMsat,
		FeeProportionalMillionths: d.config.ForwardingFeeProportionalMillionths,
		HTLCMaximumMsat:           d.htlcMaximum(),
	}
	if !m.weAreNode1(d) {
		u.ChannelFlags = wire.ChanUpdateDirection
	}
	if d.policy.disabled {
		u.ChannelFlags |= wire.ChanUpdateDisabled
	}
	h, _ := u.SignedDataHash()
	sig, err := m.cfg.Node.SignHash(wire.Digest(h))
	if err != nil {
		m.cfg.Logger.Error("channel: node signer failed on a channel_update", "channel_id", d.id, "err", err)
		return
	}
	u.Signature = sig
	a.ChannelUpdate = u
}

// htlcMaximum is the htlc_maximum_msat of our channel_update: the largest
// HTLC we can ever send in the channel (the capacity less the reserve the
// peer makes us keep), at most the peer's max_htlc_value_in_flight_msat
// (BOLT 7), and at least its htlc_minimum_msat.
func (d *chanData) htlcMaximum() wire.MilliSatoshi {
	sendable := wire.MilliSatoshi(uint64(d.params.Capacity-min(d.theirs.reserve, d.params.Capacity)) * 1000)
	return max(min(sendable, d.theirs.maxInFlight), d.theirs.htlcMinimum)
}

// ChannelAnnouncements returns the announcements of the public channels
// whose announcement_signatures went both ways, by peer then creation, for
// the gossip side to broadcast (BOLT 7: queue the channel_announcement
// once it is complete and at least 6 deep). The messages are shared: do
// not modify them.
func (m *Manager) ChannelAnnouncements() []Announcement {
	var out []Announcement
	for _, p := range m.allPeers() {
		p.mu.Lock()
		for _, e := range p.entries {
			if fu, ok := e.phase.(*funded); ok {
				if a := m.announcementOf(p, fu); a != nil {
					out = append(out, *a)
				}
			}
		}
		p.mu.Unlock()
	}
	return out
}

// announcementOf returns fu's announcement, building it when the exchange
// completed before a restart, and adding our channel_update once the
// Manager has the time (p locked).
func (m *Manager) announcementOf(p *peerState, fu *funded) *Announcement {
	d, f := fu.d, &fu.d.fund
	if fu.ann == nil {
		if !f.announcementSent || f.theirAnnouncement == nil || f.theirAnnouncement.ShortChannelID != f.scid {
			return nil
		}
		ann, err := m.signedAnnouncement(d, f.theirAnnouncement)
		if err != nil {
			m.cfg.Logger.Error("channel: stored announcement_signatures do not verify", "node_id", p.id, "channel_id", d.id, "err", err)
			return nil
		}
		fu.ann = &Announcement{ChannelAnnouncement: ann}
	}
	m.refreshUpdate(p, d, fu.ann)
	m.addUpdate(d, fu.ann)
	return fu.ann
}

// ChannelDisableDelay is how long a peer stays disconnected before our
// public channels with it are announced disabled (BOLT 7: a channel_update
// with the disable bit once the peer is no longer reachable); the next
// channel_update after the reconnection enables them again.
const ChannelDisableDelay = 10 * time.Minute

// ChannelUpdateRefresh is the age at which our channel_update of a public
// channel is signed again with a new timestamp, so that graphs, which
// prune channels without an update for two weeks (BOLT 7), keep it.
const ChannelUpdateRefresh = 7 * 24 * time.Hour

// refreshUpdate drops a's channel_update (addUpdate signs the next, above
// it) when the channel's disabled state changed or the update is
// ChannelUpdateRefresh old (p locked).
func (m *Manager) refreshUpdate(p *peerState, d *chanData, a *Announcement) {
	now := m.timeNow()
	if now.IsZero() {
		return
	}
	if !p.connected && p.offSince.IsZero() {
		p.offSince = now // first looked at since a restart
	}
	d.policy.disabled = !p.connected && now.Sub(p.offSince) >= ChannelDisableDelay
	u := a.ChannelUpdate
	if u == nil {
		return
	}
	wasDisabled := u.ChannelFlags&wire.ChanUpdateDisabled != 0
	if wasDisabled != d.policy.disabled || now.Sub(time.Unix(int64(u.Timestamp), 0)) >= ChannelUpdateRefresh {
		d.policy.stamp = max(d.policy.stamp, u.Timestamp+1)
		a.ChannelUpdate = nil
	}
}

// afterReestablish sends our announcement_signatures again once a
// reconnected public channel is re-established, whenever we sent them
// before (BOLT 7, "upon reconnection"): we cannot know whether they
// arrived, and a peer that has them ignores the repeat (as
// handleAnnouncementSignatures does), so no side ever needs to answer a
// repeat and no exchange loops.
func (m *Manager) afterReestablish(_ *peerState, e *entry, d *chanData) error {
	if _, ok := e.phase.(*funded); !ok || !d.announce || !d.fund.announcementSent {
		return nil
	}
	msg, err := m.announcementSignaturesMsg(d)
	if err != nil {
		return err
	}
	e.out.send(msg)
	return nil
}
