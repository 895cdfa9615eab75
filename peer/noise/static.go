package noise

import (
	"log/slog"

	"github.com/btcsuite/btcd/btcec/v2"

	"github.com/lnkit/lnkit/internal/configerr"
	"github.com/lnkit/lnkit/internal/secp"
	"github.com/lnkit/lnkit/keys"
	"github.com/lnkit/lnkit/wire"
)

// StaticKey is the node's long-term identity key as the handshake uses it:
// the node key's ECDH (keys.ECDH, the function of BOLT 8) and the node id.
// peer.NodeKey is this interface. keys.Manager implements it;
// implementations may keep the private key elsewhere (a hardware signer, a
// remote signer); the handshake never needs it directly.
type StaticKey interface {
	keys.ECDH
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
// may be zeroed afterwards. It fails with a *ConfigError (matching
// ErrInvalidConfig) naming "priv" if priv is nil or zero.
func NewLocalKey(priv *btcec.PrivateKey) (*LocalKey, error) {
	if priv == nil || priv.Key.IsZero() {
		return nil, configerr.New("noise", "priv", "nil or zero private key")
	}
	k := &LocalKey{key: priv.Key}
	var pub btcec.JacobianPoint
	btcec.ScalarBaseMultNonConst(&k.key, &pub)
	k.id = wire.NodeID(secp.Compress(&pub))
	return k, nil
}

// ECDH implements StaticKey. It fails with ErrBadPubKey if pub is nil or
// not on the curve.
func (k *LocalKey) ECDH(pub *btcec.PublicKey) ([32]byte, error) {
	ss, ok := secp.ECDH(&k.key, pub)
	if !ok {
		return [32]byte{}, ErrBadPubKey
	}
	return ss, nil
}

// NodeID implements StaticKey.
func (k *LocalKey) NodeID() wire.NodeID { return k.id }

// String returns the node id; the private key is never printed.
func (k *LocalKey) String() string { return "noise.LocalKey{" + k.id.String() + "}" }

// LogValue implements slog.LogValuer, logging only the node id.
func (k *LocalKey) LogValue() slog.Value {
	return slog.GroupValue(slog.String("node_id", k.id.String()))
}
