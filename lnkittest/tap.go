package lnkittest

import (
	"github.com/lnkit/lnkit/peer"
	"github.com/lnkit/lnkit/peer/noise"
	"github.com/lnkit/lnkit/wire"
)

// tap sits between a node's peer.Manager and its handlers: it forwards
// everything and records, in order, the messages the Manager takes from the
// handlers to send, so the Network knows the frames on the wire.
type tap struct {
	h    Handlers
	sent []sent
	// gossip counts the routing handler's messages: those it sent and
	// those it received.
	gossip uint64
	// node is the tap's node, whose Rewrite applies to what it sends.
	node *Node
}

// sent is one handler message the Manager took, as the receiver decodes
// it, with its frame size.
type sent struct {
	to    wire.NodeID
	msg   wire.Message
	frame int
}

// reset forgets what was recorded and forwards to h from now on (nil
// handlers ignore).
func (t *tap) reset(h Handlers) {
	if h.Channel == nil {
		h.Channel = peer.IgnoringMessageHandler{}
	}
	if h.Custom == nil {
		h.Custom = peer.IgnoringMessageHandler{}
	}
	if h.Routing == nil {
		h.Routing = peer.IgnoringMessageHandler{}
	}
	t.h, t.sent = h, nil
}

// record notes the messages of out.
func (t *tap) record(out []peer.Outbound) {
	for _, o := range out {
		if o.Msg == nil {
			continue
		}
		b, err := wire.Encode(nil, o.Msg)
		if err != nil {
			continue // the Manager drops it too
		}
		m, err := wire.Decode(b)
		if err != nil {
			m = o.Msg // what the receiver will reject; listed as sent
		}
		t.sent = append(t.sent, sent{to: o.To, msg: m, frame: len(b) + noise.Overhead})
	}
}

// take returns and forgets what was recorded.
func (t *tap) take() []sent {
	s := t.sent
	t.sent = nil
	return s
}

func (t *tap) channel() peer.ChannelMessageHandler { return channelTap{t} }

func (t *tap) custom() peer.CustomMessageHandler { return customTap{t} }

func (t *tap) routing() peer.RoutingMessageHandler { return routingTap{t} }

// channelTap is the tap seen as the Manager's ChannelMessageHandler.
type channelTap struct{ t *tap }

func (c channelTap) PeerConnected(id wire.NodeID, init *wire.Init, inbound bool) error {
	return c.t.h.Channel.PeerConnected(id, init, inbound)
}

func (c channelTap) PeerDisconnected(id wire.NodeID) { c.t.h.Channel.PeerDisconnected(id) }

func (c channelTap) HandleChannelMessage(from wire.NodeID, msg wire.Message) error {
	return c.t.h.Channel.HandleChannelMessage(from, msg)
}

func (c channelTap) PendingMessages(dst []peer.Outbound) []peer.Outbound {
	start := len(dst)
	dst = c.t.h.Channel.PendingMessages(dst)
	if n := c.t.node; n != nil && n.Rewrite != nil {
		for i := range dst[start:] {
			o := &dst[start+i]
			if o.Msg != nil {
				o.Msg = n.Rewrite(o.To, o.Msg)
			}
		}
	}
	c.t.record(dst[start:])
	return dst
}

// customTap is the tap seen as the Manager's CustomMessageHandler.
type customTap struct{ t *tap }

func (c customTap) PeerConnected(id wire.NodeID, init *wire.Init, inbound bool) error {
	return c.t.h.Custom.PeerConnected(id, init, inbound)
}

func (c customTap) PeerDisconnected(id wire.NodeID) { c.t.h.Custom.PeerDisconnected(id) }

func (c customTap) HandleCustomMessage(from wire.NodeID, msg *wire.Custom) error {
	return c.t.h.Custom.HandleCustomMessage(from, msg)
}

func (c customTap) PendingMessages(dst []peer.Outbound) []peer.Outbound {
	start := len(dst)
	dst = c.t.h.Custom.PendingMessages(dst)
	c.t.record(dst[start:])
	return dst
}

// routingTap is the tap seen as the Manager's RoutingMessageHandler. Its
// messages are gossip: the Manager sends them after the channel and
// custom messages it pulls with them.
type routingTap struct{ t *tap }

func (r routingTap) PeerConnected(id wire.NodeID, init *wire.Init, inbound bool) error {
	return r.t.h.Routing.PeerConnected(id, init, inbound)
}

func (r routingTap) PeerDisconnected(id wire.NodeID) { r.t.h.Routing.PeerDisconnected(id) }

func (r routingTap) HandleRoutingMessage(from wire.NodeID, msg wire.Message) error {
	r.t.gossip++
	return r.t.h.Routing.HandleRoutingMessage(from, msg)
}

func (r routingTap) PendingMessages(dst []peer.Outbound) []peer.Outbound {
	start := len(dst)
	dst = r.t.h.Routing.PendingMessages(dst)
	r.t.record(dst[start:])
	r.t.gossip += uint64(len(dst) - start)
	return dst
}
