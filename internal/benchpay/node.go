package main

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"os"
	"path/filepath"
	"runtime"
	"sync"
	"sync/atomic"
	"time"

	"github.com/btcsuite/btcd/chaincfg"
	"github.com/btcsuite/btcd/chaincfg/chainhash"
	"github.com/btcsuite/btcd/txscript"

	"github.com/lnkit/lnkit/chain"
	"github.com/lnkit/lnkit/chain/rpc"
	"github.com/lnkit/lnkit/chain/wallet"
	"github.com/lnkit/lnkit/chain/wallet/spendable"
	"github.com/lnkit/lnkit/channel"
	"github.com/lnkit/lnkit/channel/commit"
	"github.com/lnkit/lnkit/channel/monitor"
	"github.com/lnkit/lnkit/events"
	"github.com/lnkit/lnkit/internal/regtest"
	"github.com/lnkit/lnkit/keys"
	"github.com/lnkit/lnkit/peer"
	"github.com/lnkit/lnkit/peer/tcp"
	"github.com/lnkit/lnkit/persist/fsstore"
	"github.com/lnkit/lnkit/wire"
)

// Periods of a node's loops.
const (
	// chainPoll is the wait between two polls of btcd's tip. Not
	// shorter: btcd closes its RPC connection after every call, so each
	// poll costs a TLS handshake (ECDSA P-521), CPU the payments compete
	// for.
	chainPoll = time.Second
	// eventRetry is how often the event loop looks at the queue when
	// nothing woke it.
	eventRetry = 100 * time.Millisecond
	// tickInterval is the period of the channel manager's TimerTick.
	tickInterval = 10 * time.Second
)

// lnkitNode is one lnkit node in this process, composed from the library
// as examples/sample-node composes it: a key manager from a fresh seed,
// btcd's RPC client (chain source, fee estimator, broadcaster), a
// filesystem store (fsstore, real fsync) holding the wallet, the channel
// monitors (monitor.ChainMonitor with a KVPersister), the channel manager
// and the durable event queue, a chain poller feeding them, and a peer
// manager on the TCP transport (BOLT 8 over loopback). What it leaves out
// is what payments do not touch: gossip, on-chain sweeps and fee bumps.
type lnkitNode struct {
	name     string
	log      *slog.Logger
	seed     keys.Seed
	keys     *keys.Manager
	chain    *rpc.Client
	store    *fsstore.Store
	queue    *events.Queue
	monitor  *monitor.ChainMonitor
	wallet   *wallet.Wallet
	channels *channel.Manager
	poller   *chain.Poller
	peers    *peer.Manager
	tcp      *tcp.Transport
	listen   net.Addr

	ctx    context.Context
	cancel context.CancelFunc
	loops  sync.WaitGroup
	wake   chan struct{}

	pays payments
	wire wireCounter
}

// startNode starts a node whose store and log are in dir, on btcd;
// user is the channel policy (channel.DefaultUserConfig unless a flag
// changes it).
func startNode(ctx context.Context, name, dir string, btcd *regtest.Btcd, user channel.UserConfig, logLevel slog.Level) (n *lnkitNode, err error) {
	logFile, err := os.OpenFile(filepath.Join(dir, "node.log"), os.O_CREATE|os.O_WRONLY|os.O_APPEND, 0o600)
	if err != nil {
		return nil, fmt.Errorf("benchpay: %s: log: %w", name, err)
	}
	n = &lnkitNode{
		name: name,
		log:  slog.New(slog.NewTextHandler(logFile, &slog.HandlerOptions{Level: logLevel})).With("node", name),
		wake: make(chan struct{}, 1),
	}
	n.pays.init()
	n.ctx, n.cancel = context.WithCancel(context.Background())
	defer func() {
		if err != nil {
			n.stop()
			err = fmt.Errorf("benchpay: %s: %w", name, err)
		}
	}()
	params := &chaincfg.RegressionNetParams
	n.chain, err = rpc.Dial(ctx, rpc.Config{
		Host: btcd.RPCAddr, User: btcd.RPCUser, Password: btcd.RPCPass, CACertFile: btcd.RPCCertPath,
		Params: params, Logger: n.log.With("component", "chain"),
	})
	if err != nil {
		return n, fmt.Errorf("chain rpc: %w", err)
	}
	ent := keys.NewCryptoEntropy()
	n.seed = keys.GenerateSeed(ent)
	n.keys = keys.NewManager(n.seed, keys.Config{})
	if n.store, err = fsstore.Open(fsstore.Config{Root: filepath.Join(dir, "store")}); err != nil {
		return n, err
	}
	tipHash, tipHeight, err := n.chain.BestBlock(ctx)
	if err != nil {
		return n, fmt.Errorf("chain tip: %w", err)
	}
	tip := chain.BestBlock{Hash: tipHash, Height: tipHeight}
	if err := n.openChannelParts(ctx, tip, params, ent, user); err != nil {
		return n, err
	}
	if n.poller, err = chain.NewPoller(chain.PollerConfig{Source: n.chain, Logger: n.log.With("component", "poller")}); err != nil {
		return n, err
	}
	n.poller.AddListener(n.monitor, tip)
	n.poller.AddListener(n.wallet, n.wallet.BestBlock())
	n.poller.AddListener(n.channels, n.channels.BestBlock())
	if err := n.pollChain(ctx); err != nil {
		return n, err
	}
	n.peers, err = peer.New(peer.Config{
		NodeKey:        n.keys,
		Entropy:        ent,
		Chains:         []chainhash.Hash{*params.GenesisHash},
		Features:       channel.Features(),
		ChannelHandler: channelHandler{Manager: n.channels, wake: n.wakeEvents, count: &n.wire},
		Logger:         n.log.With("component", "peer"),
	})
	if err != nil {
		return n, err
	}
	if n.tcp, err = tcp.New(n.peers, tcp.Config{Logger: n.log.With("component", "tcp")}); err != nil {
		return n, err
	}
	n.goLoop(func(ctx context.Context) { _ = n.tcp.Run(ctx) })
	if n.listen, err = n.tcp.Listen(n.ctx, "127.0.0.1:0"); err != nil {
		return n, err
	}
	n.goLoop(n.chainLoop)
	n.goLoop(n.eventLoop)
	n.goLoop(n.tickLoop)
	return n, nil
}

// openChannelParts builds, on the store, the event queue, the chain
// monitor, the wallet and the channel manager.
func (n *lnkitNode) openChannelParts(ctx context.Context, tip chain.BestBlock, params *chaincfg.Params, ent keys.EntropySource, user channel.UserConfig) error {
	var err error
	if n.queue, err = events.Open(ctx, events.Config{Store: n.store, Logger: n.log.With("component", "events")}); err != nil {
		return err
	}
	persister, err := monitor.NewKVPersister(monitor.KVPersisterConfig{Store: n.store})
	if err != nil {
		return err
	}
	// No Sweep: nothing is claimed on chain in a payments benchmark.
	if n.monitor, err = monitor.NewChainMonitor(monitor.ChainMonitorConfig{Persister: persister, OmitChannelClosed: true, UpdatesWithChannel: true}); err != nil {
		return err
	}
	n.wallet, err = wallet.Open(ctx, wallet.Config{
		Seed: n.seed, Params: params, Store: n.store, Birthday: tip, Fees: n.chain, Broadcaster: n.chain,
		Signers: func(keyID [32]byte) (spendable.Signer, error) { return n.keys.ChannelKeys(keyID), nil },
		Logger:  n.log.With("component", "wallet"),
	})
	if err != nil {
		return err
	}
	n.channels, err = channel.Load(channel.Config{
		ChainHash:    *params.GenesisHash,
		Features:     channel.Features(),
		Node:         n.keys,
		Signers:      channel.KeysSigners(n.keys),
		Parallel:     commit.Workers(runtime.NumCPU()),
		Entropy:      ent,
		Watch:        n.monitor,
		Broadcaster:  n.chain,
		Fees:         n.chain,
		Destinations: channel.ShutdownScriptFunc(n.shutdownScript),
		Store:        n.store,
		Events:       n.queue,
		BestBlock:    tip,
		User:         user,
		Logger:       n.log.With("component", "channels"),
	}, n.monitor.Monitors())
	if err != nil {
		return err
	}
	n.channels.TimerTick(time.Now())
	return nil
}

// shutdownScript is where closing outputs go: a new wallet address.
func (n *lnkitNode) shutdownScript(ctx context.Context) ([]byte, error) {
	addr, err := n.wallet.NewAddress(ctx, wallet.P2WPKH)
	if err != nil {
		return nil, err
	}
	return txscript.PayToAddrScript(addr)
}

// goLoop runs loop until the node stops.
func (n *lnkitNode) goLoop(loop func(context.Context)) {
	n.loops.Add(1)
	go func() {
		defer n.loops.Done()
		loop(n.ctx)
	}()
}

// stop ends the loops, disconnects the peers and closes the store and the
// chain client. It is safe on a node that did not finish starting.
func (n *lnkitNode) stop() {
	if n.peers != nil {
		n.peers.DisconnectAll()
	}
	if n.tcp != nil {
		_ = n.tcp.Close()
	}
	n.cancel()
	n.loops.Wait()
	if n.store != nil {
		if err := n.store.Close(); err != nil {
			n.log.Error("benchpay: closing the store", "err", err)
		}
	}
	if n.chain != nil {
		n.chain.Close()
	}
}

// connect dials other and waits for the init exchange.
func (n *lnkitNode) connect(ctx context.Context, other *lnkitNode) error {
	cctx, cancel := context.WithTimeout(ctx, 30*time.Second)
	defer cancel()
	if err := n.tcp.Connect(cctx, other.keys.NodeID(), other.listen.String()); err != nil {
		return fmt.Errorf("benchpay: %s connecting to %s: %w", n.name, other.name, err)
	}
	return nil
}

// pollChain polls btcd once and hands on what the monitor raised.
func (n *lnkitNode) pollChain(ctx context.Context) error {
	err := n.poller.PollOnce(ctx)
	if evs := n.monitor.ReleasePendingEvents(); len(evs) > 0 {
		if aerr := n.queue.Append(ctx, evs...); aerr != nil {
			err = errors.Join(err, aerr)
		}
	}
	for _, c := range n.monitor.ReleaseCompletedUpdates() {
		n.channels.MonitorUpdateCompleted(c.ChannelID, c.UpdateID)
	}
	if n.tcp != nil {
		n.tcp.Notify()
	}
	n.wakeEvents()
	return err
}

// chainLoop polls btcd every chainPoll.
func (n *lnkitNode) chainLoop(ctx context.Context) {
	for {
		if err := n.pollChain(ctx); err != nil && ctx.Err() == nil {
			n.log.Warn("benchpay: chain poll", "err", err)
		}
		select {
		case <-ctx.Done():
			return
		case <-time.After(chainPoll):
		}
	}
}

// tickLoop gives the channel manager the time.
func (n *lnkitNode) tickLoop(ctx context.Context) {
	t := time.NewTicker(tickInterval)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
			n.channels.TimerTick(time.Now())
			n.tcp.Notify()
		}
	}
}

// wakeEvents asks the event loop to look at the queue.
func (n *lnkitNode) wakeEvents() {
	select {
	case n.wake <- struct{}{}:
	default:
	}
}

// channelHandler is the channel manager as the peer manager sees it: the
// event loop is woken after each message or connection change; the
// commitment_signed messages received are counted.
type channelHandler struct {
	*channel.Manager
	wake  func()
	count *wireCounter
}

// wireCounter is a node's count of the commitment_signed messages it
// received and their HTLC signatures.
type wireCounter struct {
	commitSigs, htlcSigs atomic.Int64
}

// load returns the counts so far.
func (c *wireCounter) load() wireCounts {
	return wireCounts{commitSigs: c.commitSigs.Load(), htlcSigs: c.htlcSigs.Load()}
}

// HandleChannelMessage implements peer.ChannelMessageHandler.
func (h channelHandler) HandleChannelMessage(from wire.NodeID, msg wire.Message) error {
	if cs, ok := msg.(*wire.CommitmentSigned); ok {
		h.count.commitSigs.Add(1)
		h.count.htlcSigs.Add(int64(len(cs.HTLCSignatures)))
	}
	err := h.Manager.HandleChannelMessage(from, msg)
	h.wake()
	return err
}

// PeerConnected implements peer.PeerHandler.
func (h channelHandler) PeerConnected(id wire.NodeID, init *wire.Init, inbound bool) error {
	err := h.Manager.PeerConnected(id, init, inbound)
	h.wake()
	return err
}

// PeerDisconnected implements peer.PeerHandler.
func (h channelHandler) PeerDisconnected(id wire.NodeID) {
	h.Manager.PeerDisconnected(id)
	h.wake()
}
