package onion

import (
	"golang.org/x/crypto/chacha20"
)

// xorStream XORs dst with the ChaCha20 stream of key (96-bit zero nonce,
// BOLT 4 "Pseudo Random Byte Stream"), starting at byte offset of the stream.
func xorStream(key *[32]byte, dst []byte, offset int) {
	var nonce [chacha20.NonceSize]byte
	c, err := chacha20.NewUnauthenticatedCipher(key[:], nonce[:])
	if err != nil {
		// Unreachable: the key and nonce sizes are fixed.
		panic("onion: chacha20: " + err.Error())
	}
	if offset > 0 {
		c.SetCounter(uint32(offset / 64))
		if skip := offset % 64; skip > 0 {
			var discard [64]byte
			c.XORKeyStream(discard[:skip], discard[:skip])
		}
	}
	c.XORKeyStream(dst, dst)
}
