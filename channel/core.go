package channel

import (
	btcwire "github.com/btcsuite/btcd/wire"

	"github.com/lnkit/lnkit/channel/commit"
	"github.com/lnkit/lnkit/wire"
)

// core is what a funded channel fixed when it opened: the parameters both
// sides agreed in open_channel and accept_channel and the funding output.
// It is set once, when the channel gets its permanent id, and never
// changes; it is persisted in the channel's record.
type core struct {
	// id is the permanent channel id (from the funding outpoint);
	// tempID the temporary one of open_channel.
	id, tempID wire.ChannelID
	// counterparty is the peer.
	counterparty wire.NodeID
	// userChannelID is the application's id of the channel.
	userChannelID uint64
	// keyID names our channel keys (SignerProvider.ChannelSigner).
	keyID [32]byte
	// chanType is the negotiated channel_type.
	chanType ChannelType
	// params are the commitment parameters (Local is us).
	params commit.Params
	// announce is announce_channel: the channel is public.
	announce bool
	// minimumDepth is the confirmations the acceptor asked for.
	minimumDepth uint32

	// ours and theirs are each side's limits on the other: what each
	// announced in open_channel / accept_channel.
	ours, theirs sideLimits

	// ourUpfrontScript and theirUpfrontScript are the committed
	// upfront_shutdown_scripts (nil: none).
	ourUpfrontScript, theirUpfrontScript []byte

	// fundingTx is the funding transaction (opener only; nil for the
	// acceptor), kept to broadcast it again.
	fundingTx *btcwire.MsgTx
	// createdHeight is the best height when the channel was funded: the
	// acceptor forgets a funding unconfirmed 2016 blocks later.
	createdHeight int32
	// config is the channel's forwarding policy.
	config ChannelConfig

	// ch is params validated and precomputed (not persisted: rebuilt).
	ch *commit.Channel
	// signer signs for keyID (not persisted: from the SignerProvider).
	signer ChannelSigner
}

// sideLimits are the limits one side sets on its counterparty in
// open_channel or accept_channel.
type sideLimits struct {
	// dustLimit is dust_limit_satoshis (it trims this side's commitments).
	dustLimit wire.Satoshi
	// reserve is channel_reserve_satoshis: what the OTHER side must keep.
	reserve wire.Satoshi
	// htlcMinimum is htlc_minimum_msat: the smallest HTLC this side accepts.
	htlcMinimum wire.MilliSatoshi
	// maxInFlight is max_htlc_value_in_flight_msat.
	maxInFlight wire.MilliSatoshi
	// maxAcceptedHTLCs is max_accepted_htlcs.
	maxAcceptedHTLCs uint16
	// toSelfDelay is to_self_delay: the CSV delay on the OTHER side's
	// outputs.
	toSelfDelay uint16
}

// funding is what the manager tracks of the funding transaction on chain.
type funding struct {
	// confirmedHeight is the height of the block that confirmed it (0:
	// unconfirmed); confirmedIndex its index there.
	confirmedHeight int32
	confirmedIndex  uint32
	// confirmedHash is that block's hash.
	confirmedHash [32]byte
	// scid is the real short channel id, once confirmed.
	scid wire.ShortChannelID
	// ourAlias is the alias we gave the counterparty in channel_ready;
	// theirAlias the one it gave us.
	ourAlias, theirAlias wire.ShortChannelID
	// readySent and readyReceived track channel_ready both ways.
	readySent, readyReceived bool
	// announcementSent: our announcement_signatures went out;
	// theirAnnouncement holds the peer's, once received.
	announcementSent  bool
	theirAnnouncement *wire.AnnouncementSignatures
}

// depth returns the confirmations of the funding at best height.
func (f *funding) depth(best int32) uint32 {
	if f.confirmedHeight == 0 || best < f.confirmedHeight {
		return 0
	}
	return uint32(best-f.confirmedHeight) + 1
}
