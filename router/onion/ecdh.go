package onion

import (
	"fmt"
	"log/slog"

	"github.com/btcsuite/btcd/btcec/v2"

	"github.com/lnkit/lnkit/internal/secp"
	"github.com/lnkit/lnkit/keys"
)

// ECDH is the node key operation a hop needs to peel its layer: the SHA-256
// of the compressed point priv·pub, with priv the node's private key
// (libsecp256k1's ECDH, as BOLT 4 "Shared Secret" specifies). It is
// keys.ECDH, the one interface of that role (peer/noise.StaticKey embeds
// it): keys.Manager implements it, and so can a hardware or remote signer,
// so that the node key never leaves it.
type ECDH = keys.ECDH

// PrivateKeyECDH implements ECDH with a private key held in memory. It is
// meant for tests and for callers that manage the key themselves. The
// product is computed by internal/secp's ECDH, in variable time like the
// btcec ScalarMultNonConst it replaced (as keys.Manager's ECDH).
type PrivateKeyECDH struct {
	// Key is the private key; it must be non-nil and non-zero.
	Key *btcec.PrivateKey
}

// ECDH implements ECDH. It fails with ErrECDH if the key is missing or
// zero, or pub is nil or not on the curve.
func (p PrivateKeyECDH) ECDH(pub *btcec.PublicKey) ([32]byte, error) {
	if p.Key == nil || p.Key.Key.IsZero() {
		return [32]byte{}, fmt.Errorf("onion: no private key: %w", ErrECDH)
	}
	ss, ok := secp.ECDH(&p.Key.Key, pub)
	if !ok {
		return [32]byte{}, fmt.Errorf("onion: invalid public key: %w", ErrECDH)
	}
	return ss, nil
}

// String returns a redaction, never the key.
func (PrivateKeyECDH) String() string { return "private_key_ecdh(redacted)" }

// LogValue implements slog.LogValuer with a redaction.
func (PrivateKeyECDH) LogValue() slog.Value { return slog.StringValue("redacted") }
