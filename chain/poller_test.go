package chain_test

import (
	"context"
	"slices"
	"testing"

	"github.com/btcsuite/btcd/chaincfg/chainhash"
	btcwire "github.com/btcsuite/btcd/wire"
	"github.com/lnkit/lnkit/chain"
	"github.com/lnkit/lnkit/chain/chaintest"
	"github.com/stretchr/testify/require"
)

// newTestPoller returns a poller on src with small defaults.
func newTestPoller(t *testing.T, src chain.BlockSource, mod func(*chain.PollerConfig)) *chain.Poller {
	t.Helper()
	cfg := chain.PollerConfig{Source: src}
	if mod != nil {
		mod(&cfg)
	}
	p, err := chain.NewPoller(cfg)
	require.NoError(t, err)
	return p
}

// TestPollerSync covers catch-up and reorganisations from listeners at
// various places, against the events each listener must see.
func TestPollerSync(t *testing.T) {
	type listenerCase struct {
		start chain.BestBlock
		want  []chaintest.Event
	}
	tests := []struct {
		name string
		// build sets the chain up and returns each listener's start and
		// expected events.
		build func(c *chaintest.Chain) []listenerCase
	}{{
		name: "at tip: nothing to do",
		build: func(c *chaintest.Chain) []listenerCase {
			c.Mine(5)
			return []listenerCase{{start: c.Tip()}}
		},
	}, {
		name: "behind by five",
		build: func(c *chaintest.Chain) []listenerCase {
			c.Mine(3)
			start := c.Tip()
			hs := c.Mine(5)
			return []listenerCase{{start: start, want: c.Connected(hs...)}}
		},
	}, {
		name: "from genesis",
		build: func(c *chaintest.Chain) []listenerCase {
			start := c.Tip()
			hs := c.Mine(30)
			return []listenerCase{{start: start, want: c.Connected(hs...)}}
		},
	}, {
		name: "listeners at different heights",
		build: func(c *chaintest.Chain) []listenerCase {
			hs := c.Mine(10)
			return []listenerCase{
				{start: c.BestBlockOf(c.At(0)), want: c.Connected(hs...)},
				{start: c.BestBlockOf(hs[2]), want: c.Connected(hs[3:]...)},
				{start: c.BestBlockOf(hs[6]), want: c.Connected(hs[7:]...)},
				{start: c.BestBlockOf(hs[9])},
			}
		},
	}, {
		name: "one block reorg, longer branch",
		build: func(c *chaintest.Chain) []listenerCase {
			base := c.Mine(9)
			a := c.Mine(1)
			start := c.Tip()
			b := c.Branch(base[len(base)-1], 2)
			c.SetTip(b[1])
			return []listenerCase{{start: start, want: append(c.Disconnected(a...), c.Connected(b...)...)}}
		},
	}, {
		name: "deep reorg",
		build: func(c *chaintest.Chain) []listenerCase {
			base := c.Mine(2)
			a := c.Mine(18)
			start := c.Tip()
			b := c.Branch(base[1], 23)
			c.SetTip(b[len(b)-1])
			return []listenerCase{{start: start, want: append(c.Disconnected(reversed(a)...), c.Connected(b...)...)}}
		},
	}, {
		name: "reorg to a shorter chain",
		build: func(c *chaintest.Chain) []listenerCase {
			base := c.Mine(8)
			a := c.Mine(4)
			start := c.Tip()
			b := c.Branch(base[7], 2)
			c.SetTip(b[1])
			return []listenerCase{{start: start, want: append(c.Disconnected(reversed(a)...), c.Connected(b...)...)}}
		},
	}, {
		name: "tip moved back without a new branch",
		build: func(c *chaintest.Chain) []listenerCase {
			base := c.Mine(8)
			a := c.Mine(3)
			start := c.Tip()
			c.SetTip(base[7])
			return []listenerCase{{start: start, want: c.Disconnected(reversed(a)...)}}
		},
	}, {
		name: "listener on a stale branch the poller never saw",
		build: func(c *chaintest.Chain) []listenerCase {
			base := c.Mine(5)
			stale := c.Branch(base[2], 4) // heights 4..7
			main := c.Mine(6)             // heights 6..11
			return []listenerCase{{
				start: c.BestBlockOf(stale[3]),
				want:  append(c.Disconnected(reversed(stale)...), c.Connected(append(base[3:], main...)...)...),
			}}
		},
	}, {
		name: "listeners on different stale branches and the main chain",
		build: func(c *chaintest.Chain) []listenerCase {
			base := c.Mine(4)
			s1 := c.Branch(base[0], 6) // heights 2..7
			s2 := c.Branch(base[2], 2) // heights 4..5
			main := c.Mine(4)          // heights 5..8
			all := append(slices.Clone(base), main...)
			return []listenerCase{
				{start: c.BestBlockOf(s1[5]), want: append(c.Disconnected(reversed(s1)...), c.Connected(all[1:]...)...)},
				{start: c.BestBlockOf(s2[1]), want: append(c.Disconnected(reversed(s2)...), c.Connected(all[3:]...)...)},
				{start: c.BestBlockOf(base[1]), want: c.Connected(all[2:]...)},
				{start: c.Tip()},
			}
		},
	}, {
		name: "listener ahead on the main chain's old tip and one behind",
		build: func(c *chaintest.Chain) []listenerCase {
			base := c.Mine(6)
			a := c.Mine(2)
			ahead := c.Tip()
			b := c.Branch(base[5], 1)
			c.SetTip(b[0])
			return []listenerCase{
				{start: ahead, want: append(c.Disconnected(reversed(a)...), c.Connected(b...)...)},
				{start: c.BestBlockOf(base[3]), want: c.Connected(base[4], base[5], b[0])},
			}
		},
	}}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			for _, withHeights := range []bool{false, true} {
				c := chaintest.NewChain()
				cases := tc.build(c)
				p := newTestPoller(t, source(c, withHeights), func(cfg *chain.PollerConfig) { cfg.MaxBlocksPerStep = 3 })
				recs := make([]*chaintest.Recorder, len(cases))
				for i, lc := range cases {
					recs[i] = chaintest.NewRecorder(t, lc.start)
					p.AddListener(recs[i], lc.start)
				}
				require.NoError(t, p.PollOnce(context.Background()))
				for i, lc := range cases {
					require.Equal(t, lc.want, nilIfEmpty(recs[i].Take()), "listener %d (heights %v)", i, withHeights)
					require.Equal(t, c.Tip(), recs[i].Best(), "listener %d", i)
				}
				// A second poll finds nothing to do.
				require.NoError(t, p.PollOnce(context.Background()))
				for i := range cases {
					require.Empty(t, recs[i].Take(), "listener %d", i)
				}
			}
		})
	}
}

// nilIfEmpty normalises an empty event list for comparisons.
func nilIfEmpty(ev []chaintest.Event) []chaintest.Event {
	if len(ev) == 0 {
		return nil
	}
	return ev
}

// TestPollerFetchesEachBlockOnce checks that listeners needing the same block
// share one fetch.
func TestPollerFetchesEachBlockOnce(t *testing.T) {
	c := chaintest.NewChain()
	hs := c.Mine(20)
	p := newTestPoller(t, c, nil)
	for i := range 5 {
		start := c.BestBlockOf(c.At(int32(i * 3)))
		p.AddListener(chaintest.NewRecorder(t, start), start)
	}
	require.NoError(t, p.PollOnce(context.Background()))
	require.Equal(t, len(hs), c.Calls().Block)
}

// TestPollerSourceErrors injects a failure at each call of a sync that
// includes a reorg and checks that retrying delivers every event exactly
// once, in order.
func TestPollerSourceErrors(t *testing.T) {
	// build makes a chain where the listener must disconnect 3 blocks and
	// connect 5, and returns the listener's start and expected events.
	build := func() (*chaintest.Chain, chain.BestBlock, []chaintest.Event) {
		c := chaintest.NewChain()
		base := c.Mine(4)
		a := c.Mine(3)
		start := c.Tip()
		b := c.Branch(base[3], 5)
		c.SetTip(b[4])
		return c, start, append(c.Disconnected(reversed(a)...), c.Connected(b...)...)
	}
	// Count the calls of a clean run.
	c, start, _ := build()
	p := newTestPoller(t, c, nil)
	p.AddListener(chaintest.NewRecorder(t, start), start)
	require.NoError(t, p.PollOnce(context.Background()))
	totals := map[string]int{"best": c.Calls().BestBlock, "header": c.Calls().Header, "block": c.Calls().Block}

	for kind, total := range totals {
		for failAt := 1; failAt <= total; failAt++ {
			c, start, want := build()
			n := 0
			fail := func() error {
				n++
				if n == failAt {
					return errFake
				}
				return nil
			}
			switch kind {
			case "best":
				c.SetHooks(chaintest.Hooks{BestBlock: fail})
			case "header":
				c.SetHooks(chaintest.Hooks{Header: func(chainhash.Hash) error { return fail() }})
			case "block":
				c.SetHooks(chaintest.Hooks{Block: func(chainhash.Hash) error { return fail() }})
			}
			// A tiny cache forces header re-fetches after the failure.
			p := newTestPoller(t, c, func(cfg *chain.PollerConfig) { cfg.HeaderCacheSize = 2 })
			rec := chaintest.NewRecorder(t, start)
			p.AddListener(rec, start)
			err := p.PollOnce(context.Background())
			require.ErrorIs(t, err, errFake, "%s call %d", kind, failAt)
			require.NoError(t, p.PollOnce(context.Background()), "%s call %d", kind, failAt)
			require.Equal(t, want, rec.Take(), "%s call %d", kind, failAt)
			require.Equal(t, c.Tip(), rec.Best())
		}
	}
}

// TestPollerReorgDuringCatchUp switches the main chain while a poll is
// connecting blocks. The poll finishes the branch it started on (the blocks
// still exist); the next one reorgs. A variant makes the stale blocks
// disappear, so the poll fails half way and the next one recovers.
func TestPollerReorgDuringCatchUp(t *testing.T) {
	for _, forget := range []bool{false, true} {
		c := chaintest.NewChain()
		base := c.Mine(3)
		a := c.Mine(10) // heights 4..13
		b := c.Branch(base[2], 12)
		start := c.BestBlockOf(c.At(0))
		fetched := 0
		c.SetHooks(chaintest.Hooks{AfterBlock: func(chainhash.Hash) {
			fetched++
			if fetched == 6 { // listener is at height 6 of branch a
				c.SetTip(b[len(b)-1])
				if forget {
					c.Forget(a...)
				}
			}
		}})
		p := newTestPoller(t, c, nil)
		rec := chaintest.NewRecorder(t, start)
		p.AddListener(rec, start)

		err := p.PollOnce(context.Background())
		if forget {
			require.Error(t, err)
			// The listener got blocks 1..6 (3 of base, 3 of a).
			require.Equal(t, c.Connected(append(slices.Clone(base), a[:3]...)...), rec.Take())
			// The stale blocks are unknown to the source now, but their
			// headers are cached: the listener walks back to the fork.
			require.NoError(t, p.PollOnce(context.Background()))
			require.Equal(t, append(c.Disconnected(reversed(a[:3])...), c.Connected(b...)...), rec.Take())
		} else {
			require.NoError(t, err)
			require.Equal(t, c.Connected(append(slices.Clone(base), a...)...), rec.Take())
			require.NoError(t, p.PollOnce(context.Background()))
			require.Equal(t, append(c.Disconnected(reversed(a)...), c.Connected(b...)...), rec.Take())
		}
		require.Equal(t, c.Tip(), rec.Best())
	}
}

// TestPollerChunkedCatchUp checks bounded steps with a chain.BlockHashSource: a
// listener far behind gets every block, and the poller never holds more
// headers than the cache bound.
func TestPollerChunkedCatchUp(t *testing.T) {
	c := chaintest.NewChain()
	hs := c.Mine(95)
	p := newTestPoller(t, c, func(cfg *chain.PollerConfig) {
		cfg.MaxBlocksPerStep = 10
		cfg.HeaderCacheSize = 16
	})
	low := chaintest.NewRecorder(t, c.BestBlockOf(c.At(0)))
	mid := chaintest.NewRecorder(t, c.BestBlockOf(hs[49]))
	p.AddListener(low, low.Best())
	p.AddListener(mid, mid.Best())
	require.NoError(t, p.PollOnce(context.Background()))
	require.Equal(t, c.Connected(hs...), low.Take())
	require.Equal(t, c.Connected(hs[50:]...), mid.Take())
	require.LessOrEqual(t, chain.CachedHeaders(p), 16)
	require.Equal(t, 9, c.Calls().BlockHash) // steps to 10, 20, ... 90, then the tip
	require.Equal(t, len(hs), c.Calls().Block)
}

// TestPollerListenerErrors covers listeners the source cannot place.
func TestPollerListenerErrors(t *testing.T) {
	c := chaintest.NewChain()
	c.Mine(5)
	other := chaintest.NewChainSeed(1000) // another genesis
	otherBlocks := other.Mine(2)

	t.Run("wrong height", func(t *testing.T) {
		p := newTestPoller(t, c, nil)
		start := chain.BestBlock{Hash: c.At(3), Height: 2}
		p.AddListener(chaintest.NewRecorder(t, start), start)
		require.ErrorIs(t, p.PollOnce(context.Background()), chain.ErrListenerBlock)
	})
	t.Run("unknown block", func(t *testing.T) {
		p := newTestPoller(t, c, nil)
		start := other.BestBlockOf(otherBlocks[1])
		p.AddListener(chaintest.NewRecorder(t, start), start)
		require.Error(t, p.PollOnce(context.Background()))
	})
	t.Run("different genesis", func(t *testing.T) {
		// A source that knows both chains, with c's as main chain.
		p := newTestPoller(t, mergedSource{c, other}, nil)
		start := other.BestBlockOf(otherBlocks[1])
		rec := chaintest.NewRecorder(t, start)
		p.AddListener(rec, start)
		require.ErrorIs(t, p.PollOnce(context.Background()), chain.ErrNoForkPoint)
	})
}

// mergedSource answers for the blocks of two chains, with the first's main
// chain.
type mergedSource struct {
	*chaintest.Chain
	other *chaintest.Chain
}

// Header implements chain.BlockSource.
func (s mergedSource) Header(ctx context.Context, hash chainhash.Hash) (*chain.HeaderData, error) {
	if h, err := s.Chain.Header(ctx, hash); err == nil {
		return h, nil
	}
	return s.other.Header(ctx, hash)
}

// Block implements chain.BlockSource.
func (s mergedSource) Block(ctx context.Context, hash chainhash.Hash) (*btcwire.MsgBlock, error) {
	if b, err := s.Chain.Block(ctx, hash); err == nil {
		return b, nil
	}
	return s.other.Block(ctx, hash)
}

// lyingSource wraps a fakeChain and corrupts its answers.
type lyingSource struct {
	*chaintest.Chain
	badHeader   bool
	badHeight   bool
	tamperBlock bool
}

// Header implements chain.BlockSource, optionally lying.
func (s *lyingSource) Header(ctx context.Context, hash chainhash.Hash) (*chain.HeaderData, error) {
	h, err := s.Chain.Header(ctx, hash)
	if err != nil {
		return nil, err
	}
	if s.badHeader {
		h.Header.Nonce++
	}
	if s.badHeight && h.Height > 0 {
		h.Height += 7
	}
	return h, nil
}

// Block implements chain.BlockSource, optionally returning a block whose
// transactions do not match its merkle root.
func (s *lyingSource) Block(ctx context.Context, hash chainhash.Hash) (*btcwire.MsgBlock, error) {
	b, err := s.Chain.Block(ctx, hash)
	if err != nil || !s.tamperBlock {
		return b, err
	}
	cp := *b
	tx := btcwire.NewMsgTx(2)
	tx.AddTxIn(&btcwire.TxIn{})
	cp.Transactions = append(slices.Clone(b.Transactions), tx)
	return &cp, nil
}

// TestPollerRejectsInconsistentSource checks the integrity checks.
func TestPollerRejectsInconsistentSource(t *testing.T) {
	tests := []struct {
		name string
		src  func(c *chaintest.Chain) *lyingSource
		skip bool // SkipMerkleCheck
		ok   bool
	}{
		{name: "header hash mismatch", src: func(c *chaintest.Chain) *lyingSource { return &lyingSource{Chain: c, badHeader: true} }},
		{name: "header height mismatch", src: func(c *chaintest.Chain) *lyingSource { return &lyingSource{Chain: c, badHeight: true} }},
		{name: "merkle mismatch", src: func(c *chaintest.Chain) *lyingSource { return &lyingSource{Chain: c, tamperBlock: true} }},
		{name: "merkle mismatch, check skipped", skip: true, ok: true, src: func(c *chaintest.Chain) *lyingSource { return &lyingSource{Chain: c, tamperBlock: true} }},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			c := chaintest.NewChain()
			start := c.Tip()
			c.Mine(3)
			p := newTestPoller(t, tc.src(c), func(cfg *chain.PollerConfig) { cfg.SkipMerkleCheck = tc.skip })
			rec := chaintest.NewRecorder(t, start)
			p.AddListener(rec, start)
			err := p.PollOnce(context.Background())
			if tc.ok {
				require.NoError(t, err)
				return
			}
			require.ErrorIs(t, err, chain.ErrInconsistentSource)
			require.Empty(t, rec.Take())
		})
	}
}

// TestPollerAddListenerFromCallback checks that a listener may register
// another one from inside a callback; the new one joins at the next poll.
func TestPollerAddListenerFromCallback(t *testing.T) {
	c := chaintest.NewChain()
	start := c.Tip()
	hs := c.Mine(3)
	p := newTestPoller(t, c, nil)
	late := chaintest.NewRecorder(t, c.BestBlockOf(hs[0]))
	first := chaintest.NewRecorder(t, start)
	added := false
	first.OnCall(func() {
		if !added {
			added = true
			p.AddListener(late, late.Best())
		}
	})
	p.AddListener(first, start)
	require.NoError(t, p.PollOnce(context.Background()))
	require.Empty(t, late.Take())
	require.NoError(t, p.PollOnce(context.Background()))
	require.Equal(t, c.Connected(hs[1:]...), late.Take())
}

// TestPollerNoListeners checks that a poll without listeners does not touch
// the source.
func TestPollerNoListeners(t *testing.T) {
	c := chaintest.NewChain()
	p := newTestPoller(t, c, nil)
	require.NoError(t, p.PollOnce(context.Background()))
	require.Zero(t, c.Calls().BestBlock)
}
