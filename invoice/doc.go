// Package invoice reads and writes BOLT 11 Lightning invoices (payment
// requests such as "lnbc2500u1p...").
//
// Decode parses an invoice string, checks its bech32 checksum and its
// signature, and returns an *Invoice whose accessors give every field: the
// network, amount, timestamp, payment hash, payment secret, description or
// description hash, expiry, min_final_cltv_expiry_delta, fallback addresses,
// route hints, features, payee node id and payment metadata. Decoding is
// lossless: String re-encodes a decoded invoice to exactly the string it
// came from, unknown and skipped fields included.
//
// A Builder writes and signs new invoices. Signing goes through the Signer
// interface, so the node key never has to leave its key manager.
//
// Before paying, a payer calls (*Invoice).CheckPayable: it refuses expired
// invoices, invoices that require features the payer does not know, and
// invoices whose features lack their dependencies.
//
// Errors wrap the sentinels of errors.go (test them with errors.Is) inside
// an *Error naming the part of the invoice that was wrong.
//
// Choices this package makes where BOLT 11 leaves room:
//
//   - Invoices longer than MaxLength (7089) characters are refused before
//     any decoding, the capacity of the largest QR code.
//   - A p, h, s or n field of the wrong length is skipped (kept for
//     re-encoding), as the specification's examples require, although one
//     sentence of the current text says such invoices must fail.
//   - Without an n field the payee is recovered from the signature exactly
//     as libsecp256k1's secp256k1_ecdsa_recover does, with the transmitted
//     recovery id, high-S signatures included (see signature.go).
//   - With an n field, high-S signatures are refused (ErrHighS).
//   - x and c fields with leading zero groups (a 0 written as one "q"
//     group, say) are accepted: BOLT 11 asks only writers to be minimal.
//     Builder writes them minimally; String re-encodes them as written.
//   - A non-minimal 9 field (leading zero groups), non-zero padding bits,
//     invalid UTF-8 descriptions, n fields or route hints holding a
//     non-point, and fallback addresses of a known version with a bad
//     program length are refused.
//   - Invoices without a payment secret (s) are refused by Decode, as
//     BOLT 11 now requires; lnd's invoices with blinded paths have none.
//   - Unknown required (even) feature bits do not stop Decode; CheckPayable
//     refuses them, so callers can still show such an invoice.
//   - A repeated field counts once (the first); the others are kept as
//     skipped fields.
package invoice
