package regtest

import (
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"strings"
	"syscall"
	"testing"
	"time"
)

// Process is one daemon started by the harness (or the demo). Its standard output and error
// go to logPath (appended across restarts).
type Process struct {
	name    string
	logPath string
	cmd     *exec.Cmd
	logFile *os.File
	done    chan struct{} // closed when the process has exited
	waitErr error         // valid after done is closed
	stopped bool          // stop was called: an exit is expected
}

// StartProcess starts bin with args in dir. HOME is set to dir so that
// nothing reads or writes the user's ~/.btcd or ~/.lnd. If the test binary
// dies without running its cleanups, the kernel kills the daemon
// (Pdeathsig).
func StartProcess(name, dir, logPath, bin string, args ...string) (*Process, error) {
	logFile, err := os.OpenFile(logPath, os.O_WRONLY|os.O_CREATE|os.O_APPEND, 0o644)
	if err != nil {
		return nil, fmt.Errorf("regtest: open %s log: %w", name, err)
	}
	cmd := exec.Command(bin, args...)
	cmd.Dir = dir
	cmd.Env = append(os.Environ(), "HOME="+dir)
	cmd.Stdout = logFile
	cmd.Stderr = logFile
	cmd.SysProcAttr = &syscall.SysProcAttr{Pdeathsig: syscall.SIGKILL}
	fmt.Fprintf(logFile, "=== regtest: %s %s\n", bin, strings.Join(args, " "))
	if err := cmd.Start(); err != nil {
		logFile.Close()
		return nil, fmt.Errorf("regtest: start %s: %w", name, err)
	}
	p := &Process{name: name, logPath: logPath, cmd: cmd, logFile: logFile, done: make(chan struct{})}
	go func() {
		p.waitErr = cmd.Wait()
		logFile.Close()
		close(p.done)
	}()
	return p, nil
}

// Exited reports whether the process has ended.
func (p *Process) Exited() bool {
	select {
	case <-p.done:
		return true
	default:
		return false
	}
}

// Stop ends the process: SIGTERM, then SIGKILL if it is still running after
// grace. It signals only this process, by its PID, and is idempotent.
func (p *Process) Stop(grace time.Duration) error {
	p.stopped = true
	if p.Exited() {
		return nil
	}
	if err := p.cmd.Process.Signal(syscall.SIGTERM); err != nil && !errors.Is(err, os.ErrProcessDone) {
		return fmt.Errorf("regtest: SIGTERM %s (pid %d): %w", p.name, p.cmd.Process.Pid, err)
	}
	// A paused (SIGSTOP) process acts on SIGTERM only once continued.
	if err := p.cmd.Process.Signal(syscall.SIGCONT); err != nil && !errors.Is(err, os.ErrProcessDone) {
		return fmt.Errorf("regtest: SIGCONT %s (pid %d): %w", p.name, p.cmd.Process.Pid, err)
	}
	select {
	case <-p.done:
		return nil
	case <-time.After(grace):
	}
	if err := p.cmd.Process.Kill(); err != nil && !errors.Is(err, os.ErrProcessDone) {
		return fmt.Errorf("regtest: SIGKILL %s (pid %d): %w", p.name, p.cmd.Process.Pid, err)
	}
	select {
	case <-p.done:
		return fmt.Errorf("regtest: %s (pid %d) ignored SIGTERM for %s and was killed", p.name, p.cmd.Process.Pid, grace)
	case <-time.After(10 * time.Second):
		return fmt.Errorf("regtest: %s (pid %d) survived SIGKILL", p.name, p.cmd.Process.Pid)
	}
}

// logContains reports whether the process's log contains s.
func (p *Process) logContains(s string) bool {
	b, err := os.ReadFile(p.logPath)
	return err == nil && strings.Contains(string(b), s)
}

// Tail returns the last n lines of the process's log.
func (p *Process) Tail(n int) string {
	return tailFile(p.logPath, n)
}

// tailFile returns the last n lines of the file at path, reading at most
// its last 256 KiB.
func tailFile(path string, n int) string {
	f, err := os.Open(path)
	if err != nil {
		return fmt.Sprintf("(no log: %v)", err)
	}
	defer f.Close()
	const maxRead = 256 << 10
	if fi, err := f.Stat(); err == nil && fi.Size() > maxRead {
		if _, err := f.Seek(fi.Size()-maxRead, io.SeekStart); err != nil {
			return fmt.Sprintf("(log seek: %v)", err)
		}
	}
	b, err := io.ReadAll(f)
	if err != nil {
		return fmt.Sprintf("(log read: %v)", err)
	}
	lines := strings.Split(strings.TrimRight(string(b), "\n"), "\n")
	if len(lines) > n {
		lines = lines[len(lines)-n:]
	}
	return strings.Join(lines, "\n")
}

// logTailLines is how many log lines a failed test prints per daemon.
const logTailLines = 60

// cleanupDaemon registers the cleanup shared by every daemon: if the test
// failed or the daemon died on its own, print the tail of the daemon's log
// (current() returns the live process, which changes on restart), then stop
// it.
func cleanupDaemon(t testing.TB, current func() *Process, grace time.Duration) {
	t.Cleanup(func() {
		p := current()
		if p == nil {
			return
		}
		crashed := p.Exited() && !p.stopped
		if crashed {
			t.Logf("regtest: %s exited during the test without being stopped: %v", p.name, p.waitErr)
		}
		if t.Failed() || crashed {
			t.Logf("regtest: last %d lines of %s log (%s):\n%s", logTailLines, p.name, p.logPath, p.Tail(logTailLines))
		}
		if err := p.Stop(grace); err != nil {
			t.Logf("%v", err)
		}
	})
}

// addrInUse reports whether a process that exited during start-up failed
// because one of its ports was taken (another process bound the free port
// the harness picked); the caller then retries with new ports.
func addrInUse(p *Process) bool {
	return p.Exited() && p.logContains("address already in use")
}

// signal sends sig to the process if it is still running.
func (p *Process) signal(sig syscall.Signal) error {
	if p.Exited() {
		return fmt.Errorf("regtest: %s (pid %d) is not running", p.name, p.cmd.Process.Pid)
	}
	if err := p.cmd.Process.Signal(sig); err != nil {
		return fmt.Errorf("regtest: signal %v to %s (pid %d): %w", sig, p.name, p.cmd.Process.Pid, err)
	}
	return nil
}

// PID is the process id.
func (p *Process) PID() int { return p.cmd.Process.Pid }

// WaitErr is the error the process exited with (nil for a clean exit, or
// before it has exited: check Exited first).
func (p *Process) WaitErr() error {
	if !p.Exited() {
		return nil
	}
	return p.waitErr
}
