package noise

import "crypto/sha256"

// hmacSHA256 returns HMAC-SHA256(key, msg) for a 32-byte key and a message
// of at most 64 bytes, without allocating.
func hmacSHA256(key *[32]byte, msg []byte) [32]byte {
	var buf [sha256.BlockSize + sha256.BlockSize]byte
	for i := range sha256.BlockSize {
		var k byte
		if i < len(key) {
			k = key[i]
		}
		buf[i] = k ^ 0x36
	}
	n := copy(buf[sha256.BlockSize:], msg)
	inner := sha256.Sum256(buf[:sha256.BlockSize+n])
	for i := range sha256.BlockSize {
		var k byte
		if i < len(key) {
			k = key[i]
		}
		buf[i] = k ^ 0x5c
	}
	copy(buf[sha256.BlockSize:], inner[:])
	return sha256.Sum256(buf[:sha256.BlockSize+sha256.Size])
}

// hkdf returns the two 32-byte halves of HKDF-SHA256(salt, ikm) with an
// empty info, as BOLT 8 uses it: ck, k = HKDF(ck, ikm). ikm is at most 32
// bytes.
func hkdf(salt *[32]byte, ikm []byte) (out1, out2 [32]byte) {
	prk := hmacSHA256(salt, ikm)
	var t [sha256.Size + 1]byte
	t[0] = 0x01
	out1 = hmacSHA256(&prk, t[:1])
	copy(t[:], out1[:])
	t[sha256.Size] = 0x02
	out2 = hmacSHA256(&prk, t[:])
	clear(prk[:])
	return out1, out2
}
