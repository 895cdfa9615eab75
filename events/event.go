package events

import (
	"fmt"
	"log/slog"
	"strings"
)

// Kind names an event type. It is also the type byte of the event's
// persisted record, so its values are fixed forever.
type Kind uint8

// The event kinds.
const (
	KindOpenChannelRequest     Kind = 1
	KindFundingGenerationReady Kind = 2
	KindChannelPending         Kind = 3
	KindChannelReady           Kind = 4
	KindChannelClosed          Kind = 5
	KindDiscardFunding         Kind = 6
	KindSpendableOutputs       Kind = 7
	KindBumpTransaction        Kind = 8
	KindPaymentClaimable       Kind = 9
	KindPaymentClaimed         Kind = 10
	KindPaymentSent            Kind = 11
	KindPaymentFailed          Kind = 12
	KindPaymentPathFailed      Kind = 13
	KindPaymentForwarded       Kind = 14
	KindHTLCIntercepted        Kind = 15
	KindPaymentPathSuccessful  Kind = 16
	KindProbeSuccessful        Kind = 17
	KindProbeFailed            Kind = 18
)

// String names the kind, e.g. "channel-ready".
func (k Kind) String() string {
	switch k {
	case KindOpenChannelRequest:
		return "open-channel-request"
	case KindFundingGenerationReady:
		return "funding-generation-ready"
	case KindChannelPending:
		return "channel-pending"
	case KindChannelReady:
		return "channel-ready"
	case KindChannelClosed:
		return "channel-closed"
	case KindDiscardFunding:
		return "discard-funding"
	case KindSpendableOutputs:
		return "spendable-outputs"
	case KindBumpTransaction:
		return "bump-transaction"
	case KindPaymentClaimable:
		return "payment-claimable"
	case KindPaymentClaimed:
		return "payment-claimed"
	case KindPaymentSent:
		return "payment-sent"
	case KindPaymentFailed:
		return "payment-failed"
	case KindPaymentPathFailed:
		return "payment-path-failed"
	case KindPaymentForwarded:
		return "payment-forwarded"
	case KindHTLCIntercepted:
		return "htlc-intercepted"
	case KindPaymentPathSuccessful:
		return "payment-path-successful"
	case KindProbeSuccessful:
		return "probe-successful"
	case KindProbeFailed:
		return "probe-failed"
	}
	return fmt.Sprintf("kind(%d)", uint8(k))
}

// Event is one of this package's event types (a closed set: only the types
// of this package implement it).
type Event interface {
	// EventID returns the ID the queue assigned (0 before Append).
	EventID() uint64
	// Kind returns the event's type.
	Kind() Kind
	// String describes the event for humans, without secrets.
	String() string
	// LogValue describes the event for log/slog, without secrets.
	LogValue() slog.Value

	meta() *Meta
	// check reports a value that must not be queued (a required field
	// missing, an unknown kind of a nested value).
	check() error
	// fields is the event's field table: its encoding and its log view.
	fields() []field
}

// Meta is what every event carries besides its own fields.
type Meta struct {
	// ID is assigned by Queue.Append: strictly increasing per queue and
	// store, never reused. Handlers use it to recognise an event delivered
	// again.
	ID uint64
}

// EventID returns m.ID.
func (m *Meta) EventID() uint64 { return m.ID }

func (m *Meta) meta() *Meta { return m }

// logValue is the slog view of e: its kind, ID and every logged field.
func logValue(e Event) slog.Value {
	attrs := []slog.Attr{slog.String("kind", e.Kind().String()), slog.Uint64("id", e.EventID())}
	return slog.GroupValue(appendLogAttrs(attrs, e.fields())...)
}

// appendLogAttrs appends the log attributes of the logged fields of fs.
func appendLogAttrs(attrs []slog.Attr, fs []field) []slog.Attr {
	for _, f := range fs {
		if f.log == nil {
			continue
		}
		if v, ok := f.log(); ok {
			attrs = append(attrs, slog.Attr{Key: f.name, Value: v})
		}
	}
	return attrs
}

// describe is the String of e: "kind{id=1 field=value ...}".
func describe(e Event) string {
	var b strings.Builder
	attrs := logValue(e).Group()
	b.WriteString(e.Kind().String())
	b.WriteByte('{')
	for i, a := range attrs[1:] {
		if i > 0 {
			b.WriteByte(' ')
		}
		b.WriteString(a.Key)
		b.WriteByte('=')
		b.WriteString(a.Value.Resolve().String())
	}
	b.WriteByte('}')
	return b.String()
}
