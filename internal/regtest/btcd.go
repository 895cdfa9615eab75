package regtest

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/btcsuite/btcd/btcec/v2"
	"github.com/btcsuite/btcd/btcutil"
	"github.com/btcsuite/btcd/chaincfg"
	"github.com/btcsuite/btcd/chaincfg/chainhash"
	"github.com/btcsuite/btcd/txscript"
)

// SegwitHeight is the first regtest height at which btcd enforces segwit
// (and CSV and taproot): they are BIP9 deployments with a 144-block window.
const SegwitHeight = 432

// BtcdOptions configures StartBtcd. The zero value is ready to use.
type BtcdOptions struct {
	// ExtraArgs are appended to btcd's command line (for example
	// "--debuglevel=debug"). Default: none.
	ExtraArgs []string
}

// Btcd is a running btcd on a private regtest chain, started by StartBtcd.
// Its exported fields describe how to reach it; do not modify them.
//
// btcd has no wallet. The harness holds the private key of MiningAddr, a
// P2PKH address every mined coinbase pays, and SendTo spends those coinbases
// (once each, in height order, when mature).
type Btcd struct {
	RPCAddr     string          // JSON-RPC over TLS, "127.0.0.1:port"
	RPCUser     string          // RPC user name
	RPCPass     string          // RPC password
	RPCCertPath string          // btcd's self-signed TLS certificate (PEM)
	P2PAddr     string          // peer-to-peer listener, "127.0.0.1:port"
	Dir         string          // btcd's data, logs and certificate
	MiningAddr  btcutil.Address // coinbase address; its key is the harness's

	bins   Paths
	args   []string
	proc   *Process
	client *rpcClient

	mu           sync.Mutex // serializes SendTo's coinbase selection
	key          *btcec.PrivateKey
	pkScript     []byte // MiningAddr's output script
	nextCoinbase int32  // lowest height whose coinbase SendTo has not used
}

// StartBtcd starts btcd on regtest in a fresh temporary directory, with TLS
// RPC and a P2P listener on free 127.0.0.1 ports, and waits until its RPC
// answers. The chain is at height 0 (segwit not active: see
// ActivateSegwit). The test's cleanup stops btcd, after printing the tail of
// its log if the test failed.
func StartBtcd(t testing.TB, opts BtcdOptions) *Btcd {
	t.Helper()
	bins := binaries(t, false) // btcd-only tests need not wait for lnd
	key, err := btcec.NewPrivateKey()
	if err != nil {
		t.Fatalf("regtest: mining key: %v", err)
	}
	addr, err := btcutil.NewAddressPubKeyHash(btcutil.Hash160(key.PubKey().SerializeCompressed()), &chaincfg.RegressionNetParams)
	if err != nil {
		t.Fatalf("regtest: mining address: %v", err)
	}
	pkScript, err := txscript.PayToAddrScript(addr)
	if err != nil {
		t.Fatalf("regtest: mining script: %v", err)
	}
	dir := t.TempDir()
	b := &Btcd{
		RPCUser:      "lnkit",
		RPCPass:      "lnkit-regtest",
		RPCCertPath:  filepath.Join(dir, "rpc.cert"),
		Dir:          dir,
		MiningAddr:   addr,
		bins:         bins,
		key:          key,
		pkScript:     pkScript,
		nextCoinbase: 1,
	}
	configFile := filepath.Join(dir, "btcd.conf")
	if err := os.WriteFile(configFile, nil, 0o644); err != nil {
		t.Fatalf("regtest: btcd config file: %v", err)
	}
	cleanupDaemon(t, func() *Process { return b.proc }, 10*time.Second)

	const attempts = 3
	for attempt := 1; ; attempt++ {
		addrs, err := freeAddrs(2)
		if err != nil {
			t.Fatalf("%v", err)
		}
		b.RPCAddr, b.P2PAddr = addrs[0], addrs[1]
		b.args = append([]string{
			"--regtest",
			"--configfile=" + configFile,
			"--datadir=" + filepath.Join(dir, "data"),
			"--logdir=" + filepath.Join(dir, "logs"),
			"--rpccert=" + b.RPCCertPath,
			"--rpckey=" + filepath.Join(dir, "rpc.key"),
			"--rpcuser=" + b.RPCUser,
			"--rpcpass=" + b.RPCPass,
			"--rpclisten=" + b.RPCAddr,
			"--listen=" + b.P2PAddr,
			"--miningaddr=" + addr.EncodeAddress(),
			"--txindex",
			"--nodnsseed",
			"--noonion",
			"--nobanning",
			"--rejectnonstd",
		}, opts.ExtraArgs...)
		err = b.launch()
		if err == nil {
			return b
		}
		if attempt < attempts && b.proc != nil && addrInUse(b.proc) {
			t.Logf("regtest: btcd port taken, retrying with new ports: %v", err)
			continue
		}
		t.Fatalf("%v", err)
	}
}

// launch starts the btcd process and waits until its RPC answers.
func (b *Btcd) launch() error {
	proc, err := StartProcess("btcd", b.Dir, filepath.Join(b.Dir, "btcd.out.log"), b.bins.Btcd, b.args...)
	if err != nil {
		return err
	}
	b.proc = proc
	deadline := time.Now().Add(WaitTimeout)
	var last error
	for time.Now().Before(deadline) {
		if proc.Exited() {
			return fmt.Errorf("regtest: btcd exited during start-up (%v); its log: %s", proc.waitErr, proc.logPath)
		}
		if b.client == nil {
			if _, err := os.Stat(b.RPCCertPath); err == nil {
				b.client, last = newRPCClient(b.RPCAddr, b.RPCUser, b.RPCPass, b.RPCCertPath)
			}
		} else {
			b.client.url = "https://" + b.RPCAddr + "/"
			if _, last = b.TryRPC("getblockcount"); last == nil {
				return nil
			}
		}
		time.Sleep(100 * time.Millisecond)
	}
	return fmt.Errorf("regtest: btcd RPC not answering after %s: %v", WaitTimeout, last)
}

// TryRPC calls a btcd JSON-RPC method and returns its raw result. An error
// answer from btcd is a *RPCError. It does not need the test, so it can be
// used in polling loops and goroutines.
func (b *Btcd) TryRPC(method string, params ...any) (json.RawMessage, error) {
	if b.client == nil {
		return nil, errors.New("regtest: btcd RPC is not up")
	}
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
	defer cancel()
	return b.client.call(ctx, method, params)
}

// RPC calls a btcd JSON-RPC method and returns its raw result, failing the
// test on any error. Example: b.RPC(t, "getrawtransaction", txid.String(), 1).
func (b *Btcd) RPC(t testing.TB, method string, params ...any) json.RawMessage {
	t.Helper()
	res, err := b.TryRPC(method, params...)
	if err != nil {
		t.Fatalf("regtest: btcd %s %v: %v", method, params, err)
	}
	return res
}

// rpcInto calls method and decodes its result into out.
func (b *Btcd) rpcInto(t testing.TB, out any, method string, params ...any) {
	t.Helper()
	res := b.RPC(t, method, params...)
	if err := json.Unmarshal(res, out); err != nil {
		t.Fatalf("regtest: btcd %s: decode %s: %v", method, truncate(res, 300), err)
	}
}

// Generate mines n blocks (paying MiningAddr) and returns their hashes in
// order. It does not wait for lnd nodes to see them: call Lnd.WaitSynced.
func (b *Btcd) Generate(t testing.TB, n int) []chainhash.Hash {
	t.Helper()
	hashes := make([]chainhash.Hash, 0, n)
	for n > 0 {
		batch := min(n, 100) // keep each request short
		var strs []string
		b.rpcInto(t, &strs, "generate", batch)
		for _, s := range strs {
			h, err := chainhash.NewHashFromStr(s)
			if err != nil {
				t.Fatalf("regtest: generate returned bad hash %q: %v", s, err)
			}
			hashes = append(hashes, *h)
		}
		n -= batch
	}
	return hashes
}

// BestBlock returns the hash and height of btcd's chain tip.
func (b *Btcd) BestBlock(t testing.TB) (chainhash.Hash, int32) {
	t.Helper()
	var res struct {
		Hash   string `json:"hash"`
		Height int32  `json:"height"`
	}
	b.rpcInto(t, &res, "getbestblock")
	h, err := chainhash.NewHashFromStr(res.Hash)
	if err != nil {
		t.Fatalf("regtest: getbestblock returned bad hash %q: %v", res.Hash, err)
	}
	return *h, res.Height
}

// BestHeight returns the height of btcd's chain tip.
func (b *Btcd) BestHeight(t testing.TB) int32 {
	t.Helper()
	_, h := b.BestBlock(t)
	return h
}

// ActivateSegwit mines up to height SegwitHeight (432) if the chain is
// shorter, and checks that btcd reports segwit active. Afterwards witness
// transactions are accepted and the coinbases of heights 1..333 are mature,
// so SendTo has plenty to spend.
func (b *Btcd) ActivateSegwit(t testing.TB) {
	t.Helper()
	if h := b.BestHeight(t); h < SegwitHeight {
		b.Generate(t, int(SegwitHeight-h))
	}
	var info struct {
		Bip9 map[string]struct {
			Status string `json:"status"`
		} `json:"bip9_softforks"`
	}
	b.rpcInto(t, &info, "getblockchaininfo")
	if s := info.Bip9["segwit"].Status; s != "active" {
		t.Fatalf("regtest: segwit is %q at height %d, want active", s, b.BestHeight(t))
	}
}

// WaitMempool waits until btcd's mempool holds at least n transactions and
// returns their txids.
func (b *Btcd) WaitMempool(t testing.TB, n int) []chainhash.Hash {
	t.Helper()
	var txids []chainhash.Hash
	waitFor(t, WaitTimeout, fmt.Sprintf("%d transactions in btcd's mempool", n), func() (bool, string) {
		txids = b.mempool(t)
		return len(txids) >= n, fmt.Sprintf("%d transactions", len(txids))
	})
	return txids
}

// WaitMempoolTx waits until the transaction txid is in btcd's mempool (for
// example a funding or closing transaction lnd broadcasts), so that the next
// Generate confirms it.
func (b *Btcd) WaitMempoolTx(t testing.TB, txid chainhash.Hash) {
	t.Helper()
	waitFor(t, WaitTimeout, "transaction "+txid.String()+" in btcd's mempool", func() (bool, string) {
		txids := b.mempool(t)
		for _, h := range txids {
			if h == txid {
				return true, ""
			}
		}
		return false, fmt.Sprintf("mempool %v", txids)
	})
}

// mempool returns the txids in btcd's mempool.
func (b *Btcd) mempool(t testing.TB) []chainhash.Hash {
	t.Helper()
	var strs []string
	b.rpcInto(t, &strs, "getrawmempool")
	txids := make([]chainhash.Hash, 0, len(strs))
	for _, s := range strs {
		h, err := chainhash.NewHashFromStr(s)
		if err != nil {
			t.Fatalf("regtest: getrawmempool returned bad txid %q: %v", s, err)
		}
		txids = append(txids, *h)
	}
	return txids
}

// TxConfirmations returns how many blocks confirm txid on btcd's best chain:
// 0 while it is in the mempool. Unknown transactions fail the test.
func (b *Btcd) TxConfirmations(t testing.TB, txid chainhash.Hash) int64 {
	t.Helper()
	var res struct {
		Confirmations int64 `json:"confirmations"`
	}
	b.rpcInto(t, &res, "getrawtransaction", txid.String(), 1)
	return res.Confirmations
}

// Connect makes btcd keep a connection to other (a persistent peer) and
// waits until the connection is up. Blocks mined on either side then
// propagate to the other.
func (b *Btcd) Connect(t testing.TB, other *Btcd) {
	t.Helper()
	b.RPC(t, "node", "connect", other.P2PAddr, "perm")
	waitFor(t, WaitTimeout, "btcd peer "+other.P2PAddr, func() (bool, string) {
		peers := b.peerAddrs(t)
		for _, a := range peers {
			if a == other.P2PAddr {
				return true, ""
			}
		}
		return false, fmt.Sprintf("peers %v", peers)
	})
}

// Disconnect drops the connection Connect(t, other) made and waits until
// btcd no longer lists other as a peer. Use it to split two nodes for a
// reorg test; Connect joins them again.
func (b *Btcd) Disconnect(t testing.TB, other *Btcd) {
	t.Helper()
	b.RPC(t, "node", "remove", other.P2PAddr)
	waitFor(t, WaitTimeout, "btcd to drop peer "+other.P2PAddr, func() (bool, string) {
		peers := b.peerAddrs(t)
		for _, a := range peers {
			if a == other.P2PAddr {
				return false, fmt.Sprintf("peers %v", peers)
			}
		}
		return true, ""
	})
}

// peerAddrs returns the addresses of btcd's peers.
func (b *Btcd) peerAddrs(t testing.TB) []string {
	t.Helper()
	var peers []struct {
		Addr string `json:"addr"`
	}
	b.rpcInto(t, &peers, "getpeerinfo")
	addrs := make([]string, len(peers))
	for i, p := range peers {
		addrs[i] = p.Addr
	}
	return addrs
}

// WaitSyncedWith waits until btcd and other have the same chain tip.
func (b *Btcd) WaitSyncedWith(t testing.TB, other *Btcd) {
	t.Helper()
	waitFor(t, WaitTimeout, "btcd nodes to agree on the tip", func() (bool, string) {
		h1, n1 := b.BestBlock(t)
		h2, n2 := other.BestBlock(t)
		return h1 == h2, fmt.Sprintf("%d %v vs %d %v", n1, h1, n2, h2)
	})
}

// Stop stops btcd (SIGTERM, then SIGKILL after 10 s). The test's cleanup
// does this anyway; call Stop only to test what happens when btcd goes
// away. btcd cannot be restarted: it deletes its regtest chain on start.
func (b *Btcd) Stop(t testing.TB) {
	t.Helper()
	if b.proc == nil {
		return
	}
	if err := b.proc.Stop(10 * time.Second); err != nil {
		t.Errorf("%v", err)
	}
}

// PID returns the process ID of the running btcd.
func (b *Btcd) PID() int {
	return b.proc.cmd.Process.Pid
}

// Pause freezes btcd (SIGSTOP): connections stay open but nothing answers,
// which is how a test makes the chain backend unresponsive (btcd cannot be
// restarted). Resume continues it; cleanup resumes it before stopping.
func (b *Btcd) Pause(t testing.TB) {
	t.Helper()
	if err := b.proc.signal(syscall.SIGSTOP); err != nil {
		t.Fatalf("%v", err)
	}
}

// Resume continues a btcd frozen by Pause (SIGCONT).
func (b *Btcd) Resume(t testing.TB) {
	t.Helper()
	if err := b.proc.signal(syscall.SIGCONT); err != nil {
		t.Fatalf("%v", err)
	}
}

// String describes the node for logs.
func (b *Btcd) String() string {
	return fmt.Sprintf("btcd(rpc %s, p2p %s)", b.RPCAddr, b.P2PAddr)
}
