package fsstore

import (
	"encoding/binary"
	"errors"
	"fmt"

	"github.com/lnkit/lnkit/persist"
)

// The ops of a log record (and of a batch file) are a count and each op:
//
//	op count (4) | ops
//	op: kind (0 write, 1 remove) | len (1) primary | len (1) secondary | len (1) key | [len (4) value]
//
// Integers are big-endian.
const (
	opWrite  = 0
	opRemove = 1
	minOpLen = 4 // kind and three empty-or-longer name lengths
)

// opsLen is the length of ops encoded by appendOps.
func opsLen(ops []persist.Op) int {
	n := 4
	for _, o := range ops {
		n += minOpLen + len(o.NS.Primary) + len(o.NS.Secondary) + len(o.Key)
		if !o.Remove {
			n += 4 + len(o.Value)
		}
	}
	return n
}

// appendOps appends the encoding of ops to b.
func appendOps(b []byte, ops []persist.Op) []byte {
	b = binary.BigEndian.AppendUint32(b, uint32(len(ops)))
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
	return b
}

// decodeOps parses what appendOps wrote, all of b. Values alias b. Its
// errors say what is wrong; callers wrap them as corrupt.
func decodeOps(b []byte) ([]persist.Op, error) {
	if len(b) < 4 {
		return nil, errors.New("no op count")
	}
	count := binary.BigEndian.Uint32(b)
	rest := b[4:]
	if uint64(count) > uint64(len(rest)/minOpLen) {
		return nil, fmt.Errorf("%d ops claimed in %d bytes", count, len(rest))
	}
	ops := make([]persist.Op, 0, min(count, 1024)) // a crafted count does not size the allocation
	for range count {
		if len(rest) < 1 {
			return nil, errors.New("truncated")
		}
		kind := rest[0]
		rest = rest[1:]
		if kind != opWrite && kind != opRemove {
			return nil, fmt.Errorf("op kind %d", kind)
		}
		var names [3]string
		for i := range names {
			if len(rest) < 1 || len(rest) < 1+int(rest[0]) {
				return nil, errors.New("truncated in a name")
			}
			names[i] = string(rest[1 : 1+int(rest[0])])
			rest = rest[1+int(rest[0]):]
		}
		op := persist.Op{NS: persist.Namespace{Primary: names[0], Secondary: names[1]}, Key: names[2], Remove: kind == opRemove}
		if !op.Remove {
			if len(rest) < 4 {
				return nil, errors.New("truncated in a value length")
			}
			n := binary.BigEndian.Uint32(rest)
			rest = rest[4:]
			if uint64(n) > uint64(len(rest)) {
				return nil, errors.New("truncated in a value")
			}
			op.Value = rest[:n:n]
			rest = rest[n:]
		}
		if err := persist.ValidateOp(op); err != nil {
			return nil, fmt.Errorf("op: %v", err)
		}
		ops = append(ops, op)
	}
	if len(rest) != 0 {
		return nil, fmt.Errorf("%d bytes after the last op", len(rest))
	}
	return ops, nil
}
