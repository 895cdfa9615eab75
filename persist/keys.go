package persist

import "fmt"

// Limits on keys and values. They are part of the interface: every store
// accepts exactly these.
const (
	// MaxNameLen is the longest primary namespace, secondary namespace or
	// key, in bytes.
	MaxNameLen = 120
	// MaxValueSize is the largest value a store must accept (32 MiB).
	MaxValueSize = 32 << 20
	// MaxBatchOps is the most operations one Apply may carry.
	MaxBatchOps = 10_000
)

// ValidateNamespace checks ns: each part at most MaxNameLen bytes of
// [A-Za-z0-9_-], and a non-empty Secondary only under a non-empty Primary.
// The error matches ErrInvalidKey.
func ValidateNamespace(ns Namespace) error {
	if err := checkName("primary namespace", ns.Primary, true); err != nil {
		return err
	}
	if err := checkName("secondary namespace", ns.Secondary, true); err != nil {
		return err
	}
	if ns.Primary == "" && ns.Secondary != "" {
		return &KeyError{NS: ns, Reason: "secondary namespace set without a primary namespace"}
	}
	return nil
}

// ValidateKey checks ns as ValidateNamespace does, and key: 1 to
// MaxNameLen bytes of [A-Za-z0-9_-]. The error matches ErrInvalidKey.
func ValidateKey(ns Namespace, key string) error {
	if err := ValidateNamespace(ns); err != nil {
		return err
	}
	if err := checkName("key", key, false); err != nil {
		err.(*KeyError).NS = ns
		return err
	}
	return nil
}

// ValidateOp checks an Op's key and, for a write, its value size.
func ValidateOp(op Op) error {
	if err := ValidateKey(op.NS, op.Key); err != nil {
		return err
	}
	if !op.Remove && len(op.Value) > MaxValueSize {
		return &KeyError{NS: op.NS, Key: op.Key, Reason: fmt.Sprintf("value of %d bytes is over the %d-byte limit", len(op.Value), MaxValueSize)}
	}
	return nil
}

func checkName(what, s string, emptyOK bool) error {
	if s == "" {
		if emptyOK {
			return nil
		}
		return &KeyError{Reason: what + " is empty"}
	}
	if len(s) > MaxNameLen {
		return &KeyError{Key: truncate(s), Reason: fmt.Sprintf("%s is %d bytes long, over %d", what, len(s), MaxNameLen)}
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		if !(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '_' || c == '-') {
			return &KeyError{Key: truncate(s), Reason: fmt.Sprintf("%s has byte %#02x at %d; allowed: A-Z a-z 0-9 _ -", what, c, i)}
		}
	}
	return nil
}

func truncate(s string) string {
	if len(s) > MaxNameLen {
		return s[:MaxNameLen] + "…"
	}
	return s
}
