package wire

import "encoding/binary"

// BigSizeLen returns the length of v's BigSize encoding.
func BigSizeLen(v uint64) int {
	switch {
	case v < 0xfd:
		return 1
	case v <= 0xffff:
		return 3
	case v <= 0xffffffff:
		return 5
	default:
		return 9
	}
}

// AppendBigSize appends the BigSize (BOLT 1) encoding of v to b.
func AppendBigSize(b []byte, v uint64) []byte {
	switch {
	case v < 0xfd:
		return append(b, byte(v))
	case v <= 0xffff:
		return binary.BigEndian.AppendUint16(append(b, 0xfd), uint16(v))
	case v <= 0xffffffff:
		return binary.BigEndian.AppendUint32(append(b, 0xfe), uint32(v))
	default:
		return binary.BigEndian.AppendUint64(append(b, 0xff), v)
	}
}

// ReadBigSize decodes a BigSize from the front of b, returning the value and
// the number of bytes read. It fails with ErrTruncated on short input and
// ErrNonCanonical when the value was not minimally encoded.
func ReadBigSize(b []byte) (uint64, int, error) {
	if len(b) == 0 {
		return 0, 0, ErrTruncated
	}
	var v uint64
	var n int
	var min uint64
	switch b[0] {
	case 0xfd:
		if len(b) < 3 {
			return 0, 0, ErrTruncated
		}
		v, n, min = uint64(binary.BigEndian.Uint16(b[1:])), 3, 0xfd
	case 0xfe:
		if len(b) < 5 {
			return 0, 0, ErrTruncated
		}
		v, n, min = uint64(binary.BigEndian.Uint32(b[1:])), 5, 0x10000
	case 0xff:
		if len(b) < 9 {
			return 0, 0, ErrTruncated
		}
		v, n, min = binary.BigEndian.Uint64(b[1:]), 9, 0x100000000
	default:
		return uint64(b[0]), 1, nil
	}
	if v < min {
		return 0, 0, ErrNonCanonical
	}
	return v, n, nil
}
