package keys

import (
	"fmt"
	"log/slog"
)

// inboundPaymentKeyInfo is the HKDF-Expand info of the inbound payment key
// (see the package documentation). Fixed forever: changing it invalidates
// every invoice a node has issued.
const inboundPaymentKeyInfo = "lnkit inbound payment key"

// InboundPaymentKey is the 32-byte secret from which a node derives the
// payment secrets and preimages of its stateless invoices (see
// channel/internal/inbound). It redacts itself in String, in every fmt verb
// and in log/slog; read its bytes by indexing or slicing it.
type InboundPaymentKey [32]byte

// InboundPaymentKey derives the node's inbound payment key from the seed:
//
//	HKDF-Expand(prk, "lnkit inbound payment key" || 0x00, 32)
//
// The same seed always gives the same key, so invoices issued before a
// restart can still be verified.
func (m *Manager) InboundPaymentKey() InboundPaymentKey {
	return InboundPaymentKey(m.master.expand([]byte(inboundPaymentKeyInfo), 0))
}

// String redacts the key.
func (InboundPaymentKey) String() string { return "keys.InboundPaymentKey(redacted)" }

// GoString redacts the key for %#v.
func (InboundPaymentKey) GoString() string { return "keys.InboundPaymentKey(redacted)" }

// Format implements fmt.Formatter so that no verb prints the key.
func (k InboundPaymentKey) Format(f fmt.State, _ rune) { _, _ = f.Write([]byte(k.String())) }

// LogValue implements slog.LogValuer with a redaction.
func (InboundPaymentKey) LogValue() slog.Value { return slog.StringValue("redacted") }
