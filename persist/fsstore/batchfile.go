package fsstore

import (
	"encoding/binary"
	"hash/crc32"

	"github.com/lnkit/lnkit/persist"
)

// A batch file (format of versions before the write-ahead log, which Open
// still replays) is the header, the ops, and a CRC-32C of everything
// before it:
//
//	"LNKB" | version 1 | 3 zero bytes | op count (4) | ops | CRC-32C (4)
//
// with the ops encoded as in a log record (see opcodec.go).
const (
	batchMagic     = "LNKB"
	batchVersion   = 1
	batchHeaderLen = 12
)

// encodeBatch returns the batch file contents for ops. Only tests write
// batch files now: they stand for a store an older version left.
func encodeBatch(ops []persist.Op) []byte {
	b := make([]byte, batchHeaderLen-4, batchHeaderLen+opsLen(ops)+4)
	copy(b, batchMagic)
	b[4] = batchVersion
	b = appendOps(b, ops)
	return binary.BigEndian.AppendUint32(b, crc32.Checksum(b, castagnoli))
}

// decodeBatch parses a batch file. Values alias b. Its errors match
// persist.ErrCorrupt.
func decodeBatch(b []byte) ([]persist.Op, error) {
	if len(b) < batchHeaderLen+4 {
		return nil, corrupt("batch file of %d bytes is shorter than header and checksum", len(b))
	}
	body, sum := b[:len(b)-4], binary.BigEndian.Uint32(b[len(b)-4:])
	if crc32.Checksum(body, castagnoli) != sum {
		return nil, corrupt("batch file checksum mismatch")
	}
	if string(body[:4]) != batchMagic || body[4] != batchVersion || body[5]|body[6]|body[7] != 0 {
		return nil, corrupt("not an fsstore batch file of version %d", batchVersion)
	}
	ops, err := decodeOps(body[batchHeaderLen-4:])
	if err != nil {
		return nil, corrupt("batch file: %v", err)
	}
	return ops, nil
}
