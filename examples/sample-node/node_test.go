package main

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"io"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/lnkit/lnkit/internal/regtest"
	"github.com/lnkit/lnkit/keys"
	"github.com/lnkit/lnkit/wire"
)

// testNode is a sample node run in-process by run(), driven through pipes
// in --json mode.
type testNode struct {
	t      *testing.T
	name   string
	in     *io.PipeWriter
	out    *bufio.Scanner
	stderr *syncBuffer
	code   chan int
	cancel context.CancelFunc
}

// syncBuffer is a bytes.Buffer safe for one writer and one reader.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

// rpcArg is the sample node's RPC argument for btcd.
func rpcArg(b *regtest.Btcd) string { return b.RPCUser + ":" + b.RPCPass + "@" + b.RPCAddr }

// startTestNode runs a sample node on btcd's chain with datadir, listening
// on a free 127.0.0.1 port.
func startTestNode(t *testing.T, name string, btcd *regtest.Btcd, dataDir string, extra ...string) *testNode {
	t.Helper()
	return startTestNodeOn(t, name, btcd, dataDir, "0", extra...)
}

// startTestNodeOn is startTestNode listening on port.
func startTestNodeOn(t *testing.T, name string, btcd *regtest.Btcd, dataDir, port string, extra ...string) *testNode {
	t.Helper()
	args := append([]string{"--json", "--rpccert", btcd.RPCCertPath, "--loglevel", "debug"}, extra...)
	args = append(args, rpcArg(btcd), dataDir, port, "regtest", name)
	inR, inW := io.Pipe()
	outR, outW := io.Pipe()
	ctx, cancel := context.WithCancel(context.Background())
	n := &testNode{t: t, name: name, in: inW, out: bufio.NewScanner(outR), stderr: &syncBuffer{}, code: make(chan int, 1), cancel: cancel}
	go func() {
		code := run(ctx, args, inR, outW, n.stderr)
		outW.Close()
		inR.Close()
		n.code <- code
	}()
	t.Cleanup(func() {
		cancel()
		inW.Close()
		select {
		case <-n.code:
		case <-time.After(30 * time.Second):
			// Errorf, not require: the log dump below must still run.
			t.Errorf("%s did not stop", name)
		}
		if t.Failed() {
			t.Logf("%s stderr: %s", name, n.stderr.String())
			if b, err := os.ReadFile(filepath.Join(dataDir, "logs", "node.log")); err == nil {
				t.Logf("%s log:\n%s", name, b)
			}
		}
	})
	return n
}

// cmd sends one command line and decodes its one-line JSON answer into v
// (a map when v is nil). It returns the raw line.
func (n *testNode) cmd(line string, v any) string {
	n.t.Helper()
	_, err := io.WriteString(n.in, line+"\n")
	require.NoError(n.t, err, "%s: write %q (stderr: %s)", n.name, line, n.stderr.String())
	require.True(n.t, n.out.Scan(), "%s: no answer to %q (stderr: %s)", n.name, line, n.stderr.String())
	raw := n.out.Text()
	if v == nil {
		v = &map[string]any{}
	}
	require.NoError(n.t, json.Unmarshal([]byte(raw), v), "%s: %q answered %q", n.name, line, raw)
	return raw
}

// mustCmd is cmd for a command that must succeed.
func (n *testNode) mustCmd(line string, v any) {
	n.t.Helper()
	raw := n.cmd(line, v)
	require.NotContains(n.t, raw, `"error"`, "%s: %q", n.name, line)
}

// quit stops the node with quit and checks it exits cleanly.
func (n *testNode) quit() {
	n.t.Helper()
	var q quitResult
	n.mustCmd("quit", &q)
	require.True(n.t, q.Quit)
	require.False(n.t, n.out.Scan(), "output after quit")
	require.Equal(n.t, 0, <-n.code, "exit code; stderr: %s", n.stderr.String())
	n.code <- 0 // for the cleanup
}

func TestSampleNodes(t *testing.T) {
	if testing.Short() {
		t.Skip("integration: starts btcd/lnd; run without -short")
	}
	btcd := regtest.StartBtcd(t, regtest.BtcdOptions{})
	btcd.Generate(t, 3)
	bestHash, bestHeight := btcd.BestBlock(t)

	t.Run("seed created 0600 and reused across restarts", func(t *testing.T) {
		dir := filepath.Join(t.TempDir(), "node") // does not exist yet
		a := startTestNode(t, "carol", btcd, dir)
		var info nodeInfoResult
		a.mustCmd("nodeinfo", &info)
		a.quit()

		st, err := os.Stat(filepath.Join(dir, "keys_seed"))
		require.NoError(t, err)
		require.Equal(t, os.FileMode(0o600), st.Mode().Perm())
		require.EqualValues(t, 32, st.Size())
		dst, err := os.Stat(dir)
		require.NoError(t, err)
		require.Equal(t, os.FileMode(0o700), dst.Mode().Perm())
		seed, err := keys.ReadSeedFile(filepath.Join(dir, "keys_seed"))
		require.NoError(t, err)
		require.Equal(t, keys.NewManager(seed, keys.Config{}).NodeID().String(), info.NodeID)

		b := startTestNode(t, "carol", btcd, dir)
		var again nodeInfoResult
		b.mustCmd("nodeinfo", &again)
		require.Equal(t, info.NodeID, again.NodeID)
		b.quit()

		log, err := os.ReadFile(filepath.Join(dir, "logs", "node.log"))
		require.NoError(t, err)
		require.Equal(t, 2, strings.Count(string(log), "sample-node: stopped"), "log flushed at each shutdown")
		require.Contains(t, string(log), "new_seed=true")
		require.Contains(t, string(log), "new_seed=false")
	})

	t.Run("nodeinfo, help, errors in json", func(t *testing.T) {
		n := startTestNode(t, "dave", btcd, t.TempDir())
		var info nodeInfoResult
		n.mustCmd("nodeinfo", &info)
		id, err := wire.ParseNodeID(info.NodeID)
		require.NoError(t, err)
		require.Equal(t, "regtest", info.Network)
		require.Equal(t, "dave", info.Alias)
		require.True(t, strings.HasPrefix(info.ListeningOn, "127.0.0.1:"), info.ListeningOn)
		require.NotNil(t, info.BestBlock)
		require.Equal(t, bestHeight, info.BestBlock.Height)
		require.Equal(t, bestHash.String(), info.BestBlock.Hash)
		require.Zero(t, info.NumPeers)
		require.NotEmpty(t, info.Features)

		var help helpResult
		n.mustCmd("help", &help)
		require.Len(t, help.Commands, len(commands()))

		var e errorResult
		n.cmd("nosuchcommand", &e)
		require.Contains(t, e.Error, "unknown command")
		n.cmd("connectpeer "+id.String()+"@"+info.ListeningOn, &e)
		require.Contains(t, e.Error, "ourselves")

		var sig signMessageResult
		n.mustCmd("signmessage hello from dave", &sig)
		require.NoError(t, keys.VerifyMessageFrom([]byte("hello from dave"), sig.Signature, id))
		n.quit()
	})

	t.Run("two nodes connect and list each other", func(t *testing.T) {
		alice := startTestNode(t, "alice", btcd, t.TempDir())
		bob := startTestNode(t, "bob", btcd, t.TempDir())
		var ai, bi nodeInfoResult
		alice.mustCmd("nodeinfo", &ai)
		bob.mustCmd("nodeinfo", &bi)

		var e errorResult
		alice.cmd("connectpeer "+testNodeID+"@"+bi.ListeningOn, &e)
		require.Equal(t, "tcp: handshake with "+bi.ListeningOn+" failed: the peer closed the connection; "+
			"the node id may be wrong, or no Lightning node listens there", e.Error)

		var cr connectResult
		alice.mustCmd("connectpeer "+bi.NodeID+"@"+bi.ListeningOn, &cr)
		require.Equal(t, bi.NodeID, cr.Connected)
		require.False(t, cr.AlreadyConnected)
		var again connectResult
		alice.mustCmd("connectpeer "+bi.NodeID+"@"+bi.ListeningOn, &again)
		require.True(t, again.AlreadyConnected)
		require.Equal(t, bi.ListeningOn, again.Address)

		var ap listPeersResult
		alice.mustCmd("listpeers", &ap)
		require.Len(t, ap.Peers, 1)
		require.Equal(t, bi.NodeID, ap.Peers[0].NodeID)
		require.Equal(t, bi.ListeningOn, ap.Peers[0].Address)
		require.False(t, ap.Peers[0].Inbound)
		require.Equal(t, ai.Features, ap.Peers[0].Features, "bob sends the same features as alice")
		require.WithinDuration(t, time.Now(), ap.Peers[0].ConnectedSince, time.Minute)

		// Bob learns of the connection when the init exchange completes
		// on his side, which may be a moment after alice's.
		var bp listPeersResult
		require.Eventually(t, func() bool {
			bob.mustCmd("listpeers", &bp)
			return len(bp.Peers) == 1
		}, 10*time.Second, 20*time.Millisecond)
		require.Equal(t, ai.NodeID, bp.Peers[0].NodeID)
		require.True(t, bp.Peers[0].Inbound)
		require.True(t, strings.HasPrefix(bp.Peers[0].Address, "127.0.0.1:"))

		bob.mustCmd("nodeinfo", &bi)
		require.Equal(t, 1, bi.NumPeers)

		var dr disconnectResult
		alice.mustCmd("disconnectpeer "+bi.NodeID, &dr)
		require.Equal(t, bi.NodeID, dr.Disconnected)
		require.Eventually(t, func() bool {
			bob.mustCmd("listpeers", &bp)
			return len(bp.Peers) == 0
		}, 10*time.Second, 20*time.Millisecond)

		// Bob dials back; quitting alice disconnects him.
		bob.mustCmd("connectpeer "+ai.NodeID+"@"+ai.ListeningOn, &cr)
		alice.quit()
		require.Eventually(t, func() bool {
			bob.mustCmd("listpeers", &bp)
			return len(bp.Peers) == 0
		}, 10*time.Second, 20*time.Millisecond)
		bob.quit()
	})

	t.Run("end of input stops the node", func(t *testing.T) {
		n := startTestNode(t, "erin", btcd, t.TempDir())
		n.mustCmd("listpeers", nil)
		require.NoError(t, n.in.Close())
		require.False(t, n.out.Scan())
		require.Equal(t, 0, <-n.code)
		n.code <- 0
	})

	t.Run("context cancel (SIGINT) stops the node", func(t *testing.T) {
		n := startTestNode(t, "frank", btcd, t.TempDir())
		n.mustCmd("listpeers", nil)
		n.cancel()
		require.False(t, n.out.Scan())
		require.Equal(t, 0, <-n.code)
		n.code <- 0
	})

	t.Run("unreachable chain fails the start", func(t *testing.T) {
		var stderr bytes.Buffer
		args := []string{"--rpccert", btcd.RPCCertPath, "u:p@127.0.0.1:1", t.TempDir(), "0"}
		require.Equal(t, 1, run(context.Background(), args, strings.NewReader(""), io.Discard, &stderr))
		require.Contains(t, stderr.String(), "chain RPC")
	})

	t.Run("wrong network fails the start", func(t *testing.T) {
		var stderr bytes.Buffer
		args := []string{"--rpccert", btcd.RPCCertPath, rpcArg(btcd), t.TempDir(), "0", "testnet"}
		require.Equal(t, 1, run(context.Background(), args, strings.NewReader(""), io.Discard, &stderr))
		require.Contains(t, stderr.String(), "chain RPC")
	})

	// Last: it stops btcd.
	t.Run("nodeinfo without the chain daemon", func(t *testing.T) {
		n := startTestNode(t, "grace", btcd, t.TempDir())
		var info nodeInfoResult
		n.mustCmd("nodeinfo", &info) // the node is up
		require.NotNil(t, info.BestBlock)
		btcd.Stop(t)
		info = nodeInfoResult{}
		n.mustCmd("nodeinfo", &info)
		require.NotEmpty(t, info.NodeID)
		require.Nil(t, info.BestBlock)
		require.Contains(t, info.BestBlockError, "best block")
		n.quit()
	})
}

func TestArgumentErrors(t *testing.T) {
	t.Run("bad arguments exit 2", func(t *testing.T) {
		var stderr bytes.Buffer
		require.Equal(t, 2, run(context.Background(), []string{"nope"}, strings.NewReader(""), io.Discard, &stderr))
		require.Contains(t, stderr.String(), "usage:")
	})
	t.Run("an unknown flag is said once", func(t *testing.T) {
		var stderr bytes.Buffer
		args := []string{"u:p@127.0.0.1:1", t.TempDir(), "--bogus"}
		require.Equal(t, 2, run(context.Background(), args, strings.NewReader(""), io.Discard, &stderr))
		require.Equal(t, "sample-node: flag provided but not defined: -bogus (-h shows the usage)\n", stderr.String())
	})
}
