package peer

import (
	"github.com/lnkit/lnkit/keys"
	"github.com/lnkit/lnkit/peer/noise"
)

// Descriptor is one connection's socket as the Manager sees it, like LDK's
// SocketDescriptor. The Manager uses Descriptors as map keys, so the dynamic
// type must be comparable and each connection must have its own value (a
// pointer to a per-connection struct is the usual choice).
type Descriptor interface {
	// SendData offers data to send and returns how many leading bytes of it
	// were accepted (copied); the Manager keeps the rest. If fewer than
	// len(data) bytes were accepted, the caller must call
	// Manager.WriteBufferSpaceAvailable once it can take more. resumeRead
	// true means reading may resume after ReadEvent asked to pause; false
	// carries no meaning. data may be empty (only to resume reading). data
	// is valid only during the call. SendData is called with the
	// connection's lock held: it must not block and must not call the
	// Manager. It returns 0 once the socket is closed.
	SendData(data []byte, resumeRead bool) int
	// Disconnect closes the socket. The Manager has already forgotten the
	// connection; calling Manager.SocketDisconnected afterwards is a no-op.
	// It must be idempotent. Bytes already accepted by SendData should be
	// sent first if that can be done without blocking for long.
	Disconnect()
}

// NodeKey is the node's identity key as the transport uses it: the node id
// and the BOLT 8 handshake's ECDH. It is noise.StaticKey (which embeds
// keys.ECDH), the one interface of that role. keys.Manager implements it;
// the private key can live elsewhere (a remote signer).
type NodeKey = noise.StaticKey

// EntropySource supplies the randomness the Manager uses: one ephemeral key
// per connection. It is keys.EntropySource, lnkit's one randomness
// interface: keys.CryptoEntropy and keys.DeterministicEntropy implement it.
// It must be safe for concurrent use.
type EntropySource = keys.EntropySource
