package peer

import (
	"fmt"

	"github.com/lnkit/lnkit/wire"
)

// IgnoringMessageHandler is a ChannelMessageHandler, RoutingMessageHandler
// and CustomMessageHandler that ignores everything, for nodes without
// channels, gossip or custom messages. As a CustomMessageHandler it rejects
// custom messages of even type, as BOLT 1 requires of a node that does not
// understand them. The zero value is ready to use.
type IgnoringMessageHandler struct{}

// Compile-time checks.
var (
	_ ChannelMessageHandler = IgnoringMessageHandler{}
	_ RoutingMessageHandler = IgnoringMessageHandler{}
	_ CustomMessageHandler  = IgnoringMessageHandler{}
)

// PeerConnected accepts every peer.
func (IgnoringMessageHandler) PeerConnected(wire.NodeID, *wire.Init, bool) error { return nil }

// PeerDisconnected does nothing.
func (IgnoringMessageHandler) PeerDisconnected(wire.NodeID) {}

// HandleChannelMessage ignores the message.
func (IgnoringMessageHandler) HandleChannelMessage(wire.NodeID, wire.Message) error { return nil }

// HandleRoutingMessage ignores the message.
func (IgnoringMessageHandler) HandleRoutingMessage(wire.NodeID, wire.Message) error { return nil }

// HandleCustomMessage ignores messages of odd type and fails those of even
// type with an error wrapping wire.ErrUnknownMessage.
func (IgnoringMessageHandler) HandleCustomMessage(_ wire.NodeID, msg *wire.Custom) error {
	if msg.MsgType.IsOdd() {
		return nil
	}
	return fmt.Errorf("peer: custom message type %d: %w", uint16(msg.MsgType), wire.ErrUnknownMessage)
}

// PendingMessages returns dst unchanged: there is never anything to send.
func (IgnoringMessageHandler) PendingMessages(dst []Outbound) []Outbound { return dst }
