package regtest_test

import (
	"errors"
	"os"
	"os/exec"
	"regexp"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/lnkit/lnkit/internal/regtest"
)

// childEnv marks the copy of the test binary that TestFailureCleanup runs.
const childEnv = "LNKIT_REGTEST_FAILING_CHILD"

// TestFailureCleanup runs a test that starts btcd, pauses it and fails, in a
// child process, and checks that the failure printed btcd's log tail and
// that btcd (paused, so it must be resumed to see SIGTERM) is gone.
func TestFailureCleanup(t *testing.T) {
	if testing.Short() {
		t.Skip("integration: starts btcd/lnd; run without -short")
	}
	if os.Getenv(childEnv) != "" {
		btcd := regtest.StartBtcd(t, regtest.BtcdOptions{})
		btcd.Generate(t, 1)
		btcd.Pause(t)
		t.Logf("btcd pid %d", btcd.PID())
		t.Fatal("intentional failure")
	}
	cmd := exec.Command(os.Args[0], "-test.run=^TestFailureCleanup$", "-test.v", "-test.count=1")
	cmd.Env = append(os.Environ(), childEnv+"=1")
	out, err := cmd.CombinedOutput()
	var exit *exec.ExitError
	if !errors.As(err, &exit) {
		t.Fatalf("child test: err = %v, want a failing exit; output:\n%s", err, out)
	}
	for _, want := range []string{"intentional failure", "lines of btcd log", "CPU miner accepted"} {
		if !strings.Contains(string(out), want) {
			t.Errorf("child output lacks %q:\n%s", want, out)
		}
	}
	m := regexp.MustCompile(`btcd pid (\d+)`).FindSubmatch(out)
	if m == nil {
		t.Fatalf("child output lacks btcd's pid:\n%s", out)
	}
	pid, _ := strconv.Atoi(string(m[1]))
	deadline := time.Now().Add(5 * time.Second)
	for syscall.Kill(pid, 0) == nil {
		if time.Now().After(deadline) {
			t.Fatalf("btcd (pid %d) still running after the failed test", pid)
		}
		time.Sleep(50 * time.Millisecond)
	}
}
