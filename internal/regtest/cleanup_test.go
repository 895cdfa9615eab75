package regtest_test

import (
	"os"
	"os/exec"
	"regexp"
	"strconv"
	"syscall"
	"testing"
	"time"

	"github.com/lnkit/lnkit/internal/regtest"
	"github.com/stretchr/testify/require"
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
		require.FailNow(t, "intentional failure")
	}
	cmd := exec.Command(os.Args[0], "-test.run=^TestFailureCleanup$", "-test.v", "-test.count=1")
	cmd.Env = append(os.Environ(), childEnv+"=1")
	out, err := cmd.CombinedOutput()
	var exit *exec.ExitError
	require.ErrorAs(t, err, &exit, "the child test must fail; output:\n%s", out)
	for _, want := range []string{"intentional failure", "lines of btcd log", "CPU miner accepted"} {
		require.Contains(t, string(out), want, "child output")
	}
	m := regexp.MustCompile(`btcd pid (\d+)`).FindSubmatch(out)
	require.NotNil(t, m, "child output lacks btcd's pid:\n%s", out)
	pid, _ := strconv.Atoi(string(m[1]))
	require.Eventually(t, func() bool { return syscall.Kill(pid, 0) != nil }, 5*time.Second, 50*time.Millisecond,
		"btcd (pid %d) still running after the failed test", pid)
}
