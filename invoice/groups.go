package invoice

// BOLT 11 carries everything in 5-bit groups (bech32 characters). These
// helpers convert between groups, bytes and integers.

// unpackGroups writes the bytes carried by groups into out, which must be
// len(groups)*5/8 bytes long. It reports false if the groups end with five
// or more padding bits or with non-zero padding: a writer pads to the next
// group with zero bits only.
func unpackGroups(out, groups []byte) bool {
	var acc uint32
	var bits uint
	n := 0
	for _, g := range groups {
		acc = acc<<5 | uint32(g)
		bits += 5
		if bits >= 8 {
			bits -= 8
			out[n] = byte(acc >> bits)
			n++
			acc &= 1<<bits - 1
		}
	}
	return bits < 5 && acc == 0
}

// bytesLen returns how many whole bytes n groups carry.
func bytesLen(n int) int { return n * 5 / 8 }

// appendGroups appends b as 5-bit groups, padding the last group with zero
// bits.
func appendGroups(dst, b []byte) []byte {
	var acc uint32
	var bits uint
	for _, x := range b {
		acc = acc<<8 | uint32(x)
		bits += 8
		for bits >= 5 {
			bits -= 5
			dst = append(dst, byte(acc>>bits)&31)
		}
		acc &= 1<<bits - 1
	}
	if bits > 0 {
		dst = append(dst, byte(acc<<(5-bits))&31)
	}
	return dst
}

// appendPacked appends groups packed into bytes, the last byte padded with
// zero bits: the form BOLT 11 signs.
func appendPacked(dst, groups []byte) []byte {
	var acc uint32
	var bits uint
	for _, g := range groups {
		acc = acc<<5 | uint32(g)
		bits += 5
		if bits >= 8 {
			bits -= 8
			dst = append(dst, byte(acc>>bits))
			acc &= 1<<bits - 1
		}
	}
	if bits > 0 {
		dst = append(dst, byte(acc<<(8-bits)))
	}
	return dst
}

// groupsToUint64 reads groups as a big-endian integer. It reports false if
// the value needs more than 64 bits.
func groupsToUint64(groups []byte) (uint64, bool) {
	var v uint64
	for _, g := range groups {
		if v>>59 != 0 {
			return 0, false
		}
		v = v<<5 | uint64(g)
	}
	return v, true
}

// appendUint64Groups appends v as big-endian groups without leading zero
// groups (the minimal encoding BOLT 11 requires; zero has no groups).
func appendUint64Groups(dst []byte, v uint64) []byte {
	n := 0
	for x := v; x != 0; x >>= 5 {
		n++
	}
	for i := n - 1; i >= 0; i-- {
		dst = append(dst, byte(v>>(5*uint(i)))&31)
	}
	return dst
}
