package keys

import (
	"crypto/rand"
	"crypto/sha256"
	"encoding/binary"
	"fmt"
	"log/slog"
	"sync"
)

// EntropySource supplies the randomness lnkit uses (new seeds, channel key
// ids, the handshake's ephemeral keys, payment secrets, session keys). It is
// the one randomness interface of lnkit: peer.EntropySource and
// invoice.EntropySource are this interface. Production code passes
// NewCryptoEntropy; tests pass NewDeterministicEntropy so runs are
// reproducible. Implementations must be safe for concurrent use.
type EntropySource interface {
	// GetSecureRandomBytes returns 32 bytes that must be unpredictable to
	// anyone but the holder of the source.
	GetSecureRandomBytes() [32]byte
}

// CryptoEntropy is an EntropySource backed by crypto/rand.
type CryptoEntropy struct{}

// NewCryptoEntropy returns an EntropySource reading the operating system's
// random number generator through crypto/rand.
func NewCryptoEntropy() CryptoEntropy { return CryptoEntropy{} }

// GetSecureRandomBytes returns 32 bytes from crypto/rand. crypto/rand never
// fails on supported platforms (it crashes the program if the OS source is
// broken), so there is no error to return.
func (CryptoEntropy) GetSecureRandomBytes() [32]byte {
	var b [32]byte
	_, _ = rand.Read(b[:])
	return b
}

// deterministicEntropyDomain separates the deterministic stream from other
// uses of SHA-256 on the same seed.
const deterministicEntropyDomain = "lnkit deterministic entropy v1"

// DeterministicEntropy is a reproducible EntropySource for tests: the i-th
// call (counting from 0) returns SHA256(domain || seed || uint64be(i)),
// domain being "lnkit deterministic entropy v1". It is safe for concurrent
// use. Never use it in production: anyone who knows the seed knows every
// output.
type DeterministicEntropy struct {
	mu      sync.Mutex
	seed    [32]byte
	counter uint64
}

// NewDeterministicEntropy returns a DeterministicEntropy stream keyed by seed.
func NewDeterministicEntropy(seed [32]byte) *DeterministicEntropy {
	return &DeterministicEntropy{seed: seed}
}

// GetSecureRandomBytes returns the next 32 bytes of the stream.
func (d *DeterministicEntropy) GetSecureRandomBytes() [32]byte {
	var buf [len(deterministicEntropyDomain) + 32 + 8]byte
	copy(buf[:], deterministicEntropyDomain)
	d.mu.Lock()
	copy(buf[len(deterministicEntropyDomain):], d.seed[:])
	binary.BigEndian.PutUint64(buf[len(deterministicEntropyDomain)+32:], d.counter)
	d.counter++
	d.mu.Unlock()
	out := sha256.Sum256(buf[:])
	clear(buf[:])
	return out
}

// String redacts the stream's seed.
func (d *DeterministicEntropy) String() string { return "keys.DeterministicEntropy(redacted)" }

// Format implements fmt.Formatter so that no verb prints the seed.
func (d *DeterministicEntropy) Format(f fmt.State, _ rune) { _, _ = f.Write([]byte(d.String())) }

// LogValue implements slog.LogValuer with a redaction.
func (d *DeterministicEntropy) LogValue() slog.Value { return slog.StringValue("redacted") }
