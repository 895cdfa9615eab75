package inbound

import "crypto/sha256"

// macKey is an HMAC-SHA256 key (RFC 2104) with its inner and outer padded
// forms precomputed, so that computing a MAC of a short message needs no
// allocation. The messages of this package are at most 48 bytes.
type macKey struct {
	ipad [sha256.BlockSize]byte
	opad [sha256.BlockSize]byte
}

// maxMACInput is the longest message mac accepts.
const maxMACInput = 64

// newMACKey prepares a 32-byte key (shorter than the block, so used as is).
func newMACKey(key *[32]byte) macKey {
	var k macKey
	for i := range k.ipad {
		var b byte
		if i < len(key) {
			b = key[i]
		}
		k.ipad[i] = b ^ 0x36
		k.opad[i] = b ^ 0x5c
	}
	return k
}

// mac returns HMAC-SHA256(key, a || b); len(a)+len(b) must not exceed
// maxMACInput.
func (k *macKey) mac(a, b []byte) [sha256.Size]byte {
	var in [sha256.BlockSize + maxMACInput]byte
	n := copy(in[:], k.ipad[:])
	n += copy(in[n:], a)
	n += copy(in[n:], b)
	inner := sha256.Sum256(in[:n])
	var out [sha256.BlockSize + sha256.Size]byte
	copy(out[:], k.opad[:])
	copy(out[sha256.BlockSize:], inner[:])
	return sha256.Sum256(out[:])
}
