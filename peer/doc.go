// Package peer manages the connections of a Lightning node with its peers:
// the BOLT 8 handshake and encrypted transport, the BOLT 1 init exchange and
// feature negotiation, ping/pong liveness, and the dispatch of every
// received message to the handler that owns it. It is the Go counterpart of
// LDK's PeerManager.
//
// A Manager owns the protocol state of its connections but not their
// sockets. Bytes move through a Descriptor, a small interface the caller
// implements for each connection: the caller hands received bytes to
// ReadEvent, and the Manager hands bytes to send to Descriptor.SendData. The
// package peer/tcp adapts this to net.Conn; tests can connect two Managers in
// memory. A Manager starts no goroutines and reads no clock or randomness of
// its own: ephemeral keys come from Config.Entropy, time from Config.Now,
// and the passage of time from calls to TimerTick.
//
// # Lifecycle of a connection
//
//	initial, err := mgr.NewOutboundConnection(theirID, d, addr) // we dial: send initial
//	err := mgr.NewInboundConnection(d, addr)                     // they dialed us
//	pause, err := mgr.ReadEvent(d, received)                     // for every read
//	err := mgr.WriteBufferSpaceAvailable(d)                      // after SendData accepted less
//	mgr.SocketDisconnected(d)                                    // the socket closed
//
// After the handshake both sides send init. The Manager checks the peer's
// init (unknown required features, missing feature dependencies, no common
// chain in the networks record: each sends an error and disconnects), then
// tells the handlers with PeerConnected. From then on every message goes to
// its handler: ChannelMessageHandler (BOLT 2, error, warning, peer storage),
// RoutingMessageHandler (BOLT 7) or CustomMessageHandler (types 32768 and
// up). The Manager answers pings itself, pings idle peers every
// Config.PingIntervalTicks ticks and disconnects a peer that does not answer
// within Config.PongTimeoutTicks ticks.
//
// Handlers never write to connections directly: they queue Outbound
// messages, which the Manager collects in ProcessEvents, encrypts into a
// per-peer buffer and hands to the Descriptor. When a Descriptor accepts
// fewer bytes than offered, the rest stays buffered until
// WriteBufferSpaceAvailable. Gossip (messages from the RoutingMessageHandler)
// waits in a separate per-peer queue that is dropped from when full and is
// only encrypted when the send buffer is nearly empty, so channel messages
// are never delayed or dropped because of gossip.
//
// # Errors
//
// Any error returned by ReadEvent, WriteBufferSpaceAvailable,
// NewInboundConnection or NewOutboundConnection means the Manager has
// forgotten the connection (handlers have seen PeerDisconnected if they had
// seen PeerConnected) and has called Descriptor.Disconnect. Errors wrap the
// sentinels of this package (ErrHandshake, ErrNoInit, ErrIncompatibleInit,
// ErrPingTimeout, ...), and those of peer/noise and wire where they are the
// cause, for errors.Is.
//
// # Concurrency and locking rules
//
// Every Manager method is safe for concurrent use. The Manager holds one
// mutex for its connection maps and one mutex per connection; it never
// takes the map mutex and then a connection mutex. The rules for code the
// Manager calls:
//
//   - Descriptor.SendData is called with the connection's mutex held, so
//     that ciphertext is handed over in order. It must not block and must not
//     call back into the Manager; it should copy what it accepts and return.
//   - Descriptor.Disconnect is called with no Manager lock held. It may call
//     SocketDisconnected (which is then a no-op), and must be idempotent.
//   - Handler methods (PeerConnected, PeerDisconnected, Handle*Message,
//     PendingMessages) are called with the connection's mutex held (a
//     message's handling is ordered with the connection's other events), so
//     they must not call Manager methods; they queue messages instead and
//     the Manager pulls them in ProcessEvents. PendingMessages is called with
//     no lock held.
//   - ReadEvent calls for one Descriptor must come one at a time, in the
//     order the bytes arrived (one reader per connection).
//
// For every connection, handlers see PeerConnected once (after init), then
// its messages, then PeerDisconnected once; a handler whose PeerConnected
// failed, or was never called, does not see PeerDisconnected.
//
// Package peer/peertest connects Managers in memory (a Descriptor that keeps
// what is sent, a Link that delivers it step by step), to test handlers
// without sockets.
package peer
