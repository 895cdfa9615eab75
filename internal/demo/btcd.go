package main

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"time"

	"github.com/btcsuite/btcd/btcutil"
	"github.com/btcsuite/btcd/chaincfg"
	"github.com/btcsuite/btcd/chaincfg/chainhash"
	"github.com/btcsuite/btcd/wire"

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
	faucet   *faucet // pays from the coinbases of the blocks it mines
}

// startBtcd starts btcd on regtest in dir, with TLS JSON-RPC on a free
// 127.0.0.1 port, and waits until the RPC answers. Blocks pay the
// faucet's key: btcd has no wallet, the demo spends the coinbases itself.
func startBtcd(ctx context.Context, bin, dir string) (*btcd, error) {
	f, err := newFaucet()
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
	b := &btcd{rpcAddr: rpcAddr, user: "demo", pass: "demo-regtest", certPath: filepath.Join(dir, "rpc.cert"), faucet: f}
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
		"--miningaddr="+f.address.EncodeAddress(),
		"--txindex",
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

// mempool returns the txids in btcd's mempool.
func (b *btcd) mempool(ctx context.Context) ([]string, error) {
	raw, err := b.client.Call(ctx, "getrawmempool")
	if err != nil {
		return nil, err
	}
	var txids []string
	err = json.Unmarshal(raw, &txids)
	return txids, err
}

// waitMempool waits until btcd's mempool holds every one of txids.
func (b *btcd) waitMempool(ctx context.Context, what string, txids ...string) error {
	return waitFor(ctx, what+" in btcd's mempool", func() (bool, string, error) {
		pool, err := b.mempool(ctx)
		if err != nil {
			return false, "", err
		}
		for _, id := range txids {
			if !slices.Contains(pool, id) {
				return false, fmt.Sprintf("mempool %v", pool), nil
			}
		}
		return true, "", nil
	})
}

// waitNewMempoolTx waits until btcd's mempool holds a transaction that is
// not in before (a snapshot taken with mempool before the action that
// broadcasts it).
func (b *btcd) waitNewMempoolTx(ctx context.Context, what string, before []string) error {
	return waitFor(ctx, what+" in btcd's mempool", func() (bool, string, error) {
		pool, err := b.mempool(ctx)
		for _, id := range pool {
			if !slices.Contains(before, id) {
				return true, "", err
			}
		}
		return false, fmt.Sprintf("mempool %v", pool), err
	})
}

// txFee returns what transaction txid pays in fees: its inputs' values
// (read from the transactions they spend) less its outputs'.
func (b *btcd) txFee(ctx context.Context, txid string) (btcutil.Amount, *wire.MsgTx, error) {
	h, err := chainhash.NewHashFromStr(txid)
	if err != nil {
		return 0, nil, err
	}
	tx, err := b.client.RawTransaction(ctx, *h)
	if err != nil {
		return 0, nil, err
	}
	var fee int64
	for _, in := range tx.TxIn {
		prev, err := b.client.RawTransaction(ctx, in.PreviousOutPoint.Hash)
		if err != nil {
			return 0, nil, err
		}
		fee += prev.TxOut[in.PreviousOutPoint.Index].Value
	}
	for _, out := range tx.TxOut {
		fee -= out.Value
	}
	return btcutil.Amount(fee), tx, nil
}
