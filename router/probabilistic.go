package router

import (
	"math"
	"math/bits"
	"sync"
	"time"

	"github.com/lnkit/lnkit/internal/configerr"
	"github.com/lnkit/lnkit/wire"
)

// Defaults of ProbabilisticConfig.
const (
	// DefaultBasePenaltyMsat is the penalty of every hop: one sat to avoid
	// a hop.
	DefaultBasePenaltyMsat = 1_000
	// DefaultBasePenaltyAmountMultiplierMsat is the penalty per 2^30 msat
	// (about 0.01 BTC) over a hop.
	DefaultBasePenaltyAmountMultiplierMsat = 8_192
	// DefaultLiquidityPenaltyMultiplierMsat is the penalty per unit of
	// -log10(success probability).
	DefaultLiquidityPenaltyMultiplierMsat = 30_000
	// DefaultLiquidityPenaltyAmountMultiplierMsat is the penalty per unit
	// of -log10(success probability) per 2^20 msat of amount.
	DefaultLiquidityPenaltyAmountMultiplierMsat = 192
	// DefaultImpossiblePenaltyMsat is the penalty of an amount above what
	// the channel direction is believed to hold (0.1 BTC: used only when
	// nothing else goes).
	DefaultImpossiblePenaltyMsat = 10_000_000_000
	// DefaultHalfLife is the time after which learned bounds are halfway
	// back to knowing nothing.
	DefaultHalfLife = 6 * time.Hour
)

// maxNegLog10 caps -log10(success probability): below 1% every
// probability costs the same, and beyond the upper bound the impossible
// penalty applies.
const maxNegLog10 = 2.0

// ProbabilisticConfig configures a ProbabilisticScorer. Zero fields mean
// their defaults; set a Disable… field to turn a penalty off.
type ProbabilisticConfig struct {
	// BasePenaltyMsat is the penalty per hop (default
	// DefaultBasePenaltyMsat).
	BasePenaltyMsat uint64
	// BasePenaltyAmountMultiplierMsat is the penalty per hop per 2^30
	// msat of amount (default DefaultBasePenaltyAmountMultiplierMsat).
	BasePenaltyAmountMultiplierMsat uint64
	// LiquidityPenaltyMultiplierMsat multiplies -log10 of the success
	// probability (default DefaultLiquidityPenaltyMultiplierMsat).
	LiquidityPenaltyMultiplierMsat uint64
	// LiquidityPenaltyAmountMultiplierMsat multiplies -log10 of the
	// success probability times the amount in 2^20 msat units (default
	// DefaultLiquidityPenaltyAmountMultiplierMsat).
	LiquidityPenaltyAmountMultiplierMsat uint64
	// ImpossiblePenaltyMsat is the penalty of an amount above the upper
	// liquidity bound (default DefaultImpossiblePenaltyMsat).
	ImpossiblePenaltyMsat uint64
	// DisableBasePenalty and DisableLiquidityPenalty turn those penalties
	// off (the zero multipliers mean the defaults).
	DisableBasePenalty      bool
	DisableLiquidityPenalty bool
	// HalfLife is how fast learned bounds decay (default DefaultHalfLife).
	HalfLife time.Duration
}

// liquidity is what is known about one channel: the bounds of the
// liquidity of direction 0 (node_id_1 to node_id_2) as offsets from 0 and
// from the capacity, as of updated; direction 1's liquidity is the rest
// of the capacity, so its lower bound is maxOff and its upper capacity -
// minOff. The offsets decay towards zero (no knowledge) with the
// half-life.
type liquidity struct {
	minOff, maxOff uint64
	capacity       uint64
	updated        int64 // unix nanoseconds
}

// ProbabilisticScorer is a Scorer that estimates each channel's liquidity
// from payment and probe outcomes (see the package doc). It reads no
// clock: TimePassed tells it the time, which decays what it learned and
// stamps what it learns next. It is safe for concurrent use.
type ProbabilisticScorer struct {
	cfg ProbabilisticConfig
	mu  sync.RWMutex
	now int64
	ch  map[uint64]liquidity
	// seen has the bit of every channel in ch (and maybe of some no
	// longer there): most channels are unknown, and the bit test spares
	// their map lookup in the search.
	seen []uint64
}

// seenBits is the size of the seen filter.
const seenBits = 1 << 16

func seenBit(scid uint64) uint64 { return (scid * 0x9e3779b97f4a7c15) >> (64 - 16) }

func (s *ProbabilisticScorer) mark(scid uint64) {
	b := seenBit(scid)
	s.seen[b/64] |= 1 << (b % 64)
}

func (s *ProbabilisticScorer) maybeKnown(scid uint64) bool {
	b := seenBit(scid)
	return s.seen[b/64]&(1<<(b%64)) != 0
}

// NewProbabilisticScorer validates cfg and returns an empty scorer.
func NewProbabilisticScorer(cfg ProbabilisticConfig) (*ProbabilisticScorer, error) {
	if cfg.HalfLife < 0 {
		return nil, configerr.New("router", "HalfLife", "must not be negative")
	}
	def := func(v *uint64, d uint64) {
		if *v == 0 {
			*v = d
		}
	}
	def(&cfg.BasePenaltyMsat, DefaultBasePenaltyMsat)
	def(&cfg.BasePenaltyAmountMultiplierMsat, DefaultBasePenaltyAmountMultiplierMsat)
	def(&cfg.LiquidityPenaltyMultiplierMsat, DefaultLiquidityPenaltyMultiplierMsat)
	def(&cfg.LiquidityPenaltyAmountMultiplierMsat, DefaultLiquidityPenaltyAmountMultiplierMsat)
	def(&cfg.ImpossiblePenaltyMsat, DefaultImpossiblePenaltyMsat)
	if cfg.HalfLife == 0 {
		cfg.HalfLife = DefaultHalfLife
	}
	return &ProbabilisticScorer{cfg: cfg, ch: make(map[uint64]liquidity), seen: make([]uint64, seenBits/64)}, nil
}

// TimePassed sets the scorer's time: learned bounds are decayed to it,
// and what is learned next is stamped with it. Time going backwards is
// ignored. Channels whose bounds have decayed to nothing are forgotten.
func (s *ProbabilisticScorer) TimePassed(now time.Time) {
	s.mu.Lock()
	defer s.mu.Unlock()
	t := now.UnixNano()
	if t <= s.now {
		return
	}
	s.now = t
	clear(s.seen)
	for k, l := range s.ch {
		lo, hi := s.decayed(&l)
		if lo == 0 && hi == 0 {
			delete(s.ch, k)
		} else {
			s.mark(k)
		}
	}
}

// decayed returns l's offsets decayed to the scorer's time.
func (s *ProbabilisticScorer) decayed(l *liquidity) (minOff, maxOff uint64) {
	el := s.now - l.updated
	if el <= 0 {
		return l.minOff, l.maxOff
	}
	halves := float64(el) / float64(s.cfg.HalfLife)
	if halves >= 64 {
		return 0, 0
	}
	f := math.Exp2(-halves)
	return uint64(float64(l.minOff) * f), uint64(float64(l.maxOff) * f)
}

// bounds returns the liquidity bounds of direction dir of a channel of
// capacity c (what is known of it, or [0, c]).
func (s *ProbabilisticScorer) bounds(scid uint64, dir uint8, c uint64) (lo, hi uint64) {
	l, ok := s.ch[scid]
	if !ok {
		return 0, c
	}
	minOff, maxOff := s.decayed(&l)
	if dir == 1 {
		minOff, maxOff = maxOff, minOff
	}
	if minOff > c || maxOff > c-minOff {
		return 0, c // learned against another capacity
	}
	return minOff, c - maxOff
}

// EstimatedLiquidity returns the bounds the scorer holds for a channel
// direction of capacity capMsat, decayed to its time; ok is false when it
// knows nothing of the channel.
func (s *ProbabilisticScorer) EstimatedLiquidity(scid wire.ShortChannelID, dir uint8, capMsat wire.MilliSatoshi) (lo, hi wire.MilliSatoshi, ok bool) {
	s.mu.RLock()
	defer s.mu.RUnlock()
	_, ok = s.ch[scid.ToUint64()]
	l, h := s.bounds(scid.ToUint64(), dir, uint64(capMsat))
	return wire.MilliSatoshi(l), wire.MilliSatoshi(h), ok
}

// mulShift returns a*b >> shift, saturating.
func mulShift(a, b uint64, shift uint) uint64 {
	hi, lo := bits.Mul64(a, b)
	if hi>>shift != 0 {
		return math.MaxUint64
	}
	return hi<<(64-shift) | lo>>shift
}

// Penalty implements Scorer.
func (s *ProbabilisticScorer) Penalty(u ChannelUsage) uint64 {
	s.mu.RLock()
	defer s.mu.RUnlock()
	return s.penalty(u)
}

// MinPenalty implements PenaltyFloor: the base penalty of the amount
// (every hop carries at least the amount delivered).
func (s *ProbabilisticScorer) MinPenalty(amount wire.MilliSatoshi) uint64 {
	if s.cfg.DisableBasePenalty {
		return 0
	}
	return addSat(s.cfg.BasePenaltyMsat, mulShift(s.cfg.BasePenaltyAmountMultiplierMsat, uint64(amount), 30))
}

// penalty is Penalty with the read lock held (the router holds it for a
// whole search).
func (s *ProbabilisticScorer) penalty(u ChannelUsage) uint64 {
	total := addSat(uint64(u.Amount), uint64(u.InFlight))
	var base uint64
	if !s.cfg.DisableBasePenalty {
		base = addSat(s.cfg.BasePenaltyMsat, mulShift(s.cfg.BasePenaltyAmountMultiplierMsat, uint64(u.Amount), 30))
	}
	switch u.CapacityKind {
	case CapacityExact:
		if total > uint64(u.Capacity) {
			return addSat(base, s.cfg.ImpossiblePenaltyMsat)
		}
		return base
	case CapacityUnknown:
		return base
	}
	if s.cfg.DisableLiquidityPenalty {
		return base
	}
	lo, hi := uint64(0), uint64(u.Capacity)
	if k := u.ShortChannelID.ToUint64(); s.maybeKnown(k) {
		lo, hi = s.bounds(k, u.Dir, uint64(u.Capacity))
	}
	switch {
	case total <= lo:
		return base
	case total > hi:
		return addSat(base, s.cfg.ImpossiblePenaltyMsat)
	}
	negLog := maxNegLog10
	if total < hi {
		negLog = min(-math.Log10(float64(hi-total)/float64(hi-lo)), maxNegLog10)
	}
	pen := negLog * (float64(s.cfg.LiquidityPenaltyMultiplierMsat) +
		float64(s.cfg.LiquidityPenaltyAmountMultiplierMsat)*float64(u.Amount)/(1<<20))
	if pen >= math.MaxUint64/2 {
		return math.MaxUint64
	}
	return addSat(base, uint64(pen))
}

// outcome is what one hop of a route tells about its channel.
type outcome uint8

const (
	forwarded  outcome = iota // liquidity was at least the amount
	failedHere                // liquidity was below the amount
	moved                     // the amount was sent and settled
)

// learn applies what route r tells: the hops before failedAt forwarded,
// the one at failedAt failed; with failedAt = -1 every hop forwarded (or,
// with settled, moved the amount).
func (s *ProbabilisticScorer) learn(r *Route, failedAt int, settled bool) {
	s.learnOutcome(r, failedAt, settled, 0)
}

// learnFailure is learn of a failure at failedAt whose channel could not
// carry failedAmount (instead of the amount r sent through it).
func (s *ProbabilisticScorer) learnFailure(r *Route, failedAt int, failedAmount uint64) {
	s.learnOutcome(r, failedAt, false, failedAmount)
}

// learnOutcome is learn; a failedAmount other than zero replaces the
// amount the failed channel could not carry.
func (s *ProbabilisticScorer) learnOutcome(r *Route, failedAt int, settled bool, failedAmount uint64) {
	s.mu.Lock()
	defer s.mu.Unlock()
	for i := range r.Hops {
		h := &r.Hops[i]
		if h.CapacityKind == CapacityExact || h.CapacityKind == CapacityUnknown {
			if i == failedAt {
				return
			}
			continue
		}
		o := forwarded
		switch {
		case i == failedAt:
			o = failedHere
		case settled:
			o = moved
		}
		amt := uint64(r.AmountIn(i))
		if i == failedAt && failedAmount != 0 {
			amt = failedAmount
		}
		s.update(h.ShortChannelID.ToUint64(), direction(r.Source(i), h.NodeID), uint64(h.Capacity), amt, o)
		if i == failedAt {
			return
		}
	}
}

// update narrows the bounds of one channel direction.
func (s *ProbabilisticScorer) update(scid uint64, dir uint8, c, amt uint64, o outcome) {
	if c == 0 {
		return
	}
	lo, hi := s.bounds(scid, dir, c)
	switch o {
	case forwarded:
		lo = max(lo, min(amt, c))
		if lo > hi {
			hi = c
		}
	case failedHere:
		if amt > 0 {
			hi = min(hi, amt-1)
		}
		if lo > hi {
			lo = 0
		}
	case moved:
		lo = max(lo, min(amt, c))
		if lo > hi {
			hi = c
		}
		lo -= min(lo, amt)
		hi -= min(hi, amt)
	}
	minOff, maxOff := lo, c-hi
	if dir == 1 {
		minOff, maxOff = maxOff, minOff
	}
	if minOff == 0 && maxOff == 0 {
		delete(s.ch, scid)
		return
	}
	s.ch[scid] = liquidity{minOff: minOff, maxOff: maxOff, capacity: c, updated: s.now}
	s.mark(scid)
}

// failedIndex returns the hop whose channel is failed, -1 for the zero
// channel (a failure at the payee); ok is false when the route does not
// have the channel (nothing is learned then).
func failedIndex(r *Route, failed wire.ShortChannelID) (i int, ok bool) {
	if failed == (wire.ShortChannelID{}) {
		return -1, true
	}
	for i := range r.Hops {
		if r.Hops[i].ShortChannelID == failed {
			return i, true
		}
	}
	return 0, false
}

// PaymentPathFailed implements Scorer: the hops before failed forwarded
// (their liquidity was at least their amount), failed's was below it.
func (s *ProbabilisticScorer) PaymentPathFailed(r *Route, failed wire.ShortChannelID) {
	if i, ok := failedIndex(r, failed); ok {
		s.learn(r, i, false)
	}
}

// PaymentPathFailedPermanently: r failed at failed with a permanent
// channel failure from the node before it (BOLT 4's PERM bit without
// NODE: unknown_next_peer, permanent_channel_failure, ...): the hops
// before forwarded, failed carries nothing for now. Its upper bound drops
// to zero and decays back like any bound, so the channel is avoided for
// every amount until then, not only for r's. The channel manager calls it
// in place of PaymentPathFailed when its scorer has it.
func (s *ProbabilisticScorer) PaymentPathFailedPermanently(r *Route, failed wire.ShortChannelID) {
	if i, ok := failedIndex(r, failed); ok && i >= 0 {
		s.learnFailure(r, i, 1)
	}
}

// PaymentPathSucceeded implements Scorer: every channel had the amount,
// which then moved to the other side.
func (s *ProbabilisticScorer) PaymentPathSucceeded(r *Route) { s.learn(r, -1, true) }

// ProbeFailed implements Scorer.
func (s *ProbabilisticScorer) ProbeFailed(r *Route, failed wire.ShortChannelID) {
	s.PaymentPathFailed(r, failed)
}

// ProbeSucceeded implements Scorer: every channel had the amount (a
// probe moves nothing).
func (s *ProbabilisticScorer) ProbeSucceeded(r *Route) { s.learn(r, -1, false) }
