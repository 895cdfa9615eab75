package keys

import (
	"fmt"
	"log/slog"
)

// Seed is the 32-byte secret every key of a Manager is derived from. It
// redacts itself in String, in every fmt verb and in log/slog; read its
// bytes by indexing or slicing it.
type Seed [32]byte

// GenerateSeed returns a new seed drawn from entropy, or from crypto/rand
// when entropy is nil.
func GenerateSeed(entropy EntropySource) Seed {
	if entropy == nil {
		entropy = NewCryptoEntropy()
	}
	return entropy.GetSecureRandomBytes()
}

// String redacts the seed.
func (Seed) String() string { return "keys.Seed(redacted)" }

// GoString redacts the seed for %#v.
func (Seed) GoString() string { return "keys.Seed(redacted)" }

// Format implements fmt.Formatter so that no verb (%x, %d, %v, ...) prints
// the seed.
func (s Seed) Format(f fmt.State, _ rune) { _, _ = f.Write([]byte(s.String())) }

// LogValue implements slog.LogValuer with a redaction.
func (Seed) LogValue() slog.Value { return slog.StringValue("redacted") }
