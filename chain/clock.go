package chain

import "time"

// Clock is the time source of a [Poller]. Tests inject a fake one; the
// default is the system clock.
type Clock interface {
	// After returns a channel that receives once d has elapsed.
	After(d time.Duration) <-chan time.Time
}

// systemClock is the real-time [Clock].
type systemClock struct{}

// After implements Clock with time.After.
func (systemClock) After(d time.Duration) <-chan time.Time { return time.After(d) }
