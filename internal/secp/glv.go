package secp

import (
	"encoding/binary"
	"math/bits"

	"github.com/btcsuite/btcd/btcec/v2"
)

// glvConstants holds the endomorphism constants. They are built per call from
// fixed bytes, so the package has no mutable state.
type glvConstants struct {
	lambda  btcec.ModNScalar // λ, a cube root of unity mod n
	minusB1 btcec.ModNScalar // -b1 of the lattice basis
	minusB2 btcec.ModNScalar // -b2 of the lattice basis
	g1, g2  [4]uint64        // round(2^384·b2/n), round(2^384·(-b1)/n), little-endian limbs
}

func newGLVConstants() glvConstants {
	var c glvConstants
	lambda := [32]byte{
		0x53, 0x63, 0xad, 0x4c, 0xc0, 0x5c, 0x30, 0xe0, 0xa5, 0x26, 0x1c, 0x02, 0x88, 0x12, 0x64, 0x5a,
		0x12, 0x2e, 0x22, 0xea, 0x20, 0x81, 0x66, 0x78, 0xdf, 0x02, 0x96, 0x7c, 0x1b, 0x23, 0xbd, 0x72,
	}
	minusB1 := [32]byte{
		16: 0xe4, 0x43, 0x7e, 0xd6, 0x01, 0x0e, 0x88, 0x28, 0x6f, 0x54, 0x7f, 0xa9, 0x0a, 0xbf, 0xe4, 0xc3,
	}
	minusB2 := [32]byte{
		0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xfe,
		0x8a, 0x28, 0x0a, 0xc5, 0x07, 0x74, 0x34, 0x6d, 0xd7, 0x65, 0xcd, 0xa8, 0x3d, 0xb1, 0x56, 0x2c,
	}
	c.lambda.SetBytes(&lambda)
	c.minusB1.SetBytes(&minusB1)
	c.minusB2.SetBytes(&minusB2)
	c.g1 = [4]uint64{0xe893209a45dbb031, 0x3daa8a1471e8ca7f, 0xe86c90e49284eb15, 0x3086d221a7d46bcd}
	c.g2 = [4]uint64{0x1571b4ae8ac47f71, 0x221208ac9df506c6, 0x6f547fa90abfe4c4, 0xe4437ed6010e8828}
	return c
}

// scalarLimbs returns s as little-endian 64-bit limbs.
func scalarLimbs(s *btcec.ModNScalar) [4]uint64 {
	b := s.Bytes()
	return [4]uint64{
		binary.BigEndian.Uint64(b[24:]),
		binary.BigEndian.Uint64(b[16:]),
		binary.BigEndian.Uint64(b[8:]),
		binary.BigEndian.Uint64(b[0:]),
	}
}

// mulShift384 returns round(a·b / 2^384) for 256-bit a and b, as a scalar
// (the result is below 2^129, far below n).
func mulShift384(a, b *[4]uint64) btcec.ModNScalar {
	var t [8]uint64
	for i := 0; i < 4; i++ {
		var carry uint64
		for j := 0; j < 4; j++ {
			hi, lo := bits.Mul64(a[i], b[j])
			var c uint64
			lo, c = bits.Add64(lo, t[i+j], 0)
			hi += c
			lo, c = bits.Add64(lo, carry, 0)
			hi += c
			t[i+j] = lo
			carry = hi
		}
		t[i+4] = carry
	}
	// Round with bit 383, then keep bits 384…511.
	lo, c := bits.Add64(t[6], t[5]>>63, 0)
	hi, c := bits.Add64(t[7], 0, c)
	var out [32]byte
	out[15] = byte(c)
	binary.BigEndian.PutUint64(out[16:], hi)
	binary.BigEndian.PutUint64(out[24:], lo)
	var s btcec.ModNScalar
	s.SetBytes(&out)
	return s
}

// splitScalar writes k = k1 + k2·λ (mod n) and returns |k1|, |k2| as
// little-endian limbs with their signs (true when negative).
func splitScalar(k *btcec.ModNScalar, c *glvConstants) (k1, k2 [4]uint64, neg1, neg2 bool) {
	kl := scalarLimbs(k)
	c1 := mulShift384(&kl, &c.g1)
	c2 := mulShift384(&kl, &c.g2)
	// r2 = c1·(-b1) + c2·(-b2); r1 = k - r2·λ.
	c1.Mul(&c.minusB1)
	c2.Mul(&c.minusB2)
	var r2 btcec.ModNScalar
	r2.Add2(&c1, &c2)
	var r1 btcec.ModNScalar
	r1.Mul2(&r2, &c.lambda).Negate().Add(k)
	if r1.IsOverHalfOrder() {
		r1.Negate()
		neg1 = true
	}
	if r2.IsOverHalfOrder() {
		r2.Negate()
		neg2 = true
	}
	return scalarLimbs(&r1), scalarLimbs(&r2), neg1, neg2
}
