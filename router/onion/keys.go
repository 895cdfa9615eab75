package onion

import (
	"crypto/sha256"
	"log/slog"
)

// SharedSecret is the 32-byte secret a hop shares with the origin: the
// SHA-256 of the compressed ECDH point (BOLT 4 "Shared Secret"). It keys the
// hop's layer of the packet and of the returned failure, so it is kept out
// of logs.
type SharedSecret [32]byte

// String returns a redaction, never the secret.
func (SharedSecret) String() string { return "shared_secret(redacted)" }

// LogValue implements slog.LogValuer with a redaction.
func (SharedSecret) LogValue() slog.Value { return slog.StringValue("redacted") }

// Key types of the BOLT 4 key generation (HMAC-SHA256 keyed with the type
// name, over the shared secret), plus the route blinding tweak key.
const (
	keyRho      = "rho"
	keyMu       = "mu"
	keyUm       = "um"
	keyPad      = "pad"
	keyAmmag    = "ammag"
	keyAmmagExt = "ammagext"
	keyBlinded  = "blinded_node_id"
)

// generateKey derives the key of the given type from a 32-byte secret.
func generateKey(keyType string, secret *[32]byte) [32]byte {
	var k [64]byte
	copy(k[:], keyType)
	return hmac256(&k, secret[:], nil, nil)
}

// hmacKey32 returns a 32-byte HMAC-SHA256 key zero-padded to the block size.
func hmacKey32(key *[32]byte) [64]byte {
	var k [64]byte
	copy(k[:], key[:])
	return k
}

// hmac256 computes HMAC-SHA256 over a || b || c with a key already padded
// to the block size (keys here are at most 32 bytes). It does not allocate.
func hmac256(key *[64]byte, a, b, c []byte) [32]byte {
	var pad [64]byte
	for i := range pad {
		pad[i] = key[i] ^ 0x36
	}
	h := sha256.New()
	h.Write(pad[:])
	h.Write(a)
	h.Write(b)
	h.Write(c)
	var inner [32]byte
	h.Sum(inner[:0])
	for i := range pad {
		pad[i] = key[i] ^ 0x5c
	}
	h.Reset()
	h.Write(pad[:])
	h.Write(inner[:])
	var out [32]byte
	h.Sum(out[:0])
	return out
}
