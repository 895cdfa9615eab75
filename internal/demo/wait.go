package main

import (
	"context"
	"errors"
	"fmt"
	"time"
)

// errTimeout is wrapped by the errors of waits that timed out.
var errTimeout = errors.New("timed out")

// Waiting for conditions.
const (
	// waitTimeout bounds each wait of the story: a condition not met by
	// then fails the demo with what it waited for.
	waitTimeout = 60 * time.Second
	// blockWait is how long the story gives a node to react to a block
	// before it concludes that the node waits for another one.
	blockWait = 5 * time.Second
	// pollInterval is how often a condition is checked.
	pollInterval = 100 * time.Millisecond
)

// waitFor checks cond every pollInterval until it is met, fails, or
// waitTimeout passes; the error then names what was awaited and the
// condition's last word (for example the balance seen).
func waitFor(ctx context.Context, what string, cond func() (done bool, last string, err error)) error {
	return waitWithin(ctx, waitTimeout, what, cond)
}

// waitWithin is waitFor with its own timeout.
func waitWithin(ctx context.Context, timeout time.Duration, what string, cond func() (done bool, last string, err error)) error {
	deadline := time.Now().Add(timeout)
	for {
		done, last, err := cond()
		if err != nil {
			return fmt.Errorf("demo: waiting for %s: %w", what, err)
		}
		if done {
			return nil
		}
		if time.Now().After(deadline) {
			return fmt.Errorf("demo: gave up after %s waiting for %s (last seen: %s): %w", timeout, what, last, errTimeout)
		}
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-time.After(pollInterval):
		}
	}
}
