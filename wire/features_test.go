package wire

import (
	"encoding/json"
	"errors"
	"slices"
	"testing"

	"github.com/lnkit/lnkit/internal/vectors"

	"github.com/stretchr/testify/require"
)

// gossipTestVector reads a file of the shared BOLT test vectors: the
// directory ../shared/vectors next to the repository root (the directory
// holding go.mod). A missing file fails the test.
func gossipTestVector(t testing.TB, name string) []byte {
	t.Helper()
	return vectors.Read(t, name)
}

type bolt09Vectors struct {
	ContextLegend map[string]string `json:"context_legend"`
	Features      []struct {
		Name           string   `json:"name"`
		Bits           []int    `json:"bits"`
		EvenBit        int      `json:"even_bit"`
		OddBit         int      `json:"odd_bit"`
		Description    string   `json:"description"`
		Assumed        bool     `json:"assumed"`
		Context        string   `json:"context"`
		ContextLetters []string `json:"context_letters"`
		Dependencies   []string `json:"dependencies"`
	} `json:"features"`
}

// TestFeatureTableMatchesBOLT9 checks every feature of the BOLT 9 table
// (bits, name, description, contexts, ASSUMED, dependencies) against
// lnkit's table, and that lnkit claims no other feature is in the table.
func TestFeatureTableMatchesBOLT9(t *testing.T) {
	var v bolt09Vectors
	require.NoError(t, json.Unmarshal(gossipTestVector(t, "bolt09-features.json"), &v))
	require.Len(t, v.Features, 23)

	// Every legend letter parses to one context.
	for letters := range v.ContextLegend {
		c, err := ParseFeatureContext(letters)
		require.NoError(t, err, letters)
		require.Equal(t, letters, c.String())
	}

	inJSON := map[FeatureBit]bool{}
	for _, f := range v.Features {
		t.Run(f.Name, func(t *testing.T) {
			require.Equal(t, []int{f.EvenBit, f.OddBit}, f.Bits)
			even, odd := FeatureBit(f.EvenBit), FeatureBit(f.OddBit)
			require.True(t, even.IsRequired())
			require.Equal(t, even+1, odd)
			inJSON[even] = true

			info, ok := LookupFeature(even)
			require.True(t, ok, "feature unknown to lnkit")
			infoOdd, ok := LookupFeature(odd)
			require.True(t, ok)
			require.Equal(t, info, infoOdd)

			require.Equal(t, f.Name, info.Name)
			require.Equal(t, f.Name, even.Name())
			require.Equal(t, f.Name, odd.Name())
			require.Equal(t, even, info.Required)
			require.Equal(t, odd, info.Optional())
			require.Equal(t, f.Description, info.Description)
			require.Equal(t, f.Assumed, info.Assumed)
			require.True(t, info.InSpec)

			ctx, err := ParseFeatureContext(f.Context)
			require.NoError(t, err)
			require.Equal(t, ctx, info.Contexts)
			require.Equal(t, f.Context, info.Contexts.String())
			var letters []string
			for _, c := range info.Contexts.String() {
				letters = append(letters, string(c))
			}
			if len(f.ContextLetters) == 0 {
				require.Empty(t, letters)
			} else {
				require.Equal(t, f.ContextLetters, letters)
			}

			var deps []string
			for _, d := range info.Dependencies {
				require.True(t, d.IsRequired())
				deps = append(deps, d.Name())
			}
			if len(f.Dependencies) == 0 {
				require.Empty(t, deps)
			} else {
				require.Equal(t, f.Dependencies, deps)
			}

			// The dependency rule holds for both bits.
			for _, b := range []FeatureBit{even, odd} {
				err := NewFeatureVector(b).CheckDependencies()
				if len(f.Dependencies) == 0 {
					require.NoError(t, err)
					continue
				}
				var de *MissingFeatureDependencyError
				require.ErrorAs(t, err, &de)
				require.Equal(t, b, de.Feature)
				require.Equal(t, f.Dependencies[0], de.Dependency.Name())
				withDeps := NewFeatureVector(b)
				for _, d := range info.Dependencies {
					withDeps.Set(d + 1)
				}
				require.NoError(t, withDeps.CheckDependencies())
			}

			// Every listed context accepts the feature; a feature with a
			// context column is refused in the contexts it does not list.
			for _, c := range []FeatureContext{ContextInit, ContextNodeAnnouncement, ContextChannelAnnouncement, ContextInvoice, ContextBlindedPath, ContextChannelType} {
				err := NewFeatureVector(odd).CheckContext(c)
				if info.AllContexts().Has(c) {
					require.NoError(t, err, "context %v", c)
				} else {
					require.ErrorIs(t, err, ErrFeatureContext, "context %v", c)
				}
			}
		})
	}
	for _, info := range KnownFeatures() {
		if info.InSpec {
			require.True(t, inJSON[info.Required], "%s is marked InSpec but is not in BOLT 9", info.Name)
		} else {
			require.False(t, inJSON[info.Required], info.Name)
		}
	}
}

func TestFeatureKnownFeaturesIsFresh(t *testing.T) {
	a := KnownFeatures()
	require.Len(t, a, 25) // 23 of BOLT 9, keysend, option_anchor_outputs
	a[0].Name = "changed"
	a[len(a)-1].Dependencies = append(a[len(a)-1].Dependencies, 99)
	b := KnownFeatures()
	require.Equal(t, "option_data_loss_protect", b[0].Name)
	require.NotContains(t, b[len(b)-1].Dependencies, FeatureBit(99))
	for i := 1; i < len(b); i++ {
		require.Less(t, b[i-1].Required, b[i].Required)
	}
}

func TestFeatureBitNames(t *testing.T) {
	tests := []struct {
		bit  FeatureBit
		name string
		str  string
	}{
		{DataLossProtectRequired, "option_data_loss_protect", "option_data_loss_protect(0)"},
		{VarOnionOptinOptional, "var_onion_optin", "var_onion_optin(9)"},
		{StaticRemoteKeyRequired, "option_static_remotekey", "option_static_remotekey(12)"},
		{PaymentSecretOptional, "payment_secret", "payment_secret(15)"},
		{BasicMPPOptional, "basic_mpp", "basic_mpp(17)"},
		{AnchorOutputsOptional, "option_anchor_outputs", "option_anchor_outputs(21)"},
		{AnchorsZeroFeeHTLCTxOptional, "option_anchors", "option_anchors(23)"},
		{RouteBlindingOptional, "option_route_blinding", "option_route_blinding(25)"},
		{ShutdownAnySegwitOptional, "option_shutdown_anysegwit", "option_shutdown_anysegwit(27)"},
		{QuiescenceOptional, "option_quiesce", "option_quiesce(35)"},
		{ChannelTypeOptional, "option_channel_type", "option_channel_type(45)"},
		{ScidAliasRequired, "option_scid_alias", "option_scid_alias(46)"},
		{ZeroConfOptional, "option_zeroconf", "option_zeroconf(51)"},
		{KeysendOptional, "keysend", "keysend(55)"},
		{SpliceOptional, "option_splice", "option_splice(63)"},
		{2, "", "unknown(2)"},
		{31, "", "unknown(31)"},
		{100, "", "unknown(100)"},
		{65535, "", "unknown(65535)"},
	}
	for _, tt := range tests {
		require.Equal(t, tt.name, tt.bit.Name())
		require.Equal(t, tt.str, tt.bit.String())
		require.Equal(t, tt.name != "", IsKnownFeature(tt.bit))
	}
}

func TestFeatureHasRequires(t *testing.T) {
	f := NewFeatureVector(StaticRemoteKeyRequired, BasicMPPOptional)
	require.True(t, f.HasFeature(StaticRemoteKeyOptional))
	require.True(t, f.HasFeature(StaticRemoteKeyRequired))
	require.True(t, f.RequiresFeature(StaticRemoteKeyOptional))
	require.True(t, f.HasFeature(BasicMPPRequired))
	require.False(t, f.RequiresFeature(BasicMPPOptional))
	require.False(t, f.HasFeature(PaymentSecretOptional))
	require.False(t, FeatureVector{}.HasFeature(0))
}

func TestFeatureCheckRequired(t *testing.T) {
	known := NewFeatureVector(DataLossProtectOptional, StaticRemoteKeyRequired, PaymentSecretOptional)
	tests := []struct {
		name   string
		bits   []FeatureBit
		want   []FeatureBit
		beyond bool
	}{
		{"empty", nil, nil, false},
		{"known required", []FeatureBit{DataLossProtectRequired, StaticRemoteKeyRequired, PaymentSecretRequired}, nil, false},
		{"unknown odd ignored", []FeatureBit{101, 1001}, nil, false},
		{"unknown even", []FeatureBit{BasicMPPRequired, 100, PaymentSecretRequired, 101}, []FeatureBit{BasicMPPRequired, 100}, false},
		{"top bit", []FeatureBit{65534}, []FeatureBit{65534}, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := NewFeatureVector(tt.bits...)
			require.Equal(t, tt.want, f.UnknownRequiredFeatures(known))
			err := f.CheckRequired(known)
			if tt.want == nil {
				require.NoError(t, err)
				return
			}
			var ue *UnknownRequiredFeaturesError
			require.ErrorAs(t, err, &ue)
			require.ErrorIs(t, err, ErrUnknownRequiredFeature)
			require.Equal(t, tt.want, ue.Bits)
			require.Equal(t, tt.beyond, ue.BeyondRange)
		})
	}

	// A required bit above 65535 (byte 8192 from the end) cannot be named
	// but is still reported.
	raw := make([]byte, 8193)
	raw[0] = 0x01 // bit 65536
	raw[len(raw)-1] = 0x02
	f := FeatureVectorFromBytes(raw)
	require.Equal(t, []FeatureBit{1}, f.Bits())
	require.Empty(t, f.UnknownRequiredFeatures(known))
	var ue *UnknownRequiredFeaturesError
	require.ErrorAs(t, f.CheckRequired(known), &ue)
	require.True(t, ue.BeyondRange)
	require.Empty(t, ue.Bits)
	require.Contains(t, ue.Error(), "above 65535")
	raw[0] = 0x02 // bit 65537: odd, ignored
	require.NoError(t, FeatureVectorFromBytes(raw).CheckRequired(known))
}

func TestFeatureCheckDependencies(t *testing.T) {
	tests := []struct {
		name         string
		bits         []FeatureBit
		err, strict  *MissingFeatureDependencyError
		strictIsBase bool
	}{
		{name: "empty"},
		{name: "mpp with secret", bits: []FeatureBit{PaymentSecretRequired, BasicMPPOptional, VarOnionOptinRequired}},
		{name: "mpp without secret", bits: []FeatureBit{BasicMPPOptional},
			err: &MissingFeatureDependencyError{Feature: BasicMPPOptional, Dependency: PaymentSecretRequired}, strictIsBase: true},
		{name: "zeroconf without alias", bits: []FeatureBit{ZeroConfRequired},
			err: &MissingFeatureDependencyError{Feature: ZeroConfRequired, Dependency: ScidAliasRequired}, strictIsBase: true},
		{name: "simple close without anysegwit", bits: []FeatureBit{SimpleCloseOptional},
			err: &MissingFeatureDependencyError{Feature: SimpleCloseOptional, Dependency: ShutdownAnySegwitRequired}, strictIsBase: true},
		{name: "payment secret without var onion (legacy rule)", bits: []FeatureBit{PaymentSecretOptional},
			strict: &MissingFeatureDependencyError{Feature: PaymentSecretOptional, Dependency: VarOnionOptinRequired}},
		{name: "anchors without static remotekey (legacy rule)", bits: []FeatureBit{AnchorsZeroFeeHTLCTxOptional},
			strict: &MissingFeatureDependencyError{Feature: AnchorsZeroFeeHTLCTxOptional, Dependency: StaticRemoteKeyRequired}},
		{name: "anchor outputs without static remotekey", bits: []FeatureBit{AnchorOutputsOptional},
			strict: &MissingFeatureDependencyError{Feature: AnchorOutputsOptional, Dependency: StaticRemoteKeyRequired}},
		{name: "gossip_queries_ex without gossip_queries", bits: []FeatureBit{GossipQueriesExOptional},
			strict: &MissingFeatureDependencyError{Feature: GossipQueriesExOptional, Dependency: GossipQueriesRequired}},
		{name: "route blinding without var onion", bits: []FeatureBit{RouteBlindingOptional},
			strict: &MissingFeatureDependencyError{Feature: RouteBlindingOptional, Dependency: VarOnionOptinRequired}},
		{name: "keysend without var onion", bits: []FeatureBit{KeysendOptional},
			strict: &MissingFeatureDependencyError{Feature: KeysendOptional, Dependency: VarOnionOptinRequired}},
		{name: "lowest offender first", bits: []FeatureBit{ZeroConfOptional, BasicMPPOptional},
			err: &MissingFeatureDependencyError{Feature: BasicMPPOptional, Dependency: PaymentSecretRequired}, strictIsBase: true},
		{name: "unknown bits have no dependencies", bits: []FeatureBit{101, 200}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := NewFeatureVector(tt.bits...)
			check := func(err error, want *MissingFeatureDependencyError) {
				t.Helper()
				if want == nil {
					require.NoError(t, err)
					return
				}
				require.ErrorIs(t, err, ErrMissingFeatureDependency)
				var de *MissingFeatureDependencyError
				require.ErrorAs(t, err, &de)
				require.Equal(t, want, de)
			}
			check(f.CheckDependencies(), tt.err)
			strict := tt.strict
			if tt.strictIsBase {
				strict = tt.err
			}
			check(f.CheckDependenciesStrict(), strict)
		})
	}
	err := NewFeatureVector(BasicMPPOptional).CheckDependencies()
	require.EqualError(t, err, "wire: feature basic_mpp(17) requires payment_secret")
}

// lndInitBits returns the features lnd v0.20.0-beta sends in init (see
// ../shared/INTEROP.md), including its experimental bits.
func lndInitBits() []FeatureBit {
	return []FeatureBit{0, 8, 12, 14, 5, 7, 17, 23, 25, 27, 31, 35, 45, 55, 261, 2023}
}

func TestFeatureCheckContext(t *testing.T) {
	tests := []struct {
		name string
		bits []FeatureBit
		ctx  FeatureContext
		bad  []FeatureBit
	}{
		{"lnd init", lndInitBits(), ContextInit, nil},
		{"lnd node announcement", lndInitBits(), ContextNodeAnnouncement, nil},
		{"bolt11 invoice", []FeatureBit{8, 14, 99}, ContextInvoice, nil},
		{"bolt11 invoice metadata", []FeatureBit{8, 14, 48}, ContextInvoice, nil},
		{"metadata not in init", []FeatureBit{PaymentMetadataOptional, BasicMPPOptional}, ContextInit, []FeatureBit{PaymentMetadataOptional}},
		{"anchors channel type", []FeatureBit{StaticRemoteKeyRequired, AnchorsZeroFeeHTLCTxRequired, ScidAliasRequired, ZeroConfRequired}, ContextChannelType, nil},
		{"not channel types", []FeatureBit{StaticRemoteKeyRequired, BasicMPPRequired, SpliceRequired}, ContextChannelType, []FeatureBit{BasicMPPRequired, SpliceRequired}},
		{"nothing in channel_announcement", []FeatureBit{StaticRemoteKeyRequired, BasicMPPOptional, 101}, ContextChannelAnnouncement, []FeatureBit{StaticRemoteKeyRequired, BasicMPPOptional}},
		{"unknown bits not checked", []FeatureBit{100, 1001}, ContextBlindedPath, nil},
		{"invoice refuses init-only", []FeatureBit{UpfrontShutdownScriptOptional, PaymentSecretRequired}, ContextInvoice, []FeatureBit{UpfrontShutdownScriptOptional}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := NewFeatureVector(tt.bits...).CheckContext(tt.ctx)
			if tt.bad == nil {
				require.NoError(t, err)
				return
			}
			var ce *FeatureContextError
			require.ErrorAs(t, err, &ce)
			require.ErrorIs(t, err, ErrFeatureContext)
			require.Equal(t, tt.bad, ce.Bits)
			require.Equal(t, tt.ctx, ce.Context)
		})
	}
	// lnd's init vector also passes the dependency checks.
	lnd := NewFeatureVector(lndInitBits()...)
	require.NoError(t, lnd.CheckDependencies())
	require.NoError(t, lnd.CheckDependenciesStrict())
	require.NoError(t, lnd.CheckPairs())
}

func TestFeatureCheckPairs(t *testing.T) {
	require.NoError(t, NewFeatureVector(0, 3, 4, 9).CheckPairs())
	err := NewFeatureVector(0, 1, 5, 100, 101, 200).CheckPairs()
	var be *FeatureBothBitsError
	require.ErrorAs(t, err, &be)
	require.ErrorIs(t, err, ErrFeatureBothBits)
	require.Equal(t, []FeatureBit{0, 100}, be.Bits)
	// Both bits set means required (BOLT 9).
	require.True(t, NewFeatureVector(0, 1).RequiresFeature(1))
}

func TestFeatureContextParse(t *testing.T) {
	tests := []struct {
		in   string
		want FeatureContext
		err  bool
	}{
		{"", 0, false},
		{"IN", ContextInit | ContextNodeAnnouncement, false},
		{"IN9", ContextInit | ContextNodeAnnouncement | ContextInvoice, false},
		{"INT", ContextInit | ContextNodeAnnouncement | ContextChannelType, false},
		{"C-", ContextChannelAnnouncement | ContextChannelAnnouncementOddOnly, false},
		{"NC+B", ContextNodeAnnouncement | ContextChannelAnnouncement | ContextChannelAnnouncementEvenOnly | ContextBlindedPath, false},
		{"II", 0, true},
		{"X", 0, true},
		{"-", 0, true},
		{"C-C", 0, true},
	}
	for _, tt := range tests {
		got, err := ParseFeatureContext(tt.in)
		if tt.err {
			require.ErrorIs(t, err, ErrInvalidValue, tt.in)
			continue
		}
		require.NoError(t, err, tt.in)
		require.Equal(t, tt.want, got, tt.in)
		require.Equal(t, tt.in, got.String())
	}
}

// TestFeatureContextChannelParityString covers the C- and C+ forms (no
// feature of the current table uses them).
func TestFeatureContextChannelParityString(t *testing.T) {
	allowed := ContextChannelAnnouncement | ContextChannelAnnouncementOddOnly
	require.True(t, allowed.Has(ContextChannelAnnouncement))
	require.Equal(t, "C-", allowed.String())
	require.Equal(t, "C+", (ContextChannelAnnouncement | ContextChannelAnnouncementEvenOnly).String())
}

func TestFeatureBitsLargeVector(t *testing.T) {
	raw := make([]byte, 9000)
	raw[0] = 0xff
	raw[len(raw)-1] = 0x81
	f := FeatureVectorFromBytes(raw)
	require.Equal(t, []FeatureBit{0, 7}, f.Bits())
	raw = make([]byte, 8192)
	raw[0] = 0x80 // bit 65535
	require.Equal(t, []FeatureBit{65535}, FeatureVectorFromBytes(raw).Bits())
}

// checkFeatureVector asserts the invariants of a vector decoded from raw.
func checkFeatureVector(t *testing.T, raw []byte) {
	t.Helper()
	f := FeatureVectorFromBytes(raw)
	bits := f.Bits()
	for i, b := range bits {
		require.True(t, f.IsSet(b))
		require.True(t, f.HasFeature(b))
		if i > 0 {
			require.Less(t, bits[i-1], b)
		}
	}
	// Bytes is minimal and round-trips.
	min := f.Bytes()
	if len(min) > 0 {
		require.NotZero(t, min[0])
	}
	require.Equal(t, bits, FeatureVectorFromBytes(min).Bits())
	if len(raw) <= 8192 {
		require.Equal(t, len(bits) == 0, f.IsEmpty())
	}

	known := NewFeatureVector(DataLossProtectOptional, StaticRemoteKeyOptional)
	unknown := f.UnknownRequiredFeatures(known)
	for _, b := range unknown {
		require.True(t, b.IsRequired())
		require.True(t, f.IsSet(b))
		require.False(t, known.HasFeature(b))
	}
	err := f.CheckRequired(known)
	if len(unknown) > 0 {
		require.ErrorIs(t, err, ErrUnknownRequiredFeature)
	}
	for _, c := range []FeatureContext{ContextInit, ContextNodeAnnouncement, ContextChannelAnnouncement, ContextInvoice, ContextBlindedPath, ContextChannelType} {
		if err := f.CheckContext(c); err != nil {
			var ce *FeatureContextError
			require.True(t, errors.As(err, &ce))
			for _, b := range ce.Bits {
				require.True(t, slices.Contains(bits, b))
				require.True(t, IsKnownFeature(b))
			}
		}
	}
	if err := f.CheckDependencies(); err != nil {
		var de *MissingFeatureDependencyError
		require.True(t, errors.As(err, &de))
		require.True(t, f.IsSet(de.Feature))
		require.False(t, f.HasFeature(de.Dependency))
	}
	if f.CheckDependencies() != nil {
		require.Error(t, f.CheckDependenciesStrict())
	}
	_ = f.CheckPairs()
	_ = f.String()
}

func FuzzFeatureVector(f *testing.F) {
	f.Add([]byte{})
	f.Add([]byte{0x00})
	f.Add(NewFeatureVector(lndInitBits()...).Bytes())
	f.Add(NewFeatureVector(BasicMPPOptional, ZeroConfRequired, 100).Bytes())
	f.Add([]byte{0x00, 0x00, 0x02, 0xa2, 0x69, 0xa2})
	f.Add(make([]byte, 8193))
	f.Fuzz(func(t *testing.T, raw []byte) {
		checkFeatureVector(t, raw)
	})
}

func BenchmarkFeatureVectorChecks(b *testing.B) {
	f := NewFeatureVector(lndInitBits()...)
	known := NewFeatureVector(lndInitBits()...)
	b.ReportAllocs()
	for b.Loop() {
		if f.CheckRequired(known) != nil || f.CheckDependencies() != nil || f.CheckContext(ContextInit) != nil {
			b.Fatal("unexpected error")
		}
	}
}
