package invoice

import "strings"

// This file implements the bech32 encoding of BIP 173 (and the bech32m
// checksum of BIP 350, used only for fallback addresses of witness version
// 1 and up) without BIP 173's 90-character limit, which BOLT 11 lifts.

// MaxLength is the longest invoice string Decode accepts: 7089 characters,
// the alphanumeric capacity of the largest (version 40, level L) QR code,
// the limit LDK uses too. A tagged field's data is at most 639 bytes, so
// a longer invoice is not needed for any sensible payment request, and the
// bound caps the work Decode does on hostile input.
const MaxLength = 7089

// bech32Charset maps 5-bit values to their bech32 characters.
const bech32Charset = "qpzry9x8gf2tvdw0s3jn54khce6mua7l"

// bech32Rev maps a lower-case ASCII character to its 5-bit value, or 0xff
// for characters outside the alphabet. It is a constant string so that it
// cannot be modified.
const bech32Rev = "" +
	"\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff" +
	"\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff" +
	"\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff" +
	"\x0f\xff\x0a\x11\x15\x14\x1a\x1e\x07\x05\xff\xff\xff\xff\xff\xff" +
	"\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff" +
	"\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff" +
	"\xff\x1d\xff\x18\x0d\x19\x09\x08\x17\xff\x12\x16\x1f\x1b\x13\xff" +
	"\x01\x00\x03\x10\x0b\x1c\x0c\x0e\x06\x04\x02\xff\xff\xff\xff\xff"

// Checksum constants: the polymod of a valid string equals one of them.
const (
	bech32Const  uint32 = 1
	bech32mConst uint32 = 0x2bc830a3
)

// checksumLen is the number of 5-bit groups of the checksum.
const checksumLen = 6

// polymodStep feeds one 5-bit value to the BCH checksum of BIP 173.
func polymodStep(chk uint32, v byte) uint32 {
	top := chk >> 25
	chk = (chk&0x1ffffff)<<5 ^ uint32(v)
	if top&1 != 0 {
		chk ^= 0x3b6a57b2
	}
	if top&2 != 0 {
		chk ^= 0x26508e6d
	}
	if top&4 != 0 {
		chk ^= 0x1ea119fa
	}
	if top&8 != 0 {
		chk ^= 0x3d4233dd
	}
	if top&16 != 0 {
		chk ^= 0x2a1462b3
	}
	return chk
}

// polymodHRP returns the checksum state after the expanded lower-case
// human-readable part: the high bits of each character, a zero, then the
// low bits of each character.
func polymodHRP(hrp string) uint32 {
	chk := uint32(1)
	for i := 0; i < len(hrp); i++ {
		chk = polymodStep(chk, hrp[i]>>5)
	}
	chk = polymodStep(chk, 0)
	for i := 0; i < len(hrp); i++ {
		chk = polymodStep(chk, hrp[i]&31)
	}
	return chk
}

// decodeBech32 splits a bech32 string into its lower-case human-readable
// part and its 5-bit data groups (checksum removed), and reports whether the
// string was written in upper case. It enforces MaxLength, the character
// set, the single-case rule and the bech32 (not bech32m) checksum.
func decodeBech32(s string) (hrp string, data []byte, upper bool, err error) {
	if len(s) > MaxLength {
		return "", nil, false, newError("bech32", ErrTooLong, "")
	}
	var hasLower, hasUpper bool
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case c < 33 || c > 126:
			return "", nil, false, newError("bech32", ErrInvalidCharacter, "non-printable or non-ASCII byte")
		case c >= 'a' && c <= 'z':
			hasLower = true
		case c >= 'A' && c <= 'Z':
			hasUpper = true
		}
	}
	if hasLower && hasUpper {
		return "", nil, false, newError("bech32", ErrMixedCase, "")
	}
	sep := strings.LastIndexByte(s, '1')
	if sep < 1 {
		return "", nil, false, newError("bech32", ErrMissingSeparator, "")
	}
	if len(s)-sep-1 < checksumLen {
		return "", nil, false, newError("bech32", ErrTooShort, "no room for the checksum")
	}
	hrp = s[:sep]
	if hasUpper {
		hrp = strings.ToLower(hrp)
	}
	data = make([]byte, len(s)-sep-1)
	for i := range data {
		c := s[sep+1+i]
		if c >= 'A' && c <= 'Z' {
			c += 'a' - 'A'
		}
		if c >= 128 || bech32Rev[c] == 0xff {
			return "", nil, false, newError("bech32", ErrInvalidCharacter, "character "+quoteByte(s[sep+1+i])+" is not in the bech32 alphabet")
		}
		data[i] = bech32Rev[c]
	}
	chk := polymodHRP(hrp)
	for _, v := range data {
		chk = polymodStep(chk, v)
	}
	if chk != bech32Const {
		return "", nil, false, newError("bech32", ErrInvalidChecksum, "")
	}
	return hrp, data[:len(data)-checksumLen], hasUpper, nil
}

// appendBech32 appends hrp, the separator, the data groups and the checksum
// (bech32 or bech32m, by constant) to dst, in lower case. hrp must be lower
// case and data must hold values below 32.
func appendBech32(dst []byte, hrp string, data []byte, constant uint32) []byte {
	dst = append(dst, hrp...)
	dst = append(dst, '1')
	chk := polymodHRP(hrp)
	for _, v := range data {
		chk = polymodStep(chk, v)
		dst = append(dst, bech32Charset[v])
	}
	for i := 0; i < checksumLen; i++ {
		chk = polymodStep(chk, 0)
	}
	chk ^= constant
	for i := 0; i < checksumLen; i++ {
		dst = append(dst, bech32Charset[(chk>>(5*(5-i)))&31])
	}
	return dst
}

// quoteByte quotes a byte for an error message.
func quoteByte(c byte) string {
	const hex = "0123456789abcdef"
	if c >= 33 && c <= 126 {
		return "'" + string(rune(c)) + "'"
	}
	return "0x" + string([]byte{hex[c>>4], hex[c&15]})
}
