package regtest

import (
	"context"
	"fmt"
	"time"
)

// pollContext is waitFor for helpers that return errors instead of failing
// a test: it calls cond (with ctx bounded by timeout) until it reports done, returns cond's error at
// once, and gives up after timeout or when ctx ends with what cond saw
// last.
func pollContext(ctx context.Context, timeout time.Duration, cond func(ctx context.Context) (done bool, last string, err error)) error {
	ctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	interval := pollInterval
	for {
		done, last, err := cond(ctx)
		if err != nil || done {
			return err
		}
		select {
		case <-ctx.Done():
			return fmt.Errorf("gave up after %s (%w); last seen: %s", timeout, context.Cause(ctx), last)
		case <-time.After(interval):
		}
		if interval < time.Second {
			interval += interval / 2
		}
	}
}
