package wire

import (
	"crypto/sha256"
	"encoding/hex"
	"log/slog"
)

// PaymentHash is the SHA-256 of a payment preimage; HTLCs are locked to it.
type PaymentHash [32]byte

// String returns the hash in hex.
func (h PaymentHash) String() string { return hex.EncodeToString(h[:]) }

// Preimage is the secret whose SHA-256 is a PaymentHash. Revealing it claims
// the HTLC, so it redacts itself in logs.
type Preimage [32]byte

// Hash returns the payment hash of the preimage.
func (p Preimage) Hash() PaymentHash { return sha256.Sum256(p[:]) }

// Hex returns the preimage in hex, for the places that must show it (the
// user's own payment records). It is never used for logging.
func (p Preimage) Hex() string { return hex.EncodeToString(p[:]) }

// String redacts the preimage; use Hex where the value itself is needed.
func (p Preimage) String() string { return "preimage(redacted)" }

// LogValue redacts the preimage in structured logs.
func (p Preimage) LogValue() slog.Value { return slog.StringValue("redacted") }

// PaymentSecret is the BOLT 11 payment_secret that proves the payer saw the
// invoice. It redacts itself in logs.
type PaymentSecret [32]byte

// Hex returns the secret in hex, for encoding it where it belongs.
func (s PaymentSecret) Hex() string { return hex.EncodeToString(s[:]) }

// String redacts the secret; use Hex where the value itself is needed.
func (s PaymentSecret) String() string { return "payment_secret(redacted)" }

// LogValue redacts the secret in structured logs.
func (s PaymentSecret) LogValue() slog.Value { return slog.StringValue("redacted") }
