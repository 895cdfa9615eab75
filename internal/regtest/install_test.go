package regtest

import (
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
)

// TestLockFileExcludes checks that a held lock keeps a second locker out
// until it is released.
func TestLockFileExcludes(t *testing.T) {
	path := filepath.Join(t.TempDir(), "lock")
	first, err := lockFile(context.Background(), path)
	require.NoError(t, err)
	ctx, cancel := context.WithTimeout(context.Background(), 300*time.Millisecond)
	defer cancel()
	l, err := lockFile(ctx, path)
	if l != nil {
		l.unlock()
	}
	require.ErrorIs(t, err, context.DeadlineExceeded, "second lock while held")
	require.NoError(t, first.unlock())
	second, err := lockFile(context.Background(), path)
	require.NoError(t, err, "lock after unlock")
	second.unlock()
}

// TestInstallConcurrent installs btcd into an empty cache from two
// goroutines at once: one builds, the other waits for the lock and finds
// the result; no temporary directory is left behind. The build reuses the
// go build cache, so it mostly links.
func TestInstallConcurrent(t *testing.T) {
	if testing.Short() {
		t.Skip("integration: builds btcd; run without -short")
	}
	cache := t.TempDir()
	log := &tailBuffer{max: 1 << 20}
	var wg sync.WaitGroup
	results := make([]Paths, 2)
	errs := make([]error, 2)
	for i := range results {
		wg.Go(func() {
			results[i], errs[i] = install(context.Background(), InstallConfig{CacheDir: cache, Log: log}, false)
		})
	}
	wg.Wait()
	for i, err := range errs {
		require.NoError(t, err, "install %d", i)
	}
	require.Equal(t, results[0], results[1], "both installs return the same paths")
	require.Equal(t, 1, strings.Count(log.String(), "regtest: built btcd"), "btcd builds; log:\n%s", log.String())
	entries, err := os.ReadDir(cache)
	require.NoError(t, err)
	for _, e := range entries {
		require.False(t, strings.HasPrefix(e.Name(), ".build-"), "leftover build directory %s", e.Name())
	}
	out, err := exec.Command(results[0].Btcd, "--version").CombinedOutput()
	require.NoError(t, err)
	require.Contains(t, string(out), strings.TrimPrefix(BtcdVersion, "v"), "btcd --version")
	require.True(t, installed(results[0].Btcctl), "btcctl missing at %s", results[0].Btcctl)
}
