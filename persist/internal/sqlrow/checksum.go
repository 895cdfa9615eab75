package sqlrow

import (
	"fmt"
	"hash/crc32"

	"github.com/lnkit/lnkit/persist"
)

var castagnoli = crc32.MakeTable(crc32.Castagnoli)

// Sum is the checksum stored beside value under key in ns (see the package
// doc).
func Sum(ns persist.Namespace, key string, value []byte) uint32 {
	var c uint32
	for _, name := range [3]string{ns.Primary, ns.Secondary, key} {
		c = crc32.Update(c, castagnoli, []byte{byte(len(name))})
		c = crc32.Update(c, castagnoli, []byte(name))
	}
	return crc32.Update(c, castagnoli, value)
}

// CheckRow returns an error matching persist.ErrCorrupt when a row read
// back does not carry the checksum Sum gives for it.
func CheckRow(ns persist.Namespace, key string, value []byte, sum int64) error {
	if want := int64(Sum(ns, key, value)); sum != want {
		return fmt.Errorf("%w: checksum %#x of the row is not the %#x of its %d-byte value", persist.ErrCorrupt, sum, want, len(value))
	}
	return nil
}

// CheckListedKey returns an error matching persist.ErrCorrupt when a key
// found in the table is not one a store could have written (a foreign row).
func CheckListedKey(ns persist.Namespace, key string) error {
	if err := persist.ValidateKey(ns, key); err != nil {
		return fmt.Errorf("%w: stored key is not a valid key: %v", persist.ErrCorrupt, err)
	}
	return nil
}
