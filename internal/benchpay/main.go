// Command benchpay is `make bench-payments`: the payments benchmark of
// issue 19, lnkit side by side with lnd on this machine in one run.
//
// On a private regtest chain (btcd) it sets up two pairs of nodes with one
// channel each:
//
//   - two lnkit nodes in this process, each a full library node (keys, a
//     filesystem store with real fsync holding the wallet, the channel
//     monitors, the channel manager and the event queue, a chain poller on
//     btcd, a peer manager over loopback TCP with BOLT 8), a channel of
//     -capacity-sat opened and confirmed on chain;
//   - two lnds (the pinned release, internal/regtest) with the same
//     channel, driven through lnd's REST API (POST /v1/invoices and POST
//     /v2/router/send, SendPaymentV2) over pooled TLS connections, so that
//     lnd is not charged lncli's process start per payment.
//
// Then, for each concurrency of -conc, each pair pays -n invoices of
// -amount-sat (created beforehand, untimed) with that many payments in
// flight, after -warmup untimed payments, and the table gives payments
// per second (successful payments over the run's wall time), the p50 and
// p99 latency (lnkit: from SendPayment to the payer's PaymentSent event;
// lnd: from the REST call to its SUCCEEDED status) and the lnkit/lnd
// ratios.
//
// An lnkit payer whose SendPayment is refused because the channel is full
// (max_accepted_htlcs, or the in-flight maximum: the HTLCs of payments
// already sent stay on the commitment until their removal is committed
// both ways, after PaymentSent) tries again a millisecond later, as lnd's
// link queues such an add; the wait counts in the latency and the table
// says how many sends were refused. -max-accepted-htlcs raises the lnkit
// nodes' limit (lnkit's default is 50, lnd's 483).
//
// With -forward it instead sets up three lnkit nodes a→b→c (channels a-b
// and b-c) and pays c's invoices from a over the route through b
// (SendPaymentRoute): the throughput of b's forwarding.
//
// The pinned btcd and lnd must be installed (`make peers`); the command
// fails at once if they are not. It stops every process it started and
// removes its temporary directory (-keep keeps it; a failure keeps it
// too). -cpuprofile writes a CPU profile of this process during the lnkit
// runs only (lnd runs in its own processes).
//
// Usage (from the repository root):
//
//	go run ./internal/benchpay [-n 500] [-conc 1,32] [-forward] [-cpuprofile cpu.out]
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"os"
	"os/signal"
	"path/filepath"
	"runtime"
	"runtime/pprof"
	"runtime/trace"
	"strconv"
	"strings"
	"syscall"
	"time"

	"github.com/btcsuite/btcd/btcutil"

	"github.com/lnkit/lnkit/channel"
	"github.com/lnkit/lnkit/internal/regtest"
	"github.com/lnkit/lnkit/wire"
)

// Names of the pairs in the table.
const (
	pairLnkit   = "lnkit"
	pairLnd     = "lnd"
	pairForward = "lnkit a→b→c"
)

// options are the command's flags.
type options struct {
	n           int
	conc        []int
	amountSat   int64
	capacitySat int64
	warmup      int
	forward     bool
	noLnd       bool
	keep        bool
	dir         string
	cpuProfile  string
	tracePath   string
	timeout     time.Duration
	verbose     bool
	// maxHTLCs is the lnkit nodes' max_accepted_htlcs; 0 keeps
	// channel.DefaultMaxAcceptedHTLCs.
	maxHTLCs uint
}

func main() {
	var o options
	var conc string
	flag.IntVar(&o.n, "n", 500, "payments per pair and concurrency")
	flag.StringVar(&conc, "conc", "1,32", "concurrencies, comma-separated")
	flag.Int64Var(&o.amountSat, "amount-sat", 1000, "amount of each payment in satoshis (above the dust limit: each HTLC has its output)")
	flag.Int64Var(&o.capacitySat, "capacity-sat", 5_000_000, "capacity of each channel in satoshis")
	flag.IntVar(&o.warmup, "warmup", 10, "untimed payments on each pair before the runs")
	flag.BoolVar(&o.forward, "forward", false, "three lnkit nodes a→b→c: b's forwarding throughput (no lnd)")
	flag.BoolVar(&o.noLnd, "no-lnd", false, "skip the lnd pair")
	flag.BoolVar(&o.keep, "keep", false, "keep the temporary directory (logs, stores)")
	flag.StringVar(&o.dir, "dir", "", "parent of the temporary directory (default: the system's); on a real disk, so that fsync is real")
	flag.StringVar(&o.cpuProfile, "cpuprofile", "", "write a CPU profile of the lnkit runs to this file")
	flag.StringVar(&o.tracePath, "trace", "", "write an execution trace of the lnkit runs to this file (go tool trace)")
	flag.DurationVar(&o.timeout, "timeout", 15*time.Minute, "bound on the whole run")
	flag.BoolVar(&o.verbose, "v", false, "debug logs in the nodes' log files")
	flag.UintVar(&o.maxHTLCs, "max-accepted-htlcs", 0, "the lnkit nodes' max_accepted_htlcs, 1 to 483 (default: lnkit's, 50; lnd's is 483)")
	flag.Parse()
	var err error
	if o.conc, err = parseConc(conc); err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(2)
	}
	if o.n <= 0 || o.amountSat <= 0 || o.capacitySat <= 0 || o.warmup < 0 || o.maxHTLCs > 483 {
		fmt.Fprintln(os.Stderr, "benchpay: -n, -amount-sat and -capacity-sat must be positive, -warmup not negative, -max-accepted-htlcs at most 483")
		os.Exit(2)
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	ctx, cancel := context.WithTimeout(ctx, o.timeout)
	err = run(ctx, os.Stdout, o)
	cancel()
	stop()
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
}

// parseConc parses "1,32".
func parseConc(s string) ([]int, error) {
	var out []int
	for _, f := range strings.Split(s, ",") {
		c, err := strconv.Atoi(strings.TrimSpace(f))
		if err != nil || c <= 0 {
			return nil, fmt.Errorf("benchpay: -conc %q: want positive integers separated by commas", s)
		}
		out = append(out, c)
	}
	return out, nil
}

// checkPeers fails when the pinned btcd or, unless noLnd, lnd is not
// installed: building them takes minutes, which is `make peers`' job, not
// a benchmark's.
func checkPeers(noLnd bool) error {
	dir, err := regtest.DefaultCacheDir()
	if err != nil {
		return err
	}
	need := []string{filepath.Join(dir, regtest.BtcdDirName(), "btcd")}
	if !noLnd {
		need = append(need, filepath.Join(dir, regtest.LndDirName(), "lnd"),
			filepath.Join(dir, regtest.LndDirName(), "lncli"),
			filepath.Join(dir, regtest.LndDirName(), "lnd-fastfee"))
	}
	for _, p := range need {
		if fi, err := os.Stat(p); err != nil || fi.Mode().Perm()&0o111 == 0 {
			return fmt.Errorf("benchpay: %s is not installed: run `make peers` (go run ./internal/regtest/cmd/installpeers) first", p)
		}
	}
	return nil
}

// run is the whole benchmark; it cleans up after itself.
func run(ctx context.Context, out io.Writer, o options) (err error) {
	if err := checkPeers(o.noLnd || o.forward); err != nil {
		return err
	}
	root, err := os.MkdirTemp(o.dir, "benchpay-")
	if err != nil {
		return fmt.Errorf("benchpay: %w", err)
	}
	logf, err := os.Create(filepath.Join(root, "benchpay.log"))
	if err != nil {
		return fmt.Errorf("benchpay: %w", err)
	}
	r := newRunner(root, io.MultiWriter(logf, out))
	defer func() {
		r.finish()
		logf.Close()
		if err == nil && !o.keep {
			if rerr := os.RemoveAll(root); rerr != nil {
				fmt.Fprintf(out, "benchpay: removing %s: %v\n", root, rerr)
			}
			return
		}
		fmt.Fprintf(out, "benchpay: logs and stores kept in %s\n", root)
	}()
	fmt.Fprintf(out, "benchpay: working in %s\n", root)
	if p50, worst, err := fsyncProbe(root); err == nil {
		fmt.Fprintf(out, "benchpay: a 4 KiB write and fsync there takes %s (median of %d; slowest %s)\n", ms(p50), fsyncProbes, ms(worst))
	} else {
		fmt.Fprintln(out, err)
	}
	if l, err := os.ReadFile("/proc/loadavg"); err == nil {
		fmt.Fprintf(out, "benchpay: load average %s on %d CPUs\n", strings.TrimSpace(string(l)), runtime.NumCPU())
	}
	return r.do(func() error { return bench(ctx, r, out, root, o) })
}

// bench sets everything up and runs the payments.
func bench(ctx context.Context, r *runner, out io.Writer, root string, o options) error {
	step := func(format string, args ...any) {
		fmt.Fprintf(out, "%s  "+format+"\n", append([]any{time.Now().Format("15:04:05")}, args...)...)
	}
	step("btcd: starting, activating segwit")
	btcd := regtest.StartBtcd(r, regtest.BtcdOptions{})
	btcd.ActivateSegwit(r)
	amount := wire.MilliSatoshi(o.amountSat * 1000)
	capacity := btcutil.Amount(o.capacitySat)
	fundAmt := capacity + 100_000

	var lnd *lndREST
	var lndInvs []string
	total := o.warmup + o.n*len(o.conc)
	if !o.forward && !o.noLnd {
		step("lnd: starting two, opening a channel of %d sat", o.capacitySat)
		la := regtest.StartLnd(r, btcd, regtest.LndOptions{Alias: "lnd-payer", REST: true})
		lb := regtest.StartLnd(r, btcd, regtest.LndOptions{Alias: "lnd-payee", REST: true})
		la.Fund(r, fundAmt)
		la.OpenChannel(r, lb, capacity)
		var err error
		if lnd, err = newLndREST(la, 2*maxConc(o.conc)); err != nil {
			return err
		}
		defer lnd.close()
		lndPayee, err := newLndREST(lb, 4)
		if err != nil {
			return err
		}
		defer lndPayee.close()
		step("lnd: creating %d invoices", total)
		lndInvs = make([]string, total)
		for i := range lndInvs {
			if lndInvs[i], err = lndPayee.addInvoice(ctx, uint64(amount), fmt.Sprintf("benchpay %d", i)); err != nil {
				return err
			}
		}
	}

	names := []string{"a", "b"}
	if o.forward {
		names = append(names, "c")
	}
	level := slog.LevelInfo
	if o.verbose {
		level = slog.LevelDebug
	}
	user := channel.DefaultUserConfig()
	if o.maxHTLCs != 0 {
		user.Handshake.MaxAcceptedHTLCs = uint16(o.maxHTLCs)
	}
	nodes := make([]*lnkitNode, len(names))
	for i, name := range names {
		dir := filepath.Join(root, "lnkit-"+name)
		if err := os.Mkdir(dir, 0o700); err != nil {
			return err
		}
		n, err := startNode(ctx, name, dir, btcd, user, level)
		if err != nil {
			return err
		}
		r.Cleanup(n.stop)
		nodes[i] = n
	}
	step("lnkit: %d nodes started (stores under %s), funding and opening channels of %d sat", len(nodes), root, o.capacitySat)
	for i := 0; i+1 < len(nodes); i++ {
		if err := fund(ctx, r, btcd, nodes[i], fundAmt); err != nil {
			return err
		}
		if err := nodes[i].connect(ctx, nodes[i+1]); err != nil {
			return err
		}
		if err := openChannel(ctx, r, btcd, nodes[i], nodes[i+1], wire.Satoshi(capacity)); err != nil {
			return err
		}
	}
	payee := nodes[len(nodes)-1]
	step("lnkit: creating %d invoices", total)
	invs, err := lnkitInvoices(payee, total, amount)
	if err != nil {
		return err
	}
	lnkitFn := lnkitPay(nodes[0], invs)
	lnkitName := pairLnkit
	if o.forward {
		lnkitFn = lnkitPayRoute(nodes, invs, amount)
		lnkitName = pairForward
	}

	// Each pair's invoices: the warm-up's, then each run's.
	offset := func(base int, f payFunc) payFunc {
		return func(ctx context.Context, i int) error { return f(ctx, base+i) }
	}
	if o.warmup > 0 {
		step("warm-up: %d payments on each pair", o.warmup)
		if res := runLoad(ctx, lnkitName, o.warmup, 1, lnkitFn); res.failed > 0 {
			return fmt.Errorf("benchpay: lnkit warm-up: %v", res.firstEr)
		}
		if lnd != nil {
			if res := runLoad(ctx, pairLnd, o.warmup, 1, lndPay(lnd, lndInvs)); res.failed > 0 {
				return fmt.Errorf("benchpay: lnd warm-up: %v", res.firstEr)
			}
		}
	}
	var runs []result
	if o.cpuProfile != "" {
		stopProfile, err := startProfile(o.cpuProfile)
		if err != nil {
			return err
		}
		defer stopProfile()
	}
	if o.tracePath != "" {
		stopTrace, err := startTrace(o.tracePath)
		if err != nil {
			return err
		}
		defer stopTrace()
	}
	var lnkitRuns []result
	for k, c := range o.conc {
		base := o.warmup + k*o.n
		step("%s: %d payments at concurrency %d", lnkitName, o.n, c)
		retried := nodes[0].pays.retries.Load()
		before := wireTotal(nodes)
		res := runLoad(ctx, lnkitName, o.n, c, offset(base, lnkitFn))
		res.retries = nodes[0].pays.retries.Load() - retried
		after := wireTotal(nodes)
		res.wire = wireCounts{commitSigs: after.commitSigs - before.commitSigs, htlcSigs: after.htlcSigs - before.htlcSigs}
		lnkitRuns = append(lnkitRuns, res)
	}
	if o.cpuProfile != "" {
		pprof.StopCPUProfile()
	}
	if o.tracePath != "" {
		trace.Stop()
	}
	for k, c := range o.conc {
		runs = append(runs, lnkitRuns[k])
		if lnd == nil {
			continue
		}
		base := o.warmup + k*o.n
		step("lnd: %d payments at concurrency %d", o.n, c)
		runs = append(runs, runLoad(ctx, pairLnd, o.n, c, offset(base, lndPay(lnd, lndInvs))))
	}
	printTable(out, runs)
	if ctx.Err() != nil {
		return fmt.Errorf("benchpay: %w", ctx.Err())
	}
	for _, res := range runs {
		if res.failed > 0 {
			return errors.New("benchpay: some payments failed (see the table)")
		}
	}
	return nil
}

// wireTotal sums the nodes' wire counts.
func wireTotal(nodes []*lnkitNode) wireCounts {
	var t wireCounts
	for _, n := range nodes {
		c := n.wire.load()
		t.commitSigs += c.commitSigs
		t.htlcSigs += c.htlcSigs
	}
	return t
}

// maxConc is the largest concurrency.
func maxConc(cs []int) int {
	m := 1
	for _, c := range cs {
		m = max(m, c)
	}
	return m
}

// startTrace starts the execution trace into path; the returned function
// stops it (again: a no-op).
func startTrace(path string) (func(), error) {
	f, err := os.Create(path)
	if err != nil {
		return nil, fmt.Errorf("benchpay: trace: %w", err)
	}
	if err := trace.Start(f); err != nil {
		f.Close()
		return nil, fmt.Errorf("benchpay: trace: %w", err)
	}
	return func() {
		trace.Stop()
		f.Close()
	}, nil
}

// startProfile starts the CPU profile into path; the returned function
// stops it (again: a no-op).
func startProfile(path string) (func(), error) {
	f, err := os.Create(path)
	if err != nil {
		return nil, fmt.Errorf("benchpay: cpu profile: %w", err)
	}
	if err := pprof.StartCPUProfile(f); err != nil {
		f.Close()
		return nil, fmt.Errorf("benchpay: cpu profile: %w", err)
	}
	return func() {
		pprof.StopCPUProfile()
		f.Close()
	}, nil
}
