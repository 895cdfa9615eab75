package graph

import (
	"bytes"
	"container/list"
	"context"
	"crypto/sha256"
	"errors"
	"fmt"
	"sync"

	"github.com/lnkit/lnkit/wire"
)

// FundingOutput is a channel's funding output as found on chain.
type FundingOutput struct {
	// PkScript is the output's script.
	PkScript []byte
	// Value is the output's amount, the channel's capacity.
	Value wire.Satoshi
}

// ErrOutputNotFound is returned by a UTXOSource when the short_channel_id
// names no output, or a spent one.
var ErrOutputNotFound = errors.New("graph: output not found or spent")

// UTXOSource finds the unspent output a short_channel_id names (block
// height, transaction index, output index). It returns an error matching
// ErrOutputNotFound when there is none or it is spent; any other error is
// a failure of the source (the answer is not cached).
type UTXOSource interface {
	FundingOutput(ctx context.Context, scid wire.ShortChannelID) (FundingOutput, error)
}

// FundingPkScript returns the P2WSH script of the BOLT 3 2-of-2 funding
// output of two bitcoin keys: OP_0 SHA256(2 <k1> <k2> 2 OP_CHECKMULTISIG)
// with the keys in lexicographic order.
func FundingPkScript(a, b wire.Point) []byte {
	if bytes.Compare(a[:], b[:]) > 0 {
		a, b = b, a
	}
	var ws [71]byte
	ws[0] = 0x52 // OP_2
	ws[1] = 33
	copy(ws[2:35], a[:])
	ws[35] = 33
	copy(ws[36:69], b[:])
	ws[69] = 0x52 // OP_2
	ws[70] = 0xae // OP_CHECKMULTISIG
	h := sha256.Sum256(ws[:])
	return append([]byte{0x00, 0x20}, h[:]...)
}

// fundingResult is one cached lookup.
type fundingResult struct {
	scid uint64
	out  FundingOutput
	err  error // nil, or wraps ErrFundingNotFound
}

// fundingChecker wraps the UTXOSource with a bounded LRU cache of answers
// (including "not found") and a token budget refilled by ticks, so a flood
// of announcements of made-up outputs costs at most the budget.
type fundingChecker struct {
	src   UTXOSource
	mu    sync.Mutex
	cap   int
	lru   *list.List
	byID  map[uint64]*list.Element
	toks  int
	per   int
	burst int
}

func newFundingChecker(cfg Config) *fundingChecker {
	return &fundingChecker{
		src:   cfg.UTXOSource,
		cap:   cfg.FundingCacheSize,
		lru:   list.New(),
		byID:  make(map[uint64]*list.Element),
		toks:  cfg.LookupBurst,
		per:   cfg.LookupsPerTick,
		burst: cfg.LookupBurst,
	}
}

func (f *fundingChecker) tick() {
	f.mu.Lock()
	f.toks = min(f.toks+f.per, f.burst)
	f.mu.Unlock()
}

// cachedMiss reports whether scid is known not to exist: a cheap test done
// before any signature is checked.
func (f *fundingChecker) cachedMiss(scid uint64) bool {
	f.mu.Lock()
	defer f.mu.Unlock()
	e, ok := f.byID[scid]
	return ok && e.Value.(*fundingResult).err != nil
}

// lookup returns the output of scid, from the cache or (spending a token)
// from the source.
func (f *fundingChecker) lookup(ctx context.Context, scid wire.ShortChannelID) (FundingOutput, error) {
	key := scid.ToUint64()
	f.mu.Lock()
	if e, ok := f.byID[key]; ok {
		f.lru.MoveToFront(e)
		r := e.Value.(*fundingResult)
		f.mu.Unlock()
		return r.out, r.err
	}
	if f.toks <= 0 {
		f.mu.Unlock()
		return FundingOutput{}, fmt.Errorf("graph: funding lookup budget used up: %w", ErrRateLimited)
	}
	f.toks--
	f.mu.Unlock()

	out, err := f.src.FundingOutput(ctx, scid)
	switch {
	case errors.Is(err, ErrOutputNotFound):
		err = fmt.Errorf("graph: %v: %w", scid, ErrFundingNotFound)
	case err != nil:
		return FundingOutput{}, fmt.Errorf("graph: %v: %w: %w", scid, ErrFundingLookup, err)
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	if _, ok := f.byID[key]; !ok {
		f.byID[key] = f.lru.PushFront(&fundingResult{scid: key, out: out, err: err})
		for f.lru.Len() > f.cap {
			old := f.lru.Back()
			f.lru.Remove(old)
			delete(f.byID, old.Value.(*fundingResult).scid)
		}
	}
	return out, err
}

// forget drops scid from the cache (after its output was spent).
func (f *fundingChecker) forget(scid uint64) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if e, ok := f.byID[scid]; ok {
		f.lru.Remove(e)
		delete(f.byID, scid)
	}
}

// check verifies that m's output exists, is unspent and pays to the
// announced keys; it returns the capacity.
func (f *fundingChecker) check(ctx context.Context, m *wire.ChannelAnnouncement) (wire.Satoshi, error) {
	if f.src == nil {
		return 0, nil
	}
	out, err := f.lookup(ctx, m.ShortChannelID)
	if err != nil {
		return 0, err
	}
	if !bytes.Equal(out.PkScript, FundingPkScript(m.BitcoinKey1, m.BitcoinKey2)) {
		return 0, fmt.Errorf("graph: %v: %w", m.ShortChannelID, ErrFundingMismatch)
	}
	return out.Value, nil
}

// fresh asks the source about scid, bypassing the cache (spending a
// token): for rechecking known channels. It reports whether the output is
// gone.
func (f *fundingChecker) fresh(ctx context.Context, scid wire.ShortChannelID) (bool, error) {
	f.mu.Lock()
	if f.toks <= 0 {
		f.mu.Unlock()
		return false, fmt.Errorf("graph: funding lookup budget used up: %w", ErrRateLimited)
	}
	f.toks--
	f.mu.Unlock()
	_, err := f.src.FundingOutput(ctx, scid)
	switch {
	case errors.Is(err, ErrOutputNotFound):
		f.forget(scid.ToUint64())
		return true, nil
	case err != nil:
		return false, fmt.Errorf("graph: %v: %w: %w", scid, ErrFundingLookup, err)
	}
	return false, nil
}
