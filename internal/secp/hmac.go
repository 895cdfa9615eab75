package secp

import "crypto/sha256"

// HMACSHA256 returns HMAC-SHA256 keyed with key (at most 32 bytes are
// used; shorter keys are zero-padded as HMAC specifies) over the
// concatenation of msg. It does not allocate.
func HMACSHA256(key *[32]byte, msg ...[]byte) [32]byte {
	var pad [sha256.BlockSize]byte
	for i := range key {
		pad[i] = key[i] ^ 0x36
	}
	for i := len(key); i < sha256.BlockSize; i++ {
		pad[i] = 0x36
	}
	h := sha256.New()
	h.Write(pad[:])
	for _, m := range msg {
		h.Write(m)
	}
	var inner [sha256.Size]byte
	h.Sum(inner[:0])
	for i := range pad {
		pad[i] ^= 0x36 ^ 0x5c
	}
	h.Reset()
	h.Write(pad[:])
	h.Write(inner[:])
	var out [sha256.Size]byte
	h.Sum(out[:0])
	clear(pad[:])
	return out
}
