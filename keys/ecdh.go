package keys

import "github.com/btcsuite/btcd/btcec/v2"

// ECDH is the node key's Diffie-Hellman: the one operation with the node's
// private key that the BOLT 8 handshake and the BOLT 4 onion need.
// peer/noise.StaticKey (and so peer.NodeKey) embeds it and router/onion.ECDH
// is this interface. Manager implements it; a remote or hardware signer can
// too, so that the node key never leaves it.
//
// It is declared here, with the node key, because its two consumers,
// peer/noise and router/onion, may both import keys but not each other.
type ECDH interface {
	// ECDH returns SHA-256 of the compressed point k·pub, k being the
	// node's private key (BOLT 8's ECDH, BOLT 4's "Shared Secret"). It
	// fails if pub is nil or not on the curve, or if the key's holder
	// cannot or will not compute it.
	ECDH(pub *btcec.PublicKey) ([32]byte, error)
}
