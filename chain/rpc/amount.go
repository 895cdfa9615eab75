package rpc

import (
	"errors"
	"fmt"
	"strings"
)

// maxNumberLen bounds the JSON numbers parsed as amounts.
const maxNumberLen = 64

// maxSatDigits is the most decimal digits a satoshi amount may have: 10^18 is
// below 2^63.
const maxSatDigits = 18

// maxSat bounds amounts: 10^18 satoshis.
const maxSat = 1_000_000_000_000_000_000

// errBadAmount is wrapped by btcToSat's errors.
var errBadAmount = errors.New("bad amount")

// btcToSat converts a JSON number of bitcoins ("0.00012345", "1e-05", "-1")
// to satoshis exactly, without going through float64. Sub-satoshi digits are
// an error unless roundUp is set, which rounds away from zero instead (for fee
// rates, so that an estimate never shrinks). The exponent form Go's encoder
// uses for small floats (btcd) is accepted.
func btcToSat(num string, roundUp bool) (int64, error) {
	if len(num) == 0 || len(num) > maxNumberLen {
		return 0, fmt.Errorf("%w: %.70q", errBadAmount, num)
	}
	s := num
	neg := false
	if s[0] == '-' {
		neg, s = true, s[1:]
	}
	mant, exp, ok := strings.Cut(s, "e")
	if !ok {
		mant, exp, ok = strings.Cut(s, "E")
	}
	expVal := 0
	if ok {
		e, err := parseSmallInt(exp)
		if err != nil {
			return 0, fmt.Errorf("%w: %.70q", errBadAmount, num)
		}
		expVal = e
	}
	intPart, frac, _ := strings.Cut(mant, ".")
	if intPart == "" || !allDigits(intPart) || !allDigits(frac) || (strings.Contains(mant, ".") && frac == "") {
		return 0, fmt.Errorf("%w: %.70q", errBadAmount, num)
	}
	digits := strings.TrimLeft(intPart+frac, "0")
	scale := 8 + expVal - len(frac) // value = digits * 10^scale

	var remainder bool
	if scale < 0 {
		drop := -scale
		if drop >= len(digits) {
			remainder = digits != ""
			digits = ""
		} else {
			remainder = strings.Trim(digits[len(digits)-drop:], "0") != ""
			digits = digits[:len(digits)-drop]
		}
		scale = 0
	}
	if digits != "" && len(digits)+scale > maxSatDigits {
		return 0, fmt.Errorf("%w: %.70q is too large", errBadAmount, num)
	}
	var v int64
	for i := 0; i < len(digits); i++ {
		v = v*10 + int64(digits[i]-'0')
	}
	if digits != "" {
		for range scale {
			v *= 10
		}
	}
	if remainder {
		if !roundUp {
			return 0, fmt.Errorf("%w: %.70q has sub-satoshi digits", errBadAmount, num)
		}
		v++
		if v >= maxSat {
			return 0, fmt.Errorf("%w: %.70q is too large", errBadAmount, num)
		}
	}
	if neg {
		v = -v
	}
	return v, nil
}

// parseSmallInt parses an optionally signed exponent of at most 3 digits.
func parseSmallInt(s string) (int, error) {
	neg := false
	switch {
	case strings.HasPrefix(s, "-"):
		neg, s = true, s[1:]
	case strings.HasPrefix(s, "+"):
		s = s[1:]
	}
	if s == "" || len(s) > 3 || !allDigits(s) {
		return 0, errBadAmount
	}
	v := 0
	for i := 0; i < len(s); i++ {
		v = v*10 + int(s[i]-'0')
	}
	if neg {
		v = -v
	}
	return v, nil
}

// allDigits reports whether s is only ASCII digits (true for "").
func allDigits(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return true
}
