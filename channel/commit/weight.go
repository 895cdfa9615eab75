package commit

import "github.com/lnkit/lnkit/wire"

// Expected weights of BOLT 3 "Fee Calculation" and Appendix A. The
// commitment and HTLC transaction fees are computed from these, not from
// the real weights.
const (
	// CommitWeight is the expected weight of a commitment transaction
	// without anchors and without HTLC outputs.
	CommitWeight = 724
	// AnchorCommitWeight is the expected weight of an anchors commitment
	// transaction without HTLC outputs.
	AnchorCommitWeight = 1124
	// HTLCOutputWeight is the weight each untrimmed HTLC output adds.
	HTLCOutputWeight = 172
	// HTLCTimeoutWeight is the expected weight of an HTLC-timeout
	// transaction without anchors.
	HTLCTimeoutWeight = 663
	// AnchorHTLCTimeoutWeight is the expected weight of an anchors
	// HTLC-timeout transaction (before the fee inputs are added).
	AnchorHTLCTimeoutWeight = 666
	// HTLCSuccessWeight is the expected weight of an HTLC-success
	// transaction without anchors (really 702; BOLT 3 keeps 703).
	HTLCSuccessWeight = 703
	// AnchorHTLCSuccessWeight is the expected weight of an anchors
	// HTLC-success transaction (really 705; BOLT 3 keeps 706).
	AnchorHTLCSuccessWeight = 706

	// AnchorAmount is the value of each anchor output.
	AnchorAmount wire.Satoshi = 330
)

// Witness sizes (in weight units: witness bytes weigh 1) of every spend
// path, counting the item count, 73-byte signatures with their sighash byte
// (the maximum), and the witness script. A spending input adds
// InputNonWitnessWeight. These are the "expected weights" a sweeper uses to
// set fees; the tests check each one against the witness builders.
const (
	// InputNonWitnessWeight is the non-witness weight of a segwit input:
	// outpoint (36), empty script_sig length (1) and sequence (4), times 4.
	InputNonWitnessWeight = 4 * (36 + 1 + 4)
	// WitnessHeaderWeight is the segwit marker and flag of a transaction.
	WitnessHeaderWeight = 2

	maxSig = 1 + 73 // length prefix + DER signature with sighash byte

	// FundingWitnessSize spends the funding output: 0 <sig1> <sig2> <script>.
	FundingWitnessSize = 1 + 1 + 2*maxSig + 1 + FundingScriptSize
	// ToLocalDelayedWitnessSize spends to_local (or a second-stage HTLC
	// output) after the delay: <local_delayedsig> <> <script>.
	ToLocalDelayedWitnessSize = 1 + maxSig + 1 + 1 + ToLocalScriptMaxSize
	// ToLocalRevokeWitnessSize spends to_local (or a second-stage HTLC
	// output) with the revocation key: <revocation_sig> 1 <script>.
	ToLocalRevokeWitnessSize = 1 + maxSig + 2 + 1 + ToLocalScriptMaxSize
	// ToRemoteWitnessSize spends a P2WPKH to_remote: <sig> <pubkey>.
	ToRemoteWitnessSize = 1 + maxSig + 1 + 33
	// ToRemoteAnchorWitnessSize spends an anchors to_remote: <sig> <script>.
	ToRemoteAnchorWitnessSize = 1 + maxSig + 1 + ToRemoteAnchorScriptSize
	// AnchorWitnessSize spends an anchor with its funding key: <sig> <script>.
	AnchorWitnessSize = 1 + maxSig + 1 + AnchorScriptSize
	// AnchorSweepWitnessSize spends an anchor after 16 blocks: <> <script>.
	AnchorSweepWitnessSize = 1 + 1 + 1 + AnchorScriptSize

	// OfferedHTLCRevokeWitnessSize spends a revoked offered HTLC output:
	// <revocation_sig> <revocationpubkey> <script>.
	OfferedHTLCRevokeWitnessSize = 1 + maxSig + 1 + 33 + 1 + OfferedHTLCScriptSize
	// ReceivedHTLCRevokeWitnessSize spends a revoked received HTLC output.
	ReceivedHTLCRevokeWitnessSize = 1 + maxSig + 1 + 33 + 1 + appendixAReceivedScriptSize
	// OfferedHTLCSuccessWitnessSize spends an offered HTLC output from the
	// counterparty's side with the preimage: <remotehtlcsig> <preimage> <script>.
	OfferedHTLCSuccessWitnessSize = 1 + maxSig + 1 + 32 + 1 + OfferedHTLCScriptSize
	// ReceivedHTLCTimeoutWitnessSize spends a received HTLC output from the
	// counterparty's side after its cltv_expiry: <remotehtlcsig> <> <script>.
	ReceivedHTLCTimeoutWitnessSize = 1 + maxSig + 1 + 1 + appendixAReceivedScriptSize
	// HTLCTimeoutWitnessSize is the HTLC-timeout witness of Appendix A
	// (timeout_witness): 0 <remotehtlcsig> <localhtlcsig> <> <script>.
	HTLCTimeoutWitnessSize = 1 + 1 + 2*maxSig + 1 + 1 + OfferedHTLCScriptSize
	// HTLCSuccessWitnessSize is the HTLC-success witness of Appendix A
	// (success_witness): 0 <remotehtlcsig> <localhtlcsig> <preimage> <script>.
	HTLCSuccessWitnessSize = 1 + 1 + 2*maxSig + 1 + 32 + 1 + appendixAReceivedScriptSize

	// AnchorScriptExtra is what anchors add to every HTLC script and so to
	// each HTLC witness size above (1 OP_CHECKSEQUENCEVERIFY OP_DROP).
	AnchorScriptExtra = 3

	// appendixAReceivedScriptSize is Appendix A's accepted_htlc_script,
	// which assumes a 4-byte cltv_expiry.
	appendixAReceivedScriptSize = 140
)

// CommitmentWeight returns the expected weight of a commitment transaction
// with n untrimmed HTLC outputs.
func CommitmentWeight(t ChannelType, n int) uint64 {
	base := uint64(CommitWeight)
	if t.HasAnchors() {
		base = AnchorCommitWeight
	}
	return base + HTLCOutputWeight*uint64(n)
}

// CommitmentFee returns the base fee of a commitment transaction with n
// untrimmed HTLC outputs, rounded down.
func CommitmentFee(t ChannelType, rate wire.FeeRate, n int) wire.Satoshi {
	return rate.FeeForWeight(CommitmentWeight(t, n))
}

// HTLCTimeoutFee returns the fee of an HTLC-timeout transaction: zero with
// anchors, otherwise feerate_per_kw * 663 / 1000 rounded down.
func HTLCTimeoutFee(t ChannelType, rate wire.FeeRate) wire.Satoshi {
	if t.HasAnchors() {
		return 0
	}
	return rate.FeeForWeight(HTLCTimeoutWeight)
}

// HTLCSuccessFee returns the fee of an HTLC-success transaction: zero with
// anchors, otherwise feerate_per_kw * 703 / 1000 rounded down.
func HTLCSuccessFee(t ChannelType, rate wire.FeeRate) wire.Satoshi {
	if t.HasAnchors() {
		return 0
	}
	return rate.FeeForWeight(HTLCSuccessWeight)
}

// IsTrimmed reports whether an HTLC is left out of a commitment: its amount
// in whole satoshis, minus the fee of its second-stage transaction, is
// below the owner's dust limit. offered is relative to the commitment's
// owner (offered HTLCs are claimed by HTLC-timeout, received ones by
// HTLC-success).
func IsTrimmed(t ChannelType, rate wire.FeeRate, dustLimit wire.Satoshi, amount wire.MilliSatoshi, offered bool) bool {
	fee := HTLCSuccessFee(t, rate)
	if offered {
		fee = HTLCTimeoutFee(t, rate)
	}
	return uint64(amount.ToSatoshi()) < uint64(dustLimit)+uint64(fee)
}
