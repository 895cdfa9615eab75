package secp

import "math/bits"

const (
	// wnafWidth is the window of the NAF digits of a variable point's
	// scalar: digits are odd and in [-15, 15].
	wnafWidth = 5
	// wnafTableLen is the number of odd multiples in the table (1P … 15P).
	wnafTableLen = 1 << (wnafWidth - 2)
	// wnafWidthG is the window of the digits multiplying the generator,
	// whose odd multiples 1G … 127G are precomputed (g_table.go): digits
	// are odd and in [-127, 127].
	wnafWidthG = 8
	// gTableLen is the number of odd multiples of G in the table.
	gTableLen = 1 << (wnafWidthG - 2)
	// wnafMaxDigits bounds the digit count of a 256-bit value (the split
	// halves need at most 129; the bound covers any input).
	wnafMaxDigits = 258
)

// wnaf writes v in width-w non-adjacent form (2 ≤ w ≤ 8), least
// significant digit first, and returns the digit count. Every non-zero
// digit is odd and below 2^(w-1) in absolute value, and at most one of any
// w consecutive digits is non-zero.
func wnaf(v [4]uint64, w uint, d *[wnafMaxDigits]int8) int {
	// A fifth limb absorbs the carry when a negative digit is taken away.
	var k [5]uint64
	copy(k[:], v[:])
	n := 0
	for k[0]|k[1]|k[2]|k[3]|k[4] != 0 {
		if k[0]&1 == 1 {
			digit := int64(k[0] & (1<<w - 1))
			if digit >= 1<<(w-1) {
				digit -= 1 << w
			}
			d[n] = int8(digit)
			// k -= digit
			if digit > 0 {
				var b uint64
				k[0], b = bits.Sub64(k[0], uint64(digit), 0)
				for i := 1; i < 5 && b != 0; i++ {
					k[i], b = bits.Sub64(k[i], 0, b)
				}
			} else {
				var c uint64
				k[0], c = bits.Add64(k[0], uint64(-digit), 0)
				for i := 1; i < 5 && c != 0; i++ {
					k[i], c = bits.Add64(k[i], 0, c)
				}
			}
		} else {
			d[n] = 0
		}
		n++
		// k >>= 1
		k[0] = k[0]>>1 | k[1]<<63
		k[1] = k[1]>>1 | k[2]<<63
		k[2] = k[2]>>1 | k[3]<<63
		k[3] = k[3]>>1 | k[4]<<63
		k[4] >>= 1
	}
	return n
}
