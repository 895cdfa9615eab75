package keys

import (
	"encoding/hex"
	"errors"
	"fmt"
	"math"
	"strconv"
	"testing"

	"github.com/btcsuite/btcd/btcec/v2"
	"github.com/stretchr/testify/require"
)

func TestPerCommitmentSecretVectors(t *testing.T) {
	var v secretVectors
	loadVectors(t, "bolt03-per-commitment-secrets.json", &v)
	require.Len(t, v.Generation, 5)
	for _, c := range v.Generation {
		t.Run(c.Name, func(t *testing.T) {
			got := PerCommitmentSecret(unhex32(t, c.Seed), c.Index)
			require.Equal(t, c.Output, hex.EncodeToString(got[:]))
		})
	}
}

func TestSecretStoreVectors(t *testing.T) {
	var v secretVectors
	loadVectors(t, "bolt03-per-commitment-secrets.json", &v)
	require.Len(t, v.Storage, 9)
	steps := 0
	for _, c := range v.Storage {
		t.Run(c.Name, func(t *testing.T) {
			var s SecretStore
			for i, step := range c.Steps {
				steps++
				before := s
				err := s.Insert(step.Index, unhex32(t, step.Secret))
				switch step.Expected {
				case "OK":
					require.NoError(t, err, "step %d", i)
					// Every secret inserted so far can be looked up.
					for _, prev := range c.Steps[:i+1] {
						got, err := s.Lookup(prev.Index)
						require.NoError(t, err)
						require.Equal(t, prev.Secret, hex.EncodeToString(got[:]))
					}
					// The encoding round-trips after every insert.
					enc, err := s.MarshalBinary()
					require.NoError(t, err)
					var dec SecretStore
					require.NoError(t, dec.UnmarshalBinary(enc))
					require.Equal(t, s, dec)
				case "ERROR":
					require.ErrorIs(t, err, ErrSecretMismatch, "step %d", i)
					var mismatch *SecretMismatchError
					require.ErrorAs(t, err, &mismatch)
					require.Equal(t, step.Index, mismatch.Index)
					require.Equal(t, before, s, "a failed insert must not change the store")
				default:
					require.Fail(t, fmt.Sprintf("unknown expectation %q", step.Expected))
				}
			}
		})
	}
	require.Equal(t, 56, steps)
}

func TestSecretStoreErrors(t *testing.T) {
	seed := [32]byte{0xff}
	var s SecretStore
	require.ErrorIs(t, s.Insert(MaxShachainIndex+1, [32]byte{}), ErrIndexOutOfRange)
	require.ErrorIs(t, s.Insert(MaxShachainIndex-1, PerCommitmentSecret(seed, MaxShachainIndex-1)), ErrUnexpectedIndex)
	_, err := s.Lookup(MaxShachainIndex)
	require.ErrorIs(t, err, ErrSecretUnknown)
	_, err = s.Lookup(MaxShachainIndex + 1)
	require.ErrorIs(t, err, ErrIndexOutOfRange)

	require.NoError(t, s.Insert(MaxShachainIndex, PerCommitmentSecret(seed, MaxShachainIndex)))
	// The same index twice is out of order.
	require.ErrorIs(t, s.Insert(MaxShachainIndex, PerCommitmentSecret(seed, MaxShachainIndex)), ErrUnexpectedIndex)
	_, err = s.Lookup(MaxShachainIndex - 1)
	require.ErrorIs(t, err, ErrSecretUnknown)
	next, ok := s.NextIndex()
	require.True(t, ok)
	require.Equal(t, uint64(MaxShachainIndex-1), next)
	require.Equal(t, uint64(1), s.Len())
}

// TestSecretStoreLongRun inserts a long run of secrets and checks that every
// one stays retrievable, that at most 49 slots are used, and that the
// encoding round-trips.
func TestSecretStoreLongRun(t *testing.T) {
	seed := [32]byte{7, 7, 7}
	const n = 1500
	var s SecretStore
	for i := uint64(0); i < n; i++ {
		idx := must(ShachainIndex(i))
		require.NoError(t, s.Insert(idx, PerCommitmentSecret(seed, idx)))
	}
	for i := uint64(0); i < n; i++ {
		idx := must(ShachainIndex(i))
		got, err := s.Lookup(idx)
		require.NoError(t, err)
		require.Equal(t, PerCommitmentSecret(seed, idx), got)
	}
	enc, err := s.MarshalBinary()
	require.NoError(t, err)
	require.LessOrEqual(t, len(enc), maxSecretStoreLen)
	var dec SecretStore
	require.NoError(t, dec.UnmarshalBinary(enc))
	require.Equal(t, s, dec)

	// A wrong secret at the next index with many trailing zeros is caught.
	next, _ := s.NextIndex()
	bad := PerCommitmentSecret([32]byte{8}, next)
	if slotFor(next) > 0 {
		require.ErrorIs(t, s.Insert(next, bad), ErrSecretMismatch)
	}
}

// TestSecretStoreFull covers the last index (0, slot 48) with a store
// decoded from a near-full state.
func TestSecretStoreFull(t *testing.T) {
	seed := [32]byte{9}
	// Build the state after inserting indexes 2^48-1 .. 1 directly: slot b
	// holds the index 1<<b (the lowest with b trailing zeros).
	var s SecretStore
	s.count = MaxShachainIndex
	for b := uint(0); b < 48; b++ {
		idx := uint64(1) << b
		s.slots[b] = storedSecret{index: idx, secret: PerCommitmentSecret(seed, idx)}
		s.known |= 1 << b
	}
	enc, err := s.MarshalBinary()
	require.NoError(t, err)
	var dec SecretStore
	require.NoError(t, dec.UnmarshalBinary(enc))
	require.Equal(t, s, dec)

	require.NoError(t, s.Insert(0, PerCommitmentSecret(seed, 0)))
	_, ok := s.NextIndex()
	require.False(t, ok)
	require.ErrorIs(t, s.Insert(0, PerCommitmentSecret(seed, 0)), ErrUnexpectedIndex)
	for _, idx := range []uint64{0, 1, 2, 3, 1 << 40, MaxShachainIndex} {
		got, err := s.Lookup(idx)
		require.NoError(t, err)
		require.Equal(t, PerCommitmentSecret(seed, idx), got)
	}
	enc, err = s.MarshalBinary()
	require.NoError(t, err)
	require.Len(t, enc, maxSecretStoreLen)
	require.NoError(t, dec.UnmarshalBinary(enc))
	require.Equal(t, s, dec)
}

func TestSecretStoreUnmarshalErrors(t *testing.T) {
	seed := [32]byte{1}
	var s SecretStore
	for i := uint64(0); i < 6; i++ {
		require.NoError(t, s.Insert(must(ShachainIndex(i)), PerCommitmentSecret(seed, must(ShachainIndex(i)))))
	}
	good, err := s.MarshalBinary()
	require.NoError(t, err)

	corrupt := append([]byte(nil), good...)
	// Slot 0 holds the secret of the last index (odd) which slot 1 derives:
	// changing it makes the store inconsistent.
	corrupt[secretStoreHeaderLen] ^= 1

	badCount := append([]byte(nil), good...)
	badCount[1] = 0xff

	tests := []struct {
		name      string
		data      []byte
		truncated bool
	}{
		{"empty", nil, true},
		{"short header", good[:5], true},
		{"truncated secrets", good[:len(good)-1], true},
		{"trailing byte", append(append([]byte(nil), good...), 0), false},
		{"version", append([]byte{2}, good[1:]...), false},
		{"count above 2^48", badCount, false},
		{"inconsistent secrets", corrupt, false},
		{"too long", make([]byte, maxSecretStoreLen+1), false},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			dec := s
			err := dec.UnmarshalBinary(tc.data)
			require.ErrorIs(t, err, ErrInvalidSecretStore)
			if tc.truncated {
				require.True(t, errors.Is(err, errTruncated()), "want wire.ErrTruncated: %v", err)
			}
			require.Equal(t, s, dec, "failed decode must not change the store")
		})
	}
}

func TestShachainIndex(t *testing.T) {
	tests := []struct {
		name   string
		number uint64
		want   uint64
		err    bool
	}{
		{"first commitment", 0, MaxShachainIndex, false},
		{"42", 42, MaxShachainIndex - 42, false},
		{"last commitment 2^48-1", MaxCommitmentNumber, 0, false},
		{"2^48", MaxCommitmentNumber + 1, 0, true},
		{"2^63", 1 << 63, 0, true},
		{"max uint64", math.MaxUint64, 0, true},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			idx, err := ShachainIndex(tc.number)
			if tc.err {
				require.ErrorIs(t, err, ErrCommitmentNumberTooLarge)
				var ce *CommitmentNumberError
				require.ErrorAs(t, err, &ce)
				require.Equal(t, tc.number, ce.Number)
				require.Contains(t, err.Error(), strconv.FormatUint(tc.number, 10))
				require.Contains(t, err.Error(), strconv.FormatUint(MaxCommitmentNumber, 10))
				// The index with the same value is out of range too.
				_, err = CommitmentNumber(tc.number)
				require.ErrorIs(t, err, ErrIndexOutOfRange)
				var ie *IndexRangeError
				require.ErrorAs(t, err, &ie)
				require.Equal(t, tc.number, ie.Index)
				require.Contains(t, err.Error(), strconv.FormatUint(tc.number, 10))
				return
			}
			require.NoError(t, err)
			require.Equal(t, tc.want, idx)
			n, err := CommitmentNumber(idx)
			require.NoError(t, err)
			require.Equal(t, tc.number, n)
		})
	}
}

// FuzzShachainIndex checks that no commitment number or index panics: an
// out-of-range value is a typed error, an in-range one round-trips.
func FuzzShachainIndex(f *testing.F) {
	for _, n := range []uint64{0, 1, MaxCommitmentNumber, MaxCommitmentNumber + 1, math.MaxUint64} {
		f.Add(n)
	}
	s := NewManager(Seed{9}, Config{}).ChannelKeys(ChannelKeyIDFromCounter(0))
	f.Fuzz(func(t *testing.T, n uint64) {
		idx, err := ShachainIndex(n)
		_, perr := s.PerCommitmentPoint(n)
		_, serr := s.PerCommitmentSecret(n)
		_, cerr := CommitmentNumber(n)
		var store SecretStore
		ierr := store.Insert(n, [32]byte{})
		_, lerr := store.Lookup(n)
		if n > MaxCommitmentNumber {
			require.ErrorIs(t, err, ErrCommitmentNumberTooLarge)
			require.ErrorIs(t, perr, ErrCommitmentNumberTooLarge)
			require.ErrorIs(t, serr, ErrCommitmentNumberTooLarge)
			require.ErrorIs(t, cerr, ErrIndexOutOfRange)
			require.ErrorIs(t, ierr, ErrIndexOutOfRange)
			require.ErrorIs(t, lerr, ErrIndexOutOfRange)
			return
		}
		require.NoError(t, err)
		require.NoError(t, perr)
		require.NoError(t, serr)
		require.NoError(t, cerr)
		require.Equal(t, n, must(CommitmentNumber(idx)))
		if n == MaxShachainIndex {
			require.NoError(t, ierr)
		} else {
			require.ErrorIs(t, ierr, ErrUnexpectedIndex)
		}
		if n != MaxShachainIndex {
			require.ErrorIs(t, lerr, ErrSecretUnknown)
		}
	})
}

func TestPerCommitmentPoint(t *testing.T) {
	seed := [32]byte{5}
	for _, idx := range []uint64{0, 1, MaxShachainIndex} {
		secret := PerCommitmentSecret(seed, idx)
		_, want := btcec.PrivKeyFromBytes(secret[:])
		require.True(t, want.IsEqual(PerCommitmentPoint(seed, idx)))
		require.True(t, want.IsEqual(PerCommitmentPointFromSecret(secret)))
	}
}

func FuzzSecretStoreUnmarshal(f *testing.F) {
	seed := [32]byte{0xff}
	var s SecretStore
	for i := uint64(0); i < 12; i++ {
		enc, err := s.MarshalBinary()
		require.NoError(f, err)
		f.Add(enc)
		idx := must(ShachainIndex(i))
		require.NoError(f, s.Insert(idx, PerCommitmentSecret(seed, idx)))
	}
	f.Add([]byte{1, 0, 0, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff})
	f.Fuzz(func(t *testing.T, data []byte) {
		var s SecretStore
		if err := s.UnmarshalBinary(data); err != nil {
			require.ErrorIs(t, err, ErrInvalidSecretStore, "untyped error: %v", err)
			return
		}
		// A decoded store re-encodes to the same bytes and serves lookups.
		enc, err := s.MarshalBinary()
		require.NoError(t, err)
		require.Equal(t, string(data), string(enc), "re-encoding differs")
		if next, ok := s.NextIndex(); ok && next < MaxShachainIndex {
			_, err = s.Lookup(next + 1)
			require.NoError(t, err, "lookup of last inserted index")
		}
	})
}
