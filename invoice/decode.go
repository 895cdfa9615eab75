package invoice

import (
	"fmt"
	"unicode/utf8"

	"github.com/lnkit/lnkit/wire"
)

// Decode parses a BOLT 11 invoice and checks its signature. It accepts the
// invoice in lower or upper case, without a "lightning:" prefix. Unknown
// fields and fields BOLT 11 says to skip are kept, so String returns s
// unchanged. Decode does not check expiry or features: call CheckPayable
// before paying.
//
// Errors are *Error values wrapping the sentinels of this package.
func Decode(s string) (*Invoice, error) {
	hrp, data, upper, err := decodeBech32(s)
	if err != nil {
		return nil, err
	}
	if len(data) < timestampGroups+signatureGroups {
		return nil, newError("bech32", ErrTooShort, fmt.Sprintf("%d data groups, need at least %d", len(data), timestampGroups+signatureGroups))
	}
	net, amountText, ok := splitPrefix(hrp)
	if !ok {
		return nil, newError("hrp", ErrUnknownNetwork, "prefix of "+fmt.Sprintf("%q", hrp))
	}
	inv := &Invoice{hrp: hrp, upper: upper, data: data, network: net}
	if amountText != "" {
		if inv.amount, err = parseAmount(amountText); err != nil {
			return nil, err
		}
		inv.has |= hasAmount
	}
	if err := inv.parseData(); err != nil {
		return nil, err
	}
	if err := inv.checkSignature(); err != nil {
		return nil, err
	}
	return inv, nil
}

// parseData reads the timestamp, the tagged fields and the signature from
// inv.data, and checks the fields every invoice must have.
func (inv *Invoice) parseData() error {
	data := inv.data
	inv.timestamp, _ = groupsToUint64(data[:timestampGroups])
	end := len(data) - signatureGroups

	// Count the fields first so that one allocation holds them all.
	count := 0
	for off := timestampGroups; off+3 <= end; count++ {
		off += 3 + (int(data[off+1])<<5 | int(data[off+2]))
	}
	inv.fields = make([]fieldRef, 0, count)
	for off := timestampGroups; off < end; {
		if end-off < 3 {
			return newError("fields", ErrInvalidField, "truncated field header")
		}
		tag := Tag(data[off])
		start := off + 3
		stop := start + (int(data[off+1])<<5 | int(data[off+2]))
		if stop > end {
			return newError(tag.String(), ErrInvalidField, "data_length runs past the signature")
		}
		skipped, err := inv.parseField(tag, data[start:stop])
		if err != nil {
			return err
		}
		inv.fields = append(inv.fields, fieldRef{tag: tag, start: start, end: stop, skipped: skipped})
		off = stop
	}

	var sig [65]byte
	unpackGroups(sig[:], data[end:]) // 520 bits: exactly 65 bytes, no padding
	copy(inv.signature[:], sig[:64])
	inv.recoveryID = sig[64]

	switch {
	case inv.has&hasPaymentHash == 0:
		return newError("p", ErrMissingPaymentHash, "")
	case inv.has&hasPaymentSecret == 0:
		return newError("s", ErrMissingPaymentSecret, "")
	case inv.has&(hasDescription|hasDescriptionHash) == 0:
		return newError("d", ErrMissingDescription, "")
	case inv.has&hasDescription != 0 && inv.has&hasDescriptionHash != 0:
		return newError("h", ErrBothDescriptions, "")
	}
	return nil
}

// parseField reads one tagged field into inv. It reports whether the field
// was skipped (unknown, wrong length, or a repeat of a single-valued field).
func (inv *Invoice) parseField(tag Tag, g []byte) (skipped bool, err error) {
	switch tag {
	case TagPaymentHash:
		return inv.parseFixed(tag, g, hasPaymentHash, inv.paymentHash[:])
	case TagPaymentSecret:
		return inv.parseFixed(tag, g, hasPaymentSecret, inv.paymentSecret[:])
	case TagDescriptionHash:
		return inv.parseFixed(tag, g, hasDescriptionHash, inv.descriptionHash[:])
	case TagPayee:
		if len(g) != payeeGroups || inv.has&hasPayee != 0 {
			return true, nil
		}
		if !unpackGroups(inv.payee[:], g) {
			return false, newError(tag.String(), ErrInvalidField, "non-zero padding")
		}
		if !wire.Point(inv.payee).IsValid() {
			return false, newError(tag.String(), ErrInvalidField, "not a valid public key")
		}
		inv.has |= hasPayee
	case TagDescription:
		if inv.has&hasDescription != 0 {
			return true, nil
		}
		var buf [maxFieldBytes]byte
		b := buf[:bytesLen(len(g))]
		if !unpackGroups(b, g) {
			return false, newError(tag.String(), ErrInvalidField, "non-zero or excess padding")
		}
		if !utf8.Valid(b) {
			return false, newError(tag.String(), ErrInvalidField, "invalid utf-8")
		}
		inv.description = string(b)
		inv.has |= hasDescription
	case TagExpiry:
		if inv.has&hasExpiry != 0 {
			return true, nil
		}
		if inv.expiry, err = parseUintField(tag, g); err != nil {
			return false, err
		}
		inv.has |= hasExpiry
	case TagMinFinalCLTVExpiry:
		if inv.has&hasMinFinalCLTV != 0 {
			return true, nil
		}
		if inv.minFinalCLTV, err = parseUintField(tag, g); err != nil {
			return false, err
		}
		inv.has |= hasMinFinalCLTV
	case TagFeatures:
		if inv.has&hasFeatures != 0 {
			return true, nil
		}
		if len(g) > 0 && g[0] == 0 {
			return false, newError(tag.String(), ErrNonMinimal, "leading zero group")
		}
		inv.features = featuresFromGroups(g)
		inv.has |= hasFeatures
	case TagMetadata:
		if inv.has&hasMetadata != 0 {
			return true, nil
		}
		inv.metadata = make([]byte, bytesLen(len(g)))
		if !unpackGroups(inv.metadata, g) {
			return false, newError(tag.String(), ErrInvalidField, "non-zero or excess padding")
		}
		inv.has |= hasMetadata
	case TagFallback:
		fb, known, err := parseFallback(g)
		if err != nil || !known {
			return !known, err
		}
		inv.fallbacks = append(inv.fallbacks, fb)
	case TagRouteHint:
		hint, err := parseRouteHint(g)
		if err != nil {
			return false, err
		}
		inv.routeHints = append(inv.routeHints, hint)
	default:
		return true, nil
	}
	return false, nil
}

// parseFixed reads a 256-bit field (p, s, h) into out, skipping it if its
// length is not 52 groups or if one was read already.
func (inv *Invoice) parseFixed(tag Tag, g []byte, flag uint16, out []byte) (bool, error) {
	if len(g) != hashGroups || inv.has&flag != 0 {
		return true, nil
	}
	if !unpackGroups(out, g) {
		return false, newError(tag.String(), ErrInvalidField, "non-zero padding")
	}
	inv.has |= flag
	return false, nil
}

// parseUintField reads an x or c field: a big-endian integer. BOLT 11 asks
// writers for the minimal data_length but gives readers no rule to fail, so
// leading zero groups are accepted (a 0 written as one "q" group, as some
// wallets do); the field is kept verbatim, so String still returns the
// invoice as written. The value must fit in 64 bits.
func parseUintField(tag Tag, g []byte) (uint64, error) {
	v, ok := groupsToUint64(g)
	if !ok {
		return 0, newError(tag.String(), ErrInvalidField, "value exceeds 64 bits")
	}
	return v, nil
}
