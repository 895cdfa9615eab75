package wire

// FeatureInfo describes one feature (a pair of bits) that lnkit knows.
type FeatureInfo struct {
	// Name is the specification name, e.g. "option_anchors".
	Name string
	// Required is the even bit of the pair; Required+1 is the optional bit.
	Required FeatureBit
	// Description is the Description column of the BOLT 9 table
	// ("ASSUMED" for the features every node is assumed to support).
	Description string
	// Contexts is the Context column of the BOLT 9 table. It is empty for
	// ASSUMED features and for gossip_queries.
	Contexts FeatureContext
	// LegacyContexts are the contexts a feature was presented in before
	// BOLT 9 emptied its Context column (ASSUMED features and
	// gossip_queries). Implementations still set these bits there (lnd
	// requires bits 0, 8, 12 and 14 in init), so receivers accept them and
	// senders may set them for older peers. option_static_remotekey also
	// has ContextChannelType: BOLT 2 channel types use bit 12.
	LegacyContexts FeatureContext
	// Assumed reports that BOLT 9 marks the feature ASSUMED: every node is
	// taken to support it whether or not the bits are set.
	Assumed bool
	// InSpec reports that the feature is in the BOLT 9 table lnkit follows.
	// Keysend and the withdrawn option_anchor_outputs are not.
	InSpec bool
	// Dependencies are the required bits of the features this one depends
	// on, as listed in the BOLT 9 table.
	Dependencies []FeatureBit
	// LegacyDependencies are dependencies that earlier revisions of BOLT 9
	// listed and dropped once the feature depended on became ASSUMED
	// (e.g. payment_secret on var_onion_optin, option_anchors on
	// option_static_remotekey). Older implementations still enforce them.
	LegacyDependencies []FeatureBit
}

// Optional returns the odd bit of the pair.
func (i FeatureInfo) Optional() FeatureBit { return i.Required + 1 }

// AllContexts returns Contexts | LegacyContexts: every context a receiver
// accepts the feature in.
func (i FeatureInfo) AllContexts() FeatureContext { return i.Contexts | i.LegacyContexts }

// noFeature marks "no dependency" in featureRow.
const noFeature FeatureBit = 0xFFFF

// maxKnownFeatureBit is the highest bit of any feature lnkit knows.
const maxKnownFeatureBit FeatureBit = SpliceOptional

// featureRow is the allocation-free form of FeatureInfo: every feature has
// at most one dependency in each column.
type featureRow struct {
	name, desc      string
	ctx, legacyCtx  FeatureContext
	assumed, inSpec bool
	dep, legacyDep  FeatureBit
}

// lookupFeatureRow returns the row of the feature that bit b belongs to.
// The table lives in this switch so that nothing can modify it.
func lookupFeatureRow(b FeatureBit) (featureRow, bool) {
	const (
		in  = ContextInit | ContextNodeAnnouncement
		in9 = in | ContextInvoice
		inT = in | ContextChannelType
	)
	r := featureRow{inSpec: true, dep: noFeature, legacyDep: noFeature}
	switch b &^ 1 {
	case DataLossProtectRequired:
		r.name, r.desc, r.assumed, r.legacyCtx = "option_data_loss_protect", "ASSUMED", true, in
	case UpfrontShutdownScriptRequired:
		r.name, r.desc, r.ctx = "option_upfront_shutdown_script", "Commits to a shutdown scriptpubkey when opening channel", in
	case GossipQueriesRequired:
		r.name, r.desc, r.legacyCtx = "gossip_queries", "Peer has useful gossip to share", in
	case VarOnionOptinRequired:
		r.name, r.desc, r.assumed, r.legacyCtx = "var_onion_optin", "ASSUMED", true, in9
	case GossipQueriesExRequired:
		r.name, r.desc, r.ctx = "gossip_queries_ex", "Gossip queries can include additional information", in
		r.legacyDep = GossipQueriesRequired
	case StaticRemoteKeyRequired:
		r.name, r.desc, r.assumed, r.legacyCtx = "option_static_remotekey", "ASSUMED", true, inT
	case PaymentSecretRequired:
		r.name, r.desc, r.assumed, r.legacyCtx = "payment_secret", "ASSUMED", true, in9
		r.legacyDep = VarOnionOptinRequired
	case BasicMPPRequired:
		r.name, r.desc, r.ctx = "basic_mpp", "Node can receive basic multi-part payments", in9
		r.dep = PaymentSecretRequired
	case SupportLargeChannelRequired:
		r.name, r.desc, r.ctx = "option_support_large_channel", "Can create large channels", in
	case AnchorOutputsRequired:
		r.name, r.desc, r.inSpec, r.legacyCtx = "option_anchor_outputs", "Anchor outputs", false, in
		r.legacyDep = StaticRemoteKeyRequired
	case AnchorsZeroFeeHTLCTxRequired:
		r.name, r.desc, r.ctx = "option_anchors", "Anchor commitment type with zero fee HTLC transactions", inT
		r.legacyDep = StaticRemoteKeyRequired
	case RouteBlindingRequired:
		r.name, r.desc, r.ctx = "option_route_blinding", "Node supports blinded paths", in9
		r.legacyDep = VarOnionOptinRequired
	case ShutdownAnySegwitRequired:
		r.name, r.desc, r.ctx = "option_shutdown_anysegwit", "Future segwit versions allowed in `shutdown`", in
	case DualFundRequired:
		r.name, r.desc, r.ctx = "option_dual_fund", "Use v2 of channel open, enables dual funding", in
	case QuiescenceRequired:
		r.name, r.desc, r.ctx = "option_quiesce", "Support for `stfu` message", in
	case AttributionDataRequired:
		r.name, r.desc, r.ctx = "option_attribution_data", "Can generate/relay attribution data in `update_fail_htlc` and `update_fulfill_htlc`", in9
	case OnionMessagesRequired:
		r.name, r.desc, r.ctx = "option_onion_messages", "Can forward onion messages", in
	case ProvideStorageRequired:
		r.name, r.desc, r.ctx = "option_provide_storage", "Can store other nodes' encrypted backup data", in
	case ChannelTypeRequired:
		r.name, r.desc, r.assumed, r.legacyCtx = "option_channel_type", "ASSUMED", true, in
	case ScidAliasRequired:
		r.name, r.desc, r.ctx = "option_scid_alias", "Supply channel aliases for routing", inT
	case PaymentMetadataRequired:
		r.name, r.desc, r.ctx = "option_payment_metadata", "Payment metadata in tlv record", ContextInvoice
	case ZeroConfRequired:
		r.name, r.desc, r.ctx = "option_zeroconf", "Understands zeroconf channel types", inT
		r.dep = ScidAliasRequired
	case KeysendRequired:
		r.name, r.desc, r.inSpec, r.ctx = "keysend", "Spontaneous payments with the preimage in the onion (lnd, LDK; not in BOLT 9)", false, in
		r.legacyDep = VarOnionOptinRequired
	case SimpleCloseRequired:
		r.name, r.desc, r.ctx = "option_simple_close", "Simplified closing negotiation", in
		r.dep = ShutdownAnySegwitRequired
	case SpliceRequired:
		r.name, r.desc, r.ctx = "option_splice", "Allows replacing the funding transaction with a new one", in
	default:
		return featureRow{}, false
	}
	return r, true
}

// LookupFeature returns the description of the feature that bit b (either
// bit of the pair) belongs to, and false when lnkit does not know it.
func LookupFeature(b FeatureBit) (FeatureInfo, bool) {
	r, ok := lookupFeatureRow(b)
	if !ok {
		return FeatureInfo{}, false
	}
	info := FeatureInfo{
		Name:           r.name,
		Required:       b &^ 1,
		Description:    r.desc,
		Contexts:       r.ctx,
		LegacyContexts: r.legacyCtx,
		Assumed:        r.assumed,
		InSpec:         r.inSpec,
	}
	if r.dep != noFeature {
		info.Dependencies = []FeatureBit{r.dep}
	}
	if r.legacyDep != noFeature {
		info.LegacyDependencies = []FeatureBit{r.legacyDep}
	}
	return info, true
}

// KnownFeatures returns a fresh list of every feature lnkit knows, in
// increasing bit order.
func KnownFeatures() []FeatureInfo {
	var out []FeatureInfo
	for b := FeatureBit(0); b <= maxKnownFeatureBit; b += 2 {
		if info, ok := LookupFeature(b); ok {
			out = append(out, info)
		}
	}
	return out
}

// IsKnownFeature reports whether lnkit knows the feature bit b belongs to.
func IsKnownFeature(b FeatureBit) bool {
	_, ok := lookupFeatureRow(b)
	return ok
}
