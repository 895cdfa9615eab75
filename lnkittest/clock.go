package lnkittest

import "time"

// Clock is a manual clock: it stands still until the test advances it.
// Its Now method is each peer.Manager's Config.Now.
type Clock struct {
	now time.Time
}

// NewClock returns a Clock reading start.
func NewClock(start time.Time) *Clock { return &Clock{now: start} }

// Now returns the current time of the clock.
func (c *Clock) Now() time.Time { return c.now }

// Advance moves the clock forward by d (a negative d is ignored: the clock
// never goes back).
func (c *Clock) Advance(d time.Duration) {
	if d > 0 {
		c.now = c.now.Add(d)
	}
}
