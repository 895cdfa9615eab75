// Package events is how a node tells its application that something needs
// its attention: an inbound channel to accept, a funding transaction to
// build, a channel that became usable or closed, outputs it may now sweep,
// a commitment whose fee must be bumped, a payment to claim, a payment
// that succeeded or failed, a payment forwarded.
//
// # Events
//
// [Event] is a closed set of types (every one is a pointer to a struct of
// this package): [OpenChannelRequest], [FundingGenerationReady],
// [ChannelPending], [ChannelReady], [ChannelClosed] (with a typed
// [ClosureReason]), [DiscardFunding], [SpendableOutputs],
// [BumpTransaction], [PaymentClaimable] and [PaymentClaimed] (inbound
// payments, with a typed [PaymentPurpose]), [PaymentSent], [PaymentFailed]
// (with a typed [PaymentFailureReason]) and [PaymentPathFailed] (outbound
// payments, with the decoded [HTLCFailure] of an attempt),
// [PaymentForwarded] (a forward claimed, with the fee earned) and
// [HTLCIntercepted] (an HTLC held for the application to forward). A handler
// switches on the type:
//
//	switch e := ev.(type) {
//	case *events.FundingGenerationReady:
//		...
//	}
//
// Every event carries an ID, assigned by the [Queue] when it is appended,
// strictly increasing and never reused by a queue over its store, even
// across restarts. String and LogValue print an event for logs; they never
// print secrets (the preimages and payment secrets of payment events are
// redacted or left out) nor bulky or peer-chosen data (transactions,
// scripts, channel key ids, payment metadata, custom onion records and
// channel updates are left out).
//
// # The queue and its guarantee
//
// The state machines (the channel manager, the chain monitor) [Queue.Append]
// events; the application drains them with [Queue.Process] and a [Handler].
// Append writes the event through a persist.KVStore and makes it visible to
// Process only once the store has made it durable; [Queue.AppendWith] writes
// the caller's own state change in the same all-or-nothing batch, so that a
// state machine never keeps a change whose event was lost, nor an event
// whose change was lost. Process delivers events in the order they were
// appended, one at a time, and removes an event from the store only after
// its handler returned nil: the events one Process handled are removed
// together (at most 64 in a write) before it returns.
//
// Delivery is at least once: an event is delivered again when its handler
// returns an error (at the next Process), and after a restart when the node
// stopped or crashed before the event's removal was durable — including
// after the handler returned nil but before the removal reached the disk,
// which for the events one Process handles comes when it returns.
// Handlers must therefore be idempotent: use the event's ID (or its channel
// id) to recognise an event already acted on.
//
// Process stops at the first event whose handler fails: that event and
// every later one stay queued, in order, for the next Process. The queue
// holds at most Config.MaxPending events; Append beyond that fails with
// ErrQueueFull, so a stalled handler becomes visible instead of growing
// memory and storage without bound.
//
// There is no non-durable mode: a lost SpendableOutputs or ChannelClosed
// event can cost money, so the store is required. Tests that want memory
// only use persisttest.CrashStore (which also simulates crashes).
//
// # Encoding
//
// Each event type is a versioned record ([persist.RecordFormat]) whose
// record type is the event's [Kind]: see [Encode] and [Decode]. Fields are
// TLV records; a zero field is omitted and decodes as zero. Unknown odd
// fields written by a newer minor version are skipped (events are
// transient, so they are not kept).
//
// Nothing in this package starts a goroutine, reads a clock or draws
// randomness. The Queue is safe for concurrent use; a handler may call
// Append (directly or through the channel manager) without deadlock.
package events
