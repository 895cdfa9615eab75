package events

import (
	"log/slog"

	"github.com/lnkit/lnkit/wire"
)

// PaymentPathSuccessful: one attempt (one path) of an outbound payment was
// fulfilled. Raised once per successful path, after (or with) the
// payment's PaymentSent; for the router's scoring: every channel of the
// path carried the amount.
type PaymentPathSuccessful struct {
	Meta
	// PaymentID is the id the application sent the payment with.
	PaymentID PaymentID
	// PaymentHash is the payment's hash.
	PaymentHash wire.PaymentHash
	// Path is the node ids of the attempt's hops, in order, the payee last.
	Path []wire.NodeID
	// Amount is what this path delivered to the payee.
	Amount wire.MilliSatoshi
	// FeePaid is what this path's forwarding nodes took.
	FeePaid wire.MilliSatoshi
}

// Kind returns KindPaymentPathSuccessful.
func (*PaymentPathSuccessful) Kind() Kind { return KindPaymentPathSuccessful }

// String describes e.
func (e *PaymentPathSuccessful) String() string { return describe(e) }

// LogValue describes e for log/slog.
func (e *PaymentPathSuccessful) LogValue() slog.Value { return logValue(e) }

func (e *PaymentPathSuccessful) check() error { return nil }

func (e *PaymentPathSuccessful) fields() []field {
	return []field{
		hash32Field(2, "payment_id", (*[32]byte)(&e.PaymentID), true),
		hash32Field(4, "payment_hash", (*[32]byte)(&e.PaymentHash), true),
		nodeIDsField(6, "path", &e.Path),
		uintField(8, "amount_msat", &e.Amount),
		uintField(10, "fee_paid_msat", &e.FeePaid),
	}
}

// ProbeSuccessful: a probe (Manager.SendProbe) reached its last hop, which
// refused it as a probe must be refused: every channel of the path had
// the liquidity for its amount.
type ProbeSuccessful struct {
	Meta
	// PaymentID is the probe's id.
	PaymentID PaymentID
	// PaymentHash is the probe's hash, which no one knows a preimage of.
	PaymentHash wire.PaymentHash
	// Path is the node ids of the probe's hops, in order.
	Path []wire.NodeID
}

// Kind returns KindProbeSuccessful.
func (*ProbeSuccessful) Kind() Kind { return KindProbeSuccessful }

// String describes e.
func (e *ProbeSuccessful) String() string { return describe(e) }

// LogValue describes e for log/slog.
func (e *ProbeSuccessful) LogValue() slog.Value { return logValue(e) }

func (e *ProbeSuccessful) check() error { return nil }

func (e *ProbeSuccessful) fields() []field {
	return []field{
		hash32Field(2, "payment_id", (*[32]byte)(&e.PaymentID), true),
		hash32Field(4, "payment_hash", (*[32]byte)(&e.PaymentHash), true),
		nodeIDsField(6, "path", &e.Path),
	}
}

// ProbeFailed: a probe (Manager.SendProbe) failed before its last hop:
// ShortChannelID, when known, lacked the liquidity or refused it.
type ProbeFailed struct {
	Meta
	// PaymentID is the probe's id.
	PaymentID PaymentID
	// PaymentHash is the probe's hash.
	PaymentHash wire.PaymentHash
	// Path is the node ids of the probe's hops, in order.
	Path []wire.NodeID
	// ShortChannelID is the failing channel, when known (zero otherwise).
	ShortChannelID wire.ShortChannelID
	// Failure is the probe's decoded failure (zero when it could not be
	// decoded or it never left us).
	Failure HTLCFailure
}

// Kind returns KindProbeFailed.
func (*ProbeFailed) Kind() Kind { return KindProbeFailed }

// String describes e.
func (e *ProbeFailed) String() string { return describe(e) }

// LogValue describes e for log/slog.
func (e *ProbeFailed) LogValue() slog.Value { return logValue(e) }

func (e *ProbeFailed) check() error { return checkSCID(e.ShortChannelID) }

func (e *ProbeFailed) fields() []field {
	return []field{
		hash32Field(2, "payment_id", (*[32]byte)(&e.PaymentID), true),
		hash32Field(4, "payment_hash", (*[32]byte)(&e.PaymentHash), true),
		nodeIDsField(6, "path", &e.Path),
		scidField(8, "short_channel_id", &e.ShortChannelID),
		failureField(10, "failure", &e.Failure),
	}
}
