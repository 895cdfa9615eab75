package wire

import "strconv"

// Feature bits of BOLT 9, plus the few bits outside it that lnkit knows
// (keysend, and the withdrawn option_anchor_outputs). Each feature is a pair:
// the even bit means "required", the odd bit "optional".
const (
	// DataLossProtectRequired is option_data_loss_protect (ASSUMED).
	DataLossProtectRequired FeatureBit = 0
	// DataLossProtectOptional is option_data_loss_protect (ASSUMED).
	DataLossProtectOptional FeatureBit = 1

	// UpfrontShutdownScriptRequired is option_upfront_shutdown_script: the
	// shutdown scriptpubkey is committed to when the channel opens.
	UpfrontShutdownScriptRequired FeatureBit = 4
	// UpfrontShutdownScriptOptional is option_upfront_shutdown_script.
	UpfrontShutdownScriptOptional FeatureBit = 5

	// GossipQueriesRequired is gossip_queries: the peer has useful gossip
	// to share (the query messages themselves are universally supported).
	GossipQueriesRequired FeatureBit = 6
	// GossipQueriesOptional is gossip_queries.
	GossipQueriesOptional FeatureBit = 7

	// VarOnionOptinRequired is var_onion_optin (ASSUMED): TLV onion payloads.
	VarOnionOptinRequired FeatureBit = 8
	// VarOnionOptinOptional is var_onion_optin (ASSUMED).
	VarOnionOptinOptional FeatureBit = 9

	// GossipQueriesExRequired is gossip_queries_ex: query messages may carry
	// timestamps, checksums and query flags.
	GossipQueriesExRequired FeatureBit = 10
	// GossipQueriesExOptional is gossip_queries_ex.
	GossipQueriesExOptional FeatureBit = 11

	// StaticRemoteKeyRequired is option_static_remotekey (ASSUMED).
	StaticRemoteKeyRequired FeatureBit = 12
	// StaticRemoteKeyOptional is option_static_remotekey (ASSUMED).
	StaticRemoteKeyOptional FeatureBit = 13

	// PaymentSecretRequired is payment_secret (ASSUMED).
	PaymentSecretRequired FeatureBit = 14
	// PaymentSecretOptional is payment_secret (ASSUMED).
	PaymentSecretOptional FeatureBit = 15

	// BasicMPPRequired is basic_mpp: the node can receive multi-part payments.
	BasicMPPRequired FeatureBit = 16
	// BasicMPPOptional is basic_mpp.
	BasicMPPOptional FeatureBit = 17

	// SupportLargeChannelRequired is option_support_large_channel
	// ("wumbo"): channels of 2^24 satoshis or more.
	SupportLargeChannelRequired FeatureBit = 18
	// SupportLargeChannelOptional is option_support_large_channel.
	SupportLargeChannelOptional FeatureBit = 19

	// AnchorOutputsRequired is option_anchor_outputs, the first anchor
	// commitment format. It was withdrawn from BOLT 9 in favour of
	// option_anchors; lnkit knows its name but never offers it.
	AnchorOutputsRequired FeatureBit = 20
	// AnchorOutputsOptional is the withdrawn option_anchor_outputs.
	AnchorOutputsOptional FeatureBit = 21

	// AnchorsZeroFeeHTLCTxRequired is option_anchors (formerly
	// option_anchors_zero_fee_htlc_tx): anchor commitments with zero-fee
	// HTLC transactions.
	AnchorsZeroFeeHTLCTxRequired FeatureBit = 22
	// AnchorsZeroFeeHTLCTxOptional is option_anchors.
	AnchorsZeroFeeHTLCTxOptional FeatureBit = 23

	// RouteBlindingRequired is option_route_blinding: blinded paths.
	RouteBlindingRequired FeatureBit = 24
	// RouteBlindingOptional is option_route_blinding.
	RouteBlindingOptional FeatureBit = 25

	// ShutdownAnySegwitRequired is option_shutdown_anysegwit: future segwit
	// versions are allowed in shutdown.
	ShutdownAnySegwitRequired FeatureBit = 26
	// ShutdownAnySegwitOptional is option_shutdown_anysegwit.
	ShutdownAnySegwitOptional FeatureBit = 27

	// DualFundRequired is option_dual_fund: channel establishment v2.
	DualFundRequired FeatureBit = 28
	// DualFundOptional is option_dual_fund.
	DualFundOptional FeatureBit = 29

	// QuiescenceRequired is option_quiesce: the stfu message.
	QuiescenceRequired FeatureBit = 34
	// QuiescenceOptional is option_quiesce.
	QuiescenceOptional FeatureBit = 35

	// AttributionDataRequired is option_attribution_data: attribution data
	// in update_fail_htlc and update_fulfill_htlc.
	AttributionDataRequired FeatureBit = 36
	// AttributionDataOptional is option_attribution_data.
	AttributionDataOptional FeatureBit = 37

	// OnionMessagesRequired is option_onion_messages: the node forwards
	// onion messages.
	OnionMessagesRequired FeatureBit = 38
	// OnionMessagesOptional is option_onion_messages.
	OnionMessagesOptional FeatureBit = 39

	// ProvideStorageRequired is option_provide_storage: the node stores
	// its peers' encrypted backups.
	ProvideStorageRequired FeatureBit = 42
	// ProvideStorageOptional is option_provide_storage.
	ProvideStorageOptional FeatureBit = 43

	// ChannelTypeRequired is option_channel_type (ASSUMED).
	ChannelTypeRequired FeatureBit = 44
	// ChannelTypeOptional is option_channel_type (ASSUMED).
	ChannelTypeOptional FeatureBit = 45

	// ScidAliasRequired is option_scid_alias: channel aliases for routing.
	ScidAliasRequired FeatureBit = 46
	// ScidAliasOptional is option_scid_alias.
	ScidAliasOptional FeatureBit = 47

	// PaymentMetadataRequired is option_payment_metadata (invoices only).
	PaymentMetadataRequired FeatureBit = 48
	// PaymentMetadataOptional is option_payment_metadata.
	PaymentMetadataOptional FeatureBit = 49

	// ZeroConfRequired is option_zeroconf: zero-confirmation channel types.
	ZeroConfRequired FeatureBit = 50
	// ZeroConfOptional is option_zeroconf.
	ZeroConfOptional FeatureBit = 51

	// KeysendRequired is keysend (spontaneous payments). It is not in
	// BOLT 9; lnd and LDK use bits 54/55 for it.
	KeysendRequired FeatureBit = 54
	// KeysendOptional is keysend.
	KeysendOptional FeatureBit = 55

	// SimpleCloseRequired is option_simple_close: simplified closing
	// negotiation.
	SimpleCloseRequired FeatureBit = 60
	// SimpleCloseOptional is option_simple_close.
	SimpleCloseOptional FeatureBit = 61

	// SpliceRequired is option_splice: replacing the funding transaction.
	SpliceRequired FeatureBit = 62
	// SpliceOptional is option_splice.
	SpliceOptional FeatureBit = 63
)

// Name returns the specification name of the feature b belongs to (the same
// for both bits of the pair), e.g. "basic_mpp", or "" when lnkit does not
// know the feature.
func (b FeatureBit) Name() string {
	info, ok := LookupFeature(b)
	if !ok {
		return ""
	}
	return info.Name
}

// String returns the feature's name and the bit, e.g. "basic_mpp(17)", or
// "unknown(100)" for a bit lnkit does not know.
func (b FeatureBit) String() string {
	name := b.Name()
	if name == "" {
		name = "unknown"
	}
	return name + "(" + strconv.Itoa(int(b)) + ")"
}
