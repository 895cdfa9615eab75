package chaintest

import (
	"context"
	"time"
)

// Clock is a chain.Clock whose timers the test fires by hand: each After
// call is handed to the test as a [Timer], and nothing happens until the
// test fires it. Driving a chain.Poller's Run with it makes the test
// deterministic: after firing a timer, the next timer arrives only once the
// poll it started has finished.
type Clock struct {
	timers chan Timer
}

// Timer is one After call of a [Clock].
type Timer struct {
	// Wait is the duration the caller asked to wait.
	Wait time.Duration

	c chan time.Time
}

// Fire ends the wait. Firing a timer twice does nothing more.
func (t Timer) Fire() {
	select {
	case t.c <- time.Time{}:
	default:
	}
}

// NewClock returns a clock that buffers up to 64 unclaimed timers (After
// blocks beyond that).
func NewClock() *Clock { return &Clock{timers: make(chan Timer, 64)} }

// After implements chain.Clock: it hands a timer to the test.
func (c *Clock) After(d time.Duration) <-chan time.Time {
	t := Timer{Wait: d, c: make(chan time.Time, 1)}
	c.timers <- t
	return t.c
}

// Next returns the oldest timer not yet claimed, waiting for one until ctx
// ends.
func (c *Clock) Next(ctx context.Context) (Timer, error) {
	select {
	case t := <-c.timers:
		return t, nil
	case <-ctx.Done():
		return Timer{}, ctx.Err()
	}
}
