package router

import (
	"context"
	"encoding/binary"
	"errors"
	"fmt"
	"slices"

	"github.com/lnkit/lnkit/persist"
)

// Where Save writes the scorer: key ScorerKey in the namespace
// ScorerNamespacePrimary/ScorerNamespaceSecondary.
const (
	ScorerNamespacePrimary   = "router"
	ScorerNamespaceSecondary = "scorer"
	ScorerKey                = "liquidity"
)

func scorerNamespace() persist.Namespace {
	return persist.Namespace{Primary: ScorerNamespacePrimary, Secondary: ScorerNamespaceSecondary}
}

// scorerVersion is the first byte of the encoding. Version 1, fixed
// layout: version (1), now (8, unix ns), count (4), then count
// entries sorted by short_channel_id, each scid (8), capacity (8),
// min offset (8), max offset (8), updated (8, unix ns); all big-endian.
const scorerVersion = 1

const (
	scorerHeaderLen = 1 + 8 + 4
	scorerEntryLen  = 5 * 8
	// maxScorerEntries bounds a decoded scorer to what a store holds.
	maxScorerEntries = (persist.MaxValueSize - scorerHeaderLen) / scorerEntryLen
)

// MarshalBinary encodes the scorer's learned state (not its config).
func (s *ProbabilisticScorer) MarshalBinary() ([]byte, error) {
	s.mu.RLock()
	defer s.mu.RUnlock()
	keys := make([]uint64, 0, len(s.ch))
	for k := range s.ch {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	b := make([]byte, 0, scorerHeaderLen+len(keys)*scorerEntryLen)
	b = append(b, scorerVersion)
	b = binary.BigEndian.AppendUint64(b, uint64(s.now))
	b = binary.BigEndian.AppendUint32(b, uint32(len(keys)))
	for _, k := range keys {
		l := s.ch[k]
		b = binary.BigEndian.AppendUint64(b, k)
		b = binary.BigEndian.AppendUint64(b, l.capacity)
		b = binary.BigEndian.AppendUint64(b, l.minOff)
		b = binary.BigEndian.AppendUint64(b, l.maxOff)
		b = binary.BigEndian.AppendUint64(b, uint64(l.updated))
	}
	return b, nil
}

func corrupt(format string, args ...any) error {
	return fmt.Errorf("%w: "+format, append([]any{ErrCorruptScorer}, args...)...)
}

// UnmarshalBinary replaces the scorer's learned state with b's (an
// encoding of MarshalBinary). Malformed input is refused with an error
// matching ErrCorruptScorer and leaves the scorer as it was.
func (s *ProbabilisticScorer) UnmarshalBinary(b []byte) error {
	if len(b) < scorerHeaderLen {
		return corrupt("%d bytes", len(b))
	}
	if b[0] != scorerVersion {
		return corrupt("unknown version %d", b[0])
	}
	now := int64(binary.BigEndian.Uint64(b[1:]))
	n := binary.BigEndian.Uint32(b[9:])
	if uint64(n) > maxScorerEntries || len(b)-scorerHeaderLen != int(n)*scorerEntryLen {
		return corrupt("%d entries in %d bytes", n, len(b))
	}
	ch := make(map[uint64]liquidity, n)
	var prev uint64
	for i := range int(n) {
		e := b[scorerHeaderLen+i*scorerEntryLen:]
		k := binary.BigEndian.Uint64(e)
		l := liquidity{
			capacity: binary.BigEndian.Uint64(e[8:]),
			minOff:   binary.BigEndian.Uint64(e[16:]),
			maxOff:   binary.BigEndian.Uint64(e[24:]),
			updated:  int64(binary.BigEndian.Uint64(e[32:])),
		}
		switch {
		case i > 0 && k <= prev:
			return corrupt("entry %d: channels out of order", i)
		case l.minOff > l.capacity || l.maxOff > l.capacity-l.minOff:
			return corrupt("entry %d: offsets over the capacity", i)
		case l.minOff == 0 && l.maxOff == 0:
			return corrupt("entry %d: empty", i)
		}
		prev = k
		ch[k] = l
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	s.now, s.ch = now, ch
	clear(s.seen)
	for k := range ch {
		s.mark(k)
	}
	return nil
}

// Save writes the scorer's learned state to store (under ScorerKey).
func (s *ProbabilisticScorer) Save(ctx context.Context, store persist.KVStore) error {
	b, err := s.MarshalBinary()
	if err != nil {
		return err
	}
	if err := store.Write(ctx, scorerNamespace(), ScorerKey, b); err != nil {
		return fmt.Errorf("router: save scorer: %w", err)
	}
	return nil
}

// LoadProbabilisticScorer returns a scorer with cfg and the state Save
// wrote to store, or an empty one when store holds none.
func LoadProbabilisticScorer(ctx context.Context, store persist.KVStore, cfg ProbabilisticConfig) (*ProbabilisticScorer, error) {
	s, err := NewProbabilisticScorer(cfg)
	if err != nil {
		return nil, err
	}
	b, err := store.Read(ctx, scorerNamespace(), ScorerKey)
	switch {
	case errors.Is(err, persist.ErrNotFound):
		return s, nil
	case err != nil:
		return nil, fmt.Errorf("router: load scorer: %w", err)
	}
	if err := s.UnmarshalBinary(b); err != nil {
		return nil, err
	}
	return s, nil
}
