package main

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"time"

	"github.com/btcsuite/btcd/btcec/v2"
	"github.com/btcsuite/btcd/btcutil"
	"github.com/btcsuite/btcd/chaincfg"

	"github.com/lnkit/lnkit/chain/rpc"
	"github.com/lnkit/lnkit/internal/regtest"
)

// btcd is the demo's private regtest chain.
type btcd struct {
	*daemon
	rpcAddr  string
	user     string
	pass     string
	certPath string
	client   *rpc.Client
}

// startBtcd starts btcd on regtest in dir, with TLS JSON-RPC on a free
// 127.0.0.1 port, and waits until the RPC answers. Blocks pay a throw-away
// address: the demo never spends them.
func startBtcd(ctx context.Context, bin, dir string) (*btcd, error) {
	key, err := btcec.NewPrivateKey()
	if err != nil {
		return nil, err
	}
	mining, err := btcutil.NewAddressPubKeyHash(btcutil.Hash160(key.PubKey().SerializeCompressed()), &chaincfg.RegressionNetParams)
	if err != nil {
		return nil, err
	}
	rpcAddr, err := freePort()
	if err != nil {
		return nil, err
	}
	p2pAddr, err := freePort()
	if err != nil {
		return nil, err
	}
	b := &btcd{rpcAddr: rpcAddr, user: "demo", pass: "demo-regtest", certPath: filepath.Join(dir, "rpc.cert")}
	configFile := filepath.Join(dir, "btcd.conf") // empty: keeps btcd away from ~/.btcd
	if err := os.WriteFile(configFile, nil, 0o644); err != nil {
		return nil, err
	}
	b.daemon, err = regtest.StartProcess("btcd", dir, filepath.Join(dir, "btcd.log"), bin,
		"--regtest",
		"--configfile="+configFile,
		"--datadir="+filepath.Join(dir, "data"),
		"--logdir="+filepath.Join(dir, "logs"),
		"--rpccert="+b.certPath,
		"--rpckey="+filepath.Join(dir, "rpc.key"),
		"--rpcuser="+b.user,
		"--rpcpass="+b.pass,
		"--rpclisten="+rpcAddr,
		"--listen="+p2pAddr,
		"--miningaddr="+mining.EncodeAddress(),
		"--nodnsseed",
		"--noonion",
		"--nobanning",
	)
	if err != nil {
		return nil, err
	}
	deadline := time.Now().Add(60 * time.Second)
	for {
		if b.Exited() {
			return b, fmt.Errorf("demo: btcd exited during start-up (%v); log:\n%s", b.WaitErr(), b.Tail(20))
		}
		if _, err := os.Stat(b.certPath); err == nil {
			dctx, cancel := context.WithTimeout(ctx, 5*time.Second)
			b.client, err = rpc.Dial(dctx, rpc.Config{
				Host: rpcAddr, User: b.user, Password: b.pass, CACertFile: b.certPath,
				Params: &chaincfg.RegressionNetParams,
			})
			cancel()
			if err == nil {
				return b, nil
			}
			if time.Now().After(deadline) {
				return b, fmt.Errorf("demo: btcd RPC not answering: %w", err)
			}
		}
		select {
		case <-ctx.Done():
			return b, ctx.Err()
		case <-time.After(100 * time.Millisecond):
		}
	}
}

// rpcArg is the sample node's first argument for this btcd.
func (b *btcd) rpcArg() string { return b.user + ":" + b.pass + "@" + b.rpcAddr }

// generate mines n blocks and returns the new height.
func (b *btcd) generate(ctx context.Context, n int) (int32, error) {
	for n > 0 {
		batch := min(n, 200)
		if _, err := b.client.Call(ctx, "generate", batch); err != nil {
			return 0, fmt.Errorf("demo: generate: %w", err)
		}
		n -= batch
	}
	_, height, err := b.client.BestBlock(ctx)
	return height, err
}

// stop stops btcd by its PID.
func (b *btcd) stop() error {
	if b.client != nil {
		b.client.Close()
	}
	return b.daemon.Stop(15 * time.Second)
}
