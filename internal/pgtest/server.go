package pgtest

import (
	"errors"
	"fmt"
	"io"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"time"
)

// Timeouts of the server's life.
const (
	// startTimeout bounds initdb plus the server's start-up.
	startTimeout = 2 * time.Minute
	// stopGrace is how long Stop waits after SIGINT before SIGKILL.
	stopGrace = 30 * time.Second
	// bindAttempts is how often Start picks a new port when another
	// process took the free one first.
	bindAttempts = 3
)

// Server is one running PostgreSQL server and its cluster directory.
type Server struct {
	dir     string // the temporary directory: data/, the socket, the log
	port    int
	cmd     *exec.Cmd
	done    chan struct{} // closed when postgres has exited
	waitErr error         // valid after done is closed
}

// StartServer initdbs a cluster in a new temporary directory and starts
// postgres on it. The caller must Stop it.
func StartServer() (*Server, error) {
	bin, err := findBinDir(debianRoot)
	if err != nil {
		return nil, err
	}
	cred, err := runAs()
	if err != nil {
		return nil, err
	}
	dir, err := os.MkdirTemp("", "lnkit-pgtest-")
	if err != nil {
		return nil, fmt.Errorf("pgtest: %w", err)
	}
	if cred != nil {
		if err := os.Chown(dir, int(cred.Uid), int(cred.Gid)); err != nil {
			os.RemoveAll(dir)
			return nil, fmt.Errorf("pgtest: hand %s to %s: %w", dir, serverUser, err)
		}
	}
	s := &Server{dir: dir}
	if err := s.initdb(bin, cred); err != nil {
		os.RemoveAll(dir)
		return nil, err
	}
	for attempt := 1; ; attempt++ {
		err = s.start(bin, cred)
		if err == nil {
			return s, nil
		}
		addrTaken := strings.Contains(s.LogTail(20), "could not bind")
		if !addrTaken || attempt == bindAttempts {
			return nil, fmt.Errorf("%w\n--- server log (%s) ---\n%s", err, s.logPath(), s.LogTail(40))
		}
	}
}

func (s *Server) logPath() string { return filepath.Join(s.dir, "server.log") }
func (s *Server) dataDir() string { return filepath.Join(s.dir, "data") }
func (s *Server) procAttr(cred *syscall.Credential) *syscall.SysProcAttr {
	return &syscall.SysProcAttr{Credential: cred, Pdeathsig: syscall.SIGKILL}
}

// command returns bin/name with args, run as cred, its output appended to
// the log.
func (s *Server) command(bin, name string, cred *syscall.Credential, log io.Writer, args ...string) *exec.Cmd {
	cmd := exec.Command(filepath.Join(bin, name), args...)
	cmd.Dir = s.dir
	cmd.Env = []string{"HOME=" + s.dir, "LANG=C", "LC_ALL=C", "PATH=" + bin + ":/usr/bin:/bin"}
	cmd.Stdout, cmd.Stderr = log, log
	cmd.SysProcAttr = s.procAttr(cred)
	return cmd
}

func (s *Server) openLog() (*os.File, error) {
	f, err := os.OpenFile(s.logPath(), os.O_WRONLY|os.O_CREATE|os.O_APPEND, 0o644)
	if err != nil {
		return nil, fmt.Errorf("pgtest: open server log: %w", err)
	}
	return f, nil
}

func (s *Server) initdb(bin string, cred *syscall.Credential) error {
	log, err := s.openLog()
	if err != nil {
		return err
	}
	defer log.Close()
	cmd := s.command(bin, "initdb", cred, log,
		"-D", s.dataDir(), "-U", "postgres", "-A", "trust", "-E", "UTF8", "--locale=C", "--no-sync")
	if err := cmd.Run(); err != nil {
		return fmt.Errorf("pgtest: initdb: %w\n--- log ---\n%s", err, s.LogTail(40))
	}
	return nil
}

// start starts postgres on a free port and waits until it accepts
// connections.
func (s *Server) start(bin string, cred *syscall.Credential) error {
	port, err := freePort()
	if err != nil {
		return err
	}
	log, err := s.openLog()
	if err != nil {
		return err
	}
	defer log.Close() // the child has its own descriptor
	cmd := s.command(bin, "postgres", cred, log,
		"-D", s.dataDir(),
		"-p", fmt.Sprint(port),
		"-c", "listen_addresses=127.0.0.1",
		"-c", "unix_socket_directories="+s.dir,
		"-c", "fsync=on",
		"-c", "synchronous_commit=on",
		"-c", "max_connections=100",
		"-c", "logging_collector=off")
	fmt.Fprintf(log, "=== pgtest: %s\n", strings.Join(cmd.Args, " "))
	if err := cmd.Start(); err != nil {
		return fmt.Errorf("pgtest: start postgres: %w", err)
	}
	s.port, s.cmd, s.done = port, cmd, make(chan struct{})
	go func() {
		s.waitErr = cmd.Wait()
		close(s.done)
	}()
	deadline := time.Now().Add(startTimeout)
	for time.Now().Before(deadline) {
		if s.exited() {
			return fmt.Errorf("pgtest: postgres exited during start-up: %v", s.waitErr)
		}
		if strings.Contains(s.LogTail(20), "ready to accept connections") {
			if c, err := net.DialTimeout("tcp", s.addr(), time.Second); err == nil {
				c.Close()
				return nil
			}
		}
		time.Sleep(50 * time.Millisecond)
	}
	err = fmt.Errorf("pgtest: postgres not ready after %s", startTimeout)
	if stopErr := s.Stop(); stopErr != nil {
		err = errors.Join(err, stopErr)
	}
	return err
}

// freePort returns a TCP port on 127.0.0.1 that was free a moment ago.
func freePort() (int, error) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return 0, fmt.Errorf("pgtest: find a free port: %w", err)
	}
	defer l.Close()
	return l.Addr().(*net.TCPAddr).Port, nil
}

func (s *Server) addr() string { return fmt.Sprintf("127.0.0.1:%d", s.port) }

// ConnString is a libpq URL for the server's postgres database as user
// postgres (trust authentication, no TLS).
func (s *Server) ConnString() string {
	return fmt.Sprintf("postgres://postgres@%s/postgres?sslmode=disable", s.addr())
}

// PID is the postgres server process's id.
func (s *Server) PID() int { return s.cmd.Process.Pid }

// Dir is the server's temporary directory (removed by Stop).
func (s *Server) Dir() string { return s.dir }

func (s *Server) exited() bool {
	select {
	case <-s.done:
		return true
	default:
		return false
	}
}

// Stop ends the server (SIGINT, then SIGKILL after stopGrace), signalling
// only its own process, and removes its directory. It is safe to call more
// than once.
func (s *Server) Stop() error {
	var err error
	if s.cmd != nil && !s.exited() {
		err = s.signalAndWait()
	}
	if rmErr := os.RemoveAll(s.dir); rmErr != nil {
		err = errors.Join(err, fmt.Errorf("pgtest: remove %s: %w", s.dir, rmErr))
	}
	return err
}

func (s *Server) signalAndWait() error {
	pid := s.cmd.Process.Pid
	if err := s.cmd.Process.Signal(syscall.SIGINT); err != nil && !errors.Is(err, os.ErrProcessDone) {
		return fmt.Errorf("pgtest: SIGINT postgres (pid %d): %w", pid, err)
	}
	select {
	case <-s.done:
		return nil
	case <-time.After(stopGrace):
	}
	if err := s.cmd.Process.Kill(); err != nil && !errors.Is(err, os.ErrProcessDone) {
		return fmt.Errorf("pgtest: SIGKILL postgres (pid %d): %w", pid, err)
	}
	select {
	case <-s.done:
		return fmt.Errorf("pgtest: postgres (pid %d) did not stop within %s of SIGINT and was killed", pid, stopGrace)
	case <-time.After(10 * time.Second):
		return fmt.Errorf("pgtest: postgres (pid %d) survived SIGKILL", pid)
	}
}

// LogTail returns the last n lines of the server's log (initdb's output and
// the server's).
func (s *Server) LogTail(n int) string {
	b, err := os.ReadFile(s.logPath())
	if err != nil {
		return fmt.Sprintf("(no server log: %v)", err)
	}
	lines := strings.Split(strings.TrimRight(string(b), "\n"), "\n")
	return strings.Join(lines[max(0, len(lines)-n):], "\n")
}
