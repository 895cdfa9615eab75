package channel

import (
	"fmt"

	btcwire "github.com/btcsuite/btcd/wire"

	"github.com/lnkit/lnkit/channel/commit"
	"github.com/lnkit/lnkit/events"
	"github.com/lnkit/lnkit/peer"
	"github.com/lnkit/lnkit/wire"
)

// inboundOpening is a channel a peer asked for: open_channel received and
// checked, then (once we or the application accepted) accept_channel sent,
// until funding_created makes it funded. Nothing of it is persisted.
type inboundOpening struct {
	open     *wire.OpenChannel
	chanType ChannelType
	// accepted is set once accept_channel is sent.
	accepted      *wire.AcceptChannel
	userChannelID uint64
	user          UserConfig
	keyID         [32]byte
	signer        ChannelSigner
}

func (o *inboundOpening) state() State { return StateNegotiating }

func (o *inboundOpening) channelID() wire.ChannelID { return o.open.TemporaryChannelID }

// MaxUnfundedInboundPerPeer is how many inbound channels a peer may have
// with us whose funding has not confirmed (open_channel received, or
// funded with a funding transaction not yet on chain): each costs memory,
// a record, a monitor and events for up to 2016 blocks, and a peer can
// make them for free (funding_created may name a transaction that never
// exists). A peer opening more gets an error for the new one.
const MaxUnfundedInboundPerPeer = 4

// unfundedInbound counts p's inbound channels whose funding has not
// confirmed (p locked).
func (p *peerState) unfundedInbound() int {
	n := 0
	for _, e := range p.entries {
		switch ph := e.phase.(type) {
		case *inboundOpening:
			n++
		case *funded:
			if ph.d.params.Opener == commit.Remote && ph.d.fund.confirmedHeight == 0 {
				n++
			}
		}
	}
	return n
}

// handleOpenChannel checks a peer's open_channel against every rule of
// BOLT 2 and our limits; a violation gets an error naming the rule.
func (m *Manager) handleOpenChannel(p *peerState, msg *wire.OpenChannel) {
	tmp := msg.TemporaryChannelID
	if e := p.byID[tmp]; e != nil {
		if e.data() != nil {
			// The id of a funded channel: a warning, never a failure
			// of that channel (a peer must not make us force-close).
			p.out = append(p.out, peer.Outbound{To: p.id, Msg: &wire.Warning{
				ChannelID: tmp, Data: []byte("lnkit: open_channel.temporary_channel_id is the id of an open channel"),
			}})
			return
		}
		// Our error for tmp makes the peer fail its channel tmp: the
		// negotiation under that id ends on our side too.
		m.failChannel(p, e, ruleErr(RuleOpenTemporaryChannelID, "temporary_channel_id %v is already in use", tmp))
		return
	}
	if n := p.unfundedInbound(); n >= MaxUnfundedInboundPerPeer {
		m.refuseOpen(p, tmp, fmt.Errorf("channel: %d channels of yours are still being negotiated or funded without confirmation: wait for one to confirm", n))
		return
	}
	fees, err := NewFeeBounds(m.cfg.Context, m.cfg.Fees, m.cfg.User.Limits)
	if err != nil {
		m.refuseOpen(p, tmp, fmt.Errorf("channel: fee estimate: %w", err))
		return
	}
	ct, err := CheckOpenChannel(msg, &InboundOpen{
		ChainHash: m.cfg.ChainHash, OurFeatures: m.cfg.Features, TheirFeatures: p.init.Features,
		Config: m.cfg.User, Fees: fees,
	})
	if err != nil {
		m.refuseOpen(p, tmp, err)
		return
	}
	o := &inboundOpening{open: msg, chanType: ct, user: m.cfg.User}
	e := &entry{phase: o}
	p.addEntry(tmp, e)
	if m.cfg.User.AcceptInboundChannels {
		if err := m.accept(p, e, o, 0); err != nil {
			m.failChannel(p, e, err)
		}
		return
	}
	req := &events.OpenChannelRequest{
		TemporaryChannelID: tmp, CounterpartyNodeID: p.id, FundingAmount: msg.FundingAmount,
		PushAmount: msg.PushAmount, ChannelType: ct.Features(), IsAnnounced: msg.ChannelFlags&1 == 1,
		CounterpartyFeatures: p.init.Features.Clone(),
		Params: events.ChannelParameters{
			DustLimit: msg.DustLimit, MaxHTLCValueInFlight: msg.MaxHTLCValueInFlight,
			HTLCMinimum: msg.HTLCMinimum, FeeRate: msg.FeeRate, ToSelfDelay: msg.ToSelfDelay,
			MaxAcceptedHTLCs: msg.MaxAcceptedHTLCs, ChannelReserve: msg.ChannelReserve,
		},
	}
	if err := m.appendEvents(req); err != nil {
		m.failChannel(p, e, err)
	}
}

// refuseOpen answers an open_channel we will not accept with an error for
// its temporary id.
func (m *Manager) refuseOpen(p *peerState, tmp wire.ChannelID, err error) {
	m.cfg.Logger.Info("channel: open_channel refused", "node_id", p.id, "temporary_channel_id", tmp, "err", err)
	p.out = append(p.out, peer.Outbound{To: p.id, Msg: &wire.Error{ChannelID: tmp, Data: []byte(peerText(err))}})
}

// AcceptInboundChannel accepts the channel tmp that counterparty asked for
// (an OpenChannelRequest event), naming it userChannelID.
func (m *Manager) AcceptInboundChannel(tmp wire.ChannelID, counterparty wire.NodeID, userChannelID uint64) error {
	return m.withEntry(tmp, counterparty, func(p *peerState, e *entry) error {
		o, err := pendingRequest(e, tmp, counterparty)
		if err != nil {
			return err
		}
		if err := m.accept(p, e, o, userChannelID); err != nil {
			m.failChannel(p, e, err)
			return err
		}
		return nil
	})
}

// RejectInboundChannel refuses the channel tmp that counterparty asked for;
// the peer gets an error with reason.
func (m *Manager) RejectInboundChannel(tmp wire.ChannelID, counterparty wire.NodeID, reason string) error {
	return m.withEntry(tmp, counterparty, func(p *peerState, e *entry) error {
		if _, err := pendingRequest(e, tmp, counterparty); err != nil {
			return err
		}
		p.removeEntry(e)
		p.out = append(p.out, peer.Outbound{To: p.id, Msg: &wire.Error{ChannelID: tmp, Data: []byte("lnkit: channel rejected: " + events.SanitizeText(reason))}})
		return nil
	})
}

// pendingRequest returns e's inbound opening still waiting for the
// application's decision.
func pendingRequest(e *entry, tmp wire.ChannelID, counterparty wire.NodeID) (*inboundOpening, error) {
	o, ok := e.phase.(*inboundOpening)
	if !ok || o.accepted != nil {
		return nil, fmt.Errorf("%w: %v with %v is not an inbound request", ErrUnknownChannel, tmp, counterparty)
	}
	return o, nil
}

// accept sends accept_channel for o.
func (m *Manager) accept(p *peerState, e *entry, o *inboundOpening, userChannelID uint64) error {
	o.userChannelID = userChannelID
	o.keyID = m.cfg.Signers.NewChannelKeyID()
	o.signer = m.cfg.Signers.ChannelSigner(o.keyID)
	first, err := o.signer.PerCommitmentPoint(0)
	if err != nil {
		return fmt.Errorf("channel: signer: %w", err)
	}
	upfront, err := m.upfrontScript(o.user)
	if err != nil {
		return err
	}
	h, open := o.user.Handshake, o.open
	acc := &wire.AcceptChannel{
		TemporaryChannelID:    open.TemporaryChannelID,
		DustLimit:             h.DustLimit,
		MaxHTLCValueInFlight:  h.MaxHTLCValueInFlight(open.FundingAmount),
		ChannelReserve:        h.ChannelReserve(open.FundingAmount, open.DustLimit),
		HTLCMinimum:           h.HTLCMinimum,
		MinimumDepth:          h.MinimumDepth,
		ToSelfDelay:           h.ToSelfDelay,
		MaxAcceptedHTLCs:      h.MaxAcceptedHTLCs,
		UpfrontShutdownScript: wire.Some(upfront),
		ChannelType:           wire.Some(o.chanType.Features()),
	}
	k := ourPoints(o.signer.Basepoints(), first)
	acc.FundingPubKey, acc.RevocationBasepoint, acc.PaymentBasepoint = k.funding, k.revocation, k.payment
	acc.DelayedPaymentBasepoint, acc.HTLCBasepoint, acc.FirstPerCommitmentPoint = k.delayed, k.htlc, k.first
	o.accepted = acc
	e.out.send(acc)
	return nil
}

// handleFundingCreated checks the opener's signature of our first
// commitment, creates the channel's monitor and answers funding_signed once
// the monitor is durable.
func (m *Manager) handleFundingCreated(p *peerState, e *entry, msg *wire.FundingCreated) error {
	o, ok := e.phase.(*inboundOpening)
	if !ok || o.accepted == nil {
		return ruleErr(RuleUnexpectedMessage, "funding_created before accept_channel")
	}
	outpoint := btcwire.OutPoint{Hash: msg.FundingTxID, Index: uint32(msg.FundingOutputIndex)}
	id := wire.NewChannelID(outpoint)
	if p.byID[id] != nil || !m.reserveID(id, p.id) {
		return ruleErr(RuleFundingCreatedOutpoint, "channel id %v is already in use", id)
	}
	kept := false
	defer func() {
		if !kept {
			m.unregisterID(id)
		}
	}()
	open, acc := o.open, o.accepted
	theirs, err := basepointsOf(RuleOpenPoints, open.FundingPubKey, open.RevocationBasepoint, open.PaymentBasepoint, open.DelayedPaymentBasepoint, open.HTLCBasepoint)
	if err != nil {
		return err
	}
	theirFirst, err := open.FirstPerCommitmentPoint.PublicKey()
	if err != nil {
		return ruleErr(RuleOpenPoints, "first_per_commitment_point: %v", err)
	}
	c := &core{
		id: id, tempID: open.TemporaryChannelID, counterparty: p.id, userChannelID: o.userChannelID,
		keyID: o.keyID, chanType: o.chanType, announce: open.ChannelFlags&1 == 1,
		minimumDepth:       acc.MinimumDepth,
		ours:               limitsOfAccept(acc),
		theirs:             limitsOfOpen(open),
		ourUpfrontScript:   nonEmpty(acc.UpfrontShutdownScript),
		theirUpfrontScript: nonEmpty(open.UpfrontShutdownScript),
		createdHeight:      m.bestHeight(), config: o.user.Channel, signer: o.signer,
	}
	c.params = commit.Params{
		Type: o.chanType.Commitment, FundingOutpoint: outpoint, Capacity: open.FundingAmount,
		Opener: commit.Remote,
		Local:  commit.Party{Basepoints: basepointsOfSigner(o.signer), DustLimit: acc.DustLimit, CSVDelay: open.ToSelfDelay},
		Remote: commit.Party{Basepoints: theirs, DustLimit: open.DustLimit, CSVDelay: acc.ToSelfDelay},
	}
	d, err := newChanDataFrom(c, open.FeeRate, theirFirst, open.FundingAmount, open.PushAmount)
	if err != nil {
		return err
	}
	ours, err := d.ch.Build(commit.Local, &d.cc.holder)
	if err != nil {
		return err
	}
	if err := ours.VerifyCounterparty(commit.Signatures{Commitment: msg.Signature}); err != nil {
		return ruleErr(RuleFundingCreatedSignature, "signature of our first commitment: %v", err)
	}
	d.setFirstSignature(msg.Signature)
	theirCm, err := d.ch.Build(commit.Remote, &d.cc.theirs)
	if err != nil {
		return err
	}
	sigs, err := theirCm.SignAsCounterparty(d.signer)
	if err != nil {
		return fmt.Errorf("channel: sign the opener's first commitment: %w", err)
	}
	pending := &events.ChannelPending{
		ChannelID: id, UserChannelID: d.userChannelID, FormerTemporaryChannelID: d.tempID,
		CounterpartyNodeID: p.id, FundingOutPoint: outpoint, ChannelType: d.chanType.Features(),
	}
	// The record first, then the phase: a store that fails leaves the
	// channel unfunded (forgotten, nothing sent).
	if err := m.saveFunded(d, pending); err != nil {
		return err
	}
	kept = true
	p.rekey(open.TemporaryChannelID, id, e)
	e.phase = &funded{d: d}
	d.reestablished = true // funded on this connection: nothing to re-establish
	if !m.watchNew(p, e, d) {
		return nil
	}
	e.out.sendAfter(0, &wire.FundingSigned{ChannelID: id, Signature: sigs.Commitment})
	m.cfg.Logger.Info("channel: funding created", "node_id", p.id, "channel_id", id, "funding", outpoint)
	return nil
}
