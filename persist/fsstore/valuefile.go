package fsstore

import (
	"encoding/binary"

	"fmt"
	"hash/crc32"

	"github.com/lnkit/lnkit/persist"
)

// The value file header: magic, version, three zero bytes, the value's
// length and a CRC-32C over the namespace, the key and the value.
const (
	valueMagic     = "LNKV"
	valueVersion   = 1
	valueHeaderLen = 16
)

var castagnoli = crc32.MakeTable(crc32.Castagnoli)

// valueCRC is the CRC-32C of ns, key and value, NUL-separated.
func valueCRC(ns persist.Namespace, key string, value []byte) uint32 {
	c := crc32.Update(0, castagnoli, []byte(ns.Primary))
	c = crc32.Update(c, castagnoli, []byte{0})
	c = crc32.Update(c, castagnoli, []byte(ns.Secondary))
	c = crc32.Update(c, castagnoli, []byte{0})
	c = crc32.Update(c, castagnoli, []byte(key))
	c = crc32.Update(c, castagnoli, []byte{0})
	return crc32.Update(c, castagnoli, value)
}

// encodeValue returns the file contents for value under key in ns.
func encodeValue(ns persist.Namespace, key string, value []byte) []byte {
	b := make([]byte, valueHeaderLen, valueHeaderLen+len(value))
	copy(b, valueMagic)
	b[4] = valueVersion
	binary.BigEndian.PutUint32(b[8:], uint32(len(value)))
	binary.BigEndian.PutUint32(b[12:], valueCRC(ns, key, value))
	return append(b, value...)
}

// decodeValue checks a value file's contents for key in ns and returns the
// value (aliasing b). Its errors match persist.ErrCorrupt.
func decodeValue(ns persist.Namespace, key string, b []byte) ([]byte, error) {
	if len(b) < valueHeaderLen {
		return nil, corrupt("%d bytes, shorter than the %d-byte header", len(b), valueHeaderLen)
	}
	if string(b[:4]) != valueMagic {
		return nil, corrupt("not an fsstore value file (magic %x)", b[:4])
	}
	if b[4] != valueVersion || b[5] != 0 || b[6] != 0 || b[7] != 0 {
		return nil, corrupt("unknown value file version %d.%d.%d.%d", b[4], b[5], b[6], b[7])
	}
	n := binary.BigEndian.Uint32(b[8:])
	if uint64(n) != uint64(len(b)-valueHeaderLen) {
		return nil, corrupt("header says %d value bytes, file holds %d", n, len(b)-valueHeaderLen)
	}
	value := b[valueHeaderLen:]
	if binary.BigEndian.Uint32(b[12:]) != valueCRC(ns, key, value) {
		return nil, corrupt("checksum mismatch (a damaged file, or another key's)")
	}
	return value, nil
}

func corrupt(format string, args ...any) error {
	return fmt.Errorf("%w: "+format, append([]any{persist.ErrCorrupt}, args...)...)
}
