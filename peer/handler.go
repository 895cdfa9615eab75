package peer

import "github.com/lnkit/lnkit/wire"

// Outbound is a message a handler wants sent, or a connection it wants
// closed.
type Outbound struct {
	// To is the peer to send to. A message for a peer that is not connected
	// (or has not finished the init exchange) is dropped.
	To wire.NodeID
	// Msg is the message. It may be nil when Disconnect is set.
	Msg wire.Message
	// Disconnect closes the connection after Msg (if any), e.g. after an
	// error message. Msg and whatever was queued before it are handed to
	// the Descriptor first, as far as it accepts them without waiting.
	Disconnect bool
}

// PeerHandler is what every message handler has in common: it hears of
// peers connecting and disconnecting, and queues messages for the Manager
// to pull. ChannelMessageHandler, RoutingMessageHandler and
// CustomMessageHandler embed it.
//
// PeerConnected and PeerDisconnected are called with the connection's lock
// held and must not call the Manager (see the package documentation).
type PeerHandler interface {
	// PeerConnected is called once the peer's init was received and
	// accepted. init is the peer's init message, shared between handlers:
	// do not modify it. inbound reports that the peer dialed us. An error
	// closes the connection.
	PeerConnected(id wire.NodeID, init *wire.Init, inbound bool) error
	// PeerDisconnected is called once when a peer whose PeerConnected
	// succeeded is gone.
	PeerDisconnected(id wire.NodeID)
	// PendingMessages appends the messages waiting to be sent to dst,
	// forgets them, and returns the extended slice. It is called with no
	// Manager lock held.
	PendingMessages(dst []Outbound) []Outbound
}

// ChannelMessageHandler receives the messages of BOLT 2 (channel
// establishment, normal operation, closing, reestablishment, quiescence,
// splicing), the error and warning messages of BOLT 1, and peer_storage /
// peer_storage_retrieval. It is what a channel manager implements.
//
// All methods but PendingMessages are called with the connection's lock
// held and must not call the Manager (see the package documentation).
type ChannelMessageHandler interface {
	PeerHandler
	// HandleChannelMessage handles one message from a connected peer. An
	// error closes the connection without sending anything; queue an
	// Outbound with Disconnect set to send an error first. After an error
	// message with an all-zero channel_id the Manager closes the connection
	// itself, once this method has returned.
	HandleChannelMessage(from wire.NodeID, msg wire.Message) error
}

// RoutingMessageHandler receives the gossip messages of BOLT 7
// (announcements, channel updates, queries, gossip_timestamp_filter).
// Messages it queues are gossip for the Manager's buffering: they may be
// dropped when the peer's gossip queue is full (see Config.MaxGossipBytes).
//
// All methods but PendingMessages are called with the connection's lock
// held and must not call the Manager.
type RoutingMessageHandler interface {
	PeerHandler
	// HandleRoutingMessage handles one gossip message. An error closes the
	// connection.
	HandleRoutingMessage(from wire.NodeID, msg wire.Message) error
}

// CustomMessageHandler receives the messages of the custom range (types
// 32768 and up), undecoded.
//
// All methods but PendingMessages are called with the connection's lock
// held and must not call the Manager.
type CustomMessageHandler interface {
	PeerHandler
	// HandleCustomMessage handles one custom message. BOLT 1: a handler
	// that does not know msg's type must ignore it when the type is odd and
	// return an error (closing the connection) when it is even; wrapping
	// wire.ErrUnknownMessage makes the Manager send a warning first.
	HandleCustomMessage(from wire.NodeID, msg *wire.Custom) error
}
