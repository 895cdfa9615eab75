package channel

import (
	"github.com/lnkit/lnkit/channel/commit"
	"github.com/lnkit/lnkit/wire"
)

// closingParams is what the closing fee negotiation of one channel works
// from, fixed once shutdown is complete (no HTLC left, both shutdown
// messages exchanged).
//
// Whether we opened the channel is not a field: it is the channel's
// Params().Opener, so the two cannot disagree. The counterparty's funding
// key, which checks its signatures, is the channel's Params().Remote.
type closingParams struct {
	// channelID is the channel_id of every closing_signed.
	channelID wire.ChannelID
	// channel is the channel being closed: its funding output, both
	// funding keys, both dust limits and its opener.
	channel *commit.Channel
	// signer signs with our funding key.
	signer commit.Signer
	// localScript and remoteScript are the scriptpubkeys of our shutdown
	// and of the peer's.
	localScript, remoteScript []byte
	// localBalance and remoteBalance are the final balances; they add up to
	// the capacity.
	localBalance, remoteBalance wire.MilliSatoshi
	// fees is our ideal fee and the fees we accept ([closingFeesFor]).
	fees closingFees
	// sendFeeRange puts our fees.feeRange in every closing_signed we send
	// (the fee_range TLV). Without it we negotiate the legacy way, by
	// proposals moving strictly between the last two; a peer's fee_range is
	// honoured either way.
	sendFeeRange bool
}

// weOpened reports whether we are the opener (funder): the side that pays
// the closing fee and sends the first closing_signed.
func (p *closingParams) weOpened() bool { return p.channel.Params().Opener == commit.Local }

// openerBalance returns the opener's final balance in whole satoshis: no
// fee can be above it (BOLT 3: the fee is subtracted from the opener's
// output).
func (p *closingParams) openerBalance() wire.Satoshi {
	if p.weOpened() {
		return p.localBalance.ToSatoshi()
	}
	return p.remoteBalance.ToSatoshi()
}

// validate checks p as newClosingNegotiation requires: every field set,
// the balances adding up to the capacity, and min ≤ ideal ≤ max ≤ the
// opener's balance.
func (p *closingParams) validate() error {
	switch {
	case p.channel == nil:
		return invalid("closingParams.channel", "is nil")
	case p.signer == nil:
		return invalid("closingParams.signer", "is nil")
	case len(p.localScript) == 0:
		return invalid("closingParams.localScript", "is empty")
	case len(p.remoteScript) == 0:
		return invalid("closingParams.remoteScript", "is empty")
	}
	capMsat := p.channel.Params().Capacity.ToMilliSatoshi()
	if p.localBalance > capMsat || p.remoteBalance != capMsat-p.localBalance {
		return invalid("closingParams.localBalance", "balances do not add up to the capacity")
	}
	r := p.fees.feeRange
	if r.MinFee > p.fees.ideal || p.fees.ideal > r.MaxFee || r.MaxFee > p.openerBalance() {
		return invalid("closingParams.fees", "want min_fee <= ideal <= max_fee <= the opener's balance")
	}
	return nil
}
