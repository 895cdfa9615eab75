package fsstore

import (
	"encoding/binary"
	"hash/crc32"

	"github.com/lnkit/lnkit/persist"
)

// A batch file is the header, the ops, and a CRC-32C of everything before
// it:
//
//	"LNKB" | version 1 | 3 zero bytes | op count (4) | ops | CRC-32C (4)
//	op: kind (0 write, 1 remove) | len (1) primary | len (1) secondary | len (1) key | [len (4) value]
const (
	batchMagic     = "LNKB"
	batchVersion   = 1
	batchHeaderLen = 12
	opWrite        = 0
	opRemove       = 1
	minOpLen       = 4 // kind and three empty-or-longer name lengths
)

// encodeBatch returns the batch file contents for ops.
func encodeBatch(ops []persist.Op) []byte {
	n := batchHeaderLen + 4
	for _, o := range ops {
		n += minOpLen + len(o.NS.Primary) + len(o.NS.Secondary) + len(o.Key) + 4 + len(o.Value)
	}
	b := make([]byte, batchHeaderLen, n)
	copy(b, batchMagic)
	b[4] = batchVersion
	binary.BigEndian.PutUint32(b[8:], uint32(len(ops)))
	for _, o := range ops {
		kind := byte(opWrite)
		if o.Remove {
			kind = opRemove
		}
		b = append(b, kind)
		for _, s := range []string{o.NS.Primary, o.NS.Secondary, o.Key} {
			b = append(b, byte(len(s)))
			b = append(b, s...)
		}
		if !o.Remove {
			b = binary.BigEndian.AppendUint32(b, uint32(len(o.Value)))
			b = append(b, o.Value...)
		}
	}
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
	count := binary.BigEndian.Uint32(body[8:])
	rest := body[batchHeaderLen:]
	if uint64(count) > uint64(len(rest)/minOpLen) {
		return nil, corrupt("batch file claims %d ops in %d bytes", count, len(rest))
	}
	ops := make([]persist.Op, 0, min(count, 1024)) // a crafted count does not size the allocation
	for range count {
		if len(rest) < 1 {
			return nil, corrupt("batch file truncated")
		}
		kind := rest[0]
		rest = rest[1:]
		if kind != opWrite && kind != opRemove {
			return nil, corrupt("batch op kind %d", kind)
		}
		var names [3]string
		for i := range names {
			if len(rest) < 1 || len(rest) < 1+int(rest[0]) {
				return nil, corrupt("batch file truncated in a name")
			}
			names[i] = string(rest[1 : 1+int(rest[0])])
			rest = rest[1+int(rest[0]):]
		}
		op := persist.Op{NS: persist.Namespace{Primary: names[0], Secondary: names[1]}, Key: names[2], Remove: kind == opRemove}
		if !op.Remove {
			if len(rest) < 4 {
				return nil, corrupt("batch file truncated in a value length")
			}
			n := binary.BigEndian.Uint32(rest)
			rest = rest[4:]
			if uint64(n) > uint64(len(rest)) {
				return nil, corrupt("batch file truncated in a value")
			}
			op.Value = rest[:n:n]
			rest = rest[n:]
		}
		if err := persist.ValidateOp(op); err != nil {
			return nil, corrupt("batch op: %v", err)
		}
		ops = append(ops, op)
	}
	if len(rest) != 0 {
		return nil, corrupt("%d bytes after the last batch op", len(rest))
	}
	return ops, nil
}
