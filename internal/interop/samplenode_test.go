package interop

import (
	"bufio"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/lnkit/lnkit/internal/regtest"
)

// sampleAnswerTimeout bounds the wait for one command's answer.
const sampleAnswerTimeout = 2 * time.Minute

// sampleProc is a running examples/sample-node in --json mode, driven
// through its standard input the way a script drives it: one command per
// line, one JSON object per line back (../notes/SAMPLE_CONTRACT.md). Its
// data directory and listening port survive restarts.
type sampleProc struct {
	t       *testing.T
	bin     string
	name    string
	dir     string // data directory
	port    int
	btcd    *regtest.Btcd
	flags   []string
	nodeID  string
	addr    string // listening address, "127.0.0.1:port"
	cmd     *exec.Cmd
	stdin   io.WriteCloser
	answers chan []byte
	done    chan struct{}
	mu      sync.Mutex
	stderr  strings.Builder // every start's standard error (EVENT lines, progress)
	// printed is signalled (without blocking) whenever stderr grows.
	printed chan struct{}
	// evOff is how much of stderr events has parsed into evs.
	evOff int
	evs   []nodeEvent
}

// startSample starts a sample node named name on btcd's chain with a fresh
// data directory and a free port. flags are extra command-line flags (for
// example "--no-accept-inbound"). The test's cleanup stops it.
func startSample(t *testing.T, bin, name string, btcd *regtest.Btcd, flags ...string) *sampleProc {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	port := l.Addr().(*net.TCPAddr).Port
	require.NoError(t, l.Close())
	s := &sampleProc{t: t, bin: bin, name: name, dir: t.TempDir(), port: port, btcd: btcd, flags: flags,
		printed: make(chan struct{}, 1)}
	t.Cleanup(func() {
		s.kill()
		if t.Failed() {
			t.Logf("%s stderr:\n%s", s.name, tail(s.stderrText(), 60))
			nodeLog, _ := os.ReadFile(filepath.Join(s.dir, "logs", "node.log"))
			t.Logf("%s log (tail):\n%s", s.name, tail(string(nodeLog), 150))
		}
	})
	s.start()
	return s
}

// start launches the process and reads its node id and address.
func (s *sampleProc) start() {
	t := s.t
	t.Helper()
	args := append([]string{"--json", "--loglevel", "debug", "--rpccert", s.btcd.RPCCertPath}, s.flags...)
	args = append(args, s.btcd.RPCUser+":"+s.btcd.RPCPass+"@"+s.btcd.RPCAddr, s.dir, strconv.Itoa(s.port), "regtest", s.name)
	cmd := exec.Command(s.bin, args...)
	cmd.SysProcAttr = &syscall.SysProcAttr{Pdeathsig: syscall.SIGKILL}
	stdin, err := cmd.StdinPipe()
	require.NoError(t, err)
	stdout, err := cmd.StdoutPipe()
	require.NoError(t, err)
	cmd.Stderr = writerFunc(func(p []byte) (int, error) {
		s.mu.Lock()
		defer s.mu.Unlock()
		select {
		case s.printed <- struct{}{}:
		default:
		}
		return s.stderr.Write(p)
	})
	require.NoError(t, cmd.Start())
	s.cmd, s.stdin = cmd, stdin
	s.answers = make(chan []byte, 16)
	s.done = make(chan struct{})
	answers, done := s.answers, s.done
	go func() {
		sc := bufio.NewScanner(stdout)
		sc.Buffer(make([]byte, 0, 64<<10), 4<<20)
		for sc.Scan() {
			answers <- append([]byte(nil), sc.Bytes()...)
		}
		close(answers)
	}()
	go func() {
		_ = cmd.Wait()
		close(done)
	}()
	var info struct {
		NodeID      string `json:"node_id"`
		ListeningOn string `json:"listening_on"`
	}
	s.run(&info, "nodeinfo")
	s.nodeID, s.addr = info.NodeID, info.ListeningOn
	require.NotEmpty(t, s.nodeID)
}

// try sends one command and decodes its answer into out (nil: ignore it).
// An answer {"error": "..."} is returned as an error.
func (s *sampleProc) try(out any, command string) error {
	if _, err := io.WriteString(s.stdin, command+"\n"); err != nil {
		return fmt.Errorf("%s: write %q: %w", s.name, command, err)
	}
	var raw []byte
	select {
	case a, ok := <-s.answers:
		if !ok {
			return fmt.Errorf("%s stopped answering at %q", s.name, command)
		}
		raw = a
	case <-time.After(sampleAnswerTimeout):
		return fmt.Errorf("%s: no answer to %q after %s", s.name, command, sampleAnswerTimeout)
	}
	var e struct {
		Error string `json:"error"`
	}
	if json.Unmarshal(raw, &e) == nil && e.Error != "" {
		return &sampleError{Command: command, Message: e.Error}
	}
	if out == nil {
		return nil
	}
	if err := json.Unmarshal(raw, out); err != nil {
		return fmt.Errorf("%s answered %q to %q: %w", s.name, raw, command, err)
	}
	return nil
}

// run is try failing the test on error.
func (s *sampleProc) run(out any, command string) {
	s.t.Helper()
	require.NoError(s.t, s.try(out, command), "%s: %s", s.name, command)
}

// sampleError is a command's {"error": ...} answer.
type sampleError struct {
	Command string
	Message string
}

func (e *sampleError) Error() string { return fmt.Sprintf("sample node: %s: %s", e.Command, e.Message) }

// restart quits the node (the quit command, so it stops cleanly) and
// starts it again with the same data directory, port and flags.
func (s *sampleProc) restart() {
	s.t.Helper()
	s.stop()
	s.start()
}

// stop sends quit and waits for the process to exit; SIGKILL after 20 s.
func (s *sampleProc) stop() {
	s.t.Helper()
	_ = s.try(nil, "quit")
	_ = s.stdin.Close()
	select {
	case <-s.done:
	case <-time.After(20 * time.Second):
		s.t.Errorf("%s (pid %d) did not quit in 20 s: killed", s.name, s.cmd.Process.Pid)
		s.kill()
	}
}

// kill ends the process by its PID (SIGKILL) if it still runs.
func (s *sampleProc) kill() {
	if s.cmd == nil || s.cmd.Process == nil {
		return
	}
	select {
	case <-s.done:
		return
	default:
	}
	_ = s.cmd.Process.Kill()
	<-s.done
}

// stderrText returns everything the node printed on standard error.
func (s *sampleProc) stderrText() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.stderr.String()
}

// waitEvent waits until the node printed an "EVENT: " line containing
// every one of parts and returns it.
func (s *sampleProc) waitEvent(parts ...string) string {
	s.t.Helper()
	var found string
	regtest.WaitFor(s.t, s.name+" EVENT with "+strings.Join(parts, " "), func() (bool, string) {
		for line := range strings.Lines(s.stderrText()) {
			if !strings.HasPrefix(line, "EVENT: ") {
				continue
			}
			all := true
			for _, p := range parts {
				all = all && strings.Contains(line, p)
			}
			if all {
				found = strings.TrimSpace(line)
				return true, ""
			}
		}
		return false, tail(s.stderrText(), 5)
	})
	return found
}

// sampleChannel is one entry of listchannels (the contract's fields).
type sampleChannel struct {
	ChannelID          string `json:"channel_id"`
	TemporaryChannelID string `json:"temporary_channel_id"`
	ShortChannelID     string `json:"short_channel_id"`
	Counterparty       string `json:"counterparty"`
	CapacitySat        int64  `json:"capacity_sat"`
	LocalBalanceMsat   int64  `json:"local_balance_msat"`
	RemoteBalanceMsat  int64  `json:"remote_balance_msat"`
	LocalReserveSat    int64  `json:"local_reserve_sat"`
	RemoteReserveSat   int64  `json:"remote_reserve_sat"`
	State              string `json:"state"`
	Usable             bool   `json:"usable"`
	Public             bool   `json:"public"`
	ChannelType        string `json:"channel_type"`
	Confirmations      int64  `json:"confirmations"`
	IsOutbound         bool   `json:"is_outbound"`
	FundingTxid        string `json:"funding_txid"`
	FundingOutputIndex uint32 `json:"funding_output_index"`
}

// channels returns listchannels.
func (s *sampleProc) channels() []sampleChannel {
	s.t.Helper()
	var res struct {
		Channels []sampleChannel `json:"channels"`
	}
	s.run(&res, "listchannels")
	return res.Channels
}

// channelByFunding returns the channel funded by txid, if listed.
func (s *sampleProc) channelByFunding(txid string) (sampleChannel, bool) {
	s.t.Helper()
	for _, c := range s.channels() {
		if c.FundingTxid == txid {
			return c, true
		}
	}
	return sampleChannel{}, false
}

// waitUsable waits until the channel funded by txid is ready and usable.
func (s *sampleProc) waitUsable(txid string) sampleChannel {
	s.t.Helper()
	var c sampleChannel
	regtest.WaitFor(s.t, s.name+" channel "+txid+" usable", func() (bool, string) {
		var ok bool
		c, ok = s.channelByFunding(txid)
		return ok && c.State == "ready" && c.Usable, fmt.Sprintf("%+v", c)
	})
	return c
}

// waitNoChannel waits until listchannels no longer lists the channel
// funded by txid.
func (s *sampleProc) waitNoChannel(txid string) {
	s.t.Helper()
	regtest.WaitFor(s.t, s.name+" channel "+txid+" gone", func() (bool, string) {
		c, ok := s.channelByFunding(txid)
		return !ok, fmt.Sprintf("%+v", c)
	})
}

// sampleBalance is getbalance.
type sampleBalance struct {
	Confirmed   int64 `json:"confirmed_sat"`
	Unconfirmed int64 `json:"unconfirmed_sat"`
	Immature    int64 `json:"immature_sat"`
	Locked      int64 `json:"locked_sat"`
	Total       int64 `json:"total_sat"`
}

// balance returns getbalance.
func (s *sampleProc) balance() sampleBalance {
	s.t.Helper()
	var b sampleBalance
	s.run(&b, "getbalance")
	return b
}

// waitConfirmed waits until the wallet's confirmed balance is want and
// nothing is unconfirmed.
func (s *sampleProc) waitConfirmed(want int64) {
	s.t.Helper()
	regtest.WaitFor(s.t, fmt.Sprintf("%s confirmed balance %d", s.name, want), func() (bool, string) {
		b := s.balance()
		return b.Confirmed == want && b.Unconfirmed == 0, fmt.Sprintf("%+v", b)
	})
}

// sampleOpened is openchannel's answer.
type sampleOpened struct {
	TemporaryChannelID string `json:"temporary_channel_id"`
	Counterparty       string `json:"counterparty"`
	CapacitySat        int64  `json:"capacity_sat"`
}

// tail returns the last n lines of s.
func tail(s string, n int) string {
	lines := strings.Split(strings.TrimRight(s, "\n"), "\n")
	if len(lines) > n {
		lines = lines[len(lines)-n:]
	}
	return strings.Join(lines, "\n")
}

// writerFunc adapts a function to io.Writer.
type writerFunc func(p []byte) (int, error)

func (f writerFunc) Write(p []byte) (int, error) { return f(p) }
