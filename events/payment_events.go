package events

import (
	"encoding/hex"
	"fmt"
	"log/slog"

	"github.com/lnkit/lnkit/wire"
)

// PaymentID names an outbound payment across its attempts and retries: the
// application chooses it when it sends, and the payment's events carry it.
type PaymentID [32]byte

// String returns the id in hex.
func (id PaymentID) String() string { return hex.EncodeToString(id[:]) }

// PurposeKind is what an inbound payment pays for. Its values are
// persisted: fixed forever.
type PurposeKind uint8

// The purpose kinds.
const (
	// PurposeInvoice: a payment to an invoice of ours (BOLT 11), carrying
	// the invoice's payment secret.
	PurposeInvoice PurposeKind = 1
	// PurposeSpontaneous: a payment no invoice asked for (keysend): the
	// payer chose the preimage and sent it in the onion.
	PurposeSpontaneous PurposeKind = 2
)

// String names the kind, e.g. "invoice".
func (k PurposeKind) String() string {
	switch k {
	case PurposeInvoice:
		return "invoice"
	case PurposeSpontaneous:
		return "spontaneous"
	}
	return fmt.Sprintf("purpose(%d)", uint8(k))
}

// valid reports whether k is a known kind.
func (k PurposeKind) valid() bool { return k == PurposeInvoice || k == PurposeSpontaneous }

// PaymentPurpose says what an inbound payment is for and what the node
// knows to claim it.
type PaymentPurpose struct {
	// Kind is the purpose's kind.
	Kind PurposeKind
	// Preimage is the payment's preimage when the node knows it: derived by
	// the node for an invoice it created, or the keysend preimage (always
	// present for PurposeSpontaneous). It is absent when the application
	// supplied the payment hash and holds the preimage itself. When present
	// it hashes to the event's payment hash. A secret: String and LogValue
	// never show it.
	Preimage wire.Option[wire.Preimage]
	// Secret is the invoice's payment_secret, for PurposeInvoice (zero
	// otherwise, or when the payer sent none). Never logged.
	Secret wire.PaymentSecret
}

// String describes the purpose without its secrets, e.g. "invoice" or
// "spontaneous (preimage known)".
func (p PaymentPurpose) String() string {
	if p.Preimage.Present {
		return p.Kind.String() + " (preimage known)"
	}
	return p.Kind.String()
}

// check reports a purpose that must not be queued with payment hash h.
func (p *PaymentPurpose) check(h wire.PaymentHash) error {
	if !p.Kind.valid() {
		return fmt.Errorf("%w: purpose kind %d", errFieldValue, uint8(p.Kind))
	}
	if p.Kind == PurposeSpontaneous && !p.Preimage.Present {
		return fmt.Errorf("%w: spontaneous payment without its preimage", errFieldValue)
	}
	if p.Preimage.Present && p.Preimage.Value.Hash() != h {
		return fmt.Errorf("%w: the preimage does not hash to the payment hash", errFieldValue)
	}
	return nil
}

// PaymentFailureReason is why an outbound payment failed for good. Its
// values are persisted: fixed forever.
type PaymentFailureReason uint8

// The payment failure reasons.
const (
	// FailureRecipientRejected: the recipient failed the payment (a
	// permanent failure from the final node, e.g. an unknown payment hash
	// or a wrong amount).
	FailureRecipientRejected PaymentFailureReason = 1
	// FailureRetriesExhausted: every attempt failed and the retry budget
	// is spent.
	FailureRetriesExhausted PaymentFailureReason = 2
	// FailurePaymentExpired: the payment's deadline (or its invoice's
	// expiry) passed before an attempt succeeded.
	FailurePaymentExpired PaymentFailureReason = 3
	// FailureRouteNotFound: no route to the recipient could be found for
	// the amount.
	FailureRouteNotFound PaymentFailureReason = 4
	// FailureUnexpectedError: the payment failed on our side (a bug, or a
	// failure to persist or sign).
	FailureUnexpectedError PaymentFailureReason = 5
	// FailureUserAbandoned: the application abandoned the payment; no
	// further attempt is made.
	FailureUserAbandoned PaymentFailureReason = 6
)

// String names the reason, e.g. "retries-exhausted".
func (r PaymentFailureReason) String() string {
	switch r {
	case FailureRecipientRejected:
		return "recipient-rejected"
	case FailureRetriesExhausted:
		return "retries-exhausted"
	case FailurePaymentExpired:
		return "payment-expired"
	case FailureRouteNotFound:
		return "route-not-found"
	case FailureUnexpectedError:
		return "unexpected-error"
	case FailureUserAbandoned:
		return "user-abandoned"
	}
	return fmt.Sprintf("failure-reason(%d)", uint8(r))
}

// valid reports whether r is a known reason.
func (r PaymentFailureReason) valid() bool {
	return r >= FailureRecipientRejected && r <= FailureUserAbandoned
}

// HopIndexUnknown is HTLCFailure.HopIndex when the erring hop is unknown
// (the failure could not be attributed).
const HopIndexUnknown uint8 = 0xff

// HTLCFailure is the decoded failure of one attempt (BOLT 4 onion error).
type HTLCFailure struct {
	// ErringNode is the node that reported the failure (zero when
	// unknown).
	ErringNode wire.NodeID
	// HopIndex is the erring node's index into the route's hops: 0 is the
	// first hop after us; HopIndexUnknown when unknown.
	HopIndex uint8
	// Code is the BOLT 4 failure code (with its BADONION, PERM, NODE and
	// UPDATE flag bits).
	Code uint16
	// Permanent is whether the failure is permanent for the payment (no
	// other route can succeed), not only for this route.
	Permanent bool
	// ChannelUpdate is the raw channel_update message the failure carried,
	// when it carried one (nil otherwise). Never logged.
	ChannelUpdate []byte
	// Tampered: the failure came back altered (no hop's HMAC matched it),
	// so Code is zero. When its attribution data (BOLT 4 attributable
	// failures) placed the alteration, HopIndex and ErringNode name the
	// hop whose attribution HMAC did not verify: it or the hop before it
	// (the payer for hop 0) altered the failure, or it does not support
	// attribution data; otherwise HopIndex is HopIndexUnknown.
	Tampered bool
	// HoldTimes are the hold times the hops reported in the failure's
	// attribution data, in route order from the first hop, in units of
	// 100 ms (0: the hop did not say), for the hops whose attribution HMAC
	// verified; nil when the failure carried no attribution data. Each
	// hop's time includes the hops' after it.
	HoldTimes []uint32
}

// isZero reports whether every field of f is zero.
func (f *HTLCFailure) isZero() bool {
	return f.ErringNode == wire.NodeID{} && f.HopIndex == 0 && f.Code == 0 && !f.Permanent && len(f.ChannelUpdate) == 0 &&
		!f.Tampered && len(f.HoldTimes) == 0
}

// PaymentClaimable: HTLCs paying one of our payment hashes arrived, the
// full amount of it. The application must claim the payment (with the
// preimage) or fail it back before ClaimDeadline; until then the HTLCs are
// held.
type PaymentClaimable struct {
	Meta
	// PaymentHash is the hash the HTLCs are locked to.
	PaymentHash wire.PaymentHash
	// Amount is the total received in the HTLCs.
	Amount wire.MilliSatoshi
	// Purpose is what the payment is for.
	Purpose PaymentPurpose
	// ReceiverNodeID is our node id the payment was sent to.
	ReceiverNodeID wire.NodeID
	// ViaChannelID is the channel the payment arrived over (the last HTLC's
	// channel for a multi-part payment; zero when unknown).
	ViaChannelID wire.ChannelID
	// ViaUserChannelID is the application's id of that channel.
	ViaUserChannelID uint64
	// ClaimDeadline is the block height by which the payment must be
	// claimed, or it is failed back (0: none).
	ClaimDeadline uint32
	// PaymentMetadata is the invoice's payment_metadata the payer sent
	// back in the onion (nil when none). Never logged.
	PaymentMetadata []byte
	// CustomRecords are the onion's custom records (types of 65536 and
	// above, odd unless the application declared them known), in
	// increasing type order; nil when none. Never logged.
	CustomRecords wire.TLVRecords
}

// Kind returns KindPaymentClaimable.
func (*PaymentClaimable) Kind() Kind { return KindPaymentClaimable }

// String describes e.
func (e *PaymentClaimable) String() string { return describe(e) }

// LogValue describes e for log/slog.
func (e *PaymentClaimable) LogValue() slog.Value { return logValue(e) }

func (e *PaymentClaimable) check() error {
	if err := e.Purpose.check(e.PaymentHash); err != nil {
		return err
	}
	if err := e.CustomRecords.Validate(); err != nil {
		return fmt.Errorf("%w: custom records: %w", errFieldValue, err)
	}
	return nil
}

func (e *PaymentClaimable) fields() []field {
	fs := []field{
		hash32Field(2, "payment_hash", (*[32]byte)(&e.PaymentHash), true),
		uintField(4, "amount_msat", &e.Amount),
	}
	fs = append(fs, purposeFields(6, &e.Purpose)...) // 6, 8, 10
	return append(fs,
		nodeIDField(12, "receiver", &e.ReceiverNodeID),
		hash32Field(14, "via_channel_id", (*[32]byte)(&e.ViaChannelID), true),
		uintField(16, "via_user_channel_id", &e.ViaUserChannelID),
		uintField(18, "claim_deadline", &e.ClaimDeadline),
		bytesField(20, "payment_metadata", &e.PaymentMetadata),
		tlvRecordsField(22, "custom_records", &e.CustomRecords),
	)
}

// PaymentClaimed: a claimable payment was claimed: we sent its preimage
// to the HTLCs' senders, and the funds are ours once the commitments
// settle. Raised once per payment, also when the claim was replayed
// after a restart.
type PaymentClaimed struct {
	Meta
	// PaymentHash is the payment's hash.
	PaymentHash wire.PaymentHash
	// Amount is the total claimed.
	Amount wire.MilliSatoshi
	// Purpose is what the payment was for.
	Purpose PaymentPurpose
	// ReceiverNodeID is our node id the payment was sent to.
	ReceiverNodeID wire.NodeID
	// HTLCCount is the number of HTLCs claimed (more than one for a
	// multi-part payment).
	HTLCCount uint32
}

// Kind returns KindPaymentClaimed.
func (*PaymentClaimed) Kind() Kind { return KindPaymentClaimed }

// String describes e.
func (e *PaymentClaimed) String() string { return describe(e) }

// LogValue describes e for log/slog.
func (e *PaymentClaimed) LogValue() slog.Value { return logValue(e) }

func (e *PaymentClaimed) check() error { return e.Purpose.check(e.PaymentHash) }

func (e *PaymentClaimed) fields() []field {
	fs := []field{
		hash32Field(2, "payment_hash", (*[32]byte)(&e.PaymentHash), true),
		uintField(4, "amount_msat", &e.Amount),
	}
	fs = append(fs, purposeFields(6, &e.Purpose)...) // 6, 8, 10
	return append(fs,
		nodeIDField(12, "receiver", &e.ReceiverNodeID),
		uintField(14, "htlc_count", &e.HTLCCount),
	)
}

// PaymentSent: an outbound payment succeeded: the payee revealed the
// preimage, the proof of payment. Raised once per PaymentID.
type PaymentSent struct {
	Meta
	// PaymentID is the id the application sent the payment with.
	PaymentID PaymentID
	// PaymentHash is the payment's hash (the hash of Preimage).
	PaymentHash wire.PaymentHash
	// Preimage is the proof of payment. Kept out of String and LogValue
	// all the same.
	Preimage wire.Preimage
	// FeePaid is what the forwarding nodes took: the fee of every part in
	// flight or fulfilled when the first part was fulfilled (the payee
	// claims them all with the same preimage; a part still in flight
	// that fails after all is not taken off).
	FeePaid wire.MilliSatoshi
	// Amount is what was delivered to the payee, fees excluded.
	Amount wire.MilliSatoshi
	// HoldTimes are the hold times the hops of the fulfilled HTLC's route
	// reported in the update_fulfill_htlc's attribution data (BOLT 4
	// "Hold times for successful payments"), in route order from the
	// first hop, in units of 100 ms (0: the hop did not say), for the hops
	// whose attribution HMAC verified; nil when the fulfill carried none
	// (or the payment was not ours to read: its route unknown).
	HoldTimes []uint32
}

// Kind returns KindPaymentSent.
func (*PaymentSent) Kind() Kind { return KindPaymentSent }

// String describes e.
func (e *PaymentSent) String() string { return describe(e) }

// LogValue describes e for log/slog.
func (e *PaymentSent) LogValue() slog.Value { return logValue(e) }

func (e *PaymentSent) check() error {
	if e.Preimage.Hash() != e.PaymentHash {
		return fmt.Errorf("%w: the preimage does not hash to the payment hash", errFieldValue)
	}
	return nil
}

func (e *PaymentSent) fields() []field {
	return []field{
		hash32Field(2, "payment_id", (*[32]byte)(&e.PaymentID), true),
		hash32Field(4, "payment_hash", (*[32]byte)(&e.PaymentHash), true),
		hash32Field(6, "preimage", (*[32]byte)(&e.Preimage), false),
		uintField(8, "fee_paid_msat", &e.FeePaid),
		uintField(10, "amount_msat", &e.Amount),
		holdTimesField(11, "hold_times", &e.HoldTimes),
	}
}

// PaymentFailed: an outbound payment failed for good: no attempt is in
// flight and none will be made. Raised once per PaymentID (a payment that
// succeeds raises PaymentSent instead).
type PaymentFailed struct {
	Meta
	// PaymentID is the id the application sent the payment with.
	PaymentID PaymentID
	// PaymentHash is the payment's hash.
	PaymentHash wire.PaymentHash
	// Reason is why it failed.
	Reason PaymentFailureReason
	// Failure is the decoded failure of the last attempt, when an attempt
	// failed with one (absent when no attempt was made, or none was
	// decodable).
	Failure wire.Option[HTLCFailure]
}

// Kind returns KindPaymentFailed.
func (*PaymentFailed) Kind() Kind { return KindPaymentFailed }

// String describes e.
func (e *PaymentFailed) String() string { return describe(e) }

// LogValue describes e for log/slog.
func (e *PaymentFailed) LogValue() slog.Value { return logValue(e) }

func (e *PaymentFailed) check() error {
	if !e.Reason.valid() {
		return fmt.Errorf("%w: failure reason %d", errFieldValue, uint8(e.Reason))
	}
	return nil
}

func (e *PaymentFailed) fields() []field {
	return []field{
		hash32Field(2, "payment_id", (*[32]byte)(&e.PaymentID), true),
		hash32Field(4, "payment_hash", (*[32]byte)(&e.PaymentHash), true),
		enumField(6, "reason", &e.Reason),
		failureOptionField(8, "failure", &e.Failure),
	}
}

// PaymentPathFailed: one attempt (one path) of an outbound payment
// failed. The payment itself may still succeed over another path: its end
// is PaymentSent or PaymentFailed. For the router's scoring: the failing
// channel and node say what to avoid.
type PaymentPathFailed struct {
	Meta
	// PaymentID is the id the application sent the payment with.
	PaymentID PaymentID
	// PaymentHash is the payment's hash.
	PaymentHash wire.PaymentHash
	// PaymentFailedPermanently is whether the failure ends the whole
	// payment (the recipient rejected it), not only this path.
	PaymentFailedPermanently bool
	// Failure is the attempt's decoded failure (zero when it could not be
	// decoded).
	Failure HTLCFailure
	// ShortChannelID is the failing channel, when known (zero otherwise).
	ShortChannelID wire.ShortChannelID
	// Path is the node ids of the attempt's hops, in order, the payee last.
	Path []wire.NodeID
	// Retryable is whether the payment will be retried over another path.
	Retryable bool
}

// Kind returns KindPaymentPathFailed.
func (*PaymentPathFailed) Kind() Kind { return KindPaymentPathFailed }

// String describes e.
func (e *PaymentPathFailed) String() string { return describe(e) }

// LogValue describes e for log/slog.
func (e *PaymentPathFailed) LogValue() slog.Value { return logValue(e) }

func (e *PaymentPathFailed) check() error { return checkSCID(e.ShortChannelID) }

func (e *PaymentPathFailed) fields() []field {
	return []field{
		hash32Field(2, "payment_id", (*[32]byte)(&e.PaymentID), true),
		hash32Field(4, "payment_hash", (*[32]byte)(&e.PaymentHash), true),
		boolField(6, "failed_permanently", &e.PaymentFailedPermanently),
		failureField(8, "failure", &e.Failure),
		scidField(10, "short_channel_id", &e.ShortChannelID),
		nodeIDsField(12, "path", &e.Path),
		boolField(14, "retryable", &e.Retryable),
	}
}
