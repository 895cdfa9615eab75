package channel

import (
	btcwire "github.com/btcsuite/btcd/wire"

	"github.com/lnkit/lnkit/channel/commit"
	"github.com/lnkit/lnkit/wire"
)

// ChannelDetails describes one channel as ListChannels reports it. Fields
// not known yet in the channel's state are zero.
type ChannelDetails struct {
	// ChannelID is the id messages name the channel by now: the
	// temporary id while negotiating, the permanent one (from the funding
	// outpoint, BOLT 2) once funding_created is sent or received.
	ChannelID wire.ChannelID
	// TemporaryChannelID is the temporary_channel_id of open_channel.
	TemporaryChannelID wire.ChannelID
	// ShortChannelID is the real short_channel_id (block height,
	// transaction index, output index of the funding), zero until the
	// funding confirms; it changes if a reorganisation moves the funding
	// to another block.
	ShortChannelID wire.ShortChannelID
	// OurAlias is the scid alias we gave the peer in channel_ready (BOLT 2
	// option_scid_alias): the peer may route to us through the channel by
	// it. Zero until channel_ready is sent.
	OurAlias wire.ShortChannelID
	// TheirAlias is the scid alias the peer gave us in channel_ready, to
	// use in route hints (BOLT 11 r fields). Zero until received, or when
	// the peer sent none.
	TheirAlias wire.ShortChannelID
	// CounterpartyNodeID is the peer.
	CounterpartyNodeID wire.NodeID
	// Config is the channel's config: its forwarding policy (fees,
	// cltv_expiry_delta) is what our channel_update announces. Zero
	// before the channel is funded.
	Config ChannelConfig
	// HTLCMinimum is the smallest HTLC we may offer (the peer's
	// htlc_minimum_msat, our channel_update's). Zero before funding.
	HTLCMinimum wire.MilliSatoshi
	// Capacity is the channel's value: the funding output's amount.
	Capacity wire.Satoshi
	// OurBalance is what we own in our latest commitment outside HTLCs,
	// before the commitment fee and anchors, which the opener pays from
	// its balance on chain.
	OurBalance wire.MilliSatoshi
	// TheirBalance is what the peer owns in our latest commitment outside
	// HTLCs, before the commitment fee and anchors.
	TheirBalance wire.MilliSatoshi
	// OurReserve is the channel_reserve_satoshis the peer set: what we
	// must keep on our side (zero until the peer's open_channel or
	// accept_channel).
	OurReserve wire.Satoshi
	// TheirReserve is the channel_reserve_satoshis we set: what the peer
	// must keep on its side (zero until we sent accept_channel, as
	// acceptor).
	TheirReserve wire.Satoshi
	// State is where the channel is in its life.
	State State
	// Usable reports that the channel is ready (channel_ready both ways)
	// and the peer is connected: payments may use it.
	Usable bool
	// Public reports announce_channel: the channel is announced to the
	// network (BOLT 7) once its funding is AnnouncementDepth deep.
	Public bool
	// ChannelType is the negotiated channel_type.
	ChannelType ChannelType
	// Confirmations is the funding's depth at the Manager's best block (0:
	// unconfirmed).
	Confirmations uint32
	// MinimumDepth is the acceptor's minimum_depth: the confirmations
	// before channel_ready (zero until accept_channel).
	MinimumDepth uint32
	// IsOutbound reports that we opened the channel (and fund it).
	IsOutbound bool
	// FundingOutPoint is the funding output, zero until the funding
	// transaction is known (FundingTransactionGenerated, or
	// funding_created received).
	FundingOutPoint btcwire.OutPoint
	// UserChannelID is the application's id of the channel
	// (CreateChannel, AcceptInboundChannel; 0 for channels accepted
	// automatically).
	UserChannelID uint64
}

// ListChannels returns every channel of the node, by peer (ascending
// node id) then in the order the channels were created with that peer.
func (m *Manager) ListChannels() []ChannelDetails {
	best := m.bestHeight()
	var out []ChannelDetails
	for _, p := range m.allPeers() {
		p.mu.Lock()
		for _, e := range p.entries {
			cd := detailsOf(e.phase, best)
			cd.CounterpartyNodeID = p.id
			cd.Usable = cd.State == StateReady && p.connected
			out = append(out, cd)
		}
		p.mu.Unlock()
	}
	return out
}

// detailsOf describes a channel in phase ph at best height best.
func detailsOf(ph phase, best int32) ChannelDetails {
	switch o := ph.(type) {
	case *outboundOpening:
		if o.d != nil {
			cd := o.d.details(best)
			cd.State = o.state()
			return cd
		}
		cd := ChannelDetails{
			TemporaryChannelID: o.sent.TemporaryChannelID, Capacity: o.sent.FundingAmount,
			TheirReserve: o.sent.ChannelReserve, Public: o.sent.ChannelFlags&1 == 1,
			ChannelType: o.chanType, IsOutbound: true, UserChannelID: o.userChannelID,
		}
		cd.OurBalance, cd.TheirBalance = openerSplit(o.sent.FundingAmount, o.sent.PushAmount)
		if o.accept != nil {
			cd.OurReserve, cd.MinimumDepth = o.accept.ChannelReserve, o.accept.MinimumDepth
		}
		cd.ChannelID, cd.State = o.channelID(), o.state()
		return cd
	case *inboundOpening:
		cd := ChannelDetails{
			ChannelID: o.channelID(), TemporaryChannelID: o.open.TemporaryChannelID,
			Capacity: o.open.FundingAmount, OurReserve: o.open.ChannelReserve,
			State: o.state(), Public: o.open.ChannelFlags&1 == 1, ChannelType: o.chanType,
			UserChannelID: o.userChannelID,
		}
		cd.TheirBalance, cd.OurBalance = openerSplit(o.open.FundingAmount, o.open.PushAmount)
		if o.accepted != nil {
			cd.TheirReserve, cd.MinimumDepth = o.accepted.ChannelReserve, o.accepted.MinimumDepth
		}
		return cd
	case *funded:
		cd := o.d.details(best)
		cd.State = o.state()
		return cd
	case *closing:
		cd := o.d.details(best)
		cd.State = o.state()
		return cd
	}
	return ChannelDetails{}
}

// openerSplit is the opener's and the acceptor's balance of a new channel
// of amount with push given to the acceptor.
func openerSplit(amount wire.Satoshi, push wire.MilliSatoshi) (opener, acceptor wire.MilliSatoshi) {
	total := wire.MilliSatoshi(uint64(amount) * 1000)
	return total - min(push, total), min(push, total)
}

// details describes a channel whose core is fixed (State left to the
// caller).
func (d *chanData) details(best int32) ChannelDetails {
	local, remote := d.balances()
	return ChannelDetails{
		ChannelID: d.id, TemporaryChannelID: d.tempID, ShortChannelID: d.fund.scid,
		OurAlias: d.fund.ourAlias, TheirAlias: d.fund.theirAlias,
		Capacity: d.params.Capacity, OurBalance: local, TheirBalance: remote,
		OurReserve: d.theirs.reserve, TheirReserve: d.ours.reserve,
		Public: d.announce, ChannelType: d.chanType, Confirmations: d.fund.depth(best),
		MinimumDepth: d.minimumDepth, IsOutbound: d.params.Opener == commit.Local,
		FundingOutPoint: d.params.FundingOutpoint, UserChannelID: d.userChannelID,
		Config: d.config, HTLCMinimum: d.theirs.htlcMinimum,
	}
}
