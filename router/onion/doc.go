// Package onion implements the BOLT 4 onion routing packet (Sphinx) used by
// update_add_htlc: building the 1366-byte packet at the origin, peeling one
// layer at each hop, the typed per-hop TLV payload, the failure messages and
// their onion-encrypted return path, and attributable failures (hold times
// and truncated HMACs in attribution_data).
//
// The origin builds a packet with NewPacket from a session key (injected:
// nothing in this package draws randomness), the route's node keys and their
// encoded payloads. A forwarding or final node processes it with a Processor,
// which verifies the HMAC, checks a ReplayLog, decodes its HopPayload and
// returns the packet for the next hop. All failures of a hop are reported as
// a *ProcessError carrying the BOLT 4 failure code to send back. Even custom
// records (type 65536 and above) the application did not declare in
// ProcessorConfig.KnownCustomTypes fail with invalid_onion_payload.
//
// The ReplayLog keeps each packet's shared secret until the chain reaches
// the HTLC's cltv_expiry (the application calls Prune on each block).
// MemoryReplayLog keeps them in memory; PersistentReplayLog writes each one
// through to a persist.KVStore before accepting its packet and reloads them
// when opened. Both refuse new packets when full rather than forget.
//
// Failures travel back with NewFailure at the erring node, ForwardFailure at
// every hop on the way back, and DecryptFailure at the origin, which finds
// the erring hop and, when attribution_data is present, verifies each hop's
// HMAC and reads its reported hold time.
//
// The elliptic curve work (one variable-base scalar multiplication per hop,
// which dominates the cost) uses internal/secp's GLV/wNAF scalar
// multiplication over its 64-bit-limb field arithmetic, checked against
// btcec and math/big by that package's tests; fixed-base multiplications use
// btcec's precomputed tables, and each hop's two affine conversions share one
// field inversion. Building allocates only the returned values; peeling also
// allocates the public key it hands to the ECDH interface.
package onion
