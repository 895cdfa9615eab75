package outbound

import (
	"encoding/hex"
	"fmt"
	"log/slog"

	"github.com/lnkit/lnkit/router"
	"github.com/lnkit/lnkit/wire"
)

// Bounds of a payment, checked by NewPayment, AddAttempt and Decode.
const (
	// MaxAttempts is the most attempts a payment records.
	MaxAttempts = 1000
	// MaxHops is the most hops of an attempt's route (BOLT 4: an onion
	// has room for 27 hops of the smallest payload).
	MaxHops = 27
	// MaxMetadataLen is the longest payment_metadata: it must fit in the
	// final hop's payload of a 1300-byte onion.
	MaxMetadataLen = 1024
	// MaxAmount is the largest amount, in millisatoshi: every bitcoin.
	MaxAmount wire.MilliSatoshi = 21_000_000 * 100_000_000 * 1000
)

// PaymentID names a payment chosen by the payer's application; paying
// twice under one id is paying once (the channel manager keys the record
// by it).
type PaymentID [32]byte

// String returns the id in hex.
func (id PaymentID) String() string { return hex.EncodeToString(id[:]) }

// SessionKey is the ephemeral private key of one attempt's onion, drawn
// by the caller. It decrypts the failures coming back, so it is kept with
// the attempt; it is secret and redacts itself.
type SessionKey [32]byte

// String redacts the key.
func (SessionKey) String() string { return "session_key(redacted)" }

// GoString redacts the key in %#v.
func (SessionKey) GoString() string { return "outbound.SessionKey(redacted)" }

// LogValue redacts the key in structured logs.
func (SessionKey) LogValue() slog.Value { return slog.StringValue("redacted") }

// Status is the state of a payment.
type Status uint8

// Payment states.
const (
	// StatusPending: attempts are in flight or may be made.
	StatusPending Status = 1
	// StatusSucceeded: an attempt was fulfilled; Preimage is set.
	StatusSucceeded Status = 2
	// StatusFailed: the caller gave up (FailureReason) and no attempt is
	// in flight.
	StatusFailed Status = 3
)

// String names the status.
func (s Status) String() string {
	switch s {
	case StatusPending:
		return "pending"
	case StatusSucceeded:
		return "succeeded"
	case StatusFailed:
		return "failed"
	}
	return fmt.Sprintf("status(%d)", uint8(s))
}

// AttemptStatus is the state of one attempt.
type AttemptStatus uint8

// Attempt states.
const (
	// AttemptInFlight: the HTLC is offered, or about to be.
	AttemptInFlight AttemptStatus = 1
	// AttemptSucceeded: the HTLC was fulfilled.
	AttemptSucceeded AttemptStatus = 2
	// AttemptFailed: the HTLC was failed (or never offered).
	AttemptFailed AttemptStatus = 3
)

// String names the status.
func (s AttemptStatus) String() string {
	switch s {
	case AttemptInFlight:
		return "in-flight"
	case AttemptSucceeded:
		return "succeeded"
	case AttemptFailed:
		return "failed"
	}
	return fmt.Sprintf("attempt_status(%d)", uint8(s))
}

// FailureReason says why the caller gave up a payment. Zero means it has
// not.
type FailureReason uint8

// Failure reasons.
const (
	// ReasonNone: the payment has not been given up.
	ReasonNone FailureReason = 0
	// ReasonRecipientRejected: the payee failed an attempt permanently.
	ReasonRecipientRejected FailureReason = 1
	// ReasonRetriesExhausted: the retry budget is spent.
	ReasonRetriesExhausted FailureReason = 2
	// ReasonRouteNotFound: no route is left to try.
	ReasonRouteNotFound FailureReason = 3
	// ReasonAbandoned: the application abandoned the payment.
	ReasonAbandoned FailureReason = 4
	// ReasonPaymentExpired: the invoice or the payer's deadline expired.
	ReasonPaymentExpired FailureReason = 5
	// ReasonUnexpectedError: an error the payer cannot recover from.
	ReasonUnexpectedError FailureReason = 6

	maxFailureReason = ReasonUnexpectedError
)

// String names the reason.
func (r FailureReason) String() string {
	switch r {
	case ReasonNone:
		return "none"
	case ReasonRecipientRejected:
		return "recipient-rejected"
	case ReasonRetriesExhausted:
		return "retries-exhausted"
	case ReasonRouteNotFound:
		return "route-not-found"
	case ReasonAbandoned:
		return "abandoned"
	case ReasonPaymentExpired:
		return "payment-expired"
	case ReasonUnexpectedError:
		return "unexpected-error"
	}
	return fmt.Sprintf("reason(%d)", uint8(r))
}

// Attempt is one HTLC of a payment along one route.
type Attempt struct {
	// ChannelID is the channel the HTLC was offered on (set by
	// AttemptAdded).
	ChannelID wire.ChannelID
	// HTLCID is the HTLC's id in that channel (set by AttemptAdded).
	HTLCID uint64
	// Added is true once the update_add_htlc was handed to the channel.
	Added bool
	// SessionKey is the onion's ephemeral key. Secret.
	SessionKey SessionKey
	// Route is the path. Persisted: Payer, TotalAmount, TotalFee,
	// TotalCLTV and, per hop, NodeID, ShortChannelID, AmountToForward,
	// OutgoingCLTV, Fee and CLTVExpiryDelta (not the search's Capacity).
	Route router.Route
	// Status is the attempt's state.
	Status AttemptStatus
}

// Payment is the payer's record of a payment.
type Payment struct {
	// ID is the payer's id of the payment.
	ID PaymentID
	// Hash is the payment hash.
	Hash wire.PaymentHash
	// Secret is the invoice's payment_secret, if any.
	Secret wire.Option[wire.PaymentSecret]
	// Metadata is the invoice's payment_metadata, if any.
	Metadata []byte
	// Keysend marks a spontaneous payment: the payer chose the preimage
	// (Preimage, set from the start) and sends it in the onion.
	Keysend bool
	// Probe marks a probe: a payment of a hash no one knows the preimage
	// of, sent to learn whether a route has the liquidity (its last hop
	// refusing it is the success).
	Probe bool
	// Amount is what the payee receives (the total of all parts).
	Amount wire.MilliSatoshi
	// Status is the payment's state.
	Status Status
	// Preimage is the proof of payment once succeeded (and, for keysend,
	// the chosen preimage from the start).
	Preimage wire.Option[wire.Preimage]
	// MaxFee bounds the routing fee of the attempts in flight and
	// fulfilled together; zero means no bound.
	MaxFee wire.MilliSatoshi
	// FeePaid is the routing fee of the fulfilled attempts.
	FeePaid wire.MilliSatoshi
	// FailureReason is why the caller gave up, or ReasonNone. While the
	// payment is pending it means no new attempt will be made; the
	// payment fails when the last in-flight attempt does.
	FailureReason FailureReason
	// Attempts are the attempts, in the order made.
	Attempts []Attempt
	// CreatedHeight is the block height when the payment was made.
	CreatedHeight uint32
}

// Request is what NewPayment starts a payment from.
type Request struct {
	// ID is the payer's id of the payment.
	ID PaymentID
	// Hash is the payment hash (for keysend, ignored: the hash of
	// KeysendPreimage).
	Hash wire.PaymentHash
	// Secret is the invoice's payment_secret, if any.
	Secret wire.Option[wire.PaymentSecret]
	// Metadata is the invoice's payment_metadata (at most
	// MaxMetadataLen bytes), if any.
	Metadata []byte
	// KeysendPreimage makes a spontaneous payment with this preimage.
	KeysendPreimage wire.Option[wire.Preimage]
	// Probe makes a probe (not with KeysendPreimage).
	Probe bool
	// Amount is what the payee receives; more than zero, at most
	// MaxAmount.
	Amount wire.MilliSatoshi
	// MaxFee bounds the routing fee of the attempts in flight and
	// fulfilled together (at most MaxAmount); zero means no bound.
	MaxFee wire.MilliSatoshi
	// Height is the current block height.
	Height uint32
}

// NewPayment returns a pending payment with no attempts. An unusable
// request gives an error matching ErrInvalidPayment.
func NewPayment(r Request) (*Payment, error) {
	switch {
	case r.Amount == 0 || r.Amount > MaxAmount:
		return nil, fmt.Errorf("%w: amount %d out of range", ErrInvalidPayment, r.Amount)
	case r.MaxFee > MaxAmount:
		return nil, fmt.Errorf("%w: fee limit %d out of range", ErrInvalidPayment, r.MaxFee)
	case r.Probe && r.KeysendPreimage.Present:
		return nil, fmt.Errorf("%w: a keysend probe", ErrInvalidPayment)
	case len(r.Metadata) > MaxMetadataLen:
		return nil, fmt.Errorf("%w: metadata of %d bytes, more than %d", ErrInvalidPayment, len(r.Metadata), MaxMetadataLen)
	}
	p := &Payment{
		ID: r.ID, Hash: r.Hash, Secret: r.Secret, Amount: r.Amount, MaxFee: r.MaxFee,
		Status: StatusPending, CreatedHeight: r.Height, Probe: r.Probe,
	}
	if r.Metadata != nil {
		p.Metadata = append([]byte{}, r.Metadata...)
	}
	if pre, ok := r.KeysendPreimage.Get(); ok {
		p.Keysend = true
		p.Hash = pre.Hash()
		p.Preimage = wire.Some(pre)
	}
	return p, nil
}

// InFlight returns the number of attempts in flight.
func (p *Payment) InFlight() int {
	n := 0
	for i := range p.Attempts {
		if p.Attempts[i].Status == AttemptInFlight {
			n++
		}
	}
	return n
}

// Committed returns the amount delivered to the payee by the attempts in
// flight or fulfilled.
func (p *Payment) Committed() wire.MilliSatoshi {
	var sum wire.MilliSatoshi
	for i := range p.Attempts {
		if p.Attempts[i].Status != AttemptFailed {
			sum += p.Attempts[i].Route.Amount()
		}
	}
	return sum
}

// CommittedFee returns the routing fee of the attempts in flight or
// fulfilled.
func (p *Payment) CommittedFee() wire.MilliSatoshi {
	var sum wire.MilliSatoshi
	for i := range p.Attempts {
		if p.Attempts[i].Status != AttemptFailed {
			sum += p.Attempts[i].Route.TotalFee
		}
	}
	return sum
}

// FindAttempt returns the index of the attempt added as HTLC htlcID of
// channel ch, or -1.
func (p *Payment) FindAttempt(ch wire.ChannelID, htlcID uint64) int {
	for i := range p.Attempts {
		a := &p.Attempts[i]
		if a.Added && a.ChannelID == ch && a.HTLCID == htlcID {
			return i
		}
	}
	return -1
}
