package regtest

import (
	"context"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"
)

func TestLockFileExcludes(t *testing.T) {
	path := filepath.Join(t.TempDir(), "lock")
	first, err := lockFile(context.Background(), path)
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 300*time.Millisecond)
	defer cancel()
	if l, err := lockFile(ctx, path); !errors.Is(err, context.DeadlineExceeded) {
		if l != nil {
			l.unlock()
		}
		t.Fatalf("second lock while held: err = %v, want context.DeadlineExceeded", err)
	}
	if err := first.unlock(); err != nil {
		t.Fatal(err)
	}
	second, err := lockFile(context.Background(), path)
	if err != nil {
		t.Fatalf("lock after unlock: %v", err)
	}
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
		if err != nil {
			t.Fatalf("install %d: %v", i, err)
		}
	}
	if results[0] != results[1] {
		t.Fatalf("installs returned different paths: %+v vs %+v", results[0], results[1])
	}
	if n := strings.Count(log.String(), "regtest: built btcd"); n != 1 {
		t.Fatalf("btcd built %d times, want 1; log:\n%s", n, log.String())
	}
	entries, err := os.ReadDir(cache)
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range entries {
		if strings.HasPrefix(e.Name(), ".build-") {
			t.Errorf("leftover build directory %s", e.Name())
		}
	}
	out, err := exec.Command(results[0].Btcd, "--version").CombinedOutput()
	if err != nil || !strings.Contains(string(out), strings.TrimPrefix(BtcdVersion, "v")) {
		t.Fatalf("btcd --version = %q, %v; want %s", out, err, BtcdVersion)
	}
	if !installed(results[0].Btcctl) {
		t.Fatalf("btcctl missing at %s", results[0].Btcctl)
	}
}
