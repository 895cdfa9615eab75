package channel

// The rules of closing_signed (BOLT 2, "Legacy Closing Negotiation:
// closing_signed", Requirements of the receiving node, and BOLT 3 "Legacy
// Closing Transaction" and "Dust Limits"), checked by the closing fee
// negotiation on every closing_signed the peer sends.
const (
	// RuleClosingSignedChannelID: channel_id is not the channel being
	// closed.
	RuleClosingSignedChannelID Rule = "closing_signed.channel_id"
	// RuleClosingSignedFee: fee_satoshis is above the opener's balance;
	// without fee_range, it is not strictly between our last sent and the
	// last received fee_satoshis, or no fee strictly between them is left
	// in our range; with fee_range, we are the opener and it is outside the
	// overlap of both ranges, or we are not the opener and it differs from
	// the fee we already sent.
	RuleClosingSignedFee Rule = "closing_signed.fee_satoshis"
	// RuleClosingSignedFeeRange: fee_range has min_fee_satoshis above
	// max_fee_satoshis, fee_satoshis is outside the sender's own fee_range,
	// or the range does not overlap ours.
	RuleClosingSignedFeeRange Rule = "closing_signed.fee_range"
	// RuleClosingSignedSignature: signature is not a low-S signature of
	// either closing transaction the sender may have signed (with or
	// without its own output).
	RuleClosingSignedSignature Rule = "closing_signed.signature"
	// RuleClosingSignedDust: an output of the closing transaction is below
	// the dust threshold of its scriptpubkey (BOLT 3 "Dust Limits"), so the
	// transaction would not relay.
	RuleClosingSignedDust Rule = "closing_signed.dust"
)

// closingNoOverlapError is the RuleClosingSignedFeeRange error of fee ranges
// that do not overlap: BOLT 2 answers it with a warning and waits (the
// peer may propose again), unlike a malformed range, which fails.
type closingNoOverlapError struct{ *RuleError }

// Unwrap returns the *RuleError.
func (e *closingNoOverlapError) Unwrap() error { return e.RuleError }
