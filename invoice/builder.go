package invoice

import (
	"fmt"
	"time"
	"unicode/utf8"

	"github.com/btcsuite/btcd/btcec/v2"
	"github.com/btcsuite/btcd/btcutil"
	"github.com/btcsuite/btcd/chaincfg"

	"github.com/lnkit/lnkit/keys"
	"github.com/lnkit/lnkit/wire"
)

// EntropySource supplies randomness for RandomPaymentSecret. It is
// keys.EntropySource, lnkit's one randomness interface: keys.CryptoEntropy
// (crypto/rand) and keys.DeterministicEntropy (tests) implement it.
type EntropySource = keys.EntropySource

// maxTimestamp is the largest timestamp 35 bits hold.
const maxTimestamp = 1<<35 - 1

// Builder writes and signs an invoice. Its methods return the Builder so
// calls chain; the first invalid input is remembered and returned by Build.
//
// Tagged fields are written in the order their methods are first called
// (calling a single-valued one again replaces its value in place); f, r and
// raw fields are added at each call. Build adds what is missing, after the
// fields set explicitly:
//   - an empty description (d) if neither Description nor DescriptionHash
//     was called,
//   - the features (9) var_onion_optin and payment_secret as required bits
//     (8 and 14, as the BOLT 11 examples and lnd write them), plus
//     option_payment_metadata required (48) if Metadata was called, unless
//     Features was called.
//
// Expiry and MinFinalCLTVExpiryDelta default to DefaultExpiry (3600 s) and
// DefaultMinFinalCLTVExpiryDelta (18 blocks), which BOLT 11 implies when
// the x and c fields are absent; the fields are written only when their
// methods are called. The payment hash and payment secret have no default:
// call PaymentHash, and PaymentSecret or RandomPaymentSecret.
type Builder struct {
	net       *chaincfg.Params
	prefix    string
	timestamp time.Time
	amount    wire.MilliSatoshi
	hasAmount bool
	fields    []builderField
	features  wire.FeatureVector
	set       uint16 // has* flags of the single-valued fields set
	err       error
}

// builderField is a tagged field waiting to be written.
type builderField struct {
	tag  Tag
	data []byte // 5-bit groups
}

// NewBuilder starts an invoice for network net created at timestamp (kept
// in whole seconds; it must be between 1970 and 2^35 seconds later).
func NewBuilder(net *chaincfg.Params, timestamp time.Time) *Builder {
	b := &Builder{net: net, timestamp: timestamp}
	prefix, ok := networkPrefix(net)
	if !ok {
		name := "<nil>"
		if net != nil {
			name = net.Name
		}
		b.fail(&Error{Field: "NewBuilder", Err: ErrUnknownNetwork, Detail: "network " + name})
	}
	b.prefix = prefix
	if ts := timestamp.Unix(); ts < 0 || ts > maxTimestamp {
		b.fail(buildError("NewBuilder", "timestamp out of range"))
	}
	return b
}

// buildError returns an *Error wrapping ErrInvalidBuild.
func buildError(method, detail string) *Error {
	return &Error{Field: method, Err: ErrInvalidBuild, Detail: detail}
}

// fail remembers the first error.
func (b *Builder) fail(err error) {
	if b.err == nil {
		b.err = err
	}
}

// setField writes a single-valued field: in place if it was set before,
// otherwise at the end.
func (b *Builder) setField(tag Tag, flag uint16, data []byte) {
	if b.set&flag != 0 {
		for i := range b.fields {
			if b.fields[i].tag == tag {
				b.fields[i].data = data
				return
			}
		}
	}
	b.set |= flag
	b.fields = append(b.fields, builderField{tag: tag, data: data})
}

// Amount sets the amount requested. Without it the payer chooses. It is
// written with the largest multiplier that keeps the number whole.
func (b *Builder) Amount(msat wire.MilliSatoshi) *Builder {
	if msat == 0 {
		b.fail(buildError("Amount", "zero amount (leave it out for an open amount)"))
		return b
	}
	b.amount, b.hasAmount = msat, true
	return b
}

// PaymentHash sets the payment hash (p).
func (b *Builder) PaymentHash(h wire.PaymentHash) *Builder {
	b.setField(TagPaymentHash, hasPaymentHash, appendGroups(nil, h[:]))
	return b
}

// PaymentSecret sets the payment secret (s).
func (b *Builder) PaymentSecret(s wire.PaymentSecret) *Builder {
	b.setField(TagPaymentSecret, hasPaymentSecret, appendGroups(nil, s[:]))
	return b
}

// RandomPaymentSecret sets a payment secret drawn from src.
func (b *Builder) RandomPaymentSecret(src EntropySource) *Builder {
	if src == nil {
		b.fail(buildError("RandomPaymentSecret", "nil entropy source"))
		return b
	}
	return b.PaymentSecret(wire.PaymentSecret(src.GetSecureRandomBytes()))
}

// Description sets the description (d): valid UTF-8 of at most 639 bytes.
// Use DescriptionHash for longer ones.
func (b *Builder) Description(d string) *Builder {
	switch {
	case len(d) > maxFieldBytes:
		b.fail(buildError("Description", fmt.Sprintf("%d bytes, at most %d fit (use DescriptionHash)", len(d), maxFieldBytes)))
	case !utf8.ValidString(d):
		b.fail(buildError("Description", "invalid utf-8"))
	default:
		b.setField(TagDescription, hasDescription, appendGroups(nil, []byte(d)))
	}
	return b
}

// DescriptionHash sets the SHA-256 of a description too long to include
// (h). An invoice has a description or a description hash, not both.
func (b *Builder) DescriptionHash(h [32]byte) *Builder {
	b.setField(TagDescriptionHash, hasDescriptionHash, appendGroups(nil, h[:]))
	return b
}

// Expiry sets how long after the timestamp the invoice expires (x), in
// whole seconds (rounded down).
func (b *Builder) Expiry(d time.Duration) *Builder {
	if d < 0 {
		b.fail(buildError("Expiry", "negative expiry"))
		return b
	}
	b.setField(TagExpiry, hasExpiry, appendUint64Groups(nil, uint64(d/time.Second)))
	return b
}

// MinFinalCLTVExpiryDelta sets the min_final_cltv_expiry_delta (c).
func (b *Builder) MinFinalCLTVExpiryDelta(delta uint64) *Builder {
	b.setField(TagMinFinalCLTVExpiry, hasMinFinalCLTV, appendUint64Groups(nil, delta))
	return b
}

// Fallback adds an on-chain fallback address (f) of the invoice's network.
func (b *Builder) Fallback(addr btcutil.Address) *Builder {
	fb, err := fallbackFromAddress(addr, b.net)
	if err != nil {
		b.fail(buildError("Fallback", err.Error()))
		return b
	}
	b.fields = append(b.fields, builderField{tag: TagFallback, data: appendFallback(nil, fb)})
	return b
}

// FallbackProgram adds a fallback given as version and program (for
// example a future witness version).
func (b *Builder) FallbackProgram(fb Fallback) *Builder {
	if err := fb.validate(); err != nil {
		b.fail(buildError("FallbackProgram", err.Error()))
		return b
	}
	b.fields = append(b.fields, builderField{tag: TagFallback, data: appendFallback(nil, fb)})
	return b
}

// RouteHint adds a private route (r) of 1 to 12 hops, from a public node
// to the payee.
func (b *Builder) RouteHint(hops ...HopHint) *Builder {
	if len(hops) == 0 || len(hops) > maxHopsPerHint {
		b.fail(buildError("RouteHint", fmt.Sprintf("%d hops, want 1 to %d", len(hops), maxHopsPerHint)))
		return b
	}
	for i, h := range hops {
		if !wire.Point(h.NodeID).IsValid() {
			b.fail(buildError("RouteHint", fmt.Sprintf("hop %d: invalid node id", i)))
			return b
		}
	}
	b.fields = append(b.fields, builderField{tag: TagRouteHint, data: appendRouteHint(nil, hops)})
	return b
}

// Features sets the feature bits (9), replacing the defaults. Build checks
// them against BOLT 9: payment_secret and var_onion_optin must be present,
// option_payment_metadata too if Metadata is set; only features allowed in
// invoices, never both bits of a pair, every dependency set. Unknown bits
// are written as given.
func (b *Builder) Features(f wire.FeatureVector) *Builder {
	b.features = f.Clone()
	b.setField(TagFeatures, hasFeatures, nil) // data filled in by Build
	return b
}

// PayeeNodeID writes the payee's node id (n). Readers then verify the
// signature against it instead of recovering the key, which is faster;
// Build checks the Signer's key matches.
func (b *Builder) PayeeNodeID(id wire.NodeID) *Builder {
	if !wire.Point(id).IsValid() {
		b.fail(buildError("PayeeNodeID", "invalid node id"))
		return b
	}
	b.setField(TagPayee, hasPayee, appendGroups(nil, id[:]))
	return b
}

// Metadata sets the payment metadata (m), at most 639 bytes, that the payer
// must echo in the onion.
func (b *Builder) Metadata(m []byte) *Builder {
	if len(m) > maxFieldBytes {
		b.fail(buildError("Metadata", fmt.Sprintf("%d bytes, at most %d fit", len(m), maxFieldBytes)))
		return b
	}
	b.setField(TagMetadata, hasMetadata, appendGroups(nil, m))
	return b
}

// RawField adds a tagged field verbatim: tag and data as 5-bit groups
// (values below 32, at most 1023 of them). It is meant for fields this
// package does not know; Build still decodes the result, so a malformed
// known field fails there.
func (b *Builder) RawField(tag Tag, data []byte) *Builder {
	if tag > 31 || len(data) > maxFieldData {
		b.fail(buildError("RawField", "tag above 31 or more than 1023 groups"))
		return b
	}
	for _, g := range data {
		if g > 31 {
			b.fail(buildError("RawField", "group value above 31"))
			return b
		}
	}
	b.fields = append(b.fields, builderField{tag: tag, data: append([]byte(nil), data...)})
	return b
}

// defaultFeatures returns the features Build writes when Features was not
// called.
func (b *Builder) defaultFeatures() wire.FeatureVector {
	f := wire.NewFeatureVector(wire.VarOnionOptinRequired, wire.PaymentSecretRequired)
	if b.set&hasMetadata != 0 {
		f.Set(wire.PaymentMetadataRequired)
	}
	return f
}

// checkFeatures validates the features Build is about to write.
func (b *Builder) checkFeatures(f wire.FeatureVector) error {
	switch {
	case !f.HasFeature(wire.VarOnionOptinRequired):
		return buildError("Features", "var_onion_optin must be set")
	case !f.HasFeature(wire.PaymentSecretRequired):
		return buildError("Features", "payment_secret must be set: every invoice has a payment secret")
	case b.set&hasMetadata != 0 && !f.HasFeature(wire.PaymentMetadataRequired):
		return buildError("Features", "option_payment_metadata must be set with Metadata")
	}
	for _, check := range []func() error{
		f.CheckPairs,
		func() error { return f.CheckContext(wire.ContextInvoice) },
		f.CheckDependenciesStrict,
	} {
		if err := check(); err != nil {
			return &Error{Field: "Features", Err: ErrInvalidBuild, Cause: err}
		}
	}
	return nil
}

// Build checks the fields, signs the invoice with signer and returns it,
// decoded back from its own encoding (so it is exactly what a reader
// sees). If signer also has a NodeID() wire.NodeID method (keys.Manager
// does), Build checks the recovered payee is that node.
func (b *Builder) Build(signer Signer) (*Invoice, error) {
	if b.err != nil {
		return nil, b.err
	}
	switch {
	case signer == nil:
		return nil, buildError("Build", "nil signer")
	case b.set&hasPaymentHash == 0:
		return nil, &Error{Field: "PaymentHash", Err: ErrMissingPaymentHash, Detail: "not set"}
	case b.set&hasPaymentSecret == 0:
		return nil, &Error{Field: "PaymentSecret", Err: ErrMissingPaymentSecret, Detail: "not set"}
	case b.set&hasDescription != 0 && b.set&hasDescriptionHash != 0:
		return nil, &Error{Field: "DescriptionHash", Err: ErrBothDescriptions}
	}
	features := b.features
	if b.set&hasFeatures == 0 {
		features = b.defaultFeatures()
	}
	if err := b.checkFeatures(features); err != nil {
		return nil, err
	}

	hrp := []byte(b.prefix)
	if b.hasAmount {
		hrp = appendAmount(hrp, b.amount)
	}
	data := make([]byte, 0, 1024)
	ts := uint64(b.timestamp.Unix())
	for i := timestampGroups - 1; i >= 0; i-- {
		data = append(data, byte(ts>>(5*uint(i)))&31)
	}
	appendField := func(tag Tag, groups []byte) {
		data = append(data, byte(tag), byte(len(groups)>>5), byte(len(groups)&31))
		data = append(data, groups...)
	}
	featureGroups := appendFeatureGroups(nil, features)
	for _, f := range b.fields {
		if f.tag == TagFeatures && f.data == nil {
			if len(featureGroups) > 0 { // BOLT 11: omit an empty 9 field
				appendField(TagFeatures, featureGroups)
			}
			continue
		}
		appendField(f.tag, f.data)
	}
	if b.set&(hasDescription|hasDescriptionHash) == 0 {
		appendField(TagDescription, nil)
	}
	if b.set&hasFeatures == 0 {
		appendField(TagFeatures, featureGroups)
	}
	if n := len(hrp) + 1 + len(data) + signatureGroups + checksumLen; n > MaxLength {
		return nil, buildError("Build", fmt.Sprintf("invoice would be %d characters, more than %d", n, MaxLength))
	}

	hash := signingHash(string(hrp), data)
	sig, recID, err := signer.SignInvoice(hash)
	if err != nil {
		return nil, &Error{Field: "Build", Err: ErrSigner, Cause: err}
	}
	var s btcec.ModNScalar
	s.SetByteSlice(sig[32:])
	if recID > 3 || s.IsOverHalfOrder() {
		return nil, &Error{Field: "Build", Err: ErrSigner, Detail: "recovery id above 3 or high-S signature"}
	}
	var sigBytes [65]byte
	copy(sigBytes[:], sig[:])
	sigBytes[64] = recID
	data = appendGroups(data, sigBytes[:])

	inv := &Invoice{hrp: string(hrp), data: data, network: b.net}
	if b.hasAmount {
		inv.amount, inv.has = b.amount, hasAmount
	}
	if err := inv.parseData(); err != nil {
		return nil, err
	}
	if err := inv.checkSignature(); err != nil {
		return nil, &Error{Field: "Build", Err: ErrSigner, Detail: "signature does not verify", Cause: err}
	}
	if ns, ok := signer.(interface{ NodeID() wire.NodeID }); ok && ns.NodeID() != inv.payee {
		return nil, &Error{Field: "Build", Err: ErrSigner, Detail: "signature recovers " + inv.payee.String() + ", not the signer's node id"}
	}
	return inv, nil
}
