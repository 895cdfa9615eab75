// Package keys holds a Lightning node's key material and the key arithmetic
// of the BOLTs.
//
// It provides:
//
//   - the BOLT 3 key derivation (DerivePubKey, DerivePrivKey,
//     DeriveRevocationPubKey, DeriveRevocationPrivKey) and DeriveCommitmentKeys,
//     which computes every key of one commitment transaction at once;
//   - per-commitment secrets (BOLT 3 "Per-commitment Secret Requirements"):
//     PerCommitmentSecret generates them from a seed, and SecretStore keeps the
//     counterparty's revealed secrets in the compact 49-slot form, checking each
//     new secret against the earlier ones;
//   - Manager, the node's key manager built from a 32-byte Seed: the node key
//     (NodeID, ECDH as BOLT 8 defines it, SignHash), lnd-compatible message
//     signing (SignMessage, VerifyMessage, zbase32), and per-channel signers
//     (ChannelKeys returns an InMemorySigner);
//   - EntropySource, the injected randomness of lnkit (peer and invoice use
//     this same interface), with a crypto/rand source and a deterministic
//     one for tests, and ECDH, the node key role that peer/noise and
//     router/onion consume;
//   - signers that can fail: every signing method takes a wire.Digest and
//     returns an error, so a remote or hardware signer can take the place
//     of Manager and InMemorySigner; keys/signertest checks one;
//   - seed generation and seed files (GenerateSeed, WriteSeedFile,
//     ReadSeedFile).
//
// # Seed derivation scheme (version 1)
//
// Every key a Manager holds is derived from its seed with HKDF-SHA256
// (RFC 5869). This scheme is fixed forever: changing it changes the node id
// and the keys of every existing channel.
//
//	prk = HKDF-Extract(salt = "lnkit keys v1", ikm = seed)
//
//	scalar(info):
//	    for i = 0, 1, 2, ...:
//	        k = HKDF-Expand(prk, info || byte(i), 32)
//	        if 0 < k < n (the secp256k1 group order): return k
//
//	node secret key         = scalar("lnkit node key")
//	channel secret <name>   = scalar("lnkit channel " || name || 0x00 || key_id)
//	    name in "funding", "revocation", "payment", "delayed_payment", "htlc"
//	channel commitment seed = HKDF-Expand(prk, "lnkit channel commitment_seed" || 0x00 || key_id || 0x00, 32)
//	inbound payment key     = HKDF-Expand(prk, "lnkit inbound payment key" || 0x00, 32)
//
// key_id is the 32-byte channel key id given to Manager.ChannelKeys. The
// loop in scalar practically never runs twice (the probability is below
// 2^-127); it only makes the result well defined for every seed. The
// commitment seed is the shachain seed of the channel's per-commitment
// secrets (BOLT 3 generate_from_seed). The inbound payment key
// (Manager.InboundPaymentKey) authenticates the payment secrets of the
// node's stateless invoices and derives their preimages.
//
// # Secrets in logs
//
// Types that hold secrets (Seed, Manager, InMemorySigner, SecretStore,
// DeterministicEntropy, InboundPaymentKey) redact them in String, in every
// fmt verb and in log/slog (slog.LogValuer).
//
// # Constant time
//
// Point multiplications are variable time, as in lnd and btcd: btcec's
// "NonConst" routines and internal/secp's faster equivalents (the node key's
// ECDH, the revocation key derivation, message signature recovery); signing
// uses btcec's RFC 6979 ECDSA.
package keys
