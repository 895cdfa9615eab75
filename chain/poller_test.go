package chain

import (
	"context"
	"slices"
	"testing"

	"github.com/btcsuite/btcd/chaincfg/chainhash"
	btcwire "github.com/btcsuite/btcd/wire"
	"github.com/stretchr/testify/require"
)

// newTestPoller returns a poller on src with small defaults.
func newTestPoller(t *testing.T, src BlockSource, mod func(*PollerConfig)) *Poller {
	t.Helper()
	cfg := PollerConfig{Source: src}
	if mod != nil {
		mod(&cfg)
	}
	p, err := NewPoller(cfg)
	require.NoError(t, err)
	return p
}

// TestPollerSync covers catch-up and reorganisations from listeners at
// various places, against the events each listener must see.
func TestPollerSync(t *testing.T) {
	type listenerCase struct {
		start BestBlock
		want  []event
	}
	tests := []struct {
		name string
		// build sets the chain up and returns each listener's start and
		// expected events.
		build func(c *fakeChain) []listenerCase
	}{{
		name: "at tip: nothing to do",
		build: func(c *fakeChain) []listenerCase {
			c.mine(5)
			return []listenerCase{{start: c.best()}}
		},
	}, {
		name: "behind by five",
		build: func(c *fakeChain) []listenerCase {
			c.mine(3)
			start := c.best()
			hs := c.mine(5)
			return []listenerCase{{start: start, want: connects(c, hs...)}}
		},
	}, {
		name: "from genesis",
		build: func(c *fakeChain) []listenerCase {
			start := c.best()
			hs := c.mine(30)
			return []listenerCase{{start: start, want: connects(c, hs...)}}
		},
	}, {
		name: "listeners at different heights",
		build: func(c *fakeChain) []listenerCase {
			hs := c.mine(10)
			return []listenerCase{
				{start: c.bb(c.at(0)), want: connects(c, hs...)},
				{start: c.bb(hs[2]), want: connects(c, hs[3:]...)},
				{start: c.bb(hs[6]), want: connects(c, hs[7:]...)},
				{start: c.bb(hs[9])},
			}
		},
	}, {
		name: "one block reorg, longer branch",
		build: func(c *fakeChain) []listenerCase {
			base := c.mine(9)
			a := c.mine(1)
			start := c.best()
			b := c.branch(base[len(base)-1], 2)
			c.setTip(b[1])
			return []listenerCase{{start: start, want: append(disconnects(c, a...), connects(c, b...)...)}}
		},
	}, {
		name: "deep reorg",
		build: func(c *fakeChain) []listenerCase {
			base := c.mine(2)
			a := c.mine(18)
			start := c.best()
			b := c.branch(base[1], 23)
			c.setTip(b[len(b)-1])
			return []listenerCase{{start: start, want: append(disconnects(c, reversed(a)...), connects(c, b...)...)}}
		},
	}, {
		name: "reorg to a shorter chain",
		build: func(c *fakeChain) []listenerCase {
			base := c.mine(8)
			a := c.mine(4)
			start := c.best()
			b := c.branch(base[7], 2)
			c.setTip(b[1])
			return []listenerCase{{start: start, want: append(disconnects(c, reversed(a)...), connects(c, b...)...)}}
		},
	}, {
		name: "tip moved back without a new branch",
		build: func(c *fakeChain) []listenerCase {
			base := c.mine(8)
			a := c.mine(3)
			start := c.best()
			c.setTip(base[7])
			return []listenerCase{{start: start, want: disconnects(c, reversed(a)...)}}
		},
	}, {
		name: "listener on a stale branch the poller never saw",
		build: func(c *fakeChain) []listenerCase {
			base := c.mine(5)
			stale := c.branch(base[2], 4) // heights 4..7
			main := c.mine(6)             // heights 6..11
			return []listenerCase{{
				start: c.bb(stale[3]),
				want:  append(disconnects(c, reversed(stale)...), connects(c, append(base[3:], main...)...)...),
			}}
		},
	}, {
		name: "listeners on different stale branches and the main chain",
		build: func(c *fakeChain) []listenerCase {
			base := c.mine(4)
			s1 := c.branch(base[0], 6) // heights 2..7
			s2 := c.branch(base[2], 2) // heights 4..5
			main := c.mine(4)          // heights 5..8
			all := append(slices.Clone(base), main...)
			return []listenerCase{
				{start: c.bb(s1[5]), want: append(disconnects(c, reversed(s1)...), connects(c, all[1:]...)...)},
				{start: c.bb(s2[1]), want: append(disconnects(c, reversed(s2)...), connects(c, all[3:]...)...)},
				{start: c.bb(base[1]), want: connects(c, all[2:]...)},
				{start: c.best()},
			}
		},
	}, {
		name: "listener ahead on the main chain's old tip and one behind",
		build: func(c *fakeChain) []listenerCase {
			base := c.mine(6)
			a := c.mine(2)
			ahead := c.best()
			b := c.branch(base[5], 1)
			c.setTip(b[0])
			return []listenerCase{
				{start: ahead, want: append(disconnects(c, reversed(a)...), connects(c, b...)...)},
				{start: c.bb(base[3]), want: connects(c, base[4], base[5], b[0])},
			}
		},
	}}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			for _, withHeights := range []bool{false, true} {
				c := newFakeChain()
				cases := tc.build(c)
				var src BlockSource = c
				if withHeights {
					src = &heightSource{fakeChain: c}
				}
				p := newTestPoller(t, src, func(cfg *PollerConfig) { cfg.MaxBlocksPerStep = 3 })
				recs := make([]*recListener, len(cases))
				for i, lc := range cases {
					recs[i] = newRec(t, tc.name, lc.start)
					p.AddListener(recs[i], lc.start)
				}
				require.NoError(t, p.PollOnce(context.Background()))
				for i, lc := range cases {
					require.Equal(t, lc.want, nilIfEmpty(recs[i].take()), "listener %d (heights %v)", i, withHeights)
					require.Equal(t, c.best(), recs[i].at(), "listener %d", i)
				}
				// A second poll finds nothing to do.
				require.NoError(t, p.PollOnce(context.Background()))
				for i := range cases {
					require.Empty(t, recs[i].take(), "listener %d", i)
				}
			}
		})
	}
}

// nilIfEmpty normalises an empty event list for comparisons.
func nilIfEmpty(ev []event) []event {
	if len(ev) == 0 {
		return nil
	}
	return ev
}

// TestPollerFetchesEachBlockOnce checks that listeners needing the same block
// share one fetch.
func TestPollerFetchesEachBlockOnce(t *testing.T) {
	c := newFakeChain()
	hs := c.mine(20)
	p := newTestPoller(t, c, nil)
	for i := range 5 {
		start := c.bb(c.at(int32(i * 3)))
		p.AddListener(newRec(t, "l", start), start)
	}
	require.NoError(t, p.PollOnce(context.Background()))
	require.Equal(t, len(hs), c.blockCalls)
}

// TestPollerSourceErrors injects a failure at each call of a sync that
// includes a reorg and checks that retrying delivers every event exactly
// once, in order.
func TestPollerSourceErrors(t *testing.T) {
	// build makes a chain where the listener must disconnect 3 blocks and
	// connect 5, and returns the listener's start and expected events.
	build := func() (*fakeChain, BestBlock, []event) {
		c := newFakeChain()
		base := c.mine(4)
		a := c.mine(3)
		start := c.best()
		b := c.branch(base[3], 5)
		c.setTip(b[4])
		return c, start, append(disconnects(c, reversed(a)...), connects(c, b...)...)
	}
	// Count the calls of a clean run.
	c, start, _ := build()
	p := newTestPoller(t, c, nil)
	p.AddListener(newRec(t, "probe", start), start)
	require.NoError(t, p.PollOnce(context.Background()))
	totals := map[string]int{"best": c.bestCalls, "header": c.headerCalls, "block": c.blockCalls}

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
				c.failBest = fail
			case "header":
				c.failHeader = func(chainhash.Hash) error { return fail() }
			case "block":
				c.failBlock = func(chainhash.Hash) error { return fail() }
			}
			// A tiny cache forces header re-fetches after the failure.
			p := newTestPoller(t, c, func(cfg *PollerConfig) { cfg.HeaderCacheSize = 2 })
			rec := newRec(t, kind, start)
			p.AddListener(rec, start)
			err := p.PollOnce(context.Background())
			require.ErrorIs(t, err, errFake, "%s call %d", kind, failAt)
			require.NoError(t, p.PollOnce(context.Background()), "%s call %d", kind, failAt)
			require.Equal(t, want, rec.take(), "%s call %d", kind, failAt)
			require.Equal(t, c.best(), rec.at())
		}
	}
}

// TestPollerReorgDuringCatchUp switches the main chain while a poll is
// connecting blocks. The poll finishes the branch it started on (the blocks
// still exist); the next one reorgs. A variant makes the stale blocks
// disappear, so the poll fails half way and the next one recovers.
func TestPollerReorgDuringCatchUp(t *testing.T) {
	for _, forget := range []bool{false, true} {
		c := newFakeChain()
		base := c.mine(3)
		a := c.mine(10) // heights 4..13
		b := c.branch(base[2], 12)
		start := c.bb(c.at(0))
		fetched := 0
		c.afterBlock = func(chainhash.Hash) {
			fetched++
			if fetched == 6 { // listener is at height 6 of branch a
				c.setTip(b[len(b)-1])
				if forget {
					c.mu.Lock()
					for _, h := range a {
						c.forgotten[h] = true
					}
					c.mu.Unlock()
				}
			}
		}
		p := newTestPoller(t, c, nil)
		rec := newRec(t, "catch-up", start)
		p.AddListener(rec, start)

		err := p.PollOnce(context.Background())
		if forget {
			require.Error(t, err)
			// The listener got blocks 1..6 (3 of base, 3 of a).
			require.Equal(t, connects(c, append(slices.Clone(base), a[:3]...)...), rec.take())
			// The stale blocks are unknown to the source now, but their
			// headers are cached: the listener walks back to the fork.
			require.NoError(t, p.PollOnce(context.Background()))
			require.Equal(t, append(disconnects(c, reversed(a[:3])...), connects(c, b...)...), rec.take())
		} else {
			require.NoError(t, err)
			require.Equal(t, connects(c, append(slices.Clone(base), a...)...), rec.take())
			require.NoError(t, p.PollOnce(context.Background()))
			require.Equal(t, append(disconnects(c, reversed(a)...), connects(c, b...)...), rec.take())
		}
		require.Equal(t, c.best(), rec.at())
	}
}

// TestPollerChunkedCatchUp checks bounded steps with a BlockHashSource: a
// listener far behind gets every block, and the poller never holds more
// headers than the cache bound.
func TestPollerChunkedCatchUp(t *testing.T) {
	c := newFakeChain()
	hs := c.mine(95)
	src := &heightSource{fakeChain: c}
	p := newTestPoller(t, src, func(cfg *PollerConfig) {
		cfg.MaxBlocksPerStep = 10
		cfg.HeaderCacheSize = 16
	})
	low := newRec(t, "low", c.bb(c.at(0)))
	mid := newRec(t, "mid", c.bb(hs[49]))
	p.AddListener(low, low.at())
	p.AddListener(mid, mid.at())
	require.NoError(t, p.PollOnce(context.Background()))
	require.Equal(t, connects(c, hs...), low.take())
	require.Equal(t, connects(c, hs[50:]...), mid.take())
	require.LessOrEqual(t, p.cache.len(), 16)
	require.Equal(t, 9, src.hashCalls) // steps to 10, 20, ... 90, then the tip
	require.Equal(t, len(hs), c.blockCalls)
}

// TestPollerListenerErrors covers listeners the source cannot place.
func TestPollerListenerErrors(t *testing.T) {
	c := newFakeChain()
	c.mine(5)
	other := newFakeChainFrom(1000) // another genesis
	otherBlocks := other.mine(2)

	t.Run("wrong height", func(t *testing.T) {
		p := newTestPoller(t, c, nil)
		start := BestBlock{Hash: c.at(3), Height: 2}
		p.AddListener(newRec(t, "l", start), start)
		require.ErrorIs(t, p.PollOnce(context.Background()), ErrListenerBlock)
	})
	t.Run("unknown block", func(t *testing.T) {
		p := newTestPoller(t, c, nil)
		start := other.bb(otherBlocks[1])
		p.AddListener(newRec(t, "l", start), start)
		require.Error(t, p.PollOnce(context.Background()))
	})
	t.Run("different genesis", func(t *testing.T) {
		// A source that knows both chains, with c's as main chain.
		merged := newFakeChain()
		merged.blocks = c.blocks
		merged.main = c.main
		for h, b := range other.blocks {
			merged.blocks[h] = b
		}
		p := newTestPoller(t, merged, nil)
		start := other.bb(otherBlocks[1])
		rec := newRec(t, "l", start)
		p.AddListener(rec, start)
		require.ErrorIs(t, p.PollOnce(context.Background()), ErrNoForkPoint)
	})
}

// lyingSource wraps a fakeChain and corrupts its answers.
type lyingSource struct {
	*fakeChain
	badHeader   bool
	badHeight   bool
	tamperBlock bool
}

// Header implements BlockSource, optionally lying.
func (s *lyingSource) Header(ctx context.Context, hash chainhash.Hash) (*HeaderData, error) {
	h, err := s.fakeChain.Header(ctx, hash)
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

// Block implements BlockSource, optionally returning a block whose
// transactions do not match its merkle root.
func (s *lyingSource) Block(ctx context.Context, hash chainhash.Hash) (*btcwire.MsgBlock, error) {
	b, err := s.fakeChain.Block(ctx, hash)
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
		src  func(c *fakeChain) *lyingSource
		skip bool // SkipMerkleCheck
		ok   bool
	}{
		{name: "header hash mismatch", src: func(c *fakeChain) *lyingSource { return &lyingSource{fakeChain: c, badHeader: true} }},
		{name: "header height mismatch", src: func(c *fakeChain) *lyingSource { return &lyingSource{fakeChain: c, badHeight: true} }},
		{name: "merkle mismatch", src: func(c *fakeChain) *lyingSource { return &lyingSource{fakeChain: c, tamperBlock: true} }},
		{name: "merkle mismatch, check skipped", skip: true, ok: true, src: func(c *fakeChain) *lyingSource { return &lyingSource{fakeChain: c, tamperBlock: true} }},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			c := newFakeChain()
			start := c.best()
			c.mine(3)
			p := newTestPoller(t, tc.src(c), func(cfg *PollerConfig) { cfg.SkipMerkleCheck = tc.skip })
			rec := newRec(t, "l", start)
			p.AddListener(rec, start)
			err := p.PollOnce(context.Background())
			if tc.ok {
				require.NoError(t, err)
				return
			}
			require.ErrorIs(t, err, ErrInconsistentSource)
			require.Empty(t, rec.take())
		})
	}
}

// TestPollerAddListenerFromCallback checks that a listener may register
// another one from inside a callback; the new one joins at the next poll.
func TestPollerAddListenerFromCallback(t *testing.T) {
	c := newFakeChain()
	start := c.best()
	hs := c.mine(3)
	p := newTestPoller(t, c, nil)
	late := newRec(t, "late", c.bb(hs[0]))
	first := newRec(t, "first", start)
	added := false
	first.onCall = func() {
		if !added {
			added = true
			p.AddListener(late, late.at())
		}
	}
	p.AddListener(first, start)
	require.NoError(t, p.PollOnce(context.Background()))
	require.Empty(t, late.take())
	require.NoError(t, p.PollOnce(context.Background()))
	require.Equal(t, connects(c, hs[1:]...), late.take())
}

// TestPollerNoListeners checks that a poll without listeners does not touch
// the source.
func TestPollerNoListeners(t *testing.T) {
	c := newFakeChain()
	p := newTestPoller(t, c, nil)
	require.NoError(t, p.PollOnce(context.Background()))
	require.Zero(t, c.bestCalls)
	_, err := NewPoller(PollerConfig{})
	require.Error(t, err)
}

// TestBackoff checks the doubling and the cap.
func TestBackoff(t *testing.T) {
	const s = 1_000_000_000
	tests := []struct {
		failures int
		want     int64
	}{{1, 1 * s}, {2, 2 * s}, {3, 4 * s}, {6, 32 * s}, {7, 60 * s}, {100, 60 * s}}
	for _, tc := range tests {
		require.EqualValues(t, tc.want, backoff(tc.failures, s, 60*s), "failures %d", tc.failures)
	}
}

// TestHeaderCacheBounded checks LRU eviction.
func TestHeaderCacheBounded(t *testing.T) {
	c := newHeaderCache(3)
	hd := func(i byte) *HeaderData { return &HeaderData{Hash: chainhash.Hash{i}, Height: int32(i)} }
	for i := byte(1); i <= 3; i++ {
		c.put(hd(i))
	}
	_, ok := c.get(chainhash.Hash{1}) // 1 is now most recent
	require.True(t, ok)
	c.put(hd(4)) // evicts 2
	_, ok = c.get(chainhash.Hash{2})
	require.False(t, ok)
	for _, i := range []byte{1, 3, 4} {
		_, ok := c.get(chainhash.Hash{i})
		require.True(t, ok, "header %d", i)
	}
	c.put(hd(4))
	require.Equal(t, 3, c.len())
}
