package main

import (
	"context"
	"errors"
	"fmt"
	"path/filepath"
	"runtime"
	"time"

	"github.com/btcsuite/btcd/chaincfg/chainhash"
	"github.com/btcsuite/btcd/txscript"
	btcwire "github.com/btcsuite/btcd/wire"

	"github.com/lnkit/lnkit/chain"
	"github.com/lnkit/lnkit/chain/wallet"
	"github.com/lnkit/lnkit/chain/wallet/spendable"
	"github.com/lnkit/lnkit/channel"
	"github.com/lnkit/lnkit/channel/commit"
	"github.com/lnkit/lnkit/channel/monitor"
	"github.com/lnkit/lnkit/events"
	"github.com/lnkit/lnkit/persist/fsstore"
	"github.com/lnkit/lnkit/router"
	"github.com/lnkit/lnkit/wire"
)

// storeDirName is the store's directory inside the data directory.
const storeDirName = "store"

// openStore opens the node's filesystem store at <datadir>/store: the
// wallet, the channel manager, the monitors, the event queue and the
// sample node's own keys all live in it.
func openStore(dataDir string) (*fsstore.Store, error) {
	s, err := fsstore.Open(fsstore.Config{Root: filepath.Join(dataDir, storeDirName)})
	if err != nil {
		return nil, fmt.Errorf("sample-node: store: %w", err)
	}
	return s, nil
}

// userConfig is the node's channel policy: lnkit's defaults, with our
// to_self_delay when --to-self-delay is given, the limits of
// --min-channel-sat and --max-to-self-delay, the forwarding fee of
// --fee-base-msat and --fee-ppm, and every inbound channel
// raised as an OpenChannelRequest so that the event handler decides
// (ldk-sample's manually_accept_inbound_channels).
func userConfig(cfg config) channel.UserConfig {
	u := channel.DefaultUserConfig()
	if cfg.ToSelfDelay != 0 {
		u.Handshake.ToSelfDelay = uint16(cfg.ToSelfDelay)
	}
	if cfg.MinChannelSat != 0 {
		u.Limits.MinFundingSatoshis = wire.Satoshi(cfg.MinChannelSat)
	}
	if cfg.MaxToSelfDelay != 0 {
		u.Limits.MaxToSelfDelay = uint16(cfg.MaxToSelfDelay)
	}
	if cfg.FeeBaseMsat != nil {
		u.Channel.ForwardingFeeBaseMsat = *cfg.FeeBaseMsat
	}
	if cfg.FeePPM != nil {
		u.Channel.ForwardingFeeProportionalMillionths = *cfg.FeePPM
	}
	u.AcceptInboundChannels = false
	return u
}

// openChannelParts builds, on the store, what channels need: the event
// queue, the chain monitor with every stored monitor restored, the wallet
// and the channel manager (Load, reconciled with the monitors). tip is the
// chain's tip now: a new node's birthday.
func (n *node) openChannelParts(ctx context.Context, tip chain.BestBlock) error {
	log := n.log.Logger
	var err error
	n.queue, err = events.Open(ctx, events.Config{Store: n.store, Logger: log.With("component", "events")})
	if err != nil {
		return fmt.Errorf("sample-node: event queue: %w", err)
	}
	persister, err := monitor.NewKVPersister(monitor.KVPersisterConfig{Store: n.store})
	if err != nil {
		return fmt.Errorf("sample-node: monitor persister: %w", err)
	}
	mons, err := persister.Load()
	if err != nil {
		return fmt.Errorf("sample-node: loading channel monitors: %w", err)
	}
	fees := feeFloor{est: n.chain, floor: wire.FeeRate(n.cfg.MinFeeRate), commitment: wire.FeeRate(n.cfg.CommitmentFeeRate)}
	n.monitor, err = monitor.NewChainMonitor(monitor.ChainMonitorConfig{
		Persister: persister,
		// The channel manager writes each monitor update with its
		// channel's record: the KVPersister is on the same store.
		UpdatesWithChannel: true,
		// The channel manager reports every closure itself.
		OmitChannelClosed: true,
		// Justice transactions: broadcast by the monitor at every block
		// (it replaces them as their deadline nears), so straight to the
		// chain, not through the rebroadcaster.
		Sweep: &monitor.SweepConfig{
			Broadcaster: n.chain,
			Fees:        fees,
			Signers: func(keyID [32]byte) (monitor.ClaimSigner, error) {
				return n.keys.ChannelKeys(keyID), nil
			},
			Destination: func() ([]byte, error) { return n.shutdownScript(ctx) },
			Funder:      walletFunder{n},
			Context:     ctx,
			Logger:      log.With("component", "monitor"),
		},
	})
	if err != nil {
		return fmt.Errorf("sample-node: chain monitor: %w", err)
	}
	for _, m := range mons {
		if err := n.monitor.Restore(m); err != nil {
			return fmt.Errorf("sample-node: restoring monitor %v: %w", m.ChannelID(), err)
		}
	}
	n.rebroadcast, err = chain.NewRebroadcaster(chain.RebroadcasterConfig{
		Broadcaster: n.chain, Logger: log.With("component", "rebroadcast"),
	})
	if err != nil {
		return fmt.Errorf("sample-node: rebroadcaster: %w", err)
	}
	n.bcast = newBroadcaster(n.rebroadcast)
	n.wallet, err = wallet.Open(ctx, wallet.Config{
		Seed:        n.seed,
		Params:      n.cfg.Params,
		Store:       n.store,
		Birthday:    tip,
		Fees:        fees,
		Broadcaster: n.bcast,
		Signers: func(keyID [32]byte) (spendable.Signer, error) {
			return n.keys.ChannelKeys(keyID), nil
		},
		Logger: log.With("component", "wallet"),
	})
	if err != nil {
		return fmt.Errorf("sample-node: wallet: %w", err)
	}
	// Payments to nodes we have no channel with go over the routes the
	// router finds in the gossip graph; the scorer learns from them and
	// is kept in the store (scorer.go), while the graph starts afresh at
	// each start.
	n.scorer, err = openScorer(ctx, n.store, log.With("component", "scorer"), time.Now())
	if err != nil {
		return err
	}
	scorer := n.scorer.scorer
	rt, err := router.New(router.Config{Graph: n.graph, Scorer: scorer})
	if err != nil {
		return fmt.Errorf("sample-node: router: %w", err)
	}
	n.channels, err = channel.Load(channel.Config{
		ChainHash:    *n.cfg.Params.GenesisHash,
		Features:     channel.Features(),
		Node:         n.keys,
		Signers:      channel.KeysSigners(n.keys),
		Parallel:     commit.Workers(runtime.NumCPU()),
		Entropy:      n.entropy,
		Watch:        n.monitor,
		Broadcaster:  n.bcast,
		Fees:         fees,
		Destinations: channel.ShutdownScriptFunc(n.shutdownScript),
		Store:        n.store,
		Events:       n.queue,
		// Used only by a manager that never processed a block: then
		// the chain has not moved since the wallet's birthday.
		BestBlock: n.wallet.Birthday(),
		User:      userConfig(n.cfg),
		Router:    rt,
		Scorer:    scorer,
		Logger:    log.With("component", "channels"),
	}, n.monitor.Monitors())
	if err != nil {
		return fmt.Errorf("sample-node: channel manager: %w", err)
	}
	// The manager's time (invoices, payments) before the console takes
	// commands; tickLoop keeps it current.
	n.channels.TimerTick(time.Now())
	return nil
}

// walletFunder funds our anchors HTLC transactions from the node's
// wallet (opened after the chain monitor).
type walletFunder struct{ n *node }

// FundHTLCTx implements monitor.HTLCTxFunder.
func (f walletFunder) FundHTLCTx(ctx context.Context, h spendable.HTLCTx, rate wire.FeeRate) (*btcwire.MsgTx, error) {
	if f.n.wallet == nil {
		return nil, errors.New("sample-node: no wallet yet")
	}
	return f.n.wallet.FundHTLCTx(ctx, h, rate)
}

// AbandonTransaction implements monitor.HTLCTxFunder.
func (f walletFunder) AbandonTransaction(ctx context.Context, txid chainhash.Hash) error {
	if f.n.wallet == nil {
		return errors.New("sample-node: no wallet yet")
	}
	return f.n.wallet.AbandonTransaction(ctx, txid)
}

// shutdownScript is where our closing outputs go: a new wallet address.
func (n *node) shutdownScript(ctx context.Context) ([]byte, error) {
	addr, err := n.wallet.NewAddress(ctx, wallet.P2WPKH)
	if err != nil {
		return nil, err
	}
	return txscript.PayToAddrScript(addr)
}

// channelHandler is the channel manager as the peer manager sees it: each
// message or connection change may raise events, so the event loop is
// woken after it.
type channelHandler struct {
	*channel.Manager
	wake func()
}

// HandleChannelMessage implements peer.ChannelMessageHandler.
func (h channelHandler) HandleChannelMessage(from wire.NodeID, msg wire.Message) error {
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

var _ chain.Listen = monitorFeed{}

// monitorFeed is the chain monitor as the poller sees it: after each
// block the monitor's checkpoint is saved (the chain monitor does not
// know its best block; a restart catches it up from there) and its events
// go to the queue.
type monitorFeed struct{ n *node }

// BlockConnected implements chain.Listen.
func (f monitorFeed) BlockConnected(block *btcwire.MsgBlock, height int32) {
	f.n.monitor.BlockConnected(block, height)
	f.n.afterMonitorBlock(chain.BestBlock{Hash: block.BlockHash(), Height: height})
}

// BlockDisconnected implements chain.Listen.
func (f monitorFeed) BlockDisconnected(header *btcwire.BlockHeader, height int32) {
	f.n.monitor.BlockDisconnected(header, height)
	f.n.afterMonitorBlock(chain.BestBlock{Hash: header.PrevBlock, Height: height - 1})
}

// afterMonitorBlock saves the monitor's checkpoint and queues its events.
// A failed checkpoint write leaves the older one: the monitor is then
// caught up from further back after a restart, never skipped.
func (n *node) afterMonitorBlock(b chain.BestBlock) {
	if err := n.nstore.saveMonitorCheckpoint(n.bgCtx, b); err != nil {
		n.log.Warn("sample-node: saving the chain monitor's checkpoint", "err", err)
	}
	n.drainMonitor()
}

// drainMonitor appends the chain monitor's events to the queue. Events
// the store refused are kept in memory and appended at the next drain.
func (n *node) drainMonitor() {
	n.monitorMu.Lock()
	defer n.monitorMu.Unlock()
	n.monitorEvents = append(n.monitorEvents, n.monitor.ReleasePendingEvents()...)
	if len(n.monitorEvents) == 0 {
		return
	}
	if err := n.queue.Append(n.bgCtx, n.monitorEvents...); err != nil {
		n.log.Error("sample-node: queueing the chain monitor's events", "err", err, "events", len(n.monitorEvents))
		return
	}
	n.monitorEvents = nil
	n.wakeEvents()
}

// releaseCompletedUpdates tells the manager which monitor updates are
// durable (the KVPersister answers synchronously, so there are none in
// practice; an asynchronous persister would need this).
func (n *node) releaseCompletedUpdates() {
	for _, c := range n.monitor.ReleaseCompletedUpdates() {
		n.channels.MonitorUpdateCompleted(c.ChannelID, c.UpdateID)
	}
}

// addChainListeners registers, in order, the chain monitor, the wallet, the
// channel manager, the rebroadcaster and its conflict watch with the poller, each from the
// block it processed last: the poller catches each one up on its own.
func (n *node) addChainListeners(ctx context.Context, tip chain.BestBlock) error {
	mon, ok, err := n.nstore.monitorCheckpoint(ctx)
	if err != nil {
		return err
	}
	if !ok {
		// A new node: no monitor yet, nothing to replay.
		mon = n.wallet.Birthday()
		if err := n.nstore.saveMonitorCheckpoint(ctx, mon); err != nil {
			return fmt.Errorf("sample-node: saving the chain monitor's checkpoint: %w", err)
		}
	}
	n.poller.AddListener(monitorFeed{n}, mon)
	n.poller.AddListener(n.wallet, n.wallet.BestBlock())
	n.poller.AddListener(n.channels, n.channels.BestBlock())
	n.poller.AddListener(n.rebroadcast, tip)
	n.poller.AddListener(n.bcast, tip)
	n.log.Info("sample-node: following the chain", "tip", tip.Height, "monitor", mon.Height,
		"wallet", n.wallet.BestBlock().Height, "channels", n.channels.BestBlock().Height)
	return nil
}
