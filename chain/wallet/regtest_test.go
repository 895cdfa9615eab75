package wallet

import (
	"context"
	"sync/atomic"
	"testing"
	"time"

	"github.com/btcsuite/btcd/blockchain"
	"github.com/btcsuite/btcd/btcutil"
	"github.com/btcsuite/btcd/chaincfg"
	"github.com/btcsuite/btcd/chaincfg/chainhash"
	"github.com/btcsuite/btcd/txscript"
	btcwire "github.com/btcsuite/btcd/wire"
	"github.com/stretchr/testify/require"

	"github.com/lnkit/lnkit/chain"
	"github.com/lnkit/lnkit/chain/rpc"
	"github.com/lnkit/lnkit/internal/regtest"
	"github.com/lnkit/lnkit/keys"
	"github.com/lnkit/lnkit/persist/persisttest"
)

// These tests run a real btcd (and lnd) through internal/regtest. They fail,
// never skip, when a peer is missing.

// node is a wallet following a btcd through a poller.
type node struct {
	t      *testing.T
	client *rpc.Client
	source *countingSource
	poller *chain.Poller
	cfg    Config
	w      *Wallet
}

// countingSource counts the blocks a poller fetches.
type countingSource struct {
	*rpc.Client
	blocks atomic.Int64
}

func (c *countingSource) Block(ctx context.Context, h chainhash.Hash) (*btcwire.MsgBlock, error) {
	c.blocks.Add(1)
	return c.Client.Block(ctx, h)
}

// startNode opens a wallet of seed n on store, born at btcd's tip, polling
// b.
func startNode(t *testing.T, b *regtest.Btcd, n byte, store *persisttest.CrashStore) *node {
	t.Helper()
	client, err := rpc.Dial(context.Background(), rpc.Config{
		Host: b.RPCAddr, User: b.RPCUser, Password: b.RPCPass, CACertFile: b.RPCCertPath,
		Params: &chaincfg.RegressionNetParams, Timeout: 30 * time.Second,
	})
	require.NoError(t, err)
	t.Cleanup(client.Close)
	hash, height := b.BestBlock(t)
	nd := &node{t: t, client: client, source: &countingSource{Client: client}}
	nd.cfg = Config{
		Seed: testSeed(n), Params: &chaincfg.RegressionNetParams, Store: store,
		Fees: client, Broadcaster: client, Birthday: chain.BestBlock{Hash: hash, Height: height},
		Entropy: keys.NewDeterministicEntropy([32]byte{n}),
	}
	nd.restart()
	return nd
}

// restart opens the wallet again from its store with a fresh poller; after
// the first start, the store first crashes, keeping only what was durable.
func (nd *node) restart() {
	nd.t.Helper()
	if nd.w != nil {
		nd.cfg.Store = nd.cfg.Store.(*persisttest.CrashStore).Crash()
	}
	w, err := Open(context.Background(), nd.cfg)
	require.NoError(nd.t, err)
	nd.w = w
	p, err := chain.NewPoller(chain.PollerConfig{Source: nd.source})
	require.NoError(nd.t, err)
	p.AddListener(w, w.BestBlock())
	nd.poller = p
}

// sync polls until the wallet is at btcd's tip.
func (nd *node) sync(b *regtest.Btcd) {
	nd.t.Helper()
	require.NoError(nd.t, nd.poller.PollOnce(context.Background()))
	hash, height := b.BestBlock(nd.t)
	require.Equal(nd.t, chain.BestBlock{Hash: hash, Height: height}, nd.w.BestBlock())
}

// script hands out a wallet script.
func (nd *node) script(ty AddressType) []byte {
	nd.t.Helper()
	addr, err := nd.w.NewAddress(context.Background(), ty)
	require.NoError(nd.t, err)
	s, err := txscript.PayToAddrScript(addr)
	require.NoError(nd.t, err)
	return s
}

func TestRegtestBtcd(t *testing.T) {
	if testing.Short() {
		t.Skip("integration: starts btcd/lnd; run without -short")
	}
	ctx := context.Background()
	b := regtest.StartBtcd(t, regtest.BtcdOptions{})
	b.ActivateSegwit(t)
	store := persisttest.NewCrashStore()
	nd := startNode(t, b, 30, store)

	// Mine to a wallet address; the coinbase matures after 100 blocks.
	b.GenerateTo(t, nd.script(P2WPKH), 1)
	subsidy := btcutil.Amount(blockchain.CalcBlockSubsidy(b.BestHeight(t), &chaincfg.RegressionNetParams))
	nd.sync(b)
	require.Equal(t, Balance{Immature: subsidy}, nd.w.Balance())
	b.Generate(t, CoinbaseMaturity-2)
	nd.sync(b)
	require.Equal(t, Balance{Immature: subsidy}, nd.w.Balance())
	b.Generate(t, 1)
	nd.sync(b)
	require.Equal(t, Balance{Confirmed: subsidy}, nd.w.Balance())

	// Receive on a taproot address.
	b.SendTo(t, nd.script(P2TR), 100_000_000)
	b.Generate(t, 1)
	nd.sync(b)
	require.Equal(t, Balance{Confirmed: subsidy + 100_000_000}, nd.w.Balance())

	// Spend to an address: the balance is exact to the satoshi.
	tx, err := nd.w.SendToAddress(ctx, b.MiningAddr, 150_000_000, chain.TargetOutputSpending)
	require.NoError(t, err)
	b.WaitMempoolTx(t, tx.TxHash())
	b.Generate(t, 1)
	nd.sync(b)
	require.EqualValues(t, 1, b.TxConfirmations(t, tx.TxHash()))
	txs := nd.w.Transactions()
	last := txs[len(txs)-1]
	require.Equal(t, tx.TxHash(), last.TxID)
	require.Positive(t, last.Fee)
	require.Equal(t, -150_000_000-last.Fee, last.Amount)
	require.Equal(t, Balance{Confirmed: subsidy + 100_000_000 - 150_000_000 - last.Fee}, nd.w.Balance())

	// A restart mid-chain resumes from the stored best block: only the
	// new blocks are fetched, no coin is lost.
	before := nd.w.Balance()
	b.Generate(t, 3)
	nd.restart()
	nd.source.blocks.Store(0)
	nd.sync(b)
	require.EqualValues(t, 3, nd.source.blocks.Load())
	require.Equal(t, before, nd.w.Balance())
	require.Len(t, nd.w.Transactions(), 3)
}

func TestRegtestReorg(t *testing.T) {
	if testing.Short() {
		t.Skip("integration: starts btcd/lnd; run without -short")
	}
	ctx := context.Background()
	a := regtest.StartBtcd(t, regtest.BtcdOptions{})
	b := regtest.StartBtcd(t, regtest.BtcdOptions{})
	a.Connect(t, b)
	a.ActivateSegwit(t)
	a.WaitSyncedWith(t, b)
	// w spends; g (same seed, its own store) only watches the chain.
	w := startNode(t, a, 31, persisttest.NewCrashStore())
	g := startNode(t, a, 31, persisttest.NewCrashStore())
	both := func(fn func(nd *node)) { fn(w); fn(g) }

	a.SendTo(t, w.script(P2WPKH), 100_000_000)
	a.Generate(t, 1)
	a.WaitSyncedWith(t, b)
	both(func(nd *node) { nd.sync(a) })
	both(func(nd *node) { require.Equal(t, Balance{Confirmed: 100_000_000}, nd.w.Balance()) })

	// Split. On a: a receive, and a spend of the first coin.
	a.Disconnect(t, b)
	recv := a.SendTo(t, w.script(P2TR), 30_000_000)
	spend, err := w.w.SendToAddress(ctx, a.MiningAddr, 20_000_000, chain.TargetOutputSpending)
	require.NoError(t, err)
	a.WaitMempoolTx(t, spend.TxHash())
	a.Generate(t, 1)
	both(func(nd *node) { nd.sync(a) })
	fee := w.w.Transactions()[2].Fee
	change := btcutil.Amount(100_000_000-20_000_000) - fee
	both(func(nd *node) { require.Equal(t, Balance{Confirmed: 30_000_000 + change}, nd.w.Balance()) })

	// b's longer branch wins.
	b.Generate(t, 3)
	a.Connect(t, b)
	a.WaitSyncedWith(t, b)
	both(func(nd *node) { nd.sync(a) })
	// The receive is gone for both. w built the spend: it is unconfirmed
	// again, its change unconfirmed. g did not: the spent coin is back.
	require.Equal(t, Balance{Unconfirmed: change}, w.w.Balance())
	require.Equal(t, Balance{Confirmed: 100_000_000}, g.w.Balance())
	require.Len(t, w.w.UnconfirmedTransactions(), 1)

	// Everything confirms again: both wallets agree to the satoshi.
	require.NoError(t, w.client.BroadcastTransactions(ctx, recv))
	require.NoError(t, w.client.BroadcastTransactions(ctx, w.w.UnconfirmedTransactions()...))
	a.WaitMempoolTx(t, spend.TxHash())
	a.WaitMempoolTx(t, recv.TxHash())
	a.Generate(t, 1)
	both(func(nd *node) { nd.sync(a) })
	both(func(nd *node) { require.Equal(t, Balance{Confirmed: 30_000_000 + change}, nd.w.Balance()) })
}
