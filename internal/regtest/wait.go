package regtest

import (
	"testing"
	"time"
)

// Timeouts the harness uses while waiting for daemons. They are generous:
// the machines running the tests are small and busy.
const (
	// WaitTimeout bounds every Wait* method and the readiness checks.
	WaitTimeout = 90 * time.Second
	// pollInterval is how often a condition is re-checked.
	pollInterval = 50 * time.Millisecond
)

// waitFor polls cond until it reports done or timeout passes, then fails
// the test. cond returns a description of what it saw last, which is part
// of the failure message.
func waitFor(t testing.TB, timeout time.Duration, what string, cond func() (done bool, last string)) {
	t.Helper()
	deadline := time.Now().Add(timeout)
	interval := pollInterval
	for {
		done, last := cond()
		if done {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("regtest: timed out after %s waiting for %s; last seen: %s", timeout, what, last)
		}
		time.Sleep(interval)
		if interval < time.Second {
			interval += interval / 2
		}
	}
}
