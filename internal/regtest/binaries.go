package regtest

import (
	"context"
	"strings"
	"testing"
	"time"
)

// Binaries returns the paths of btcd, btcctl, lnd and lncli, building them
// into the cache first if this machine has not done so yet (see Install).
// A build that fails, or that does not finish 30 s before the test's
// deadline, fails the test with the reason; it never skips.
func Binaries(t testing.TB) Paths {
	t.Helper()
	return binaries(t, true)
}

// binaries is Binaries; without withLnd only btcd and btcctl are
// guaranteed to exist.
func binaries(t testing.TB, withLnd bool) Paths {
	t.Helper()
	ctx := context.Background()
	if d, ok := t.(interface{ Deadline() (time.Time, bool) }); ok {
		if deadline, ok := d.Deadline(); ok {
			var cancel context.CancelFunc
			ctx, cancel = context.WithDeadline(ctx, deadline.Add(-30*time.Second))
			defer cancel()
		}
	}
	paths, err := install(ctx, InstallConfig{Log: testLogWriter{t}}, withLnd)
	if err != nil {
		t.Fatalf("%v\n(`make peers` runs the same installer with no test deadline)", err)
	}
	return paths
}

// testLogWriter turns installer progress lines into t.Logf calls.
type testLogWriter struct{ t testing.TB }

// Write logs p without its trailing newline.
func (w testLogWriter) Write(p []byte) (int, error) {
	w.t.Logf("%s", strings.TrimRight(string(p), "\n"))
	return len(p), nil
}
