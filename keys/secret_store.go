package keys

import (
	"fmt"
	"log/slog"
	"math/bits"
)

// secretSlots is the number of slots of the compact storage: one for each
// possible count of trailing zero bits of a 48-bit index (0 to 48).
const secretSlots = 49

// storedSecret is one slot of a SecretStore.
type storedSecret struct {
	index  uint64
	secret [32]byte
}

// SecretStore holds the per-commitment secrets a counterparty has revealed,
// in the compact form of BOLT 3 "Efficient Per-commitment Secret Storage":
// 49 slots, from which every secret received so far can be derived.
//
// Secrets must be inserted one at a time in descending index order, starting
// at MaxShachainIndex (commitment number 0). Insert checks that each new
// secret derives the earlier ones, which proves the counterparty generated
// them from one seed.
//
// The zero value is an empty store. A SecretStore is not safe for concurrent
// use.
type SecretStore struct {
	slots [secretSlots]storedSecret
	// count is the number of secrets inserted; the next index expected is
	// MaxShachainIndex - count.
	count uint64
	// known has bit b set when slots[b] holds a secret.
	known uint64
}

// slotFor is BOLT 3 where_to_put_secret: the number of trailing zero bits of
// a 48-bit index, 48 for index 0.
func slotFor(index uint64) uint {
	if index == 0 {
		return 48
	}
	return uint(bits.TrailingZeros64(index))
}

// Len returns the number of secrets inserted so far.
func (s *SecretStore) Len() uint64 { return s.count }

// NextIndex returns the index the next inserted secret must have, and false
// when every index has been received.
func (s *SecretStore) NextIndex() (uint64, bool) {
	if s.count > MaxShachainIndex {
		return 0, false
	}
	return MaxShachainIndex - s.count, true
}

// Insert adds the secret at index, the next index in descending order. It
// returns a *SecretMismatchError (matching ErrSecretMismatch) if the secret
// does not derive the secrets received before it, ErrIndexOutOfRange for an
// index above MaxShachainIndex, and ErrUnexpectedIndex if index is not the
// next one. On error the store is unchanged.
func (s *SecretStore) Insert(index uint64, secret [32]byte) error {
	if index > MaxShachainIndex {
		return fmt.Errorf("keys: insert: %w", &IndexRangeError{Index: index})
	}
	next, ok := s.NextIndex()
	if !ok || index != next {
		return fmt.Errorf("keys: insert index %d, want %d: %w", index, next, ErrUnexpectedIndex)
	}
	slot := slotFor(index)
	for b := uint(0); b < slot; b++ {
		if s.known&(1<<b) == 0 {
			continue
		}
		if deriveSecret(secret, slot, s.slots[b].index) != s.slots[b].secret {
			return &SecretMismatchError{Index: index, KnownIndex: s.slots[b].index}
		}
	}
	s.slots[slot] = storedSecret{index: index, secret: secret}
	s.known |= 1 << slot
	s.count++
	return nil
}

// Lookup returns the secret at index if it was inserted or can be derived
// from the stored secrets. It returns ErrIndexOutOfRange for an index above
// MaxShachainIndex and ErrSecretUnknown for an index not received yet.
func (s *SecretStore) Lookup(index uint64) ([32]byte, error) {
	if index > MaxShachainIndex {
		return [32]byte{}, fmt.Errorf("keys: lookup: %w", &IndexRangeError{Index: index})
	}
	for b := uint(0); b < secretSlots; b++ {
		if s.known&(1<<b) == 0 {
			continue
		}
		if index>>b == s.slots[b].index>>b {
			return deriveSecret(s.slots[b].secret, b, index), nil
		}
	}
	return [32]byte{}, fmt.Errorf("keys: lookup index %d: %w", index, ErrSecretUnknown)
}

// String describes the store without its secrets.
func (s SecretStore) String() string {
	return fmt.Sprintf("keys.SecretStore{count=%d}", s.count)
}

// Format implements fmt.Formatter so that no verb prints the secrets.
func (s SecretStore) Format(f fmt.State, _ rune) { _, _ = f.Write([]byte(s.String())) }

// LogValue implements slog.LogValuer: it logs the number of secrets only.
func (s SecretStore) LogValue() slog.Value {
	return slog.GroupValue(slog.Uint64("count", s.count))
}
