package chain

import (
	"context"
	"fmt"
	"log/slog"
	"sync"
	"time"

	"github.com/btcsuite/btcd/chaincfg/chainhash"
	btcwire "github.com/btcsuite/btcd/wire"
	"github.com/lnkit/lnkit/internal/configerr"
)

// Defaults of [PollerConfig].
const (
	// DefaultPollInterval is the wait between two polls of the tip.
	DefaultPollInterval = 5 * time.Second

	// DefaultMinBackoff is the wait after the first failed poll.
	DefaultMinBackoff = time.Second

	// DefaultMaxBackoff caps the wait between failed polls.
	DefaultMaxBackoff = time.Minute

	// DefaultHeaderCacheSize is the number of headers kept: two weeks of
	// blocks.
	DefaultHeaderCacheSize = 2016

	// DefaultMaxBlocksPerStep bounds one catch-up step.
	DefaultMaxBlocksPerStep int32 = 2016
)

// PollerConfig configures a [Poller]. The zero value of each optional field
// means its default; negative values are invalid.
type PollerConfig struct {
	// Source serves the chain. Required. If it also implements
	// [BlockHashSource], listeners far behind are caught up in steps of
	// MaxBlocksPerStep.
	Source BlockSource

	// Interval is the wait between two polls of the tip. Zero means
	// DefaultPollInterval.
	Interval time.Duration

	// MinBackoff is the wait after the first failed poll; it doubles with
	// each further failure up to MaxBackoff. Zero means DefaultMinBackoff.
	MinBackoff time.Duration

	// MaxBackoff caps the wait between failed polls; it must not be below
	// MinBackoff. Zero means DefaultMaxBackoff (or MinBackoff, if that is
	// larger).
	MaxBackoff time.Duration

	// HeaderCacheSize bounds the number of headers kept in memory. Zero
	// means DefaultHeaderCacheSize.
	HeaderCacheSize int

	// MaxBlocksPerStep bounds how many blocks one catch-up step spans when
	// Source implements BlockHashSource, and so the headers held at once.
	// Zero means DefaultMaxBlocksPerStep.
	MaxBlocksPerStep int32

	// SkipMerkleCheck turns off the check that each block's transactions
	// match its header's merkle root. Leave it off unless the source is
	// trusted and the cost of hashing every transaction matters.
	SkipMerkleCheck bool

	// Clock provides timers to Run. Nil means the system clock.
	Clock Clock

	// Logger receives poll failures and reorganisations. Nil discards
	// them.
	Logger *slog.Logger
}

// validate checks cfg and fills in the defaults.
func (cfg PollerConfig) validate() (PollerConfig, error) {
	switch {
	case cfg.Source == nil:
		return cfg, configerr.New("chain", "Source", "required")
	case cfg.Interval < 0:
		return cfg, configerr.New("chain", "Interval", "negative")
	case cfg.MinBackoff < 0:
		return cfg, configerr.New("chain", "MinBackoff", "negative")
	case cfg.MaxBackoff < 0:
		return cfg, configerr.New("chain", "MaxBackoff", "negative")
	case cfg.HeaderCacheSize < 0:
		return cfg, configerr.New("chain", "HeaderCacheSize", "negative")
	case cfg.MaxBlocksPerStep < 0:
		return cfg, configerr.New("chain", "MaxBlocksPerStep", "negative")
	}
	if cfg.Interval == 0 {
		cfg.Interval = DefaultPollInterval
	}
	if cfg.MinBackoff == 0 {
		cfg.MinBackoff = DefaultMinBackoff
	}
	if cfg.MaxBackoff == 0 {
		cfg.MaxBackoff = max(DefaultMaxBackoff, cfg.MinBackoff)
	}
	if cfg.MaxBackoff < cfg.MinBackoff {
		return cfg, configerr.New("chain", "MaxBackoff", "below MinBackoff")
	}
	if cfg.HeaderCacheSize == 0 {
		cfg.HeaderCacheSize = DefaultHeaderCacheSize
	}
	if cfg.MaxBlocksPerStep == 0 {
		cfg.MaxBlocksPerStep = DefaultMaxBlocksPerStep
	}
	if cfg.Clock == nil {
		cfg.Clock = systemClock{}
	}
	if cfg.Logger == nil {
		cfg.Logger = slog.New(slog.DiscardHandler)
	}
	return cfg, nil
}

// Poller keeps any number of [Listen]ers at the tip of a [BlockSource].
//
// Each listener is registered with the block it processed last. A poll
// (PollOnce, or each round of Run) fetches the source's tip; walks every
// listener whose best block left the main chain back to the fork point,
// disconnecting blocks newest first; then connects the missing blocks oldest
// first, fetching each block once for all listeners that need it. A listener's
// progress is recorded block by block, so a poll that fails half way resumes
// where it stopped: no block is skipped or delivered twice.
//
// Polls are serialised; listeners are called from the polling goroutine and
// must not call PollOnce themselves (AddListener and Poke are fine).
type Poller struct {
	cfg    PollerConfig
	hashes BlockHashSource
	clock  Clock
	log    *slog.Logger
	wake   chan struct{}

	mu        sync.Mutex // held for a whole poll
	cache     *headerCache
	listeners []*listenerState

	pendingMu sync.Mutex
	pending   []*listenerState
}

// listenerState is a registered listener and the last block it processed.
type listenerState struct {
	l    Listen
	best BestBlock
}

// NewPoller returns a poller for cfg. It fails with an error matching
// [ErrInvalidConfig] that names the field when cfg is invalid.
func NewPoller(cfg PollerConfig) (*Poller, error) {
	cfg, err := cfg.validate()
	if err != nil {
		return nil, err
	}
	p := &Poller{
		cfg:   cfg,
		clock: cfg.Clock,
		log:   cfg.Logger,
		wake:  make(chan struct{}, 1),
		cache: newHeaderCache(cfg.HeaderCacheSize),
	}
	if hs, ok := cfg.Source.(BlockHashSource); ok {
		p.hashes = hs
	}
	return p, nil
}

// AddListener registers l, whose last processed block is best. It takes effect
// at the start of the next poll, which catches l up. It is safe to call from
// any goroutine, including from inside a listener callback.
func (p *Poller) AddListener(l Listen, best BestBlock) {
	p.pendingMu.Lock()
	p.pending = append(p.pending, &listenerState{l: l, best: best})
	p.pendingMu.Unlock()
}

// Poke makes a running Run poll now instead of at the end of its wait, for
// callers that learn of new blocks by other means (e.g. ZMQ notifications).
func (p *Poller) Poke() {
	select {
	case p.wake <- struct{}{}:
	default:
	}
}

// Run polls until ctx ends, then returns ctx.Err(). It polls at once, then
// every Interval; after a failure it waits an exponentially growing backoff
// (MinBackoff doubling up to MaxBackoff) and retries.
func (p *Poller) Run(ctx context.Context) error {
	failures := 0
	for {
		wait := p.cfg.Interval
		if err := p.PollOnce(ctx); err != nil {
			if ctx.Err() != nil {
				return ctx.Err()
			}
			failures++
			wait = backoff(failures, p.cfg.MinBackoff, p.cfg.MaxBackoff)
			p.log.Warn("chain: poll failed", "err", err, "failures", failures, "retry_in", wait)
		} else if failures > 0 {
			p.log.Info("chain: block source is back", "after_failures", failures)
			failures = 0
		}
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-p.wake:
		case <-p.clock.After(wait):
		}
	}
}

// PollOnce brings every listener to the source's current tip, without
// goroutines or timers. An error leaves each listener at a consistent block
// it has been told about; the next poll resumes from there.
func (p *Poller) PollOnce(ctx context.Context) error {
	p.mu.Lock()
	defer p.mu.Unlock()

	p.pendingMu.Lock()
	p.listeners = append(p.listeners, p.pending...)
	p.pending = nil
	p.pendingMu.Unlock()
	if len(p.listeners) == 0 {
		return nil
	}

	tipHash, tipHeight, err := p.cfg.Source.BestBlock(ctx)
	if err != nil {
		return fmt.Errorf("chain: best block: %w", err)
	}
	tip, err := p.header(ctx, tipHash)
	if err != nil {
		return err
	}
	if tip.Height != tipHeight {
		return fmt.Errorf("%w: best block %s at height %d, its header says %d",
			ErrInconsistentSource, tipHash, tipHeight, tip.Height)
	}

	for {
		target, partial, err := p.stepTarget(ctx, tip)
		if err != nil {
			return err
		}
		if err := p.syncTo(ctx, target, partial); err != nil {
			return err
		}
		if !partial {
			return nil
		}
	}
}

// stepTarget picks the block to sync to in this step: the tip, or, when the
// source can look blocks up by height and the lowest listener is more than
// MaxBlocksPerStep behind, the main-chain block MaxBlocksPerStep above it
// (partial = true).
func (p *Poller) stepTarget(ctx context.Context, tip *HeaderData) (*HeaderData, bool, error) {
	if p.hashes == nil {
		return tip, false, nil
	}
	lowest := tip.Height
	for _, ls := range p.listeners {
		lowest = min(lowest, ls.best.Height)
	}
	if lowest < 0 || tip.Height-lowest <= p.cfg.MaxBlocksPerStep {
		return tip, false, nil
	}
	height := lowest + p.cfg.MaxBlocksPerStep
	hash, err := p.hashes.BlockHash(ctx, height)
	if err != nil {
		return nil, false, fmt.Errorf("chain: block hash at height %d: %w", height, err)
	}
	target, err := p.header(ctx, hash)
	if err != nil {
		return nil, false, err
	}
	if target.Height != height {
		return nil, false, fmt.Errorf("%w: block %s asked at height %d is at %d",
			ErrInconsistentSource, hash, height, target.Height)
	}
	return target, true, nil
}

// syncTo moves listeners onto target: all of them, or when partial only those
// below target's height (the others are past this step).
func (p *Poller) syncTo(ctx context.Context, target *HeaderData, partial bool) error {
	anc := &ancestry{p: p, chain: []*HeaderData{target}}
	active := make([]*listenerState, 0, len(p.listeners))
	for _, ls := range p.listeners {
		if partial && ls.best.Height >= target.Height {
			continue
		}
		if err := p.disconnectStale(ctx, ls, anc); err != nil {
			return err
		}
		active = append(active, ls)
	}
	if len(active) == 0 {
		return nil
	}

	low := target.Height
	for _, ls := range active {
		low = min(low, ls.best.Height)
	}
	for h := low + 1; h <= target.Height; h++ {
		hdr, err := anc.at(ctx, h)
		if err != nil {
			return err
		}
		var block *btcwire.MsgBlock
		for _, ls := range active {
			if ls.best.Height != h-1 {
				continue
			}
			if ls.best.Hash != hdr.Header.PrevBlock {
				return fmt.Errorf("%w: block %s at height %d does not extend %s",
					ErrInconsistentSource, hdr.Hash, h, ls.best.Hash)
			}
			if block == nil {
				if block, err = p.block(ctx, hdr); err != nil {
					return err
				}
			}
			ls.l.BlockConnected(block, h)
			ls.best = BestBlock{Hash: hdr.Hash, Height: h}
		}
	}
	return nil
}

// disconnectStale walks ls back, block by block, until its best block is on
// target's chain (at or below target's height).
func (p *Poller) disconnectStale(ctx context.Context, ls *listenerState, anc *ancestry) error {
	cur, err := p.header(ctx, ls.best.Hash)
	if err != nil {
		return err
	}
	if cur.Height != ls.best.Height {
		return fmt.Errorf("%w: listener block %s declared at height %d, source says %d",
			ErrListenerBlock, ls.best.Hash, ls.best.Height, cur.Height)
	}
	target := anc.chain[0]
	for {
		if cur.Height <= target.Height {
			main, err := anc.at(ctx, cur.Height)
			if err != nil {
				return err
			}
			if main.Hash == cur.Hash {
				return nil
			}
		}
		if cur.Height == 0 {
			return ErrNoForkPoint
		}
		// Fetch the parent before disconnecting, so a failure leaves the
		// listener where it is.
		parent, err := p.parent(ctx, cur)
		if err != nil {
			return err
		}
		header := cur.Header
		ls.l.BlockDisconnected(&header, cur.Height)
		ls.best = BestBlock{Hash: parent.Hash, Height: parent.Height}
		if cur.Height > target.Height {
			p.log.Debug("chain: disconnected block above the tip", "hash", cur.Hash, "height", cur.Height)
		} else {
			p.log.Info("chain: disconnected stale block", "hash", cur.Hash, "height", cur.Height)
		}
		cur = parent
	}
}

// ancestry is the chain of headers from a target block down, fetched lazily:
// chain[i] is at height chain[0].Height-i.
type ancestry struct {
	p     *Poller
	chain []*HeaderData
}

// at returns target's ancestor at height (0 <= height <= target height).
func (a *ancestry) at(ctx context.Context, height int32) (*HeaderData, error) {
	top := a.chain[0].Height
	if height > top || height < 0 {
		return nil, fmt.Errorf("chain: no ancestor at height %d of block at %d", height, top)
	}
	for int32(len(a.chain)) <= top-height {
		parent, err := a.p.parent(ctx, a.chain[len(a.chain)-1])
		if err != nil {
			return nil, err
		}
		a.chain = append(a.chain, parent)
	}
	return a.chain[top-height], nil
}

// parent returns the header of child's parent, checking its height.
func (p *Poller) parent(ctx context.Context, child *HeaderData) (*HeaderData, error) {
	if child.Height == 0 {
		return nil, ErrNoForkPoint
	}
	parent, err := p.header(ctx, child.Header.PrevBlock)
	if err != nil {
		return nil, err
	}
	if parent.Height != child.Height-1 {
		return nil, fmt.Errorf("%w: parent %s of block at height %d is at height %d",
			ErrInconsistentSource, parent.Hash, child.Height, parent.Height)
	}
	return parent, nil
}

// header returns the header of the block with hash, from the cache or the
// source, checking that it hashes to hash.
func (p *Poller) header(ctx context.Context, hash chainhash.Hash) (*HeaderData, error) {
	if h, ok := p.cache.get(hash); ok {
		return h, nil
	}
	got, err := p.cfg.Source.Header(ctx, hash)
	if err != nil {
		return nil, fmt.Errorf("chain: header %s: %w", hash, err)
	}
	if got == nil || got.Header.BlockHash() != hash {
		return nil, fmt.Errorf("%w: header asked for %s hashes differently", ErrInconsistentSource, hash)
	}
	if got.Height < 0 {
		return nil, fmt.Errorf("%w: header %s at negative height %d", ErrInconsistentSource, hash, got.Height)
	}
	h := &HeaderData{Header: got.Header, Hash: hash, Height: got.Height}
	p.cache.put(h)
	return h, nil
}

// block fetches the block of hdr from the source and checks it against hdr.
func (p *Poller) block(ctx context.Context, hdr *HeaderData) (*btcwire.MsgBlock, error) {
	block, err := p.cfg.Source.Block(ctx, hdr.Hash)
	if err != nil {
		return nil, fmt.Errorf("chain: block %s: %w", hdr.Hash, err)
	}
	if block == nil || block.Header.BlockHash() != hdr.Hash {
		return nil, fmt.Errorf("%w: block asked for %s hashes differently", ErrInconsistentSource, hdr.Hash)
	}
	if !p.cfg.SkipMerkleCheck {
		root, mutated := merkleRoot(block.Transactions)
		if root != block.Header.MerkleRoot || mutated {
			return nil, fmt.Errorf("%w: block %s transactions do not match its merkle root",
				ErrInconsistentSource, hdr.Hash)
		}
	}
	return block, nil
}
