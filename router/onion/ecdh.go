package onion

import (
	"crypto/sha256"
	"fmt"
	"log/slog"

	"github.com/btcsuite/btcd/btcec/v2"
)

// ECDH is the node key operation a hop needs to peel its layer: the SHA-256
// of the compressed point priv·pub, with priv the node's private key
// (libsecp256k1's ECDH, as BOLT 4 "Shared Secret" specifies). A key manager
// or hardware signer implements it so the node key never leaves it.
type ECDH interface {
	// ECDH returns SHA256(compressed(priv·pub)).
	ECDH(pub *btcec.PublicKey) ([32]byte, error)
}

// PrivateKeyECDH implements ECDH with a private key held in memory. It is
// meant for tests and for callers that manage the key themselves.
type PrivateKeyECDH struct {
	// Key is the private key; it must be non-nil and non-zero.
	Key *btcec.PrivateKey
}

// ECDH implements ECDH.
func (p PrivateKeyECDH) ECDH(pub *btcec.PublicKey) ([32]byte, error) {
	if p.Key == nil || p.Key.Key.IsZero() {
		return [32]byte{}, fmt.Errorf("onion: no private key: %w", ErrECDH)
	}
	if pub == nil {
		return [32]byte{}, fmt.Errorf("onion: nil public key: %w", ErrECDH)
	}
	a := affineFromPubKey(pub)
	return ecdhPoint(&p.Key.Key, &a)
}

// String returns a redaction, never the key.
func (PrivateKeyECDH) String() string { return "private_key_ecdh(redacted)" }

// LogValue implements slog.LogValuer with a redaction.
func (PrivateKeyECDH) LogValue() slog.Value { return slog.StringValue("redacted") }

// ecdhPoint returns SHA256(compressed(k·p)).
func ecdhPoint(k *btcec.ModNScalar, p *affinePoint) ([32]byte, error) {
	var r jacobian
	scalarMult(k, p, &r)
	if r.isInfinity() {
		return [32]byte{}, fmt.Errorf("onion: ecdh result is the point at infinity: %w", ErrECDH)
	}
	a := toAffine(&r)
	var c [33]byte
	a.compress(&c)
	return sha256.Sum256(c[:]), nil
}
