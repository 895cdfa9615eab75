package wire

import (
	"encoding/binary"
	"math/bits"
)

// Truncated integers (BOLT 1 tu16, tu32, tu64) are the big-endian value with
// its leading zero bytes omitted, so 0 is encoded as no bytes at all. They
// are only used as the whole value of a TLV record.

// TU64Len returns the length of v's truncated encoding (0 to 8 bytes).
func TU64Len(v uint64) int { return (bits.Len64(v) + 7) / 8 }

// AppendTU64 appends the truncated (tu64) encoding of v to b.
func AppendTU64(b []byte, v uint64) []byte {
	for n := TU64Len(v); n > 0; n-- {
		b = append(b, byte(v>>(8*(n-1))))
	}
	return b
}

// AppendTU32 appends the truncated (tu32) encoding of v to b.
func AppendTU32(b []byte, v uint32) []byte { return AppendTU64(b, uint64(v)) }

// AppendTU16 appends the truncated (tu16) encoding of v to b.
func AppendTU16(b []byte, v uint16) []byte { return AppendTU64(b, uint64(v)) }

// ReadTU64 decodes a whole TLV value as a tu64. It fails with ErrTLVLength
// when the value is longer than 8 bytes and with ErrNotMinimal when it has a
// leading zero byte.
func ReadTU64(value []byte) (uint64, error) { return readTruncated(value, 8) }

// ReadTU32 decodes a whole TLV value as a tu32 (at most 4 bytes, minimal).
func ReadTU32(value []byte) (uint32, error) {
	v, err := readTruncated(value, 4)
	return uint32(v), err
}

// ReadTU16 decodes a whole TLV value as a tu16 (at most 2 bytes, minimal).
func ReadTU16(value []byte) (uint16, error) {
	v, err := readTruncated(value, 2)
	return uint16(v), err
}

func readTruncated(value []byte, max int) (uint64, error) {
	if len(value) > max {
		return 0, ErrTLVLength
	}
	if len(value) > 0 && value[0] == 0 {
		return 0, ErrNotMinimal
	}
	var v uint64
	for _, c := range value {
		v = v<<8 | uint64(c)
	}
	return v, nil
}

// Signed integers (BOLT 1 s8, s16, s32, s64) are big-endian two's
// complement of a fixed size.

// AppendS8 appends the s8 encoding of v to b.
func AppendS8(b []byte, v int8) []byte { return append(b, byte(v)) }

// AppendS16 appends the s16 encoding of v to b.
func AppendS16(b []byte, v int16) []byte { return binary.BigEndian.AppendUint16(b, uint16(v)) }

// AppendS32 appends the s32 encoding of v to b.
func AppendS32(b []byte, v int32) []byte { return binary.BigEndian.AppendUint32(b, uint32(v)) }

// AppendS64 appends the s64 encoding of v to b.
func AppendS64(b []byte, v int64) []byte { return binary.BigEndian.AppendUint64(b, uint64(v)) }

// ReadS8 decodes an s8 from the front of b (ErrTruncated when b is empty).
func ReadS8(b []byte) (int8, error) {
	if len(b) < 1 {
		return 0, ErrTruncated
	}
	return int8(b[0]), nil
}

// ReadS16 decodes an s16 from the front of b.
func ReadS16(b []byte) (int16, error) {
	if len(b) < 2 {
		return 0, ErrTruncated
	}
	return int16(binary.BigEndian.Uint16(b)), nil
}

// ReadS32 decodes an s32 from the front of b.
func ReadS32(b []byte) (int32, error) {
	if len(b) < 4 {
		return 0, ErrTruncated
	}
	return int32(binary.BigEndian.Uint32(b)), nil
}

// ReadS64 decodes an s64 from the front of b.
func ReadS64(b []byte) (int64, error) {
	if len(b) < 8 {
		return 0, ErrTruncated
	}
	return int64(binary.BigEndian.Uint64(b)), nil
}
