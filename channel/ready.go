package channel

import (
	"encoding/binary"
	"fmt"

	"github.com/lnkit/lnkit/events"
	"github.com/lnkit/lnkit/wire"
)

// Scid aliases (option_scid_alias, BOLT 2 "The channel_ready Message").
//
// Every channel_ready we send carries a short_channel_id alias, as LDK's
// do, whether or not option_scid_alias was negotiated: the peer may use it
// in route hints before the funding confirms, and for private channels
// instead of the real short_channel_id. Aliases are drawn from
// Config.Entropy with a block height of at least AliasMinBlockHeight, a
// height the chain reaches in about 290 years: an alias never collides
// with a real short_channel_id of today's chain. Within that range (2^59.6
// values) two random aliases are equal with a probability of about 2^-59;
// an alias is also redrawn while it equals one of the same peer's channels.
const (
	// AliasMinBlockHeight is the lowest block height of our aliases.
	AliasMinBlockHeight uint32 = 16_000_000
	// aliasHeightSpan is the number of heights an alias may have: up to
	// the largest 24-bit height.
	aliasHeightSpan = 1<<24 - AliasMinBlockHeight
)

// newAlias draws a new scid alias for a channel of p (p locked).
func (m *Manager) newAlias(p *peerState) wire.ShortChannelID {
	for {
		b := m.cfg.Entropy.GetSecureRandomBytes()
		// A 64-bit draw reduced modulo ~2^19.6 heights: a bias of 2^-44.
		a := wire.ShortChannelID{
			BlockHeight: AliasMinBlockHeight + uint32(binary.BigEndian.Uint64(b[:8])%uint64(aliasHeightSpan)),
			TxIndex:     uint32(b[8])<<16 | uint32(b[9])<<8 | uint32(b[10]),
			OutputIndex: binary.BigEndian.Uint16(b[11:13]),
		}
		if !p.usesAlias(a) {
			return a
		}
	}
}

// usesAlias reports whether one of p's channels already has alias a (p
// locked).
func (p *peerState) usesAlias(a wire.ShortChannelID) bool {
	for _, e := range p.entries {
		if d := e.data(); d != nil && d.fund.ourAlias == a {
			return true
		}
	}
	return false
}

// readyDepth is the funding depth at which we send channel_ready: the
// acceptor's minimum_depth, for both sides (the opener may send earlier
// under BOLT 2, but waiting costs nothing and keeps both sides' views of
// the channel alike). Zero-conf channels are not made yet: a minimum_depth
// of 0 waits for one confirmation.
func (d *chanData) readyDepth() uint32 { return max(d.minimumDepth, 1) }

// channelReadyMsg is our channel_ready: the point of our commitment 1 and
// our alias. The reestablishment sends it again with this function.
func channelReadyMsg(d *chanData) (*wire.ChannelReady, error) {
	point, err := d.signer.PerCommitmentPoint(1)
	if err != nil {
		return nil, fmt.Errorf("channel: signer: %w", err)
	}
	return &wire.ChannelReady{
		ChannelID:                d.id,
		SecondPerCommitmentPoint: wire.NewPoint(point),
		Alias:                    wire.Some(d.fund.ourAlias),
	}, nil
}

// readyStep sends channel_ready once the funding is deep enough (p
// locked; e's phase is *funded).
func (m *Manager) readyStep(p *peerState, d *chanData, best int32, c *change) error {
	f := &d.fund
	if f.readySent || f.depth(best) < d.readyDepth() {
		return nil
	}
	if f.ourAlias == (wire.ShortChannelID{}) {
		f.ourAlias = m.newAlias(p)
	}
	msg, err := channelReadyMsg(d)
	if err != nil {
		return err
	}
	f.readySent = true
	c.dirty = true
	c.msgs = append(c.msgs, msg)
	m.cfg.Logger.Info("channel: channel_ready sent", "node_id", p.id, "channel_id", d.id,
		"scid", f.scid, "alias", f.ourAlias, "depth", f.depth(best))
	if f.readyReceived {
		c.evs = append(c.evs, m.readyEvent(p, d))
	}
	return nil
}

// readyEvent is the ChannelReady event of d, raised when channel_ready
// has gone both ways.
func (m *Manager) readyEvent(p *peerState, d *chanData) *events.ChannelReady {
	m.cfg.Logger.Info("channel: channel ready", "node_id", p.id, "channel_id", d.id, "scid", d.fund.scid)
	return &events.ChannelReady{
		ChannelID: d.id, UserChannelID: d.userChannelID, CounterpartyNodeID: p.id,
		FundingOutPoint: d.params.FundingOutpoint, ChannelType: d.chanType.Features(),
	}
}

// handleChannelReady records the peer's channel_ready: its point for its
// commitment 1 and its alias. It may come before our funding depth (BOLT
// 2: the opener may send it at any time); the channel becomes ready once
// ours is sent too. A repeat (a retransmission after reconnecting, or a
// new alias, which BOLT 2 allows) must name the same point.
func (m *Manager) handleChannelReady(p *peerState, e *entry, msg *wire.ChannelReady) error {
	d := e.data()
	point, err := msg.SecondPerCommitmentPoint.PublicKey()
	if err != nil {
		return ruleErr(RuleChannelReadyPoint, "%v", err)
	}
	f := &d.fund
	var c change
	switch {
	case f.readyReceived && (d.cc.theirs.Number > 0 || d.cc.theirPending != nil):
		// The channel has moved on: theirNextPoint is a later point now,
		// and this is a stale retransmission.
		return nil
	case f.readyReceived && !d.cc.theirNextPoint.IsEqual(point):
		return ruleErr(RuleChannelReadyPoint, "a second channel_ready names point %x, the first named %x",
			point.SerializeCompressed(), d.cc.theirNextPoint.SerializeCompressed())
	case f.readyReceived:
		if a, ok := msg.Alias.Get(); ok && a != f.theirAlias {
			f.theirAlias, c.dirty = a, true
		}
	default:
		d.cc.theirNextPoint = point
		if a, ok := msg.Alias.Get(); ok {
			f.theirAlias = a
		}
		f.readyReceived, c.dirty = true, true
		m.cfg.Logger.Info("channel: channel_ready received", "node_id", p.id, "channel_id", d.id, "alias", f.theirAlias)
		if _, ok := e.phase.(*funded); ok && f.readySent {
			c.evs = append(c.evs, m.readyEvent(p, d))
		}
	}
	if _, ok := e.phase.(*funded); ok {
		// The funding may be deep enough for the announcement already.
		if err := m.announceStep(p, e, d, m.bestHeight(), &c); err != nil {
			return err
		}
	}
	return m.apply(e, d, &c)
}

// change is what one step of a channel raised: the record must be saved
// (with the events) before the messages may leave.
type change struct {
	dirty bool
	evs   []events.Event
	msgs  []wire.Message
}

// apply saves d with c's events when c changed it, then queues c's
// messages. An error (the store failed) fails the channel in the caller.
func (m *Manager) apply(e *entry, d *chanData, c *change) error {
	if c.dirty || len(c.evs) > 0 {
		if err := m.save(d, c.evs...); err != nil {
			return err
		}
	}
	for _, msg := range c.msgs {
		e.out.send(msg)
	}
	return nil
}

// resendChannelReady sends our channel_ready again on a reconnection (BOLT
// 2, channel_reestablish: next_commitment_number 1 both ways); the alias is
// the one sent before.
func (m *Manager) resendChannelReady(_ *peerState, e *entry, d *chanData) error {
	msg, err := channelReadyMsg(d)
	if err != nil {
		return err
	}
	e.out.send(msg)
	return nil
}
