package onion

import "fmt"

// FailureCode is the 2-byte failure_code of a BOLT 4 failure message. Its
// top bits are flags (FlagBadOnion, FlagPerm, FlagNode, FlagUpdate).
type FailureCode uint16

// Flags of a failure code.
const (
	// FlagBadOnion marks an onion the sending peer encrypted badly; such
	// failures go back in update_fail_malformed_htlc.
	FlagBadOnion FailureCode = 0x8000
	// FlagPerm marks a permanent failure (otherwise transient).
	FlagPerm FailureCode = 0x4000
	// FlagNode marks a node failure (otherwise a channel failure).
	FlagNode FailureCode = 0x2000
	// FlagUpdate marks a violated channel forwarding parameter.
	FlagUpdate FailureCode = 0x1000
)

// The failure codes of BOLT 4 "Failure Messages".
const (
	// CodeTemporaryNodeFailure is temporary_node_failure.
	CodeTemporaryNodeFailure = FlagNode | 2
	// CodePermanentNodeFailure is permanent_node_failure.
	CodePermanentNodeFailure = FlagPerm | FlagNode | 2
	// CodeRequiredNodeFeatureMissing is required_node_feature_missing.
	CodeRequiredNodeFeatureMissing = FlagPerm | FlagNode | 3
	// CodeInvalidOnionVersion is invalid_onion_version.
	CodeInvalidOnionVersion = FlagBadOnion | FlagPerm | 4
	// CodeInvalidOnionHMAC is invalid_onion_hmac.
	CodeInvalidOnionHMAC = FlagBadOnion | FlagPerm | 5
	// CodeInvalidOnionKey is invalid_onion_key.
	CodeInvalidOnionKey = FlagBadOnion | FlagPerm | 6
	// CodeTemporaryChannelFailure is temporary_channel_failure.
	CodeTemporaryChannelFailure = FlagUpdate | 7
	// CodePermanentChannelFailure is permanent_channel_failure.
	CodePermanentChannelFailure = FlagPerm | 8
	// CodeRequiredChannelFeatureMissing is required_channel_feature_missing.
	CodeRequiredChannelFeatureMissing = FlagPerm | 9
	// CodeUnknownNextPeer is unknown_next_peer.
	CodeUnknownNextPeer = FlagPerm | 10
	// CodeAmountBelowMinimum is amount_below_minimum.
	CodeAmountBelowMinimum = FlagUpdate | 11
	// CodeFeeInsufficient is fee_insufficient.
	CodeFeeInsufficient = FlagUpdate | 12
	// CodeIncorrectCLTVExpiry is incorrect_cltv_expiry.
	CodeIncorrectCLTVExpiry = FlagUpdate | 13
	// CodeExpiryTooSoon is expiry_too_soon.
	CodeExpiryTooSoon = FlagUpdate | 14
	// CodeIncorrectOrUnknownPaymentDetails is incorrect_or_unknown_payment_details.
	CodeIncorrectOrUnknownPaymentDetails = FlagPerm | 15
	// CodeFinalIncorrectCLTVExpiry is final_incorrect_cltv_expiry.
	CodeFinalIncorrectCLTVExpiry = FailureCode(18)
	// CodeFinalIncorrectHTLCAmount is final_incorrect_htlc_amount.
	CodeFinalIncorrectHTLCAmount = FailureCode(19)
	// CodeChannelDisabled is channel_disabled.
	CodeChannelDisabled = FlagUpdate | 20
	// CodeExpiryTooFar is expiry_too_far.
	CodeExpiryTooFar = FailureCode(21)
	// CodeInvalidOnionPayload is invalid_onion_payload.
	CodeInvalidOnionPayload = FlagPerm | 22
	// CodeMPPTimeout is mpp_timeout.
	CodeMPPTimeout = FailureCode(23)
	// CodeInvalidOnionBlinding is invalid_onion_blinding.
	CodeInvalidOnionBlinding = FlagBadOnion | FlagPerm | 24
)

// IsBadOnion reports whether the BADONION flag is set.
func (c FailureCode) IsBadOnion() bool { return c&FlagBadOnion != 0 }

// IsPermanent reports whether the PERM flag is set.
func (c FailureCode) IsPermanent() bool { return c&FlagPerm != 0 }

// IsNode reports whether the NODE flag is set.
func (c FailureCode) IsNode() bool { return c&FlagNode != 0 }

// IsUpdate reports whether the UPDATE flag is set.
func (c FailureCode) IsUpdate() bool { return c&FlagUpdate != 0 }

// String returns the BOLT 4 name of the code, or its flags and number.
func (c FailureCode) String() string {
	switch c {
	case CodeTemporaryNodeFailure:
		return "temporary_node_failure"
	case CodePermanentNodeFailure:
		return "permanent_node_failure"
	case CodeRequiredNodeFeatureMissing:
		return "required_node_feature_missing"
	case CodeInvalidOnionVersion:
		return "invalid_onion_version"
	case CodeInvalidOnionHMAC:
		return "invalid_onion_hmac"
	case CodeInvalidOnionKey:
		return "invalid_onion_key"
	case CodeTemporaryChannelFailure:
		return "temporary_channel_failure"
	case CodePermanentChannelFailure:
		return "permanent_channel_failure"
	case CodeRequiredChannelFeatureMissing:
		return "required_channel_feature_missing"
	case CodeUnknownNextPeer:
		return "unknown_next_peer"
	case CodeAmountBelowMinimum:
		return "amount_below_minimum"
	case CodeFeeInsufficient:
		return "fee_insufficient"
	case CodeIncorrectCLTVExpiry:
		return "incorrect_cltv_expiry"
	case CodeExpiryTooSoon:
		return "expiry_too_soon"
	case CodeIncorrectOrUnknownPaymentDetails:
		return "incorrect_or_unknown_payment_details"
	case CodeFinalIncorrectCLTVExpiry:
		return "final_incorrect_cltv_expiry"
	case CodeFinalIncorrectHTLCAmount:
		return "final_incorrect_htlc_amount"
	case CodeChannelDisabled:
		return "channel_disabled"
	case CodeExpiryTooFar:
		return "expiry_too_far"
	case CodeInvalidOnionPayload:
		return "invalid_onion_payload"
	case CodeMPPTimeout:
		return "mpp_timeout"
	case CodeInvalidOnionBlinding:
		return "invalid_onion_blinding"
	}
	s := ""
	for _, f := range []struct {
		flag FailureCode
		name string
	}{{FlagBadOnion, "BADONION|"}, {FlagPerm, "PERM|"}, {FlagNode, "NODE|"}, {FlagUpdate, "UPDATE|"}} {
		if c&f.flag != 0 {
			s += f.name
		}
	}
	return fmt.Sprintf("unknown_failure(%s%d)", s, uint16(c&0x0fff))
}
