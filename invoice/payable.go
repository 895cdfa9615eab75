package invoice

import (
	"crypto/sha256"
	"time"

	"github.com/lnkit/lnkit/wire"
)

// PayerFeatures returns the invoice features CheckPayable assumes the payer
// understands: var_onion_optin, payment_secret, basic_mpp and
// option_payment_metadata. A payer that supports more (or less) passes its
// own set to CheckPayableWith.
func PayerFeatures() wire.FeatureVector {
	return wire.NewFeatureVector(
		wire.VarOnionOptinOptional,
		wire.PaymentSecretOptional,
		wire.BasicMPPOptional,
		wire.PaymentMetadataOptional,
	)
}

// CheckPayable is CheckPayableWith(now, PayerFeatures()).
func (inv *Invoice) CheckPayable(now time.Time) error {
	return inv.CheckPayableWith(now, PayerFeatures())
}

// CheckPayableWith reports whether a payer knowing the features in known
// may pay the invoice at time now. It returns an *Error wrapping
//   - ErrMissingPaymentSecret if there is no payment secret (Decode already
//     refuses such invoices; this guards zero or hand-made values),
//   - ErrUnknownRequiredFeature if the invoice sets an even feature bit
//     whose feature is not in known (Cause is the
//     *wire.UnknownRequiredFeaturesError listing them),
//   - ErrMissingFeatureDependency if a feature lacks one it depends on
//     (BOLT 11: the payer must not attempt the payment),
//   - ErrExpired if now is after ExpiresAt.
//
// Unknown odd bits are ignored.
func (inv *Invoice) CheckPayableWith(now time.Time, known wire.FeatureVector) error {
	if inv.has&hasPaymentSecret == 0 {
		return newError("s", ErrMissingPaymentSecret, "")
	}
	if err := inv.features.CheckRequired(known); err != nil {
		return &Error{Field: "9", Err: ErrUnknownRequiredFeature, Cause: err}
	}
	if err := inv.features.CheckDependencies(); err != nil {
		return &Error{Field: "9", Err: ErrMissingFeatureDependency, Cause: err}
	}
	if inv.IsExpired(now) {
		return newError("expiry", ErrExpired, "expired at "+inv.ExpiresAt().Format(time.RFC3339))
	}
	return nil
}

// VerifyDescription checks that description is the one the invoice's h
// field commits to (BOLT 11: the reader must check the hash matches). For
// an invoice with a d field it checks that description equals it.
func (inv *Invoice) VerifyDescription(description string) error {
	if inv.has&hasDescriptionHash != 0 {
		if sha256.Sum256([]byte(description)) != inv.descriptionHash {
			return newError("h", ErrDescriptionHashMismatch, "")
		}
		return nil
	}
	if inv.has&hasDescription == 0 || description != inv.description {
		return newError("d", ErrDescriptionHashMismatch, "description differs")
	}
	return nil
}
