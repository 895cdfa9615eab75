package noise

import (
	"crypto/sha256"

	"github.com/lnkit/lnkit/internal/secp"
)

// hkdf returns the two 32-byte halves of HKDF-SHA256(salt, ikm) with an
// empty info, as BOLT 8 uses it: ck, k = HKDF(ck, ikm). ikm is at most 32
// bytes.
func hkdf(salt *[32]byte, ikm []byte) (out1, out2 [32]byte) {
	prk := secp.HMACSHA256(salt, ikm)
	var t [sha256.Size + 1]byte
	t[0] = 0x01
	out1 = secp.HMACSHA256(&prk, t[:1])
	copy(t[:], out1[:])
	t[sha256.Size] = 0x02
	out2 = secp.HMACSHA256(&prk, t[:])
	clear(prk[:])
	return out1, out2
}
