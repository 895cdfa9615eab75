package keys

import (
	"crypto/hkdf"
	"crypto/sha256"

	"github.com/btcsuite/btcd/btcec/v2"
)

// The derivation scheme below is documented in doc.go. It is fixed forever:
// changing any constant or step changes the node id and every channel key
// derived from existing seeds.

const (
	// derivationSalt is the HKDF-Extract salt.
	derivationSalt = "lnkit keys v1"
	// nodeKeyInfo is the HKDF-Expand info of the node secret key.
	nodeKeyInfo = "lnkit node key"
	// channelInfoPrefix starts the HKDF-Expand info of every channel secret.
	channelInfoPrefix = "lnkit channel "
)

// Channel secret names, part of the HKDF-Expand info.
const (
	channelFunding         = "funding"
	channelRevocation      = "revocation"
	channelPayment         = "payment"
	channelDelayedPayment  = "delayed_payment"
	channelHTLC            = "htlc"
	channelCommitmentSeed  = "commitment_seed"
	maxChannelInfoLen      = len(channelInfoPrefix) + len(channelDelayedPayment) + 1 + 32 + 1
	maxScalarDerivationTry = 256
)

// masterKey is the HKDF pseudorandom key extracted from a seed.
type masterKey [32]byte

// newMasterKey runs HKDF-Extract(salt = derivationSalt, ikm = seed).
func newMasterKey(seed *Seed) masterKey {
	prk, err := hkdf.Extract(sha256.New, seed[:], []byte(derivationSalt))
	if err != nil {
		// HKDF-Extract with SHA-256 cannot fail.
		panic("keys: hkdf extract: " + err.Error())
	}
	var m masterKey
	copy(m[:], prk)
	clear(prk)
	return m
}

// expand returns HKDF-Expand(m, info || counter, 32).
func (m *masterKey) expand(info []byte, counter byte) [32]byte {
	full := make([]byte, 0, len(info)+1)
	full = append(full, info...)
	full = append(full, counter)
	okm, err := hkdf.Expand(sha256.New, m[:], string(full), 32)
	if err != nil {
		// 32 bytes is far below HKDF-SHA256's limit of 255*32.
		panic("keys: hkdf expand: " + err.Error())
	}
	var out [32]byte
	copy(out[:], okm)
	clear(okm)
	return out
}

// scalar returns the first HKDF-Expand(m, info || i, 32), i = 0, 1, ...,
// that is a valid private key (0 < k < n).
func (m *masterKey) scalar(info []byte) btcec.ModNScalar {
	for i := 0; i < maxScalarDerivationTry; i++ {
		b := m.expand(info, byte(i))
		var k btcec.ModNScalar
		overflow := k.SetBytes(&b)
		clear(b[:])
		if overflow == 0 && !k.IsZero() {
			return k
		}
	}
	// Reaching this needs 256 consecutive SHA-256 outputs of probability
	// below 2^-127 each.
	panic("keys: no valid private key derived")
}

// channelInfo builds "lnkit channel " || name || 0x00 || keyID.
func channelInfo(buf *[maxChannelInfoLen]byte, name string, keyID *[32]byte) []byte {
	info := append(buf[:0], channelInfoPrefix...)
	info = append(info, name...)
	info = append(info, 0)
	info = append(info, keyID[:]...)
	return info
}

// nodeKey derives the node secret key.
func (m *masterKey) nodeKey() btcec.ModNScalar {
	return m.scalar([]byte(nodeKeyInfo))
}

// channelScalar derives the channel secret called name for keyID.
func (m *masterKey) channelScalar(name string, keyID *[32]byte) btcec.ModNScalar {
	var buf [maxChannelInfoLen]byte
	return m.scalar(channelInfo(&buf, name, keyID))
}

// commitmentSeed derives the channel's shachain seed for keyID.
func (m *masterKey) commitmentSeed(keyID *[32]byte) [32]byte {
	var buf [maxChannelInfoLen]byte
	return m.expand(channelInfo(&buf, channelCommitmentSeed, keyID), 0)
}
