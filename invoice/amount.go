package invoice

import (
	"math/bits"
	"strconv"

	"github.com/lnkit/lnkit/wire"
)

// Millisatoshis per unit of each multiplier. The amount in the
// human-readable part counts bitcoins: 1 BTC = 10^11 msat.
const (
	msatPerBTC   = 100_000_000_000
	msatPerMilli = 100_000_000
	msatPerMicro = 100_000
	msatPerNano  = 100
)

// maxAmountDigits bounds the digits parsed: 20 digits hold any uint64
// (21 with the p multiplier, whose last digit is a tenth of a msat).
const maxAmountDigits = 20

// parseAmount parses the amount of the human-readable part (digits and an
// optional multiplier letter) into millisatoshis.
func parseAmount(s string) (wire.MilliSatoshi, error) {
	digits, mult := s, byte(0)
	if last := s[len(s)-1]; last < '0' || last > '9' {
		digits, mult = s[:len(s)-1], last
		switch mult {
		case 'm', 'u', 'n', 'p':
		default:
			return 0, newError("amount", ErrInvalidMultiplier, "multiplier "+quoteByte(mult))
		}
	}
	maxDigits := maxAmountDigits
	if mult == 'p' {
		// One pico-bitcoin is a tenth of a millisatoshi: the last digit
		// must be 0 and the others count millisatoshis.
		if digits != "" && digits[len(digits)-1] != '0' {
			return 0, newError("amount", ErrSubMillisatoshi, "")
		}
		maxDigits++
	}
	if digits == "" || len(digits) > maxDigits {
		return 0, newError("amount", ErrInvalidAmount, "too few or too many digits")
	}
	if digits[0] == '0' {
		return 0, newError("amount", ErrInvalidAmount, "zero or leading zero")
	}
	if mult == 'p' {
		digits = digits[:len(digits)-1]
	}
	var v uint64
	for i := 0; i < len(digits); i++ {
		c := digits[i]
		if c < '0' || c > '9' {
			return 0, newError("amount", ErrInvalidAmount, "non-digit "+quoteByte(c))
		}
		hi, lo := bits.Mul64(v, 10)
		sum, carry := bits.Add64(lo, uint64(c-'0'), 0)
		if hi != 0 || carry != 0 {
			return 0, newError("amount", ErrInvalidAmount, "overflows 64 bits")
		}
		v = sum
	}
	var unit uint64
	switch mult {
	case 0:
		unit = msatPerBTC
	case 'm':
		unit = msatPerMilli
	case 'u':
		unit = msatPerMicro
	case 'n':
		unit = msatPerNano
	case 'p':
		return wire.MilliSatoshi(v), nil
	}
	hi, lo := bits.Mul64(v, unit)
	if hi != 0 {
		return 0, newError("amount", ErrInvalidAmount, "overflows 64 bits of millisatoshis")
	}
	return wire.MilliSatoshi(lo), nil
}

// appendAmount appends the shortest encoding of msat: the largest
// multiplier that keeps the number whole, or none. msat must be positive.
func appendAmount(dst []byte, msat wire.MilliSatoshi) []byte {
	v := uint64(msat)
	switch {
	case v%msatPerBTC == 0:
		return strconv.AppendUint(dst, v/msatPerBTC, 10)
	case v%msatPerMilli == 0:
		return append(strconv.AppendUint(dst, v/msatPerMilli, 10), 'm')
	case v%msatPerMicro == 0:
		return append(strconv.AppendUint(dst, v/msatPerMicro, 10), 'u')
	case v%msatPerNano == 0:
		return append(strconv.AppendUint(dst, v/msatPerNano, 10), 'n')
	default:
		// Ten pico-bitcoins per millisatoshi: append a zero digit rather
		// than multiply, which could overflow.
		return append(strconv.AppendUint(dst, v, 10), '0', 'p')
	}
}
