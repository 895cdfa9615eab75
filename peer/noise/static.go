package noise

import (
	"fmt"
	"log/slog"

	"github.com/btcsuite/btcd/btcec/v2"

	"github.com/lnkit/lnkit/wire"
)

// StaticKey is the node's long-term identity key as the handshake uses it.
// Implementations may keep the private key elsewhere (a hardware signer, a
// remote signer); the handshake never needs it directly.
type StaticKey interface {
	// ECDH returns SHA-256 of the compressed serialization of k·pub, where k
	// is the node's private key: the ECDH function of BOLT 8.
	ECDH(pub *btcec.PublicKey) ([32]byte, error)
	// NodeID returns the node's compressed public key.
	NodeID() wire.NodeID
}

// LocalKey is a StaticKey backed by a private key held in memory. It suits
// tests and nodes that keep their identity key in process.
type LocalKey struct {
	key btcec.ModNScalar
	id  wire.NodeID
}

// NewLocalKey returns a StaticKey for priv. The key's scalar is copied; priv
// may be zeroed afterwards. It fails with ErrInvalidConfig if priv is nil or
// zero.
func NewLocalKey(priv *btcec.PrivateKey) (*LocalKey, error) {
	if priv == nil || priv.Key.IsZero() {
		return nil, fmt.Errorf("%w: nil or zero private key", ErrInvalidConfig)
	}
	k := &LocalKey{key: priv.Key}
	var pub btcec.JacobianPoint
	btcec.ScalarBaseMultNonConst(&k.key, &pub)
	k.id = wire.NodeID(compressJacobian(&pub))
	return k, nil
}

// ECDH implements StaticKey.
func (k *LocalKey) ECDH(pub *btcec.PublicKey) ([32]byte, error) {
	if pub == nil || !pub.IsOnCurve() {
		return [32]byte{}, ErrBadPubKey
	}
	var p btcec.JacobianPoint
	pub.AsJacobian(&p)
	return ecdh(&k.key, &p), nil
}

// NodeID implements StaticKey.
func (k *LocalKey) NodeID() wire.NodeID { return k.id }

// String returns the node id; the private key is never printed.
func (k *LocalKey) String() string { return "noise.LocalKey{" + k.id.String() + "}" }

// LogValue implements slog.LogValuer, logging only the node id.
func (k *LocalKey) LogValue() slog.Value {
	return slog.GroupValue(slog.String("node_id", k.id.String()))
}
