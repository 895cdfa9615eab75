// Package commit builds, signs and verifies the on-chain transactions of a
// Lightning channel as BOLT 3 defines them: the funding output script, the
// commitment transaction of either party, its HTLC-success and HTLC-timeout
// transactions, and the cooperative closing transaction. It also assembles
// the witness of every spend path of those outputs (the funding 2-of-2, the
// delayed and revocation paths of to_local and of second-stage HTLC outputs,
// to_remote, anchors, and each HTLC branch) and exports the expected weights
// of BOLT 3 Appendix A.
//
// Two commitment formats are supported: option_static_remotekey
// (StaticRemoteKey) and option_anchors_zero_fee_htlc_tx (AnchorsZeroFeeHTLC).
//
// A Channel holds the parameters fixed when the channel was opened; New
// validates them and precomputes what every commitment shares. A State is the
// content of one commitment (balances, fee rate, HTLCs), written from this
// node's point of view; Channel.Build turns it into the Commitment owned by
// either side. In a Commitment and its Keys, "local" and "remote" are relative
// to the commitment's owner, exactly as in BOLT 3.
//
// Signing goes through the Signer interface, which keys.InMemorySigner
// implements and a remote signer can replace: it signs a wire.Digest and may
// fail, and its error reaches the caller (keys/signertest checks a signer
// against this contract). The package has no state of its
// own: every function is deterministic in its inputs.
package commit
