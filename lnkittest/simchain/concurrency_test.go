package simchain_test

import (
	"context"
	"sync"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/lnkit/lnkit/chain"
	"github.com/lnkit/lnkit/chain/chaintest"
)

// TestConcurrentUse polls the chain from one goroutine and broadcasts from
// another while the test mines and reorganises (run with -race): the
// polled listener keeps the Listen contract and ends at the tip.
func TestConcurrentUse(t *testing.T) {
	ctx := context.Background()
	c := newChain(t)
	var coins []prevOut
	for range 20 {
		coins = append(coins, fund(t, c, trueScript, 100_000))
	}
	rec := chaintest.NewRecorder(t, c.Tip())
	poller, err := chain.NewPoller(chain.PollerConfig{Source: c})
	require.NoError(t, err)
	poller.AddListener(rec, c.Tip())

	done := make(chan struct{})
	var wg sync.WaitGroup
	wg.Add(2)
	go func() {
		defer wg.Done()
		for {
			select {
			case <-done:
				return
			default:
				_ = poller.PollOnce(ctx)
			}
		}
	}()
	go func() {
		defer wg.Done()
		for _, coin := range coins {
			_ = c.Broadcast(spendTrue([]prevOut{coin}, 99_000))
			_ = c.Mempool()
			_, _ = c.Spender(coin.op)
		}
	}()
	for i := range 20 {
		c.Mine(1)
		if i%5 == 4 {
			_, err := c.Reorg(2, 3)
			require.NoError(t, err)
		}
	}
	close(done)
	wg.Wait()
	require.NoError(t, poller.PollOnce(ctx))
	require.Equal(t, c.Tip(), rec.Best())
}
