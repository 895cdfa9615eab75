package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"os/exec"
	"path/filepath"
	"strings"
	"time"

	"github.com/lnkit/lnkit/internal/regtest"
)

// lnd is the demo's lnd, to show that a sample node talks to another
// implementation.
type lnd struct {
	*daemon
	lncli   string
	dir     string
	p2pAddr string
	rpcAddr string
	nodeID  string
}

// startLnd starts lnd on regtest against b in dir and waits until it is
// active and synced to btcd's tip.
func startLnd(ctx context.Context, bin, lncli, dir, alias string, b *btcd) (*lnd, error) {
	p2p, err := freePort()
	if err != nil {
		return nil, err
	}
	rpcAddr, err := freePort()
	if err != nil {
		return nil, err
	}
	l := &lnd{lncli: lncli, dir: dir, p2pAddr: p2p, rpcAddr: rpcAddr}
	l.daemon, err = regtest.StartProcess("lnd", dir, filepath.Join(dir, "lnd.out.log"), bin,
		"--lnddir="+dir,
		"--alias="+alias,
		"--bitcoin.regtest",
		"--bitcoin.node=btcd",
		"--btcd.rpchost="+b.rpcAddr,
		"--btcd.rpcuser="+b.user,
		"--btcd.rpcpass="+b.pass,
		"--btcd.rpccert="+b.certPath,
		"--listen="+p2p,
		"--externalip="+p2p,
		"--rpclisten="+rpcAddr,
		"--norest",
		"--noseedbackup",
		"--nobootstrap",
		"--tlsdisableautofill",
	)
	if err != nil {
		return nil, err
	}
	var info struct {
		IdentityPubkey string `json:"identity_pubkey"`
		SyncedToChain  bool   `json:"synced_to_chain"`
	}
	deadline := time.Now().Add(90 * time.Second)
	for {
		if l.Exited() {
			return l, fmt.Errorf("demo: lnd exited during start-up (%v); log:\n%s", l.WaitErr(), l.Tail(20))
		}
		var st struct {
			State string `json:"state"`
		}
		if l.cliJSON(ctx, &st, "state") == nil && st.State == "SERVER_ACTIVE" &&
			l.cliJSON(ctx, &info, "getinfo") == nil && info.SyncedToChain {
			l.nodeID = info.IdentityPubkey
			return l, nil
		}
		if time.Now().After(deadline) {
			return l, fmt.Errorf("demo: lnd not ready after 90s; log:\n%s", l.Tail(20))
		}
		select {
		case <-ctx.Done():
			return l, ctx.Err()
		case <-time.After(250 * time.Millisecond):
		}
	}
}

// cliJSON runs lncli against this lnd and decodes its JSON output.
func (l *lnd) cliJSON(ctx context.Context, out any, args ...string) error {
	ctx, cancel := context.WithTimeout(ctx, 30*time.Second)
	defer cancel()
	full := append([]string{"--lnddir=" + l.dir, "--network=regtest", "--rpcserver=" + l.rpcAddr}, args...)
	cmd := exec.CommandContext(ctx, l.lncli, full...)
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	if err := cmd.Run(); err != nil {
		return fmt.Errorf("demo: lncli %s: %w: %s", strings.Join(args, " "), err, strings.TrimSpace(stderr.String()))
	}
	if err := json.Unmarshal(stdout.Bytes(), out); err != nil {
		return fmt.Errorf("demo: lncli %s: %w", strings.Join(args, " "), err)
	}
	return nil
}

// stop stops lnd by its PID.
func (l *lnd) stop() error { return l.daemon.Stop(30 * time.Second) }
