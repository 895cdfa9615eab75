package tcp_test

import (
	"context"
	"log/slog"
	"os"

	"github.com/btcsuite/btcd/chaincfg"
	"github.com/btcsuite/btcd/chaincfg/chainhash"
	"github.com/lnkit/lnkit/chain"
	"github.com/lnkit/lnkit/chain/rpc"
	"github.com/lnkit/lnkit/keys"
	"github.com/lnkit/lnkit/peer"
	"github.com/lnkit/lnkit/peer/tcp"
)

// Example_composeNode shows how an application composes a node from lnkit's
// parts, the way ldk-sample composes LDK: the caller owns the process and
// picks each piece. README.md shows the same code.
func Example_composeNode() {
	ctx := context.Background()
	log := slog.New(slog.NewTextHandler(os.Stderr, nil))
	net := &chaincfg.RegressionNetParams

	// Keys: one 32-byte seed, kept in a 0600 file, gives every key.
	seed, err := keys.ReadSeedFile("/var/lib/mynode/keys_seed")
	if err != nil {
		seed = keys.GenerateSeed(keys.NewCryptoEntropy())
		if err := keys.WriteSeedFile("/var/lib/mynode/keys_seed", seed); err != nil {
			log.Error("seed", "err", err)
			return
		}
	}
	km := keys.NewManager(seed, keys.Config{})

	// Chain: a bitcoind or btcd RPC client is the Broadcaster, the
	// FeeEstimator and the BlockSource; Dial refuses the wrong network.
	backend, err := rpc.Dial(ctx, rpc.Config{
		Host: "127.0.0.1:18334", User: "user", Password: "pass",
		CACertFile: "/var/lib/btcd/rpc.cert", // btcd serves RPC over TLS only
		Params:     net, Logger: log,
	})
	if err != nil {
		log.Error("chain backend", "err", err)
		return
	}
	poller, err := chain.NewPoller(chain.PollerConfig{Source: backend, Logger: log})
	if err != nil {
		log.Error("poller", "err", err)
		return
	}
	// poller.AddListener(channelManager, lastSeenBlock) once channels exist.
	go poller.Run(ctx)

	// Peers: the protocol state machine, and the TCP adapter that drives it.
	mgr, err := peer.New(peer.Config{
		NodeKey: km,
		Entropy: keys.NewCryptoEntropy(),
		Chains:  []chainhash.Hash{*net.GenesisHash},
		Logger:  log,
	})
	if err != nil {
		log.Error("peer manager", "err", err)
		return
	}
	transport, err := tcp.New(mgr, tcp.Config{})
	if err != nil {
		log.Error("transport", "err", err)
		return
	}
	defer transport.Close()
	go transport.Run(ctx)
	if _, err := transport.Listen(ctx, "127.0.0.1:9735"); err != nil {
		log.Error("listen", "err", err)
		return
	}
	log.Info("node up", "node_id", km.NodeID())
}
