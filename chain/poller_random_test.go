package chain_test

import (
	"context"
	"math/rand/v2"
	"testing"

	"github.com/btcsuite/btcd/chaincfg/chainhash"
	"github.com/lnkit/lnkit/chain"
	"github.com/lnkit/lnkit/chain/chaintest"
	"github.com/stretchr/testify/require"
)

// TestPollerRandomHistory drives a poller through random histories of
// mining, reorganisations (deep and shallow, longer and shorter), failing
// source calls, and listeners joining at random blocks, stale or not. The
// recording listeners fail the test on any skipped, repeated or out-of-order
// block; at the end every listener must be at the tip.
func TestPollerRandomHistory(t *testing.T) {
	for seed := uint64(1); seed <= 40; seed++ {
		rng := rand.New(rand.NewPCG(seed, 99))
		c := chaintest.NewChain()
		chunked := seed%2 == 0
		p := newTestPoller(t, source(c, chunked), func(cfg *chain.PollerConfig) {
			cfg.MaxBlocksPerStep = int32(1 + rng.IntN(6))
			cfg.HeaderCacheSize = 1 + rng.IntN(20)
		})
		failRate := 0.0
		fail := func() error {
			if rng.Float64() < failRate {
				return errFake
			}
			return nil
		}
		c.SetHooks(chaintest.Hooks{
			BestBlock: fail,
			Header:    func(chainhash.Hash) error { return fail() },
			Block:     func(chainhash.Hash) error { return fail() },
		})

		var known []chainhash.Hash
		var recs []*chaintest.Recorder
		addListener := func() {
			var h chainhash.Hash
			if len(known) == 0 || rng.IntN(3) == 0 {
				h = c.At(int32(rng.IntN(int(c.Tip().Height) + 1)))
			} else {
				h = known[rng.IntN(len(known))]
			}
			r := chaintest.NewRecorder(t, c.BestBlockOf(h))
			recs = append(recs, r)
			p.AddListener(r, r.Best())
		}
		addListener()
		for step := 0; step < 60; step++ {
			switch op := rng.IntN(10); {
			case op < 3:
				known = append(known, c.Mine(1+rng.IntN(4))...)
			case op < 5:
				tip := c.Tip()
				depth := rng.IntN(int(min(tip.Height, 12)) + 1)
				fork := c.At(tip.Height - int32(depth))
				br := c.Branch(fork, rng.IntN(depth+4))
				known = append(known, br...)
				if len(br) > 0 {
					c.SetTip(br[len(br)-1])
				} else {
					c.SetTip(fork)
				}
			case op < 6:
				addListener()
			default:
				failRate = []float64{0, 0, 0.1, 0.3}[rng.IntN(4)]
				_ = p.PollOnce(context.Background())
				failRate = 0
			}
		}
		require.NoError(t, p.PollOnce(context.Background()), "seed %d", seed)
		for i, r := range recs {
			require.Equal(t, c.Tip(), r.Best(), "seed %d listener %d", seed, i)
		}
		require.False(t, t.Failed(), "seed %d (chunked %v) broke the Listen contract", seed, chunked)
	}
}
