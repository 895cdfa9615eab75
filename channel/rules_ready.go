package channel

// The rules of channel_ready (BOLT 2, "The channel_ready Message") and
// announcement_signatures (BOLT 7, "The announcement_signatures Message"),
// and of the funding transaction once it is on chain.
const (
	// RuleChannelReadyPoint: second_per_commitment_point is not a valid
	// point, or a second channel_ready names another point than the first.
	RuleChannelReadyPoint Rule = "channel_ready.second_per_commitment_point"
	// RuleAnnouncementNodeSignature: announcement_signatures'
	// node_signature does not sign the channel_announcement with the
	// peer's node key.
	RuleAnnouncementNodeSignature Rule = "announcement_signatures.node_signature"
	// RuleAnnouncementBitcoinSignature: announcement_signatures'
	// bitcoin_signature does not sign the channel_announcement with the
	// peer's funding key.
	RuleAnnouncementBitcoinSignature Rule = "announcement_signatures.bitcoin_signature"
	// RuleFundingOutput: the transaction funding_created named confirmed,
	// but its output at funding_output_index does not pay
	// funding_satoshis to the 2-of-2 funding script (BOLT 2: channel_ready
	// MUST NOT be sent then), so the channel can never be used.
	RuleFundingOutput Rule = "funding_created.funding_txid"
)
