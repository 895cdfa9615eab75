package main

import (
	"context"
	"errors"
	"fmt"

	"github.com/btcsuite/btcd/btcutil"

	"github.com/lnkit/lnkit/channel"
	"github.com/lnkit/lnkit/wire"
)

// openChannel implements commander: it connects to the peer if needed,
// remembers its address (to reconnect after a restart) and starts the
// channel. The rest (funding from the wallet, confirmations,
// channel_ready) is reported by EVENT lines.
func (n *node) openChannel(ctx context.Context, req openRequest) (openChannelResult, error) {
	if req.Peer == n.keys.NodeID() {
		return openChannelResult{}, errors.New("openchannel: cannot open a channel to ourselves")
	}
	amount := btcutil.Amount(req.AmountSat)
	if bal := n.wallet.Balance(); bal.Confirmed < amount {
		return openChannelResult{}, fmt.Errorf("openchannel: the wallet has %d sat confirmed and spendable, the channel needs %d sat plus the fee: "+
			"send coins to an address from newaddress and wait for a confirmation (getbalance shows the balance)", int64(bal.Confirmed), req.AmountSat)
	}
	cr, err := n.connectPeer(ctx, req.Peer, req.Addr)
	if err != nil {
		return openChannelResult{}, err
	}
	if cr.AlreadyConnected {
		// connectPeer saved the address of new connections only.
		if err := n.nstore.savePeer(ctx, req.Peer, req.Addr); err != nil {
			return openChannelResult{}, err
		}
	}
	user := userConfig(n.cfg)
	user.Handshake.NegotiateAnchors = req.WithAnchors
	user.Handshake.AnnounceChannel = req.Public
	tmp, err := n.channels.CreateChannel(req.Peer, wire.Satoshi(req.AmountSat), wire.MilliSatoshi(req.PushMsat), 0, &user)
	if err != nil {
		return openChannelResult{}, openError(err)
	}
	n.tcp.Notify()
	n.log.Info("sample-node: opening a channel", "temporary_channel_id", tmp, "peer", req.Peer, "sat", req.AmountSat)
	return openChannelResult{TemporaryChannelID: tmp.String(), Counterparty: req.Peer.String(), CapacitySat: req.AmountSat}, nil
}

// openError says what to do about a CreateChannel error.
func openError(err error) error {
	switch {
	case errors.Is(err, channel.ErrInvalidChannelRequest):
		return fmt.Errorf("openchannel: %w (channels take %d to %d sat)", err,
			channel.DefaultMinFundingSatoshis, channel.DefaultMaxFundingSatoshis)
	case errors.Is(err, channel.ErrPeerNotConnected):
		return fmt.Errorf("openchannel: %w (the peer disconnected: try again)", err)
	}
	return fmt.Errorf("openchannel: %w", err)
}

// closeChannel implements commander.
func (n *node) closeChannel(_ context.Context, id wire.ChannelID, peer wire.NodeID, force bool) (closeChannelResult, error) {
	cmd := "closechannel"
	if force {
		cmd = "forceclosechannel"
	}
	found := false
	for _, c := range n.channels.ListChannels() {
		if (c.ChannelID == id || c.TemporaryChannelID == id) && c.CounterpartyNodeID == peer {
			found, id = true, c.ChannelID
			break
		}
	}
	if !found {
		return closeChannelResult{}, fmt.Errorf("%s: no channel %s with %s (listchannels shows the channel ids and their counterparties)", cmd, id, peer)
	}
	var err error
	if force {
		err = n.channels.ForceCloseChannel(id, peer, "force-closed by the user")
	} else {
		err = n.channels.CloseChannel(id, peer, channel.CloseOptions{})
	}
	n.tcp.Notify()
	n.wakeEvents()
	switch {
	case errors.Is(err, channel.ErrPeerNotConnected):
		return closeChannelResult{}, fmt.Errorf("%s: %w: connectpeer first, or forceclosechannel to close without the peer", cmd, err)
	case errors.Is(err, channel.ErrChannelNotUsable):
		return closeChannelResult{}, fmt.Errorf("%s: %w (it is already closing, or not funded yet: listchannels shows its state; forceclosechannel works in every state)", cmd, err)
	case errors.Is(err, channel.ErrUnknownChannel):
		return closeChannelResult{}, fmt.Errorf("%s: %w (listchannels shows the channels)", cmd, err)
	case err != nil:
		return closeChannelResult{}, fmt.Errorf("%s: %w", cmd, err)
	}
	status := "closing"
	if force {
		status = "force_closed"
	}
	n.log.Info("sample-node: closing a channel", "channel_id", id, "peer", peer, "force", force)
	return closeChannelResult{ChannelID: id.String(), Status: status}, nil
}

// listChannels implements commander.
func (n *node) listChannels() listChannelsResult {
	list := n.channels.ListChannels()
	r := listChannelsResult{Channels: make([]channelResult, 0, len(list))}
	for _, c := range list {
		r.Channels = append(r.Channels, channelResultOf(c))
	}
	return r
}

// channelResultOf describes one channel for listchannels.
func channelResultOf(c channel.ChannelDetails) channelResult {
	r := channelResult{
		ChannelID:          c.ChannelID.String(),
		TemporaryChannelID: c.TemporaryChannelID.String(),
		Counterparty:       c.CounterpartyNodeID.String(),
		CapacitySat:        int64(c.Capacity),
		LocalBalanceMsat:   uint64(c.OurBalance),
		RemoteBalanceMsat:  uint64(c.TheirBalance),
		LocalReserveSat:    int64(c.OurReserve),
		RemoteReserveSat:   int64(c.TheirReserve),
		State:              c.State.String(),
		Usable:             c.Usable,
		Public:             c.Public,
		ChannelType:        "static_remotekey",
		Confirmations:      c.Confirmations,
		IsOutbound:         c.IsOutbound,
		UserChannelID:      c.UserChannelID,
	}
	if c.ChannelType.Commitment.HasAnchors() {
		r.ChannelType = "anchors"
	}
	if c.ShortChannelID != (wire.ShortChannelID{}) {
		r.ShortChannelID = c.ShortChannelID.String()
	}
	if c.FundingOutPoint != zeroOutPoint {
		r.FundingTxid = c.FundingOutPoint.Hash.String()
		r.FundingOutputIndex = c.FundingOutPoint.Index
	}
	return r
}

// listClosed implements commander.
func (n *node) listClosed() listClosedResult { return n.closed.result() }

// claimableBalances lists the channel monitors' ClaimableBalances.
func (n *node) claimableBalances() balancesResult {
	r := balancesResult{Balances: []claimableBalance{}}
	for _, b := range n.monitor.ClaimableBalances() {
		c := claimableBalance{ChannelID: b.ChannelID.String(), Kind: b.Kind.String(), AmountSat: int64(b.Amount), Height: b.Height}
		if b.PaymentHash != (wire.PaymentHash{}) {
			c.PaymentHash = b.PaymentHash.String()
		}
		r.Balances = append(r.Balances, c)
		r.TotalSat += int64(b.Amount)
	}
	return r
}
