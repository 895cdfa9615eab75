package chain

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
)

// TestPollerRun drives Run with a fake clock: it polls at once, waits
// Interval between good polls, backs off exponentially (capped) while the
// source fails, resumes when it is back, and stops cleanly.
func TestPollerRun(t *testing.T) {
	c := newFakeChain()
	start := c.best()
	clk := newFakeClock()
	p := newTestPoller(t, c, func(cfg *PollerConfig) {
		cfg.Clock = clk
		cfg.Interval = 5 * time.Second
		cfg.MinBackoff = time.Second
		cfg.MaxBackoff = 4 * time.Second
	})
	rec := newRec(t, "run", start)
	p.AddListener(rec, start)
	hs := c.mine(2)

	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- p.Run(ctx) }()

	next := func() fakeTimer {
		t.Helper()
		select {
		case tm := <-clk.req:
			return tm
		case <-time.After(10 * time.Second):
			t.Fatal("poller did not wait")
			return fakeTimer{}
		}
	}

	// First poll at once, then the interval.
	tm := next()
	require.Equal(t, 5*time.Second, tm.d)
	require.Equal(t, connects(c, hs...), rec.take())

	// The source goes down: 1s, 2s, 4s, 4s.
	c.mu.Lock()
	c.failBest = func() error { return errFake }
	c.mu.Unlock()
	more := c.mine(1)
	for _, want := range []time.Duration{1, 2, 4, 4} {
		tm.c <- time.Time{}
		tm = next()
		require.Equal(t, want*time.Second, tm.d)
	}
	require.Empty(t, rec.take())

	// It comes back: the next poll delivers the block, the wait is the
	// interval again.
	c.mu.Lock()
	c.failBest = nil
	c.mu.Unlock()
	tm.c <- time.Time{}
	tm = next()
	require.Equal(t, 5*time.Second, tm.d)
	require.Equal(t, connects(c, more...), rec.take())

	// Poke polls without waiting for the timer.
	more = c.mine(1)
	p.Poke()
	tm = next()
	require.Equal(t, 5*time.Second, tm.d)
	require.Equal(t, connects(c, more...), rec.take())

	cancel()
	select {
	case err := <-done:
		require.True(t, errors.Is(err, context.Canceled), "Run returned %v", err)
	case <-time.After(10 * time.Second):
		t.Fatal("Run did not stop")
	}
}
