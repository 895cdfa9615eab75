package interop

import (
	"context"
	"log/slog"
	"net"
	"testing"
	"time"

	"github.com/btcsuite/btcd/chaincfg"
	"github.com/btcsuite/btcd/chaincfg/chainhash"
	"github.com/stretchr/testify/require"

	"github.com/lnkit/lnkit/keys"
	"github.com/lnkit/lnkit/peer"
	"github.com/lnkit/lnkit/peer/tcp"
	"github.com/lnkit/lnkit/wire"
)

// Timing of the lnkit node under test: a tick every tickInterval, a ping
// after pingIntervalTicks ticks without any message from the peer, and a
// disconnection when it stays unanswered for pongTimeoutTicks ticks. Much
// shorter than the defaults, so that the node's own pings flow during the
// idle test.
const (
	tickInterval      = time.Second
	pingIntervalTicks = 2
	pongTimeoutTicks  = 3
)

// lnkitNode is an lnkit peer layer composed from the public API, the way an
// application does it: a keys.Manager, a peer.Manager and its TCP transport.
type lnkitNode struct {
	keys *keys.Manager
	mgr  *peer.Manager
	tr   *tcp.Transport
	addr net.Addr // listening address
}

// startLnkitNode starts an lnkit node on regtest listening on listenAddr
// ("host:0" for a free port). The test's cleanup stops it.
func startLnkitNode(t *testing.T, log *slog.Logger, listenAddr string) *lnkitNode {
	t.Helper()
	km := keys.NewManager(keys.GenerateSeed(keys.NewCryptoEntropy()), keys.Config{})
	mgr, err := peer.New(peer.Config{
		NodeKey:           km,
		Entropy:           keys.NewCryptoEntropy(),
		Chains:            []chainhash.Hash{*chaincfg.RegressionNetParams.GenesisHash},
		PingIntervalTicks: pingIntervalTicks,
		PongTimeoutTicks:  pongTimeoutTicks,
		Logger:            log,
	})
	require.NoError(t, err)
	tr, err := tcp.New(mgr, tcp.Config{TickInterval: tickInterval, Logger: log})
	require.NoError(t, err)
	ctx, cancel := context.WithCancel(context.Background())
	runDone := make(chan error, 1)
	go func() { runDone <- tr.Run(ctx) }()
	t.Cleanup(func() {
		cancel()
		<-runDone
		require.NoError(t, tr.Close())
	})
	addr, err := tr.Listen(ctx, listenAddr)
	require.NoError(t, err, "listen on %s (on Linux every 127/8 address is loopback)", listenAddr)
	return &lnkitNode{keys: km, mgr: mgr, tr: tr, addr: addr}
}

// connect dials the node id at addr and waits for the init exchange.
func (n *lnkitNode) connect(t *testing.T, id wire.NodeID, addr string) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	require.NoError(t, n.tr.Connect(ctx, id, addr))
}

// waitPeer waits until the node lists id as a connected peer and returns
// its info.
func (n *lnkitNode) waitPeer(t *testing.T, id wire.NodeID) peer.PeerInfo {
	t.Helper()
	var info peer.PeerInfo
	require.Eventually(t, func() bool {
		var ok bool
		info, ok = n.mgr.PeerByNodeID(id)
		return ok
	}, 30*time.Second, 20*time.Millisecond, "lnkit never listed %s", id)
	return info
}

// waitNoPeer waits until the node no longer lists id.
func (n *lnkitNode) waitNoPeer(t *testing.T, id wire.NodeID) {
	t.Helper()
	require.Eventually(t, func() bool {
		_, ok := n.mgr.PeerByNodeID(id)
		return !ok
	}, 30*time.Second, 20*time.Millisecond, "lnkit still lists %s", id)
}
