// Package inbound is the receive side's pure logic: stateless invoices and
// the BOLT 4 checks of the final node.
//
// # Stateless invoices
//
// A node need not store an invoice to be paid for it. Keys.Create writes
// what the node must check about a payment (minimum amount, expiry,
// min_final_cltv_expiry_delta) into the 32-byte BOLT 11 payment_secret,
// encrypted and authenticated with keys derived from the node's
// keys.InboundPaymentKey, and derives the payment preimage from the secret,
// so it can recompute it when the HTLC arrives. Keys.CreateForHash does the
// same for a payment hash whose preimage the application holds (hold
// invoices, preimages from elsewhere). Keys.Verify, given an HTLC's payment
// hash and the payment_secret of its onion, recovers the parameters and,
// for derived preimages, the preimage; anything else is ErrUnknownPayment.
// The idea is LDK's (lightning/src/ln/inbound_payment.rs); the layout and
// the derivation are lnkit's own.
//
// The sub-keys (fixed forever: changing them invalidates every invoice
// issued):
//
//	prk             = HKDF-Extract(salt = "lnkit inbound payment v1", ikm = inbound payment key)
//	metadata key    = HKDF-Expand(prk, "metadata encryption", 32)
//	hash auth key   = HKDF-Expand(prk, "application hash authentication", 32)
//	preimage key    = HKDF-Expand(prk, "preimage", 32)
//
// The payment secret is prefix (16 bytes) || ciphertext (16 bytes):
//
//	metadata (16 bytes, big-endian):
//	    word   (8) = mode bit (63: 1 = application hash, 0 = derived preimage)
//	               | amount-present bit (62) | reserved bit (61, zero)
//	               | minimum amount in msat (bits 0-60; zero when absent)
//	    expiry (6) = absolute expiry, unix seconds (invoice timestamp + x)
//	    delta  (2) = min_final_cltv_expiry_delta, blocks
//	ciphertext    = metadata XOR HMAC-SHA256(metadata key, prefix)[0:16]
//
//	derived preimage:    prefix   = iv (16 random bytes from the caller)
//	                     preimage = HMAC-SHA256(preimage key, prefix || metadata)
//	                     the check is SHA-256(preimage) == payment hash
//	application hash:    prefix   = HMAC-SHA256(hash auth key, metadata || payment hash)[0:16]
//	                     the check is recomputing prefix (a 128-bit tag)
//
// In both modes a change of any bit of the secret or of the payment hash
// fails Verify, except with probability 2^-128 or below. The iv of Create
// must be fresh randomness for every invoice: a repeated iv with the same
// parameters gives the same payment hash, and with different parameters
// reveals the XOR of their metadata. Amounts above 2^61-1 msat (more than
// all bitcoin) and expiries above 2^48-1 seconds do not fit and fail Create.
//
// # Final-hop checks
//
// Keys.CheckFinal applies BOLT 4's requirements of the final node (not in a
// blinded route) to an incoming HTLC and its decoded onion payload, and
// returns either a Receive (what the payment is, and the preimage when the
// node knows it) or the onion failure message to fail the HTLC with. It
// does not assemble multi-part payments: Receive.Total tells the caller the
// amount of the whole payment.
//
// # Invoices
//
// NewInvoice writes and signs the BOLT 11 invoice of a payment created
// here, with package invoice's Builder.
//
// Everything in this package is deterministic: time (height, now) and
// randomness (iv) are parameters.
package inbound
