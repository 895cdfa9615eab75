package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"net"
	"os"
	"path/filepath"
	"sync"
	"syscall"
	"time"

	"github.com/btcsuite/btcd/chaincfg/chainhash"

	"github.com/lnkit/lnkit/chain"
	"github.com/lnkit/lnkit/chain/rpc"
	"github.com/lnkit/lnkit/chain/wallet"
	"github.com/lnkit/lnkit/channel"
	"github.com/lnkit/lnkit/channel/monitor"
	"github.com/lnkit/lnkit/events"
	"github.com/lnkit/lnkit/keys"
	"github.com/lnkit/lnkit/peer"
	"github.com/lnkit/lnkit/peer/tcp"
	"github.com/lnkit/lnkit/persist/fsstore"
	"github.com/lnkit/lnkit/router/graph"
	"github.com/lnkit/lnkit/wire"
)

// Timeouts of the node's own calls.
const (
	// chainDialTimeout bounds connecting to the chain daemon at start-up.
	chainDialTimeout = 30 * time.Second
	// chainCallTimeout bounds one chain query of a command.
	chainCallTimeout = 10 * time.Second
	// connectTimeout bounds connectpeer: dial, handshake and init.
	connectTimeout = 30 * time.Second
)

// node is the running Lightning node, composed from lnkit's packages the
// way ldk-sample composes LDK: a key manager from the seed, the chain
// daemon's RPC client (chain source, fee estimator and, behind a
// rebroadcaster, broadcaster), a filesystem store holding the wallet, the
// channel monitors, the channel manager and the event queue, a chain
// poller feeding them, and a peer manager on its TCP transport.
type node struct {
	cfg     config
	log     *fileLogger
	notices *notices
	seed    keys.Seed
	keys    *keys.Manager
	entropy keys.EntropySource
	chain   *rpc.Client

	store       *fsstore.Store
	nstore      nodeStore
	queue       *events.Queue
	monitor     *monitor.ChainMonitor
	wallet      *wallet.Wallet
	channels    *channel.Manager
	rebroadcast *chain.Rebroadcaster
	bcast       *broadcaster // over rebroadcast: what the wallet and the manager broadcast through
	poller      *chain.Poller
	graph       *graph.Graph
	scorer      *scorerKeeper // the router's scorer, persisted

	peers  *peer.Manager
	tcp    *tcp.Transport
	listen net.Addr

	// bgCtx bounds the calls the node makes on its own (store, chain);
	// it ends at shutdown.
	bgCtx    context.Context
	cancelBg context.CancelFunc

	stopRun context.CancelFunc
	runDone chan struct{} // closed when the transport's Run has returned

	cancelLoops context.CancelFunc
	loops       sync.WaitGroup
	wake        chan struct{} // wakes the event loop
	// lastSeen is the manager's best block after the last poll: a new
	// one triggers rebroadcasts, sweeps and progress lines.
	lastSeen chain.BestBlock
	// resolutions are on-chain HTLC resolutions the channel manager has
	// not taken yet (a failing store).
	resolutions []monitor.HTLCResolution

	monitorMu     sync.Mutex
	monitorEvents []events.Event // taken from the monitor, not yet queued

	sweepMu      sync.Mutex
	sweepWaiting map[string]bool // sweeps whose wait was announced

	closed closedList
	// held is the hold mode (holdinvoices, claim).
	held heldPayments
}

// startNode builds the node from cfg and starts listening. ctx bounds the
// start-up only. On error everything started so far is stopped. The seed
// is created only once the chain daemon has answered, so that a start with
// wrong RPC settings leaves no new identity behind; a data directory this
// failed start created (holding only logs) is removed again, and an error
// after a new seed was written says so.
func startNode(ctx context.Context, cfg config, noticeW io.Writer) (n *node, err error) {
	_, statErr := os.Stat(cfg.DataDir)
	newDir := errors.Is(statErr, fs.ErrNotExist)
	if err := makeDataDir(cfg.DataDir); err != nil {
		return nil, err
	}
	level, err := logLevel(cfg.LogLevel)
	if err != nil {
		return nil, err
	}
	flog, err := openLog(cfg.LogFile, level)
	if err != nil {
		return nil, err
	}
	n = &node{cfg: cfg, log: flog, notices: &notices{w: noticeW}, wake: make(chan struct{}, 1), sweepWaiting: map[string]bool{}}
	n.bgCtx, n.cancelBg = context.WithCancel(context.Background())
	created := false
	defer func() {
		if err == nil {
			return
		}
		flog.Error("sample-node: start-up failed", "err", err)
		_ = n.stop()
		switch {
		case created:
			err = fmt.Errorf("%w (a new seed was written to %s: the node keeps that identity)",
				err, filepath.Join(cfg.DataDir, seedFileName))
		case newDir:
			_ = os.RemoveAll(cfg.DataDir) // nothing but this start's logs
		}
	}()
	flog.Info("sample-node: starting", "network", cfg.Network, "rpc", cfg.RPC.String())

	dctx, cancel := context.WithTimeout(ctx, chainDialTimeout)
	n.chain, err = dialChain(dctx, cfg, flog.With("component", "chain"))
	cancel()
	if err != nil {
		return n, err
	}

	var seed keys.Seed
	seed, created, err = loadOrCreateSeed(cfg.DataDir)
	if err != nil {
		return n, err
	}
	n.seed, n.keys, n.entropy = seed, keys.NewManager(seed, keys.Config{}), keys.NewCryptoEntropy()
	flog.Info("sample-node: node key ready", "node_id", n.keys.NodeID(), "new_seed", created)

	if n.store, err = openStore(cfg.DataDir); err != nil {
		return n, err
	}
	n.nstore = nodeStore{kv: n.store}
	tipHash, tipHeight, err := n.chain.BestBlock(ctx)
	if err != nil {
		return n, fmt.Errorf("sample-node: chain tip: %w", err)
	}
	tip := chain.BestBlock{Hash: tipHash, Height: tipHeight}
	// The graph first: the channel manager's router searches it.
	if err := n.openGraph(); err != nil {
		return n, err
	}
	if err := n.openChannelParts(ctx, tip); err != nil {
		return n, err
	}
	if n.poller, err = chain.NewPoller(chain.PollerConfig{Source: n.chain, Logger: flog.With("component", "poller")}); err != nil {
		return n, fmt.Errorf("sample-node: chain poller: %w", err)
	}
	if err := n.addChainListeners(ctx, tip); err != nil {
		return n, err
	}
	// Catch up with the chain before taking commands.
	if err := n.pollChain(ctx); err != nil {
		flog.Warn("sample-node: first chain poll failed; retrying in the background", "err", err)
	}

	n.peers, err = peer.New(peer.Config{
		NodeKey:        n.keys,
		Entropy:        n.entropy,
		Chains:         []chainhash.Hash{*cfg.Params.GenesisHash},
		Features:       channel.Features(),
		ChannelHandler: channelHandler{Manager: n.channels, wake: n.wakeEvents},
		RoutingHandler: n.graph.Handler(),
		Logger:         flog.Logger,
	})
	if err != nil {
		return n, fmt.Errorf("sample-node: peer manager: %w", err)
	}
	if n.tcp, err = tcp.New(n.peers, tcp.Config{Logger: flog.Logger}); err != nil {
		return n, fmt.Errorf("sample-node: transport: %w", err)
	}
	runCtx, stopRun := context.WithCancel(context.Background())
	n.stopRun, n.runDone = stopRun, make(chan struct{})
	go func() {
		defer close(n.runDone)
		_ = n.tcp.Run(runCtx)
	}()
	n.listen, err = n.tcp.Listen(runCtx, cfg.listenAddr())
	if err != nil {
		return n, fmt.Errorf("sample-node: %w", err)
	}
	n.startLoops()
	flog.Info("sample-node: started", "node_id", n.keys.NodeID(), "listen", n.listen)
	return n, nil
}

// stop shuts the node down: disconnects every peer, stops the transport,
// closes the chain client and flushes the log. It is safe on a node that
// did not finish starting.
func (n *node) stop() error {
	n.stopLoops()
	if n.scorer != nil {
		n.scorer.save(n.bgCtx, time.Now())
	}
	if n.peers != nil {
		n.peers.DisconnectAll()
	}
	if n.tcp != nil {
		_ = n.tcp.Close()
	}
	if n.stopRun != nil {
		n.stopRun()
		<-n.runDone
	}
	if n.cancelBg != nil {
		n.cancelBg()
	}
	var storeErr error
	if n.store != nil {
		if storeErr = n.store.Close(); storeErr != nil {
			n.log.Error("sample-node: closing the store", "err", storeErr)
		}
	}
	if n.chain != nil {
		n.chain.Close()
	}
	n.log.Info("sample-node: stopped")
	if err := n.log.Close(); err != nil {
		return fmt.Errorf("sample-node: closing the log: %w", err)
	}
	if storeErr != nil {
		return fmt.Errorf("sample-node: closing the store: %w", storeErr)
	}
	return nil
}

// writeBanner greets an interactive user.
func (n *node) writeBanner(w io.Writer) {
	fmt.Fprintf(w, "lnkit sample node %s\n", n.keys.NodeID())
	fmt.Fprintf(w, "listening on %s (%s); logs in %s\n", n.listen, n.cfg.Network, n.cfg.LogFile)
	fmt.Fprintln(w, `Type "help" for the commands; "quit" or Ctrl-D stops the node.`)
}

// nodeInfo implements commander.
func (n *node) nodeInfo(ctx context.Context) (nodeInfoResult, error) {
	r := nodeInfoResult{
		NodeID:        n.keys.NodeID().String(),
		Alias:         n.cfg.Alias,
		Network:       n.cfg.Network,
		ListeningOn:   n.listen.String(),
		AnnounceAddrs: n.cfg.AnnounceAddrs,
		NumPeers:      len(n.peers.Peers()),
		Features:      featureBits(n.peers.Features()),
	}
	for _, c := range n.channels.ListChannels() {
		r.NumChannels++
		if c.Usable {
			r.NumUsableChannels++
		}
		r.LocalBalanceMsat += uint64(c.OurBalance)
	}
	r.GraphNodes, r.GraphChannels = n.graph.Size()
	synced := n.channels.BestBlock()
	r.SyncedTo = blockResult{Height: synced.Height, Hash: synced.Hash.String()}
	cctx, cancel := context.WithTimeout(ctx, chainCallTimeout)
	defer cancel()
	best, err := bestBlock(cctx, n.chain)
	if err != nil {
		// The rest of the answer is still worth having.
		r.BestBlockError = err.Error()
		return r, nil
	}
	r.BestBlock = best
	return r, nil
}

// connectPeer implements commander: it returns once the peer has answered
// our init, or at once when the peer is already connected.
func (n *node) connectPeer(ctx context.Context, id wire.NodeID, addr string) (connectResult, error) {
	if id == n.keys.NodeID() {
		return connectResult{}, errors.New("cannot connect to ourselves")
	}
	if info, ok := n.peers.PeerByNodeID(id); ok {
		if info.Addr != nil {
			addr = info.Addr.String()
		}
		return connectResult{Connected: id.String(), Address: addr, AlreadyConnected: true}, nil
	}
	cctx, cancel := context.WithTimeout(ctx, connectTimeout)
	defer cancel()
	if err := n.tcp.Connect(cctx, id, addr); err != nil {
		n.log.Warn("sample-node: connectpeer failed", "node_id", id, "addr", addr, "err", err)
		return connectResult{}, connectError(err)
	}
	// Remembered to reconnect after a restart (only peers we have
	// channels with are dialled again).
	if err := n.nstore.savePeer(ctx, id, addr); err != nil {
		return connectResult{}, err
	}
	return connectResult{Connected: id.String(), Address: addr}, nil
}

// connectError adds what to do to a connection error whose text (from
// peer/tcp) already names the address.
func connectError(err error) error {
	switch {
	case errors.Is(err, syscall.ECONNREFUSED):
		return fmt.Errorf("%w (is a Lightning node listening there?)", err)
	case errors.Is(err, tcp.ErrConnectTimeout), errors.Is(err, context.DeadlineExceeded):
		return fmt.Errorf("%w (check the address; the node may be down or firewalled)", err)
	}
	return err
}

// disconnectPeer implements commander.
func (n *node) disconnectPeer(id wire.NodeID) (disconnectResult, error) {
	if !n.peers.DisconnectByNodeID(id) {
		return disconnectResult{}, fmt.Errorf("not connected to %s", id)
	}
	return disconnectResult{Disconnected: id.String()}, nil
}

// listPeers implements commander.
func (n *node) listPeers() listPeersResult {
	infos := n.peers.Peers()
	r := listPeersResult{Peers: make([]peerResult, 0, len(infos))}
	for _, p := range infos {
		addr := ""
		if p.Addr != nil {
			addr = p.Addr.String()
		}
		r.Peers = append(r.Peers, peerResult{
			NodeID:         p.NodeID.String(),
			Address:        addr,
			Inbound:        p.Inbound,
			Features:       featureBits(p.Features),
			ConnectedSince: p.ConnectedSince.UTC().Truncate(time.Second),
		})
	}
	return r
}

// signMessage implements commander.
func (n *node) signMessage(msg string) (signMessageResult, error) {
	sig, err := n.keys.SignMessage([]byte(msg))
	if err != nil {
		return signMessageResult{}, err
	}
	n.log.Info("sample-node: signed a message", "bytes", len(msg))
	return signMessageResult{Signature: sig}, nil
}
