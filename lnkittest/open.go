package lnkittest

import (
	"github.com/btcsuite/btcd/btcutil"

	"github.com/lnkit/lnkit/channel"
	"github.com/lnkit/lnkit/wire"
)

// ChannelType is the commitment format OpenChannel negotiates.
type ChannelType uint8

// The channel types.
const (
	// Anchors is option_anchors_zero_fee_htlc_tx (the default policy).
	Anchors ChannelType = iota + 1
	// StaticRemoteKey is option_static_remotekey without anchors.
	StaticRemoteKey
)

// OpenOptions tune OpenChannel.
type OpenOptions struct {
	// Push is given to the acceptor at opening.
	Push wire.MilliSatoshi
	// Public announces the channel (announce_channel).
	Public bool
	// UserChannelID is the opener's id of the channel.
	UserChannelID uint64
}

// OpenChannel opens a channel of sats from a to b and returns its id once
// it is ready on both sides: it connects them if needed, funds a's wallet
// if it is short, runs the open (open_channel … funding_signed), lets both
// applications do their part (ProcessEvents: a's wallet builds the
// funding transaction), mines the confirmations and delivers
// channel_ready both ways; a public channel is then mined to
// channel.AnnouncementDepth and its announcement_signatures delivered
// (Network.Tick broadcasts it with Options.Gossip). It fails the test if
// any step does not happen.
func (n *Network) OpenChannel(a, b *Node, sats btcutil.Amount, t ChannelType, opts ...OpenOptions) wire.ChannelID {
	n.t.Helper()
	var o OpenOptions
	if len(opts) > 0 {
		o = opts[0]
	}
	tmp := n.StartOpen(a, b, sats, t, o)
	n.DeliverAll()
	n.mustProcess(b) // an OpenChannelRequest, when b decides
	n.DeliverAll()
	n.mustProcess(a) // FundingGenerationReady → funding_created
	n.DeliverAll()   // funding_signed; a broadcasts
	n.mustProcess(a)
	n.mustProcess(b)
	d := n.channelOf(a, b, tmp)
	n.Mine(int(max(d.MinimumDepth, 1)))
	n.DeliverAll()
	n.mustProcess(a)
	n.mustProcess(b)
	d = n.channelOf(a, b, tmp)
	if d.State != channel.StateReady {
		n.t.Fatalf("lnkittest: OpenChannel: channel %v is %v after its confirmations, not ready", d.ChannelID, d.State)
	}
	if o.Public && d.Confirmations < channel.AnnouncementDepth {
		// announcement_signatures go at the announcement depth.
		n.Mine(int(channel.AnnouncementDepth - d.Confirmations))
		n.DeliverAll()
		n.mustProcess(a)
		n.mustProcess(b)
	}
	return d.ChannelID
}

// StartOpen is the first step of OpenChannel: it connects a and b if
// needed, funds a's wallet if it is short, and calls a's CreateChannel
// (open_channel is queued, not delivered). It returns the temporary id.
func (n *Network) StartOpen(a, b *Node, sats btcutil.Amount, t ChannelType, o OpenOptions) wire.ChannelID {
	n.t.Helper()
	if !n.Connected(a, b) {
		n.Connect(a, b)
	}
	if bal := a.Wallet.Balance(); bal.Confirmed < sats+100_000 {
		n.FundWallet(a, sats+200_000)
	}
	user := channel.DefaultUserConfig()
	if n.opts.UserConfig != nil {
		user = n.opts.UserConfig(a)
	}
	user.Handshake.NegotiateAnchors = t != StaticRemoteKey
	user.Handshake.AnnounceChannel = o.Public
	tmp, err := a.Channels.CreateChannel(b.ID(), wire.Satoshi(sats), o.Push, o.UserChannelID, &user)
	if err != nil {
		n.t.Fatalf("lnkittest: CreateChannel: %v", err)
	}
	return tmp
}

// mustProcess runs ProcessEvents and fails the test on a duty that fails.
func (n *Network) mustProcess(node *Node) {
	n.t.Helper()
	if _, err := n.ProcessEvents(node); err != nil {
		n.t.Fatalf("lnkittest: node %d: events: %v", node.Index, err)
	}
}

// channelOf finds the channel a opened to b with temporary id tmp.
func (n *Network) channelOf(a, b *Node, tmp wire.ChannelID) channel.ChannelDetails {
	n.t.Helper()
	for _, d := range a.Channels.ListChannels() {
		if d.TemporaryChannelID == tmp && d.CounterpartyNodeID == b.ID() {
			return d
		}
	}
	n.t.Fatalf("lnkittest: node %d has no channel %v with node %d", a.Index, tmp, b.Index)
	return channel.ChannelDetails{}
}

// Channel returns node's channel id with peer (any state), failing the
// test when there is none.
func (n *Network) Channel(node *Node, id wire.ChannelID) channel.ChannelDetails {
	n.t.Helper()
	node.mustRun("Channel")
	for _, d := range node.Channels.ListChannels() {
		if d.ChannelID == id {
			return d
		}
	}
	n.t.Fatalf("lnkittest: node %d has no channel %v", node.Index, id)
	return channel.ChannelDetails{}
}
