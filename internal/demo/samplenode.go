package main

import (
	"bufio"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"time"
)

// sampleNode is a running examples/sample-node in --json mode: the demo
// writes commands to its standard input and reads one JSON line back per
// command, as a script would.
type sampleNode struct {
	name   string
	dir    string
	cmd    *exec.Cmd
	stdin  io.WriteCloser
	stdout *bufio.Scanner
	done   chan struct{}
	err    error // Wait's result, valid once done is closed

	events *eventLog // the EVENT lines of its standard error
}

// startSampleNode runs bin for the node name with its data in dir; extra
// are more flags.
func startSampleNode(bin, name, dir string, b *btcd, extra ...string) (*sampleNode, error) {
	args := append([]string{"--json", "--rpccert", b.certPath}, extra...)
	args = append(args, b.rpcArg(), dir, "0", "regtest", name)
	cmd := exec.Command(bin, args...)
	cmd.SysProcAttr = &syscall.SysProcAttr{Pdeathsig: syscall.SIGKILL} // dies with the demo
	stdin, err := cmd.StdinPipe()
	if err != nil {
		return nil, err
	}
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		return nil, err
	}
	stderrPipe, err := cmd.StderrPipe()
	if err != nil {
		return nil, err
	}
	stderr, err := os.Create(filepath.Join(dir, "stderr.log"))
	if err != nil {
		return nil, err
	}
	if err := cmd.Start(); err != nil {
		stderr.Close()
		return nil, fmt.Errorf("demo: start %s: %w", name, err)
	}
	n := &sampleNode{name: name, dir: dir, cmd: cmd, stdin: stdin, stdout: bufio.NewScanner(stdout),
		done: make(chan struct{}), events: &eventLog{}}
	n.stdout.Buffer(make([]byte, 0, 64<<10), 1<<20)
	copied := make(chan struct{})
	go func() {
		n.events.copy(stderr, stderrPipe)
		close(copied)
	}()
	go func() {
		<-copied // Wait closes the pipe: read it all first
		n.err = cmd.Wait()
		stderr.Close()
		close(n.done)
	}()
	return n, nil
}

// run sends one command and decodes its JSON answer into out. An answer of
// the form {"error": "..."} is returned as an error.
func (n *sampleNode) run(line string, out any) error {
	if _, err := io.WriteString(n.stdin, line+"\n"); err != nil {
		return fmt.Errorf("demo: %s: %w (%s)", n.name, err, n.stderr())
	}
	if !n.stdout.Scan() {
		return fmt.Errorf("demo: %s stopped answering (%s)", n.name, n.stderr())
	}
	raw := n.stdout.Bytes()
	var e struct {
		Error string `json:"error"`
	}
	if json.Unmarshal(raw, &e) == nil && e.Error != "" {
		return fmt.Errorf("%s: %s", n.name, e.Error)
	}
	if err := json.Unmarshal(raw, out); err != nil {
		return fmt.Errorf("demo: %s answered %q: %w", n.name, raw, err)
	}
	return nil
}

// stderr returns what the node printed on its standard error.
func (n *sampleNode) stderr() string {
	b, _ := os.ReadFile(filepath.Join(n.dir, "stderr.log"))
	return strings.TrimSpace(string(b))
}

// quit stops the node with the quit command, or by its PID (SIGTERM, then
// SIGKILL) if it does not exit in time.
func (n *sampleNode) quit(ctx context.Context) error {
	var q struct {
		Quit bool `json:"quit"`
	}
	qerr := n.run("quit", &q)
	n.stdin.Close()
	select {
	case <-n.done:
		return errors.Join(qerr, n.err)
	case <-ctx.Done():
	case <-time.After(15 * time.Second):
	}
	_ = n.cmd.Process.Signal(os.Interrupt)
	select {
	case <-n.done:
	case <-time.After(10 * time.Second):
		_ = n.cmd.Process.Kill()
		<-n.done
	}
	return fmt.Errorf("demo: %s (pid %d) did not quit in time", n.name, n.cmd.Process.Pid)
}
