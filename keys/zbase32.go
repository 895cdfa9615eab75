package keys

import (
	"fmt"
	"strings"
)

// zbase32Alphabet is the z-base-32 alphabet (Zooko Wilcox-O'Hearn,
// "human-oriented base-32 encoding"); character i encodes the 5-bit value i.
const zbase32Alphabet = "ybndrfg8ejkmcpqxot1uwisza345h769"

// ZBase32EncodedLen returns the length of the z-base-32 encoding of n bytes.
func ZBase32EncodedLen(n int) int { return (n*8 + 4) / 5 }

// AppendZBase32 appends the z-base-32 encoding of src to dst: the bits of
// src, most significant first, in groups of 5, the last group padded with
// zero bits. There is no padding character. This is the encoding lnd's
// signmessage uses.
func AppendZBase32(dst, src []byte) []byte {
	var acc uint32
	var n uint
	for _, b := range src {
		acc = acc<<8 | uint32(b)
		n += 8
		for n >= 5 {
			n -= 5
			dst = append(dst, zbase32Alphabet[(acc>>n)&31])
		}
	}
	if n > 0 {
		dst = append(dst, zbase32Alphabet[(acc<<(5-n))&31])
	}
	return dst
}

// EncodeZBase32 returns the z-base-32 encoding of src.
func EncodeZBase32(src []byte) string {
	return string(AppendZBase32(make([]byte, 0, ZBase32EncodedLen(len(src))), src))
}

// DecodeZBase32 decodes a canonical z-base-32 string: lower-case alphabet
// characters only, a length that some byte string encodes to, and zero
// padding bits. Errors match ErrInvalidZBase32.
func DecodeZBase32(s string) ([]byte, error) {
	nbits := len(s) * 5
	if nbits%8 >= 5 {
		return nil, fmt.Errorf("keys: zbase32: length %d is not the length of an encoding: %w", len(s), ErrInvalidZBase32)
	}
	out := make([]byte, 0, nbits/8)
	var acc uint32
	var n uint
	for i := 0; i < len(s); i++ {
		v := strings.IndexByte(zbase32Alphabet, s[i])
		if v < 0 {
			return nil, fmt.Errorf("keys: zbase32: invalid character %q at offset %d: %w", s[i], i, ErrInvalidZBase32)
		}
		acc = acc<<5 | uint32(v)
		n += 5
		if n >= 8 {
			n -= 8
			out = append(out, byte(acc>>n))
		}
	}
	if acc&(1<<n-1) != 0 {
		return nil, fmt.Errorf("keys: zbase32: non-zero padding bits: %w", ErrInvalidZBase32)
	}
	return out, nil
}
