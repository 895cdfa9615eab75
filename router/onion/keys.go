package onion

import (
	"log/slog"

	"github.com/lnkit/lnkit/internal/secp"
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
	var k [32]byte
	copy(k[:], keyType)
	return hmac256(&k, secret[:])
}

// hmac256 computes HMAC-SHA256 over the concatenation of msg with a key of
// at most 32 bytes (zero-padded), without allocating (secp.HMACSHA256).
func hmac256(key *[32]byte, msg ...[]byte) [32]byte {
	return secp.HMACSHA256(key, msg...)
}
