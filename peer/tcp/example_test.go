package tcp_test

import (
	"context"
	"log"

	"github.com/btcsuite/btcd/chaincfg"
	"github.com/btcsuite/btcd/chaincfg/chainhash"

	"github.com/lnkit/lnkit/keys"
	"github.com/lnkit/lnkit/peer"
	"github.com/lnkit/lnkit/peer/tcp"
	"github.com/lnkit/lnkit/wire"
)

// A node that listens on regtest and dials a peer.
func Example() {
	ctx := context.Background()
	var seed keys.Seed // from keys.NewSeed / a seed file in real code
	km := keys.NewManager(seed, keys.Config{})
	mgr, err := peer.New(peer.Config{
		NodeKey: km,
		Entropy: keys.NewCryptoEntropy(),
		Chains:  []chainhash.Hash{*chaincfg.RegressionNetParams.GenesisHash},
	})
	if err != nil {
		log.Fatal(err)
	}
	t, err := tcp.New(mgr, tcp.Config{})
	if err != nil {
		log.Fatal(err)
	}
	defer t.Close()
	go t.Run(ctx)

	if _, err := t.Listen(ctx, "127.0.0.1:0"); err != nil {
		log.Fatal(err)
	}
	theirID, _ := wire.ParseNodeID("02...") // the peer's node id
	if err := t.Connect(ctx, theirID, "127.0.0.1:9735"); err != nil {
		log.Print(err)
	}
	for _, p := range mgr.Peers() {
		log.Println(p.NodeID, p.Inbound, p.Features)
	}
}
