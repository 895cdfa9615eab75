package chain_test

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/lnkit/lnkit/chain"
	"github.com/lnkit/lnkit/chain/chaintest"
	"github.com/stretchr/testify/require"
)

// TestPollerRun drives Run with a fake clock: it polls at once, waits
// Interval between good polls, backs off exponentially (capped) while the
// source fails, resumes when it is back, and stops cleanly.
func TestPollerRun(t *testing.T) {
	c := chaintest.NewChain()
	start := c.Tip()
	clk := chaintest.NewClock()
	p := newTestPoller(t, c, func(cfg *chain.PollerConfig) {
		cfg.Clock = clk
		cfg.Interval = 5 * time.Second
		cfg.MinBackoff = time.Second
		cfg.MaxBackoff = 4 * time.Second
	})
	rec := chaintest.NewRecorder(t, start)
	p.AddListener(rec, start)
	hs := c.Mine(2)

	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- p.Run(ctx) }()

	next := func() chaintest.Timer {
		t.Helper()
		wait, stop := context.WithTimeout(ctx, 10*time.Second)
		defer stop()
		tm, err := clk.Next(wait)
		require.NoError(t, err, "poller did not wait")
		return tm
	}

	// First poll at once, then the interval.
	tm := next()
	require.Equal(t, 5*time.Second, tm.Wait)
	require.Equal(t, c.Connected(hs...), rec.Take())

	// The source goes down: 1s, 2s, 4s, 4s.
	c.SetHooks(chaintest.Hooks{BestBlock: func() error { return errFake }})
	more := c.Mine(1)
	for _, want := range []time.Duration{1, 2, 4, 4} {
		tm.Fire()
		tm = next()
		require.Equal(t, want*time.Second, tm.Wait)
	}
	require.Empty(t, rec.Take())

	// It comes back: the next poll delivers the block, the wait is the
	// interval again.
	c.SetHooks(chaintest.Hooks{})
	tm.Fire()
	tm = next()
	require.Equal(t, 5*time.Second, tm.Wait)
	require.Equal(t, c.Connected(more...), rec.Take())

	// Poke polls without waiting for the timer.
	more = c.Mine(1)
	p.Poke()
	tm = next()
	require.Equal(t, 5*time.Second, tm.Wait)
	require.Equal(t, c.Connected(more...), rec.Take())

	cancel()
	select {
	case err := <-done:
		require.True(t, errors.Is(err, context.Canceled), "Run returned %v", err)
	case <-time.After(10 * time.Second):
		require.FailNow(t, "Run did not stop")
	}
}
