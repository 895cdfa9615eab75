// Package secp holds the secp256k1 and SHA-256 helpers that keys,
// peer/noise and router/onion share: point compression and parsing without
// allocation, a fast conversion to affine coordinates, the ECDH of BOLT 4
// and BOLT 8 (SHA-256 of the compressed product point) computed with btcec,
// and HMAC-SHA256 without allocation.
//
// Everything here is variable-time, like btcec's own ScalarMultNonConst,
// which is what btcec offers for a product with an arbitrary point.
//
// router/onion keeps its own faster field and GLV scalar multiplication
// (router/onion/field.go, point.go, ec.go) for the per-payment ephemeral
// and public scalars only; long-lived keys (the node key) go through ECDH
// here, that is through btcec.
package secp
