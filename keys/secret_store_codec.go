package keys

import (
	"encoding/binary"
	"fmt"
	"math/bits"

	"github.com/lnkit/lnkit/wire"
)

// secretStoreVersion is the first byte of a serialized SecretStore.
const secretStoreVersion = 1

// secretStoreHeaderLen is the version byte plus the 8-byte count.
const secretStoreHeaderLen = 1 + 8

// maxSecretStoreLen bounds a serialized SecretStore: header and 49 secrets.
const maxSecretStoreLen = secretStoreHeaderLen + secretSlots*32

// expectedSlots returns, for a store holding count secrets (indexes
// MaxShachainIndex down to MaxShachainIndex-count+1), the bit set of its
// filled slots and the index each filled slot holds: the lowest received
// index with that many trailing zeros.
func expectedSlots(count uint64) (known uint64, indexes [secretSlots]uint64) {
	if count == 0 {
		return 0, indexes
	}
	lowest := MaxShachainIndex - count + 1 // last index received
	for b := uint(0); b < 48; b++ {
		// Smallest odd k with k<<b >= lowest.
		k := (lowest + (1 << b) - 1) >> b
		k |= 1
		if idx := k << b; idx <= MaxShachainIndex {
			known |= 1 << b
			indexes[b] = idx
		}
	}
	if lowest == 0 {
		known |= 1 << 48
		indexes[48] = 0
	}
	return known, indexes
}

// MarshalBinary encodes the store for persistence:
//
//	version  u8   (1)
//	count    u64  big-endian number of secrets inserted (0 to 2^48)
//	secrets  32 bytes for each filled slot, in slot order
//
// The filled slots and their indexes follow from count, so they are not
// stored. The encoding is at most 1 + 8 + 49*32 bytes.
func (s *SecretStore) MarshalBinary() ([]byte, error) {
	out := make([]byte, secretStoreHeaderLen, secretStoreHeaderLen+bits.OnesCount64(s.known)*32)
	out[0] = secretStoreVersion
	binary.BigEndian.PutUint64(out[1:], s.count)
	for b := uint(0); b < secretSlots; b++ {
		if s.known&(1<<b) != 0 {
			out = append(out, s.slots[b].secret[:]...)
		}
	}
	return out, nil
}

// UnmarshalBinary decodes a store written by MarshalBinary, replacing the
// receiver's content. It checks the version, the count, the exact length and
// that the stored secrets derive one another as Insert would have required;
// every failure matches ErrInvalidSecretStore (truncated input also matches
// wire.ErrTruncated). On error the receiver is unchanged.
func (s *SecretStore) UnmarshalBinary(data []byte) error {
	if len(data) < secretStoreHeaderLen {
		return fmt.Errorf("keys: secret store: %d bytes, want at least %d: %w: %w",
			len(data), secretStoreHeaderLen, ErrInvalidSecretStore, wire.ErrTruncated)
	}
	if len(data) > maxSecretStoreLen {
		return fmt.Errorf("keys: secret store: %d bytes, want at most %d: %w", len(data), maxSecretStoreLen, ErrInvalidSecretStore)
	}
	if data[0] != secretStoreVersion {
		return fmt.Errorf("keys: secret store: unknown version %d: %w", data[0], ErrInvalidSecretStore)
	}
	count := binary.BigEndian.Uint64(data[1:])
	if count > MaxShachainIndex+1 {
		return fmt.Errorf("keys: secret store: count %d above 2^48: %w", count, ErrInvalidSecretStore)
	}
	known, indexes := expectedSlots(count)
	want := secretStoreHeaderLen + bits.OnesCount64(known)*32
	switch {
	case len(data) < want:
		return fmt.Errorf("keys: secret store: %d bytes, want %d: %w: %w", len(data), want, ErrInvalidSecretStore, wire.ErrTruncated)
	case len(data) > want:
		return fmt.Errorf("keys: secret store: %d bytes, want %d: %w", len(data), want, ErrInvalidSecretStore)
	}

	var decoded SecretStore
	decoded.count = count
	decoded.known = known
	rest := data[secretStoreHeaderLen:]
	for b := uint(0); b < secretSlots; b++ {
		if known&(1<<b) == 0 {
			continue
		}
		decoded.slots[b].index = indexes[b]
		copy(decoded.slots[b].secret[:], rest[:32])
		rest = rest[32:]
	}
	if err := decoded.checkConsistent(); err != nil {
		return err
	}
	*s = decoded
	return nil
}

// checkConsistent verifies that every stored secret is derived by the
// nearest higher slot whose index shares its prefix, which (by
// transitivity) is what the checks of Insert guarantee.
func (s *SecretStore) checkConsistent() error {
	for b := uint(0); b < secretSlots; b++ {
		if s.known&(1<<b) == 0 {
			continue
		}
		idx := s.slots[b].index
		for hi := b + 1; hi < secretSlots; hi++ {
			if s.known&(1<<hi) == 0 || idx>>hi != s.slots[hi].index>>hi {
				continue
			}
			if deriveSecret(s.slots[hi].secret, hi, idx) != s.slots[b].secret {
				return fmt.Errorf("keys: secret store: secret for index %d does not derive the one for index %d: %w",
					s.slots[hi].index, idx, ErrInvalidSecretStore)
			}
			break
		}
	}
	return nil
}
