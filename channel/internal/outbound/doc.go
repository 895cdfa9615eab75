// Package outbound is the pure logic of the send side of payments: the
// persisted record of a payment and its attempts (one HTLC route each),
// the legal moves between their states, the onion of an attempt, and the
// reading of the failures that come back.
//
// It is deterministic: no goroutines, clocks or randomness. The channel
// manager draws each attempt's session key, owns the storage (one
// [Payment] record per [PaymentID], written with [Payment.Encode]) and
// drives the state machine as update_add_htlc, update_fulfill_htlc,
// update_fail_htlc and update_fail_malformed_htlc go and come.
//
// A payment is [StatusPending] while attempts may be in flight or made;
// the first fulfilled attempt makes it [StatusSucceeded] (later fulfils of
// other parts only add their fee); it becomes [StatusFailed] when the
// caller has given up (a [FailureReason]) and no attempt is in flight any
// more.
package outbound
