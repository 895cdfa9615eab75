package keys

import "encoding/binary"

// NewChannelKeyID returns a random channel key id drawn from entropy (from
// crypto/rand when entropy is nil). Random ids are unique with overwhelming
// probability.
func NewChannelKeyID(entropy EntropySource) [32]byte {
	if entropy == nil {
		entropy = NewCryptoEntropy()
	}
	return entropy.GetSecureRandomBytes()
}

// ChannelKeyIDFromCounter returns the key id of the n-th channel of a node
// that numbers its channels: "lnkit channel counter" padded with zeros to 24
// bytes, then n as a big-endian uint64. Counter ids are unique as long as
// the counter never repeats (persist it before using an id), and cannot
// collide with random ids in practice.
func ChannelKeyIDFromCounter(n uint64) [32]byte {
	var id [32]byte
	copy(id[:24], "lnkit channel counter")
	binary.BigEndian.PutUint64(id[24:], n)
	return id
}
