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

	"github.com/btcsuite/btcd/btcutil"

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
		// lncli prints its JSON answer (a failed payment's
		// failure_reason) even when it exits 1.
		return fmt.Errorf("demo: lncli %s: %w: %s %s", strings.Join(args, " "), err,
			strings.TrimSpace(stderr.String()), strings.TrimSpace(stdout.String()))
	}
	if err := json.Unmarshal(stdout.Bytes(), out); err != nil {
		return fmt.Errorf("demo: lncli %s: %w", strings.Join(args, " "), err)
	}
	return nil
}

// stop stops lnd by its PID.
func (l *lnd) stop() error { return l.daemon.Stop(30 * time.Second) }

// newAddress returns a new P2WKH address of lnd's wallet.
func (l *lnd) newAddress(ctx context.Context) (string, error) {
	var a struct {
		Address string `json:"address"`
	}
	err := l.cliJSON(ctx, &a, "newaddress", "p2wkh")
	return a.Address, err
}

// confirmedBalance returns lnd's confirmed on-chain balance.
func (l *lnd) confirmedBalance(ctx context.Context) (btcutil.Amount, error) {
	var bal struct {
		Confirmed int64 `json:"confirmed_balance,string"`
	}
	err := l.cliJSON(ctx, &bal, "walletbalance")
	return btcutil.Amount(bal.Confirmed), err
}

// waitSynced waits until lnd reports itself synced to btcd's tip.
func (l *lnd) waitSynced(ctx context.Context, b *btcd) error {
	return waitFor(ctx, "lnd synced to btcd's tip", func() (bool, string, error) {
		_, tip, err := b.client.BestBlock(ctx)
		if err != nil {
			return false, "", err
		}
		var info struct {
			BlockHeight   int32 `json:"block_height"`
			SyncedToChain bool  `json:"synced_to_chain"`
		}
		if err := l.cliJSON(ctx, &info, "getinfo"); err != nil {
			return false, "", err
		}
		return info.SyncedToChain && info.BlockHeight == tip, fmt.Sprintf("lnd at %d, tip %d", info.BlockHeight, tip), nil
	})
}

// lndChannel is one channel of `lncli listchannels`.
type lndChannel struct {
	RemotePubkey   string `json:"remote_pubkey"`
	ChannelPoint   string `json:"channel_point"`
	ChanID         string `json:"chan_id"`  // lncli: the BOLT 2 channel id, hex
	ScidStr        string `json:"scid_str"` // lncli: the short channel id, "HxTxO"
	Capacity       int64  `json:"capacity,string"`
	LocalBalance   int64  `json:"local_balance,string"`
	RemoteBalance  int64  `json:"remote_balance,string"`
	CommitFee      int64  `json:"commit_fee,string"`
	Active         bool   `json:"active"`
	CommitmentType string `json:"commitment_type"`
	LocalConstr    struct {
		CsvDelay uint32 `json:"csv_delay"`
	} `json:"local_constraints"`
	RemoteConstr struct {
		CsvDelay uint32 `json:"csv_delay"`
	} `json:"remote_constraints"`
}

// activeChannels returns `lncli listchannels --active_only`.
func (l *lnd) activeChannels(ctx context.Context) ([]lndChannel, error) {
	var res struct {
		Channels []lndChannel `json:"channels"`
	}
	err := l.cliJSON(ctx, &res, "listchannels", "--active_only")
	return res.Channels, err
}
