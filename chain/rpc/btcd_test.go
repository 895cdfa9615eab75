package rpc_test

import (
	"context"
	"fmt"
	"io"
	"net"
	"sync"
	"testing"
	"time"

	"github.com/btcsuite/btcd/btcec/v2"
	"github.com/btcsuite/btcd/btcutil"
	"github.com/btcsuite/btcd/chaincfg"
	"github.com/btcsuite/btcd/chaincfg/chainhash"
	"github.com/btcsuite/btcd/txscript"
	btcwire "github.com/btcsuite/btcd/wire"
	"github.com/lnkit/lnkit/chain"
	"github.com/lnkit/lnkit/chain/chaintest"
	"github.com/lnkit/lnkit/chain/rpc"
	"github.com/lnkit/lnkit/internal/regtest"
	lnwire "github.com/lnkit/lnkit/wire"
	"github.com/stretchr/testify/require"
)

// These tests run a real btcd (internal/regtest). If btcd cannot be built or
// started they fail; they never skip.

// btcdConfig is a client configuration for b, reached at host (b's RPC
// address unless a proxy is in between).
func btcdConfig(b *regtest.Btcd, host string) rpc.Config {
	return rpc.Config{
		Host:       host,
		User:       b.RPCUser,
		Password:   b.RPCPass,
		CACertFile: b.RPCCertPath,
		Params:     &chaincfg.RegressionNetParams,
		Timeout:    30 * time.Second,
	}
}

// dialBtcd connects a client to b.
func dialBtcd(t *testing.T, b *regtest.Btcd) *rpc.Client {
	t.Helper()
	c, err := rpc.Dial(context.Background(), btcdConfig(b, b.RPCAddr))
	require.NoError(t, err)
	t.Cleanup(c.Close)
	return c
}

// connected returns the events of connecting hashes at heights from,
// from+1, ...
func connected(from int32, hashes ...chainhash.Hash) []chaintest.Event {
	out := make([]chaintest.Event, len(hashes))
	for i, h := range hashes {
		out[i] = chaintest.Event{Connected: true, Hash: h, Height: from + int32(i)}
	}
	return out
}

// disconnected returns the events of disconnecting hashes (given oldest
// first, at heights from, from+1, ...), newest first.
func disconnected(from int32, hashes ...chainhash.Hash) []chaintest.Event {
	out := make([]chaintest.Event, len(hashes))
	for i, h := range hashes {
		out[len(hashes)-1-i] = chaintest.Event{Hash: h, Height: from + int32(i)}
	}
	return out
}

// nextTimer returns the next wait Run asks clk for: Run has finished the
// poll before it.
func nextTimer(t *testing.T, clk *chaintest.Clock) chaintest.Timer {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	tm, err := clk.Next(ctx)
	require.NoError(t, err, "the poller did not finish a poll")
	return tm
}

// bestOf returns b's tip as a BestBlock.
func bestOf(t *testing.T, b *regtest.Btcd) chain.BestBlock {
	t.Helper()
	h, n := b.BestBlock(t)
	return chain.BestBlock{Hash: h, Height: n}
}

// TestBtcd exercises the client and the poller against one real btcd.
func TestBtcd(t *testing.T) {
	if testing.Short() {
		t.Skip("integration: starts btcd/lnd; run without -short")
	}
	ctx := context.Background()
	node := regtest.StartBtcd(t, regtest.BtcdOptions{})
	c := dialBtcd(t, node)
	genesis := bestOf(t, node)
	require.Equal(t, *chaincfg.RegressionNetParams.GenesisHash, genesis.Hash)

	t.Run("fee estimate on a fresh chain falls back", func(t *testing.T) {
		// btcd's estimator needs a few blocks before it answers.
		_, err := c.EstimateFeeRate(ctx, 6, true)
		require.ErrorIs(t, err, rpc.ErrNoFeeEstimate)
		rate, err := c.FeeRate(ctx, chain.TargetUrgentSweep)
		require.NoError(t, err)
		require.Equal(t, rpc.DefaultRegtestFallbackFeeRate, rate)
	})

	t.Run("calls", func(t *testing.T) {
		d, err := c.Daemon(ctx)
		require.NoError(t, err)
		require.Equal(t, rpc.DaemonBtcd, d)
		info, err := c.BlockchainInfo(ctx)
		require.NoError(t, err)
		require.Equal(t, "regtest", info.Chain) // btcd's getblockchaininfo has chain too

		hashes := node.Generate(t, 3)
		hash, height, err := c.BestBlock(ctx)
		require.NoError(t, err)
		require.Equal(t, hashes[2], hash)
		best, err := c.BestBlockHash(ctx)
		require.NoError(t, err)
		require.Equal(t, hash, best)
		byHeight, err := c.BlockHash(ctx, height-1)
		require.NoError(t, err)
		require.Equal(t, hashes[1], byHeight)

		hd, err := c.Header(ctx, hash)
		require.NoError(t, err)
		require.Equal(t, height, hd.Height)
		raw, err := c.RawHeader(ctx, hash)
		require.NoError(t, err)
		require.Equal(t, hd.Header.BlockHash(), raw.BlockHash())
		require.Equal(t, hashes[1], raw.PrevBlock)

		block, err := c.Block(ctx, hash)
		require.NoError(t, err)
		require.Equal(t, hash, block.Header.BlockHash())
		coinbase := block.Transactions[0]
		tx, err := c.RawTransaction(ctx, coinbase.TxHash())
		require.NoError(t, err)
		require.Equal(t, coinbase.TxHash(), tx.TxHash())

		genesisHd, err := c.Header(ctx, genesis.Hash)
		require.NoError(t, err)
		require.Zero(t, genesisHd.Height)

		_, err = c.Block(ctx, chainhash.Hash{1})
		require.Error(t, err)
		var rpcErr *rpc.RPCError
		require.ErrorAs(t, err, &rpcErr)
		require.ErrorIs(t, err, rpc.ErrNotFound)
	})

	t.Run("poller delivers new blocks in order", func(t *testing.T) {
		start := bestOf(t, node)
		clk := chaintest.NewClock()
		p, err := chain.NewPoller(chain.PollerConfig{Source: c, Clock: clk})
		require.NoError(t, err)
		first := chaintest.NewRecorder(t, start)
		fromGenesis := chaintest.NewRecorder(t, genesis)
		p.AddListener(first, start)
		p.AddListener(fromGenesis, genesis)

		hashes := node.Generate(t, 5)
		require.NoError(t, p.PollOnce(ctx))
		require.Equal(t, connected(start.Height+1, hashes...), first.Take())
		all := fromGenesis.Take()
		require.Len(t, all, int(start.Height)+5)
		require.Equal(t, connected(start.Height+1, hashes...), all[start.Height:])

		runCtx, cancel := context.WithCancel(ctx)
		done := make(chan error, 1)
		go func() { done <- p.Run(runCtx) }()
		tm := nextTimer(t, clk) // Run's first poll found nothing new
		require.Equal(t, chain.DefaultPollInterval, tm.Wait)
		more := node.Generate(t, 3)
		more = append(more, node.Generate(t, 2)...)
		tm.Fire()
		nextTimer(t, clk)
		cancel()
		require.ErrorIs(t, <-done, context.Canceled)
		require.Equal(t, connected(start.Height+6, more...), first.Take())
		require.Equal(t, connected(start.Height+6, more...), fromGenesis.Take())
	})

	t.Run("broadcast gets mined", func(t *testing.T) {
		node.ActivateSegwit(t)
		key, err := btcec.NewPrivateKey()
		require.NoError(t, err)
		script, err := txscript.NewScriptBuilder().AddOp(txscript.OP_0).
			AddData(btcutil.Hash160(key.PubKey().SerializeCompressed())).Script()
		require.NoError(t, err)
		const amount = 100_000
		fund := node.SendTo(t, script, amount)
		node.Generate(t, 1)

		// Follow the chain with a Rebroadcaster and a Watcher.
		start := bestOf(t, node)
		rb, err := chain.NewRebroadcaster(chain.RebroadcasterConfig{Broadcaster: c})
		require.NoError(t, err)
		conf := &txConfirm{}
		w, err := chain.NewWatcher(chain.WatcherConfig{Confirm: conf})
		require.NoError(t, err)
		p, err := chain.NewPoller(chain.PollerConfig{Source: c})
		require.NoError(t, err)
		p.AddListener(rb, start)
		p.AddListener(w, start)

		spend := signP2WPKHSpend(t, key, script, btcwire.OutPoint{Hash: fund.TxHash(), Index: 0}, amount, amount-1_000)
		w.RegisterTx(spend.TxHash(), script)
		require.NoError(t, rb.BroadcastTransactions(ctx, spend))
		// Broadcasting again is fine: btcd already has it.
		require.NoError(t, c.BroadcastTransactions(ctx, spend))
		node.WaitMempoolTx(t, spend.TxHash())
		require.Equal(t, []chainhash.Hash{spend.TxHash()}, rb.Pending())

		// The new output is visible with the mempool included. (btcd,
		// unlike bitcoind, still reports the spent confirmed output:
		// it does not look at mempool spends.)
		out, err := c.TxOut(ctx, btcwire.OutPoint{Hash: spend.TxHash()}, true)
		require.NoError(t, err)
		require.Equal(t, lnwire.Satoshi(amount-1_000), out.Value)
		require.Equal(t, script, out.PkScript)
		require.Zero(t, out.Confirmations)

		mined := node.Generate(t, 1)
		require.NoError(t, p.PollOnce(ctx))
		require.NoError(t, rb.Rebroadcast(ctx)) // nothing left to send
		require.EqualValues(t, 1, node.TxConfirmations(t, spend.TxHash()))
		require.Empty(t, rb.Pending())
		require.Equal(t, []string{fmt.Sprintf("%s@%d:%s", spend.TxHash(), start.Height+1, mined[0])}, conf.take())
		out, err = c.TxOut(ctx, btcwire.OutPoint{Hash: fund.TxHash()}, false)
		require.NoError(t, err)
		require.Nil(t, out, "spent output")
		out, err = c.TxOut(ctx, btcwire.OutPoint{Hash: spend.TxHash()}, false)
		require.NoError(t, err)
		require.EqualValues(t, 1, out.Confirmations)
		require.Equal(t, mined[0], out.BestBlock)

		// Broadcasting a confirmed transaction still counts as success.
		require.NoError(t, c.BroadcastTransactions(ctx, spend))
		got, err := c.RawTransaction(ctx, spend.TxHash())
		require.NoError(t, err)
		require.Len(t, got.TxIn[0].Witness, 2)

		// A double spend of the same output is refused with an RPC error.
		double := signP2WPKHSpend(t, key, script, btcwire.OutPoint{Hash: fund.TxHash(), Index: 0}, amount, amount-2_000)
		err = c.BroadcastTransactions(ctx, double)
		var rpcErr *rpc.RPCError
		require.ErrorAs(t, err, &rpcErr)
		require.False(t, rpc.IsAlreadyKnown(err))
	})

	t.Run("fee estimate", func(t *testing.T) {
		for _, target := range []chain.ConfirmationTarget{chain.TargetUrgentSweep, chain.TargetAnchorChannelFee} {
			rate, err := c.FeeRate(ctx, target)
			require.NoError(t, err)
			require.GreaterOrEqual(t, rate, lnwire.FeeRateFloor)
			raw, rawErr := c.EstimateFeeRate(ctx, target.Blocks(), target.Conservative())
			t.Logf("%s: FeeRate %s (btcd estimatefee: %v, %v)", target, rate, raw, rawErr)
			if rawErr != nil {
				require.ErrorIs(t, rawErr, rpc.ErrNoFeeEstimate)
				require.Equal(t, rpc.DefaultRegtestFallbackFeeRate, rate)
			}
		}
		cfg := btcdConfig(node, node.RPCAddr)
		cfg.FallbackFeeRate = 1000
		c2, err := rpc.Dial(ctx, cfg)
		require.NoError(t, err)
		defer c2.Close()
		rate, err := c2.FeeRate(ctx, chain.TargetMaximum)
		require.NoError(t, err)
		require.GreaterOrEqual(t, rate, lnwire.FeeRateFloor)
	})

	t.Run("wrong password", func(t *testing.T) {
		cfg := btcdConfig(node, node.RPCAddr)
		cfg.Password = "wrong"
		_, err := rpc.Dial(ctx, cfg)
		require.ErrorIs(t, err, rpc.ErrAuth)
		require.NotErrorIs(t, err, rpc.ErrConnection)
	})

	t.Run("wrong network", func(t *testing.T) {
		cfg := btcdConfig(node, node.RPCAddr)
		cfg.Params = &chaincfg.MainNetParams
		_, err := rpc.Dial(ctx, cfg)
		require.ErrorIs(t, err, rpc.ErrWrongNetwork)
	})

	t.Run("unreachable, then back", func(t *testing.T) {
		proxy := startProxy(t, node.RPCAddr)
		pc, err := rpc.Dial(ctx, btcdConfig(node, proxy.addr))
		require.NoError(t, err)
		defer pc.Close()

		start := bestOf(t, node)
		log := chaintest.NewRecorder(t, start)
		clk := chaintest.NewClock()
		p, err := chain.NewPoller(chain.PollerConfig{
			Source:     pc,
			Clock:      clk,
			MinBackoff: time.Second,
			MaxBackoff: 4 * time.Second,
		})
		require.NoError(t, err)
		p.AddListener(log, start)

		proxy.stop()
		_, err = pc.BestBlockHash(ctx)
		require.ErrorIs(t, err, rpc.ErrConnection)
		require.ErrorIs(t, p.PollOnce(ctx), rpc.ErrConnection)

		hashes := node.Generate(t, 3)
		runCtx, cancel := context.WithCancel(ctx)
		done := make(chan error, 1)
		go func() { done <- p.Run(runCtx) }()
		// Failed polls, each followed by a longer backoff, up to the cap.
		var tm chaintest.Timer
		for _, want := range []time.Duration{1, 2, 4, 4} {
			tm = nextTimer(t, clk)
			require.Equal(t, want*time.Second, tm.Wait)
			tm.Fire()
		}
		require.Empty(t, log.Take())
		tm = nextTimer(t, clk)
		require.Equal(t, 4*time.Second, tm.Wait)

		// The daemon is back: the next poll delivers the blocks, and the
		// wait is the interval again.
		proxy.start()
		tm.Fire()
		require.Equal(t, chain.DefaultPollInterval, nextTimer(t, clk).Wait)
		require.Equal(t, bestOf(t, node), log.Best())
		cancel()
		require.ErrorIs(t, <-done, context.Canceled)
		require.Equal(t, connected(start.Height+1, hashes...), log.Take())
	})

	t.Run("timeout", func(t *testing.T) {
		cfg := btcdConfig(node, node.RPCAddr)
		cfg.Timeout = 500 * time.Millisecond
		tc, err := rpc.Dial(ctx, cfg)
		require.NoError(t, err)
		defer tc.Close()
		node.Pause(t)
		_, err = tc.BestBlockHash(ctx)
		node.Resume(t)
		require.ErrorIs(t, err, rpc.ErrTimeout)
		require.NotErrorIs(t, err, rpc.ErrConnection)
		// The client recovers once btcd answers again.
		_, err = tc.BestBlockHash(ctx)
		require.NoError(t, err)
	})
}

// TestBtcdReorg splits two connected btcd nodes, mines a 2-block branch on A
// and a 4-block branch on B, and joins them: a listener polling A must see
// A's two blocks disconnected, newest first, down to the fork point, then
// B's four blocks connected, oldest first.
func TestBtcdReorg(t *testing.T) {
	if testing.Short() {
		t.Skip("integration: starts btcd/lnd; run without -short")
	}
	ctx := context.Background()
	a := regtest.StartBtcd(t, regtest.BtcdOptions{})
	b := regtest.StartBtcd(t, regtest.BtcdOptions{})
	a.Connect(t, b)
	shared := a.Generate(t, 5)
	a.WaitSyncedWith(t, b)

	c := dialBtcd(t, a)
	genesis := bestOf(t, a)
	genesis.Hash, genesis.Height = *chaincfg.RegressionNetParams.GenesisHash, 0
	log := chaintest.NewRecorder(t, genesis)
	p, err := chain.NewPoller(chain.PollerConfig{Source: c})
	require.NoError(t, err)
	p.AddListener(log, genesis)
	require.NoError(t, p.PollOnce(ctx))
	require.Equal(t, connected(1, shared...), log.Take())

	a.Disconnect(t, b)
	branchA := a.Generate(t, 2)
	branchB := b.Generate(t, 4)
	// The nodes are really split: each has its own tip.
	require.Equal(t, chain.BestBlock{Hash: branchA[1], Height: 7}, bestOf(t, a))
	require.Equal(t, chain.BestBlock{Hash: branchB[3], Height: 9}, bestOf(t, b))
	require.NoError(t, p.PollOnce(ctx))
	require.Equal(t, connected(6, branchA...), log.Take())

	// A listener that joins on B's branch tip is already where A will be
	// after the reorg; one that joins at A's tip walks back like the first.
	late := chaintest.NewRecorder(t, chain.BestBlock{Hash: branchA[1], Height: 7})
	p.AddListener(late, late.Best())

	a.Connect(t, b)
	a.WaitSyncedWith(t, b)
	require.Equal(t, branchB[3], bestOf(t, a).Hash)
	require.NoError(t, p.PollOnce(ctx))
	want := append(disconnected(6, branchA...), connected(6, branchB...)...)
	require.Equal(t, want, log.Take())
	require.Equal(t, want, late.Take())
	require.Equal(t, bestOf(t, a), log.Best())

	// Nothing more to do.
	require.NoError(t, p.PollOnce(ctx))
	require.Empty(t, log.Take())

	// A fresh poller (empty header cache), with a listener that stopped on
	// A's now stale branch (say, it was offline during the reorg): btcd
	// only answers raw headers for stale blocks, the client finds their
	// heights, and the listener walks back the same way.
	_, err = c.Call(ctx, "getblockheader", branchA[1].String(), true)
	var rpcErr *rpc.RPCError
	require.ErrorAs(t, err, &rpcErr, "btcd has no verbose header for a stale block")
	hd, err := c.Header(ctx, branchA[1])
	require.NoError(t, err)
	require.EqualValues(t, 7, hd.Height)
	require.Equal(t, branchA[0], hd.Header.PrevBlock)
	offline := chaintest.NewRecorder(t, chain.BestBlock{Hash: branchA[1], Height: 7})
	p2, err := chain.NewPoller(chain.PollerConfig{Source: c})
	require.NoError(t, err)
	p2.AddListener(offline, offline.Best())
	require.NoError(t, p2.PollOnce(ctx))
	require.Equal(t, want, offline.Take())
}

// txConfirm is a chain.Confirm recording confirmations as
// "txid@height:block".
type txConfirm struct {
	mu        sync.Mutex
	confirmed []string
	relevant  []chain.RelevantTx
}

func (c *txConfirm) TransactionsConfirmed(header *btcwire.BlockHeader, txdata []chain.TxData, height int32) {
	c.mu.Lock()
	defer c.mu.Unlock()
	hash := header.BlockHash()
	for _, td := range txdata {
		c.confirmed = append(c.confirmed, fmt.Sprintf("%s@%d:%s", td.Tx.TxHash(), height, hash))
		c.relevant = append(c.relevant, chain.RelevantTx{TxID: td.Tx.TxHash(), Height: height, BlockHash: &hash})
	}
}
func (c *txConfirm) TransactionUnconfirmed(chainhash.Hash)        {}
func (c *txConfirm) BestBlockUpdated(*btcwire.BlockHeader, int32) {}
func (c *txConfirm) RelevantTransactions() []chain.RelevantTx {
	c.mu.Lock()
	defer c.mu.Unlock()
	return append([]chain.RelevantTx(nil), c.relevant...)
}

// take returns and clears the recorded confirmations.
func (c *txConfirm) take() []string {
	c.mu.Lock()
	defer c.mu.Unlock()
	out := c.confirmed
	c.confirmed = nil
	return out
}

// signP2WPKHSpend returns a transaction spending the P2WPKH output op (of
// value in) owned by key, paying out back to script.
func signP2WPKHSpend(t *testing.T, key *btcec.PrivateKey, script []byte, op btcwire.OutPoint, in, out int64) *btcwire.MsgTx {
	t.Helper()
	tx := btcwire.NewMsgTx(2)
	tx.AddTxIn(btcwire.NewTxIn(&op, nil, nil))
	tx.AddTxOut(btcwire.NewTxOut(out, script))
	fetcher := txscript.NewCannedPrevOutputFetcher(script, in)
	wit, err := txscript.WitnessSignature(tx, txscript.NewTxSigHashes(tx, fetcher), 0, in, script, txscript.SigHashAll, key, true)
	require.NoError(t, err)
	tx.TxIn[0].Witness = wit
	return tx
}

// tcpProxy forwards 127.0.0.1 connections to a target; stop closes the
// listener and every connection (the daemon looks down), start listens
// again on the same address.
type tcpProxy struct {
	t      *testing.T
	target string
	addr   string
	mu     sync.Mutex
	ln     net.Listener
	conns  map[net.Conn]struct{}
	wg     sync.WaitGroup
}

// startProxy starts a proxy to target on a free port.
func startProxy(t *testing.T, target string) *tcpProxy {
	t.Helper()
	p := &tcpProxy{t: t, target: target, conns: make(map[net.Conn]struct{})}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	p.addr = ln.Addr().String()
	p.serve(ln)
	t.Cleanup(func() {
		p.stop()
		p.wg.Wait()
	})
	return p
}

// start listens again on the proxy's address.
func (p *tcpProxy) start() {
	ln, err := net.Listen("tcp", p.addr)
	require.NoError(p.t, err)
	p.serve(ln)
}

// serve accepts on ln until it is closed.
func (p *tcpProxy) serve(ln net.Listener) {
	p.mu.Lock()
	p.ln = ln
	p.mu.Unlock()
	p.wg.Add(1)
	go func() {
		defer p.wg.Done()
		for {
			conn, err := ln.Accept()
			if err != nil {
				return
			}
			up, err := net.Dial("tcp", p.target)
			if err != nil {
				conn.Close()
				continue
			}
			p.mu.Lock()
			p.conns[conn], p.conns[up] = struct{}{}, struct{}{}
			p.mu.Unlock()
			p.wg.Add(2)
			go p.pipe(conn, up)
			go p.pipe(up, conn)
		}
	}()
}

// pipe copies src to dst, closing both when done.
func (p *tcpProxy) pipe(dst, src net.Conn) {
	defer p.wg.Done()
	_, _ = io.Copy(dst, src)
	dst.Close()
	src.Close()
}

// stop closes the listener and all proxied connections.
func (p *tcpProxy) stop() {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.ln != nil {
		p.ln.Close()
		p.ln = nil
	}
	for c := range p.conns {
		c.Close()
	}
	clear(p.conns)
}
