package regtest

import (
	"bytes"
	"context"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/btcsuite/btcd/btcec/v2"
)

// Defaults of LndOptions.
const (
	// DefaultChanConfs is LndOptions.ChanConfs when it is zero.
	DefaultChanConfs = 3
	// lndStopGrace is how long Stop waits after SIGTERM before SIGKILL.
	lndStopGrace = 30 * time.Second
	// cliTimeout bounds one lncli invocation.
	cliTimeout = 2 * time.Minute
)

// LndOptions configures StartLnd. The zero value is ready to use.
type LndOptions struct {
	// Alias is the node's alias (--alias), also used to name it in logs.
	// Default: "lnd-<p2p port>".
	Alias string

	// ChanConfs is --bitcoin.defaultchanconfs: how many confirmations lnd
	// requires before a channel it accepts is open (lnd sends it as
	// minimum_depth). Default: DefaultChanConfs (3).
	ChanConfs int

	// FastFee runs lnd-fastfee (Paths.LndFastFee) instead of lnd: its
	// channel links check the fee estimate every LndFastFeeMinUpdate to
	// LndFastFeeMaxUpdate instead of 10 to 60 minutes, so that lnd as a
	// channel's opener sends update_fee within seconds of its estimate
	// moving. Default: false (the release lnd).
	FastFee bool

	// FeeURL is --fee.url, a fee estimation service lnd queries instead of
	// btcd's estimatefee; use a FeeServer's URL to set lnd's estimate.
	// Default: "" (btcd's estimate).
	FeeURL string

	// ExtraArgs are appended to lnd's command line, for example
	// "--protocol.wumbo-channels" or "--accept-amp". Default: none.
	ExtraArgs []string

	// REST serves lnd's REST API (--restlisten on a free 127.0.0.1 port,
	// Lnd.RESTAddr, TLS with TLSCertPath, authenticated with the
	// macaroon at AdminMacaroonPath) instead of --norest, for clients
	// that must not pay lncli's process start per call (the payments
	// benchmark). Default: false (no REST).
	REST bool
}

// Lnd is a running lnd attached to a Btcd, started by StartLnd. Its
// exported fields describe how to reach it; do not modify them.
type Lnd struct {
	Alias   string           // --alias
	NodeID  string           // identity public key, 33-byte compressed, hex
	PubKey  *btcec.PublicKey // the same key, parsed
	P2PAddr string           // Lightning peer listener, "127.0.0.1:port"
	RPCAddr string           // gRPC listener lncli talks to
	// RESTAddr is the REST listener, "127.0.0.1:port", when
	// LndOptions.REST is set; empty otherwise.
	RESTAddr string
	Dir      string // --lnddir: tls.cert, data, logs
	Btcd     *Btcd  // the chain backend

	chanConfs int
	bins      Paths
	lndBin    string // bins.Lnd or bins.LndFastFee
	args      []string
	proc      *Process
}

// StartLnd starts lnd on regtest against btcd, in a fresh temporary
// directory with free 127.0.0.1 ports, and waits until it is ready:
// `lncli state` is SERVER_ACTIVE and `lncli getinfo` reports it synced to
// btcd's tip. Call btcd.ActivateSegwit first. The wallet is created
// without a seed backup and unlocks itself on Restart.
//
// Flags: --bitcoin.regtest --bitcoin.node=btcd, btcd's RPC credentials and
// certificate, --listen and --externalip on the P2P address, --rpclisten,
// --norest (--restlisten with opts.REST), --noseedbackup --nobootstrap --tlsdisableautofill
// --accept-keysend --trickledelay=50 --bitcoin.defaultchanconfs,
// --fee.url if opts.FeeURL is set, then opts.ExtraArgs. opts.FastFee runs
// lnd-fastfee instead of lnd. The test's cleanup stops lnd, after printing the tail of
// its log if the test failed.
func StartLnd(t testing.TB, btcd *Btcd, opts LndOptions) *Lnd {
	t.Helper()
	if opts.ChanConfs == 0 {
		opts.ChanConfs = DefaultChanConfs
	}
	l := &Lnd{
		Dir:       t.TempDir(),
		Btcd:      btcd,
		chanConfs: opts.ChanConfs,
		bins:      Binaries(t),
	}
	l.lndBin = l.bins.Lnd
	if opts.FastFee {
		l.lndBin = l.bins.LndFastFee
	}
	cleanupDaemon(t, func() *Process { return l.proc }, lndStopGrace)

	const attempts = 3
	for attempt := 1; ; attempt++ {
		addrs, err := freeAddrs(3)
		if err != nil {
			t.Fatalf("%v", err)
		}
		l.P2PAddr, l.RPCAddr = addrs[0], addrs[1]
		restFlag := "--norest"
		if opts.REST {
			l.RESTAddr = addrs[2]
			restFlag = "--restlisten=" + l.RESTAddr
		}
		l.Alias = opts.Alias
		if l.Alias == "" {
			_, port, _ := strings.Cut(l.P2PAddr, ":")
			l.Alias = "lnd-" + port
		}
		args := []string{
			"--lnddir=" + l.Dir,
			"--alias=" + l.Alias,
			"--bitcoin.regtest",
			"--bitcoin.node=btcd",
			"--btcd.rpchost=" + btcd.RPCAddr,
			"--btcd.rpcuser=" + btcd.RPCUser,
			"--btcd.rpcpass=" + btcd.RPCPass,
			"--btcd.rpccert=" + btcd.RPCCertPath,
			"--listen=" + l.P2PAddr,
			"--externalip=" + l.P2PAddr,
			"--rpclisten=" + l.RPCAddr,
			restFlag,
			"--noseedbackup",
			"--nobootstrap",
			"--tlsdisableautofill",
			"--accept-keysend",
			"--trickledelay=50",
			"--bitcoin.defaultchanconfs=" + strconv.Itoa(opts.ChanConfs),
		}
		if opts.FeeURL != "" {
			args = append(args, "--fee.url="+opts.FeeURL)
		}
		l.args = append(args, opts.ExtraArgs...)
		err = l.launch()
		if err == nil {
			break
		}
		if attempt < attempts && l.proc != nil && addrInUse(l.proc) {
			t.Logf("regtest: %s port taken, retrying with new ports: %v", l.Alias, err)
			continue
		}
		t.Fatalf("%v", err)
	}
	var info lndInfo
	l.CLIJSON(t, &info, "getinfo")
	key, err := hex.DecodeString(info.IdentityPubkey)
	if err == nil {
		l.PubKey, err = btcec.ParsePubKey(key)
	}
	if err != nil {
		t.Fatalf("regtest: %s identity_pubkey %q: %v", l.Alias, info.IdentityPubkey, err)
	}
	l.NodeID = info.IdentityPubkey
	l.WaitSynced(t)
	return l
}

// lndInfo is the part of `lncli getinfo` the harness reads.
type lndInfo struct {
	IdentityPubkey string `json:"identity_pubkey"`
	BlockHeight    int32  `json:"block_height"`
	BlockHash      string `json:"block_hash"`
	SyncedToChain  bool   `json:"synced_to_chain"`
}

// launch starts the lnd process and waits until its RPC server is active.
func (l *Lnd) launch() error {
	proc, err := StartProcess(l.Alias, l.Dir, filepath.Join(l.Dir, "lnd.out.log"), l.lndBin, l.args...)
	if err != nil {
		return err
	}
	l.proc = proc
	deadline := time.Now().Add(WaitTimeout)
	var last string
	for time.Now().Before(deadline) {
		if proc.Exited() {
			return fmt.Errorf("regtest: %s exited during start-up (%v); its log: %s", l.Alias, proc.waitErr, proc.logPath)
		}
		out, err := l.TryCLI("state")
		if err != nil {
			last = err.Error()
		} else {
			var st struct {
				State string `json:"state"`
			}
			if err := json.Unmarshal(out, &st); err == nil && st.State == "SERVER_ACTIVE" {
				return nil
			}
			last = strings.TrimSpace(string(out))
		}
		time.Sleep(200 * time.Millisecond)
	}
	return fmt.Errorf("regtest: %s not SERVER_ACTIVE after %s; last: %s", l.Alias, WaitTimeout, last)
}

// TryCLI runs lncli against this node (--lnddir, --network=regtest,
// --rpcserver are added before args) and returns its standard output. On
// failure the error includes lncli's standard error. It does not need the
// test, so it can be used in polling loops and goroutines.
func (l *Lnd) TryCLI(args ...string) ([]byte, error) {
	ctx, cancel := context.WithTimeout(context.Background(), cliTimeout)
	defer cancel()
	return l.cliContext(ctx, args...)
}

// cliContext is TryCLI bounded by ctx instead of cliTimeout: lncli is
// killed when ctx ends.
func (l *Lnd) cliContext(ctx context.Context, args ...string) ([]byte, error) {
	full := append([]string{"--lnddir=" + l.Dir, "--network=regtest", "--rpcserver=" + l.RPCAddr}, args...)
	cmd := exec.CommandContext(ctx, l.bins.Lncli, full...)
	cmd.Dir = l.Dir
	var stdout, stderr bytes.Buffer
	cmd.Stdout = &stdout
	cmd.Stderr = &stderr
	if err := cmd.Run(); err != nil {
		msg := strings.TrimSpace(stderr.String())
		if out := strings.TrimSpace(stdout.String()); out != "" {
			msg += "\nstdout: " + out
		}
		return stdout.Bytes(), fmt.Errorf("regtest: lncli %s (%s): %w: %s", strings.Join(args, " "), l.Alias, err, msg)
	}
	return stdout.Bytes(), nil
}

// CLI runs lncli against this node and returns its standard output,
// failing the test (with lncli's standard error) if lncli fails.
// Example: l.CLI(t, "addinvoice", "--amt=1000").
func (l *Lnd) CLI(t testing.TB, args ...string) []byte {
	t.Helper()
	out, err := l.TryCLI(args...)
	if err != nil {
		t.Fatalf("%v", err)
	}
	return out
}

// CLIJSON runs lncli like CLI and decodes its JSON output into out. lncli
// prints 64-bit integers as JSON strings: declare such fields with the
// `json:",string"` option (int32/uint32 fields are plain numbers).
func (l *Lnd) CLIJSON(t testing.TB, out any, args ...string) {
	t.Helper()
	raw := l.CLI(t, args...)
	if err := json.Unmarshal(raw, out); err != nil {
		t.Fatalf("regtest: lncli %s (%s): decode %q: %v", strings.Join(args, " "), l.Alias, truncate(raw, 500), err)
	}
}

// WaitSynced waits until lnd reports synced_to_chain at btcd's current tip
// (same block hash). Call it after Generate before asking lnd about the new
// blocks.
func (l *Lnd) WaitSynced(t testing.TB) {
	t.Helper()
	waitFor(t, WaitTimeout, l.Alias+" to sync to btcd's tip", func() (bool, string) {
		hash, height := l.Btcd.BestBlock(t)
		out, err := l.TryCLI("getinfo")
		if err != nil {
			return false, err.Error()
		}
		var info lndInfo
		if err := json.Unmarshal(out, &info); err != nil {
			return false, err.Error()
		}
		return info.SyncedToChain && info.BlockHash == hash.String(),
			fmt.Sprintf("lnd at %d %s synced=%v, btcd at %d %s", info.BlockHeight, info.BlockHash, info.SyncedToChain, height, hash)
	})
}

// TLSCertPath is lnd's self-signed TLS certificate (PEM), which its gRPC
// and REST listeners present.
func (l *Lnd) TLSCertPath() string { return filepath.Join(l.Dir, "tls.cert") }

// AdminMacaroonPath is lnd's admin macaroon on regtest: REST clients send
// it, hex-encoded, in the Grpc-Metadata-macaroon header.
func (l *Lnd) AdminMacaroonPath() string {
	return filepath.Join(l.Dir, "data", "chain", "bitcoin", "regtest", "admin.macaroon")
}

// URI returns "<NodeID>@<P2PAddr>", the argument of `lncli connect`.
func (l *Lnd) URI() string {
	return l.NodeID + "@" + l.P2PAddr
}

// Stop stops lnd (SIGTERM, then SIGKILL after 30 s). The test's cleanup
// does this anyway; call Stop to test what happens when lnd goes away, and
// Restart to bring it back.
func (l *Lnd) Stop(t testing.TB) {
	t.Helper()
	if l.proc == nil {
		return
	}
	if err := l.proc.Stop(lndStopGrace); err != nil {
		t.Errorf("%v", err)
	}
}

// Restart stops lnd if it is running and starts it again with the same
// directory, ports and flags (same identity, wallet and channels), then
// waits until it is ready and synced. Its peers reconnect on their own:
// wait for WaitChannelActive on both sides before paying again.
func (l *Lnd) Restart(t testing.TB) {
	t.Helper()
	l.Stop(t)
	if err := l.launch(); err != nil {
		t.Fatalf("%v", err)
	}
	l.WaitSynced(t)
}

// PID returns the process ID of the running lnd.
func (l *Lnd) PID() int {
	return l.proc.cmd.Process.Pid
}

// String describes the node for logs.
func (l *Lnd) String() string {
	return fmt.Sprintf("lnd(%s %s)", l.Alias, l.URI())
}
