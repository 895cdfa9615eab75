// Command demo is what `make demo` runs: on a private regtest chain on this
// machine it starts btcd, an lnd ("carol"), and two lnkit sample nodes
// (alice and bob), drives the sample nodes through their command line as a
// script would (commands on standard input, --json answers on standard
// output, EVENT lines read from standard error), and tells the story:
//
//   - the nodes connect, alice signs a message that lnd verifies;
//   - a faucet (btcd has no wallet: the demo mines to a key it holds) pays
//     alice's, bob's and carol's wallets;
//   - alice opens an anchors channel to bob, carol opens one to bob with
//     lncli openchannel, both with a push to bob; 6 blocks make them ready
//     and bob's listchannels shows both;
//   - alice closes hers cooperatively; bob force-closes carol's, waits the
//     to_self_delay carol asked of him (--remote_csv_delay=10) and sweeps
//     his output into his wallet;
//   - every wallet's balance is accounted for to the satoshi.
//
// Each wait has a timeout and says what it waited for. It stops every
// process it started, by PID, and removes its temporary directory (-keep
// keeps it; a failure keeps it too).
//
// The first run on a machine builds the pinned btcd and lnd into
// ${XDG_CACHE_HOME:-$HOME/.cache}/lnkit/peers (a few minutes); later runs
// take about 30 seconds.
//
// Usage (from the repository root):
//
//	go run ./internal/demo [-lnd=false] [-keep] [-go=go]
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/exec"
	"os/signal"
	"path/filepath"
	"strconv"
	"syscall"
	"time"

	"github.com/lnkit/lnkit/internal/regtest"
)

func main() {
	withLnd := flag.Bool("lnd", true, "also start an lnd (carol): alice connects to it, it opens a channel to bob")
	keep := flag.Bool("keep", false, "keep the temporary directory (logs, data) after the demo")
	goCmd := flag.String("go", "go", "the go command that builds the sample node")
	flag.Parse()

	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	err := run(ctx, os.Stdout, *goCmd, *withLnd, *keep)
	interrupted := ctx.Err() != nil
	stop()
	switch {
	case err != nil && interrupted:
		fmt.Fprintln(os.Stderr, "demo interrupted")
		os.Exit(130)
	case err != nil:
		fmt.Fprintln(os.Stderr, "demo failed:", err)
		os.Exit(1)
	}
}

// run tells the whole story, stopping everything it started on the way
// out, also on error or interruption.
func run(ctx context.Context, w io.Writer, goCmd string, withLnd, keep bool) (err error) {
	start := time.Now()
	s := &story{w: w}
	root, err := repoRoot()
	if err != nil {
		return err
	}
	tmp, err := os.MkdirTemp("", "lnkit-demo-")
	if err != nil {
		return err
	}
	var stops []func() error // run in reverse order
	defer func() {
		if len(stops) > 0 {
			s.stepf("Shutting down what the demo started: quit for the sample nodes, SIGTERM by PID for the daemons")
		}
		for i := len(stops) - 1; i >= 0; i-- {
			err = errors.Join(err, stops[i]())
		}
		interrupted := ctx.Err() != nil
		if keep || (err != nil && !interrupted) {
			fmt.Fprintf(w, "\nlogs and data kept in %s\n", tmp)
		} else {
			err = errors.Join(err, os.RemoveAll(tmp))
		}
		if err == nil {
			fmt.Fprintf(w, "\ndemo finished in %s\n", since(start))
		}
	}()

	s.title("lnkit demo: Lightning sample nodes on a private regtest chain")

	s.stepf("Peer programs: btcd %s and lnd %s (built once into the user cache; the first run takes a few minutes)",
		regtest.BtcdVersion, regtest.LndVersion)
	t0 := time.Now()
	ictx, cancel := context.WithTimeout(ctx, 30*time.Minute)
	paths, err := regtest.Install(ictx, regtest.InstallConfig{Log: s.indented(), Go: goCmd})
	cancel()
	if err != nil {
		return err
	}
	s.say("ready in %s", since(t0))

	s.stepf("Building examples/sample-node (composed only from lnkit's public API)")
	bin := filepath.Join(tmp, "sample-node")
	build := exec.CommandContext(ctx, goCmd, "build", "-o", bin, "./examples/sample-node")
	build.Dir = root
	if out, err := build.CombinedOutput(); err != nil {
		return fmt.Errorf("demo: go build: %w\n%s", err, out)
	}
	s.say("built %s", bin)

	s.stepf("Starting btcd on a fresh regtest chain")
	btcdDir := mkdir(tmp, "btcd")
	b, err := startBtcd(ctx, paths.Btcd, btcdDir)
	if b != nil {
		stops = append(stops, s.stopper("btcd", b.PID(), b.stop))
	}
	if err != nil {
		return err
	}
	s.say("btcd pid %d, JSON-RPC over TLS on %s", b.PID(), b.rpcAddr)
	// 432 blocks activate segwit on btcd's regtest, which lnd needs.
	height, err := b.generate(ctx, 432)
	if err != nil {
		return err
	}
	s.say("mined %d blocks", height)

	var carol *lnd
	if withLnd {
		s.stepf("Starting lnd %q (another implementation, for interop)", "carol")
		carol, err = startLnd(ctx, paths.Lnd, paths.Lncli, mkdir(tmp, "carol"), "carol", b)
		if carol != nil {
			stops = append(stops, s.stopper("lnd carol", carol.PID(), carol.stop))
		}
		if err != nil {
			return err
		}
		s.say("lnd pid %d, node %s at %s", carol.PID(), carol.nodeID, carol.p2pAddr)
	}

	s.stepf("Starting two sample nodes, alice and bob (commands on stdin, --json answers on stdout)")
	nodes := map[string]*sampleNode{}
	for _, name := range []string{"alice", "bob"} {
		n, err := startSampleNode(bin, name, mkdir(tmp, name), b, "--to-self-delay", strconv.Itoa(sampleToSelfDelay))
		if err != nil {
			return err
		}
		stops = append(stops, s.stopper(name, n.cmd.Process.Pid, func() error { return n.quit(context.Background()) }))
		nodes[name] = n
		s.say("%s: sample-node --json --to-self-delay %d --rpccert %s %s:***@%s %s 0 regtest %s",
			name, sampleToSelfDelay, filepath.Base(b.certPath), b.user, b.rpcAddr, n.dir, name)
	}
	alice, bob := nodes["alice"], nodes["bob"]
	if err := tellStory(ctx, s, alice, bob, carol); err != nil {
		return err
	}
	return tellChannels(ctx, s, b, alice, bob, carol)
}

// repoRoot finds the repository root: the nearest directory upwards with a
// go.mod.
func repoRoot() (string, error) {
	dir, err := os.Getwd()
	if err != nil {
		return "", err
	}
	for {
		if _, err := os.Stat(filepath.Join(dir, "go.mod")); err == nil {
			return dir, nil
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			return "", errors.New("demo: run it from the lnkit repository (no go.mod found)")
		}
		dir = parent
	}
}

// mkdir creates dir/name and returns it; the demo's temporary directory is
// its own, so failure is not expected.
func mkdir(dir, name string) string {
	p := filepath.Join(dir, name)
	_ = os.MkdirAll(p, 0o700)
	return p
}

// since formats the time elapsed since t.
func since(t time.Time) time.Duration { return time.Since(t).Round(100 * time.Millisecond) }
