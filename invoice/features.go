package invoice

import "github.com/lnkit/lnkit/wire"

// The 9 field is a big-endian bit field in 5-bit groups: bit 0 is the
// lowest bit of the last group. wire.FeatureVector holds the same bits in
// bytes, bit 0 being the lowest bit of the last byte.

// featuresFromGroups converts the data of a 9 field.
func featuresFromGroups(groups []byte) wire.FeatureVector {
	var buf [(maxFieldData*5 + 7) / 8]byte
	raw := buf[:(len(groups)*5+7)/8]
	for j := 0; j < len(groups); j++ {
		g := groups[len(groups)-1-j]
		for k := 0; k < 5; k++ {
			if g>>k&1 != 0 {
				bit := 5*j + k
				raw[len(raw)-1-bit/8] |= 1 << (bit % 8)
			}
		}
	}
	return wire.FeatureVectorFromBytes(raw)
}

// appendFeatureGroups appends the minimal 9 field data of f: no leading
// zero groups, nothing at all for the empty vector.
func appendFeatureGroups(dst []byte, f wire.FeatureVector) []byte {
	raw := f.Bytes() // minimal: raw[0] != 0 unless empty
	if len(raw) == 0 {
		return dst
	}
	top := 0 // index of the highest set bit
	for k := 7; k >= 0; k-- {
		if raw[0]>>k&1 != 0 {
			top = (len(raw)-1)*8 + k
			break
		}
	}
	n := top/5 + 1
	for j := n - 1; j >= 0; j-- {
		var g byte
		for k := 0; k < 5; k++ {
			bit := 5*j + k
			if bit/8 < len(raw) && raw[len(raw)-1-bit/8]>>(bit%8)&1 != 0 {
				g |= 1 << k
			}
		}
		dst = append(dst, g)
	}
	return dst
}
