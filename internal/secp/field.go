package secp

import (
	"encoding/binary"
	"math/bits"
)

// fe is an element of the secp256k1 base field, p = 2^256 - 2^32 - 977, as
// four little-endian 64-bit limbs. Every function here returns fully reduced
// values (below p) given fully reduced inputs, so elements can be compared
// with == and serialized directly.
//
// The package keeps its own field arithmetic because scalar
// multiplication is where signature verification, ECDH and the onion spend
// their time: 64-bit limbs with
// math/bits (which the compiler turns into single MUL/ADC instructions) are
// several times faster than the generic 26-bit-limb field of btcec. Nothing
// here is constant time; see scalar_mult.go and doc.go for why that is acceptable.
type fe [4]uint64

// feC is 2^256 mod p.
const feC = 0x1000003d1

// Limbs of p.
const (
	feP0 = 0xfffffffefffffc2f
	feP1 = 0xffffffffffffffff
)

// feSetBytes sets r to the big-endian value b and reports whether it is
// below p (r is unusable otherwise).
func feSetBytes(r *fe, b *[32]byte) bool {
	r[3] = binary.BigEndian.Uint64(b[0:])
	r[2] = binary.BigEndian.Uint64(b[8:])
	r[1] = binary.BigEndian.Uint64(b[16:])
	r[0] = binary.BigEndian.Uint64(b[24:])
	// r < p unless the three top limbs are all ones and the low one is
	// at least p0.
	return !(r[3] == feP1 && r[2] == feP1 && r[1] == feP1 && r[0] >= feP0)
}

// fePutBytes writes a's 32-byte big-endian encoding to b.
func fePutBytes(b []byte, a *fe) {
	binary.BigEndian.PutUint64(b[0:], a[3])
	binary.BigEndian.PutUint64(b[8:], a[2])
	binary.BigEndian.PutUint64(b[16:], a[1])
	binary.BigEndian.PutUint64(b[24:], a[0])
}

func (a *fe) isZero() bool { return a[0]|a[1]|a[2]|a[3] == 0 }

func (a *fe) isOdd() bool { return a[0]&1 == 1 }

// feAdd sets r = a + b.
func feAdd(r, a, b *fe) {
	s0, c := bits.Add64(a[0], b[0], 0)
	s1, c := bits.Add64(a[1], b[1], c)
	s2, c := bits.Add64(a[2], b[2], c)
	s3, c := bits.Add64(a[3], b[3], c)
	// Subtract p when the sum reaches it: adding 2^256 - p overflows
	// exactly then (or the sum already overflowed).
	t0, d := bits.Add64(s0, feC, 0)
	t1, d := bits.Add64(s1, 0, d)
	t2, d := bits.Add64(s2, 0, d)
	t3, d := bits.Add64(s3, 0, d)
	if c|d != 0 {
		*r = fe{t0, t1, t2, t3}
		return
	}
	*r = fe{s0, s1, s2, s3}
}

// feSub sets r = a - b.
func feSub(r, a, b *fe) {
	d0, w := bits.Sub64(a[0], b[0], 0)
	d1, w := bits.Sub64(a[1], b[1], w)
	d2, w := bits.Sub64(a[2], b[2], w)
	d3, w := bits.Sub64(a[3], b[3], w)
	if w != 0 {
		// Add p, i.e. subtract 2^256 - p modulo 2^256.
		d0, w = bits.Sub64(d0, feC, 0)
		d1, w = bits.Sub64(d1, 0, w)
		d2, w = bits.Sub64(d2, 0, w)
		d3, _ = bits.Sub64(d3, 0, w)
	}
	*r = fe{d0, d1, d2, d3}
}

// feNeg sets r = -a.
func feNeg(r, a *fe) {
	var zero fe
	feSub(r, &zero, a)
}

// feDouble sets r = 2a.
func feDouble(r, a *fe) { feAdd(r, a, a) }

// feReduce512 reduces the 512-bit value t modulo p into r.
func feReduce512(r *fe, t *[8]uint64) {
	// t = lo + hi·2^256 ≡ lo + hi·feC.
	h0, l0 := bits.Mul64(t[4], feC)
	h1, l1 := bits.Mul64(t[5], feC)
	h2, l2 := bits.Mul64(t[6], feC)
	h3, l3 := bits.Mul64(t[7], feC)
	var c uint64
	l1, c = bits.Add64(l1, h0, 0)
	l2, c = bits.Add64(l2, h1, c)
	l3, c = bits.Add64(l3, h2, c)
	h3 += c // hi·feC < 2^290: no overflow
	s0, c := bits.Add64(t[0], l0, 0)
	s1, c := bits.Add64(t[1], l1, c)
	s2, c := bits.Add64(t[2], l2, c)
	s3, c := bits.Add64(t[3], l3, c)
	top := h3 + c // below 2^35
	// Fold the bits above 2^256 once more.
	th, tl := bits.Mul64(top, feC)
	s0, c = bits.Add64(s0, tl, 0)
	s1, c = bits.Add64(s1, th, c)
	s2, c = bits.Add64(s2, 0, c)
	s3, c = bits.Add64(s3, 0, c)
	if c != 0 {
		// The wrapped value is tiny; adding 2^256 mod p cannot overflow.
		s0, c = bits.Add64(s0, feC, 0)
		s1, c = bits.Add64(s1, 0, c)
		s2, c = bits.Add64(s2, 0, c)
		s3 += c
	}
	// Final conditional subtraction of p.
	u0, d := bits.Add64(s0, feC, 0)
	u1, d := bits.Add64(s1, 0, d)
	u2, d := bits.Add64(s2, 0, d)
	u3, d := bits.Add64(s3, 0, d)
	if d != 0 {
		*r = fe{u0, u1, u2, u3}
		return
	}
	*r = fe{s0, s1, s2, s3}
}

// feMul sets r = a·b.
func feMul(r, a, b *fe) {
	var t [8]uint64
	var c, hi, lo uint64

	// Row 0.
	t[1], t[0] = bits.Mul64(a[0], b[0])
	hi, lo = bits.Mul64(a[0], b[1])
	t[1], c = bits.Add64(t[1], lo, 0)
	t[2], _ = bits.Add64(hi, 0, c)
	hi, lo = bits.Mul64(a[0], b[2])
	t[2], c = bits.Add64(t[2], lo, 0)
	t[3], _ = bits.Add64(hi, 0, c)
	hi, lo = bits.Mul64(a[0], b[3])
	t[3], c = bits.Add64(t[3], lo, 0)
	t[4], _ = bits.Add64(hi, 0, c)

	// Rows 1 to 3: t[i..i+4] += a[i]·b.
	for i := 1; i < 4; i++ {
		ai := a[i]
		var carry uint64
		for j := 0; j < 4; j++ {
			hi, lo = bits.Mul64(ai, b[j])
			lo, c = bits.Add64(lo, carry, 0)
			hi += c
			t[i+j], c = bits.Add64(t[i+j], lo, 0)
			hi += c
			carry = hi
		}
		t[i+4] = carry
	}
	feReduce512(r, &t)
}

// feSqr sets r = a².
func feSqr(r, a *fe) {
	var t [8]uint64
	var c, hi, lo uint64
	// Off-diagonal products a[i]·a[j], i < j, then doubled.
	t[2], t[1] = bits.Mul64(a[0], a[1])
	hi, lo = bits.Mul64(a[0], a[2])
	t[2], c = bits.Add64(t[2], lo, 0)
	t[3], _ = bits.Add64(hi, 0, c)
	hi, lo = bits.Mul64(a[0], a[3])
	t[3], c = bits.Add64(t[3], lo, 0)
	t[4], _ = bits.Add64(hi, 0, c)

	hi, lo = bits.Mul64(a[1], a[2])
	t[3], c = bits.Add64(t[3], lo, 0)
	hi += c
	t[4], c = bits.Add64(t[4], hi, 0)
	t[5] = c
	hi, lo = bits.Mul64(a[1], a[3])
	t[4], c = bits.Add64(t[4], lo, 0)
	hi += c
	t[5], c = bits.Add64(t[5], hi, 0)
	t[6] = c

	hi, lo = bits.Mul64(a[2], a[3])
	t[5], c = bits.Add64(t[5], lo, 0)
	hi += c
	t[6], c = bits.Add64(t[6], hi, 0)
	t[7] = c

	// Double.
	t[7] = t[7]<<1 | t[6]>>63
	t[6] = t[6]<<1 | t[5]>>63
	t[5] = t[5]<<1 | t[4]>>63
	t[4] = t[4]<<1 | t[3]>>63
	t[3] = t[3]<<1 | t[2]>>63
	t[2] = t[2]<<1 | t[1]>>63
	t[1] <<= 1

	// Add the squares a[i]².
	hi, lo = bits.Mul64(a[0], a[0])
	t[0] = lo
	t[1], c = bits.Add64(t[1], hi, 0)
	hi, lo = bits.Mul64(a[1], a[1])
	t[2], c = bits.Add64(t[2], lo, c)
	t[3], c = bits.Add64(t[3], hi, c)
	hi, lo = bits.Mul64(a[2], a[2])
	t[4], c = bits.Add64(t[4], lo, c)
	t[5], c = bits.Add64(t[5], hi, c)
	hi, lo = bits.Mul64(a[3], a[3])
	t[6], c = bits.Add64(t[6], lo, c)
	t[7], _ = bits.Add64(t[7], hi, c)
	feReduce512(r, &t)
}

// feSqrN sets r = a^(2^n).
func feSqrN(r, a *fe, n int) {
	*r = *a
	for i := 0; i < n; i++ {
		feSqr(r, r)
	}
}

// fePow2x223 computes the common prefix of the inversion and square root
// addition chains: it returns x2 = a^(2^2-1), x22 = a^(2^22-1) and
// x223 = a^(2^223-1).
func fePow2x223(a *fe) (x2, x22, x223 fe) {
	var x3, x6, x9, x11, x44, x88, x176, t fe
	feSqr(&x2, a)
	feMul(&x2, &x2, a)
	feSqr(&x3, &x2)
	feMul(&x3, &x3, a)
	feSqrN(&t, &x3, 3)
	feMul(&x6, &t, &x3)
	feSqrN(&t, &x6, 3)
	feMul(&x9, &t, &x3)
	feSqrN(&t, &x9, 2)
	feMul(&x11, &t, &x2)
	feSqrN(&t, &x11, 11)
	feMul(&x22, &t, &x11)
	feSqrN(&t, &x22, 22)
	feMul(&x44, &t, &x22)
	feSqrN(&t, &x44, 44)
	feMul(&x88, &t, &x44)
	feSqrN(&t, &x88, 88)
	feMul(&x176, &t, &x88)
	feSqrN(&t, &x176, 44)
	feMul(&t, &t, &x44)
	feSqrN(&t, &t, 3)
	feMul(&x223, &t, &x3)
	return x2, x22, x223
}

// feInv sets r = 1/a (0 for a = 0), as a^(p-2).
func feInv(r, a *fe) {
	x2, x22, x223 := fePow2x223(a)
	// p - 2 = 2^256 - 2^32 - 979: the 223 ones, a zero, 22 ones, then
	// 0000101101 in binary.
	var t fe
	feSqrN(&t, &x223, 23)
	feMul(&t, &t, &x22)
	feSqrN(&t, &t, 5)
	feMul(&t, &t, a)
	feSqrN(&t, &t, 3)
	feMul(&t, &t, &x2)
	feSqrN(&t, &t, 2)
	feMul(r, &t, a)
}

// feSqrt sets r to a square root of a, as a^((p+1)/4), and reports whether
// a is a square (r·r == a).
func feSqrt(r, a *fe) bool {
	x2, x22, x223 := fePow2x223(a)
	// (p + 1)/4 = 2^254 - 2^30 - 244: the 223 ones, a zero, 22 ones, then
	// 0000110 in binary (ending in 2^2 - 1 shifted by one).
	var t fe
	feSqrN(&t, &x223, 23)
	feMul(&t, &t, &x22)
	feSqrN(&t, &t, 6)
	feMul(&t, &t, &x2)
	feSqrN(&t, &t, 2)
	var check fe
	feSqr(&check, &t)
	*r = t
	return check == *a
}
