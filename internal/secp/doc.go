// Package secp holds lnkit's secp256k1 arithmetic and the SHA-256 helpers
// that keys, wire, invoice, peer/noise and router/onion share.
//
// Its own field arithmetic (field.go: four 64-bit limbs with math/bits,
// several times faster than btcec's 26-bit limbs), Jacobian and affine
// points (point.go, affine.go), the GLV endomorphism split (glv.go) and
// width-w NAF recoding (wnaf.go) give:
//
//   - ScalarMult (scalar_mult.go), k·P for an arbitrary point, and
//     ScalarMultNonConst, its drop-in for btcec.ScalarMultNonConst on btcec
//     points (the revocation key derivation of keys);
//   - Comb (comb.go), a table of one point's multiples for many products
//     (keys.FixedBase, a channel's revocation basepoint), and
//     ScalarBaseMultNonConst (base_mult.go), k·G for public k over the
//     generator's comb, generated into g_comb_table.go (the tweaks of the
//     BOLT 3 key derivations);
//   - ECDH and ECDHPoint (ecdh.go), the SHA-256 of the compressed product
//     point of BOLT 4 and BOLT 8, for the node key and the handshake and
//     onion keys alike;
//   - Verify and VerifySignature (verify.go), ECDSA verification, and
//     RecoverCompact (recover.go), public key recovery from a compact
//     signature, both computing u1·G + u2·P with one joint (Strauss–Shamir)
//     evaluation of four half-length wNAF expansions (mul_add_g.go), the
//     generator's over a table of its odd multiples generated into
//     g_table.go.
//
// TestGTable regenerates and checks the two generated tables; they are
// data, never written.
//
// Verify and RecoverCompact have exactly the semantics of btcec's (decred's)
// ecdsa.Signature.Verify and ecdsa.RecoverCompact — the same accepted and
// rejected inputs (zero r or s, high s accepted, R.x ≥ n, recovery ids 2
// and 3, sums at infinity), the same recovered keys and, for a rejected
// recovery, decred's own error. Differential tests and the fuzz targets
// FuzzVerify, FuzzRecover and FuzzECDH check them against decred.
//
// Everything here is variable time, like the btcec "NonConst" routines it
// replaced (btcec offers nothing else for the product of an arbitrary
// point): verification and recovery handle public values only; the node
// key's ECDH and the derivations multiply as btcec's ScalarMultNonConst did
// before. Signing stays on btcec (RFC 6979 nonces, constant time).
//
// The package also has point compression and parsing on btcec's types
// without allocation (btcec_point.go) and HMAC-SHA256 without allocation.
package secp
