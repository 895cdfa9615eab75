package wire

import (
	"errors"
	"fmt"
	"strings"
)

// Sentinel errors of the feature vector checks. The typed errors below wrap
// them, so errors.Is works on every check's result.
var (
	// ErrUnknownRequiredFeature means a vector requires (sets the even bit
	// of) a feature the receiver does not know.
	ErrUnknownRequiredFeature = errors.New("wire: unknown required feature")
	// ErrMissingFeatureDependency means a vector sets a feature without a
	// feature it depends on.
	ErrMissingFeatureDependency = errors.New("wire: missing feature dependency")
	// ErrFeatureContext means a vector sets a feature in a context where
	// BOLT 9 does not present it.
	ErrFeatureContext = errors.New("wire: feature not allowed in this context")
	// ErrFeatureBothBits means a vector sets both bits of a feature pair.
	ErrFeatureBothBits = errors.New("wire: both bits of a feature pair set")
)

// UnknownRequiredFeaturesError lists the required bits that were not known.
type UnknownRequiredFeaturesError struct {
	// Bits are the unknown even bits below 65536, in increasing order.
	Bits []FeatureBit
	// BeyondRange reports that an even bit above 65535 is set as well.
	BeyondRange bool
}

// Error implements error.
func (e *UnknownRequiredFeaturesError) Error() string {
	s := "wire: unknown required features " + joinFeatureBits(e.Bits)
	if e.BeyondRange {
		if len(e.Bits) > 0 {
			s += ", "
		}
		s += "and bits above 65535"
	}
	return s
}

// Unwrap makes errors.Is(err, ErrUnknownRequiredFeature) true.
func (e *UnknownRequiredFeaturesError) Unwrap() error { return ErrUnknownRequiredFeature }

// MissingFeatureDependencyError names a feature set without one of its
// dependencies.
type MissingFeatureDependencyError struct {
	// Feature is the bit that was set.
	Feature FeatureBit
	// Dependency is the required bit of the feature it depends on; neither
	// bit of that pair was set.
	Dependency FeatureBit
}

// Error implements error.
func (e *MissingFeatureDependencyError) Error() string {
	return fmt.Sprintf("wire: feature %v requires %s", e.Feature, e.Dependency.Name())
}

// Unwrap makes errors.Is(err, ErrMissingFeatureDependency) true.
func (e *MissingFeatureDependencyError) Unwrap() error { return ErrMissingFeatureDependency }

// FeatureContextError lists the bits set in a context that does not allow them.
type FeatureContextError struct {
	// Context is the context that was checked.
	Context FeatureContext
	// Bits are the offending bits, in increasing order.
	Bits []FeatureBit
}

// Error implements error.
func (e *FeatureContextError) Error() string {
	return fmt.Sprintf("wire: features %s not allowed in context %q", joinFeatureBits(e.Bits), e.Context.String())
}

// Unwrap makes errors.Is(err, ErrFeatureContext) true.
func (e *FeatureContextError) Unwrap() error { return ErrFeatureContext }

// FeatureBothBitsError lists the pairs whose two bits were both set.
type FeatureBothBitsError struct {
	// Bits are the required (even) bits of those pairs, in increasing order.
	Bits []FeatureBit
}

// Error implements error.
func (e *FeatureBothBitsError) Error() string {
	return "wire: both bits set for features " + joinFeatureBits(e.Bits)
}

// Unwrap makes errors.Is(err, ErrFeatureBothBits) true.
func (e *FeatureBothBitsError) Unwrap() error { return ErrFeatureBothBits }

// joinFeatureBits formats bits as "a(1), b(2)".
func joinFeatureBits(bits []FeatureBit) string {
	parts := make([]string, len(bits))
	for i, b := range bits {
		parts[i] = b.String()
	}
	return strings.Join(parts, ", ")
}
