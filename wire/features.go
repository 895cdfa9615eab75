package wire

import "encoding/hex"

// FeatureBit is a BOLT 9 feature bit number. Even bits are required, odd
// bits optional ("it's ok to be odd").
type FeatureBit uint16

// IsRequired reports whether the bit is the even (required) one of its pair.
func (b FeatureBit) IsRequired() bool { return b&1 == 0 }

// Pair returns the even (required) and odd (optional) bits of b's pair.
func (b FeatureBit) Pair() (required, optional FeatureBit) { return b &^ 1, b | 1 }

// FeatureVector is a set of feature bits, held in wire order: a big-endian
// bitfield whose least significant bit (bit 0) is the last bit of the last
// byte. The zero value is the empty set.
type FeatureVector struct {
	raw []byte
}

// NewFeatureVector returns a vector with the given bits set.
func NewFeatureVector(bits ...FeatureBit) FeatureVector {
	var f FeatureVector
	for _, b := range bits {
		f.Set(b)
	}
	return f
}

// FeatureVectorFromBytes returns the vector of a wire bitfield. It copies b.
func FeatureVectorFromBytes(b []byte) FeatureVector {
	return FeatureVector{raw: append([]byte(nil), b...)}
}

// IsSet reports whether bit b is set.
func (f FeatureVector) IsSet(b FeatureBit) bool {
	i := int(b / 8)
	if i >= len(f.raw) {
		return false
	}
	return f.raw[len(f.raw)-1-i]&(1<<(b%8)) != 0
}

// Set sets bit b, growing the vector as needed.
func (f *FeatureVector) Set(b FeatureBit) {
	need := int(b/8) + 1
	if need > len(f.raw) {
		grown := make([]byte, need)
		copy(grown[need-len(f.raw):], f.raw)
		f.raw = grown
	}
	f.raw[len(f.raw)-1-int(b/8)] |= 1 << (b % 8)
}

// Unset clears bit b.
func (f *FeatureVector) Unset(b FeatureBit) {
	i := int(b / 8)
	if i < len(f.raw) {
		f.raw[len(f.raw)-1-i] &^= 1 << (b % 8)
	}
}

// Bits returns the set bits in increasing order. Bits above 65535, which no
// FeatureBit can name, are left out.
func (f FeatureVector) Bits() []FeatureBit {
	var out []FeatureBit
	f.forEachSetFeatureBit(func(b FeatureBit) bool {
		out = append(out, b)
		return true
	})
	return out
}

// Bytes returns the minimal wire encoding (no leading zero bytes).
func (f FeatureVector) Bytes() []byte {
	b := f.raw
	for len(b) > 0 && b[0] == 0 {
		b = b[1:]
	}
	return append([]byte(nil), b...)
}

// IsEmpty reports whether no bit is set.
func (f FeatureVector) IsEmpty() bool {
	for _, x := range f.raw {
		if x != 0 {
			return false
		}
	}
	return true
}

// Clone returns an independent copy.
func (f FeatureVector) Clone() FeatureVector { return FeatureVectorFromBytes(f.raw) }

// String returns the minimal encoding in hex.
func (f FeatureVector) String() string { return hex.EncodeToString(f.Bytes()) }
