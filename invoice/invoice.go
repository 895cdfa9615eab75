package invoice

import (
	"log/slog"
	"math"
	"time"

	"github.com/btcsuite/btcd/btcutil"
	"github.com/btcsuite/btcd/chaincfg"

	"github.com/lnkit/lnkit/wire"
)

// Defaults BOLT 11 applies when a field is absent.
const (
	// DefaultExpiry is the expiry of an invoice without an x field.
	DefaultExpiry = 3600 * time.Second
	// DefaultMinFinalCLTVExpiryDelta is the min_final_cltv_expiry_delta of
	// an invoice without a c field.
	DefaultMinFinalCLTVExpiryDelta = 18
)

// Sizes of the fixed parts of the data, in groups.
const (
	timestampGroups = 7   // 35 bits
	signatureGroups = 104 // 520 bits: r, s and the recovery id
)

// Presence flags of the single-valued fields.
const (
	hasPaymentHash uint16 = 1 << iota
	hasPaymentSecret
	hasDescription
	hasDescriptionHash
	hasExpiry
	hasMinFinalCLTV
	hasPayee
	hasFeatures
	hasMetadata
	hasAmount
)

// Invoice is a decoded (or built) and signature-checked BOLT 11 invoice.
// It is immutable, so safe for concurrent use: accessors return copies. Use
// Decode or Builder.Build to get one; the zero value is not a valid
// invoice.
//
// String returns the whole invoice, payment secret included, as payers
// need it; in structured logs (LogValue) the secret and the string are
// left out.
type Invoice struct {
	hrp   string // lower case
	upper bool   // the string was written in upper case
	// data holds the whole data part as 5-bit groups: timestamp, tagged
	// fields, signature (the checksum is recomputed). Keeping it makes
	// re-encoding lossless.
	data   []byte
	fields []fieldRef

	network   *chaincfg.Params
	amount    wire.MilliSatoshi
	timestamp uint64
	has       uint16

	paymentHash     wire.PaymentHash
	paymentSecret   wire.PaymentSecret
	description     string
	descriptionHash [32]byte
	expiry          uint64
	minFinalCLTV    uint64
	payee           wire.NodeID
	features        wire.FeatureVector
	metadata        []byte
	fallbacks       []Fallback
	routeHints      []RouteHint

	signature  wire.Signature
	recoveryID byte
}

// String returns the invoice in bech32, exactly as it was decoded (in upper
// case if it was upper case), or as the Builder made it.
func (inv *Invoice) String() string {
	buf := make([]byte, 0, len(inv.hrp)+1+len(inv.data)+checksumLen)
	buf = appendBech32(buf, inv.hrp, inv.data, bech32Const)
	if inv.upper {
		for i, c := range buf {
			if c >= 'a' && c <= 'z' {
				buf[i] = c - ('a' - 'A')
			}
		}
	}
	return string(buf)
}

// LogValue logs the invoice's public facts: payee, payment hash, amount,
// expiry. It never logs the payment secret or the invoice string.
func (inv *Invoice) LogValue() slog.Value {
	attrs := []slog.Attr{
		slog.String("payee", inv.payee.String()),
		slog.String("payment_hash", inv.paymentHash.String()),
		slog.Time("expires_at", inv.ExpiresAt()),
	}
	if amt, ok := inv.Amount(); ok {
		attrs = append(attrs, slog.Uint64("amount_msat", uint64(amt)))
	}
	return slog.GroupValue(attrs...)
}

// HumanReadablePart returns the lower-case prefix and amount, e.g.
// "lnbc2500u".
func (inv *Invoice) HumanReadablePart() string { return inv.hrp }

// Network returns the chain the invoice is for.
func (inv *Invoice) Network() *chaincfg.Params { return inv.network }

// Amount returns the amount requested and true, or false if the invoice
// leaves the amount to the payer.
func (inv *Invoice) Amount() (wire.MilliSatoshi, bool) {
	return inv.amount, inv.has&hasAmount != 0
}

// Timestamp returns the creation time (whole seconds, UTC).
func (inv *Invoice) Timestamp() time.Time { return time.Unix(int64(inv.timestamp), 0).UTC() }

// PaymentHash returns the payment hash (the first valid p field).
func (inv *Invoice) PaymentHash() wire.PaymentHash { return inv.paymentHash }

// PaymentSecret returns the payment secret (the first valid s field).
func (inv *Invoice) PaymentSecret() wire.PaymentSecret { return inv.paymentSecret }

// Description returns the d field and true, or false if the invoice has a
// description hash instead. It is valid UTF-8 chosen by the payee: escape
// it before showing it in HTML or storing it in a query (BOLT 11's
// security considerations).
func (inv *Invoice) Description() (string, bool) {
	return inv.description, inv.has&hasDescription != 0
}

// DescriptionHash returns the h field and true, or false if the invoice has
// a description instead. VerifyDescription checks a description against it.
func (inv *Invoice) DescriptionHash() ([32]byte, bool) {
	return inv.descriptionHash, inv.has&hasDescriptionHash != 0
}

// ExpirySeconds returns the x field, or 3600 if there is none.
func (inv *Invoice) ExpirySeconds() uint64 {
	if inv.has&hasExpiry == 0 {
		return uint64(DefaultExpiry / time.Second)
	}
	return inv.expiry
}

// HasExpiry reports whether the invoice has an x field.
func (inv *Invoice) HasExpiry() bool { return inv.has&hasExpiry != 0 }

// Expiry returns how long after the timestamp the invoice expires
// (DefaultExpiry without an x field). Expiries beyond what a time.Duration
// holds (about 292 years) are capped at the largest Duration.
func (inv *Invoice) Expiry() time.Duration {
	s := inv.ExpirySeconds()
	if s > uint64(math.MaxInt64/int64(time.Second)) {
		return time.Duration(math.MaxInt64)
	}
	return time.Duration(s) * time.Second
}

// maxUnixSeconds caps ExpiresAt so that time.Unix cannot overflow.
const maxUnixSeconds = 1 << 62

// ExpiresAt returns the timestamp plus the expiry (capped far in the
// future if the sum overflows).
func (inv *Invoice) ExpiresAt() time.Time {
	at := inv.timestamp + inv.ExpirySeconds()
	if at < inv.timestamp || at > maxUnixSeconds {
		at = maxUnixSeconds
	}
	return time.Unix(int64(at), 0).UTC()
}

// IsExpired reports whether now is after ExpiresAt.
func (inv *Invoice) IsExpired(now time.Time) bool { return now.After(inv.ExpiresAt()) }

// MinFinalCLTVExpiryDelta returns the c field, or 18 if there is none.
func (inv *Invoice) MinFinalCLTVExpiryDelta() uint64 {
	if inv.has&hasMinFinalCLTV == 0 {
		return DefaultMinFinalCLTVExpiryDelta
	}
	return inv.minFinalCLTV
}

// HasMinFinalCLTVExpiryDelta reports whether the invoice has a c field.
func (inv *Invoice) HasMinFinalCLTVExpiryDelta() bool { return inv.has&hasMinFinalCLTV != 0 }

// Payee returns the payee's node id: the n field if there is one,
// otherwise the key recovered from the signature.
func (inv *Invoice) Payee() wire.NodeID { return inv.payee }

// HasPayeeField reports whether the node id came from an n field.
func (inv *Invoice) HasPayeeField() bool { return inv.has&hasPayee != 0 }

// Features returns the 9 field (empty if there is none).
func (inv *Invoice) Features() wire.FeatureVector { return inv.features.Clone() }

// Metadata returns the m field and true, or false if there is none.
func (inv *Invoice) Metadata() ([]byte, bool) {
	if inv.has&hasMetadata == 0 {
		return nil, false
	}
	return append([]byte{}, inv.metadata...), true
}

// Fallbacks returns the f fields of known versions, most preferred first.
func (inv *Invoice) Fallbacks() []Fallback {
	out := make([]Fallback, len(inv.fallbacks))
	for i, f := range inv.fallbacks {
		out[i] = Fallback{Version: f.Version, Program: append([]byte(nil), f.Program...)}
	}
	return out
}

// FallbackAddresses returns the fallback addresses of known versions on
// the invoice's network, most preferred first.
func (inv *Invoice) FallbackAddresses() []btcutil.Address {
	out := make([]btcutil.Address, 0, len(inv.fallbacks))
	for _, f := range inv.fallbacks {
		// Decode validated every program, so Address cannot fail.
		if a, err := f.Address(inv.network); err == nil {
			out = append(out, a)
		}
	}
	return out
}

// RouteHints returns the r fields, most preferred first.
func (inv *Invoice) RouteHints() []RouteHint {
	out := make([]RouteHint, len(inv.routeHints))
	for i, h := range inv.routeHints {
		out[i] = append(RouteHint(nil), h...)
	}
	return out
}

// Signature returns the signature (r || s) and its recovery id.
func (inv *Invoice) Signature() (wire.Signature, byte) { return inv.signature, inv.recoveryID }

// Fields returns every tagged field in the order written, the skipped ones
// included.
func (inv *Invoice) Fields() []Field {
	out := make([]Field, len(inv.fields))
	for i, f := range inv.fields {
		out[i] = Field{
			Tag:     f.tag,
			Data:    append([]byte{}, inv.data[f.start:f.end]...),
			Skipped: f.skipped,
		}
	}
	return out
}
