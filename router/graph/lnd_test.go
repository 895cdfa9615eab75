package graph_test

import (
	"context"
	"log/slog"
	"os"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/btcsuite/btcd/chaincfg"
	"github.com/btcsuite/btcd/chaincfg/chainhash"
	"github.com/stretchr/testify/require"

	"github.com/lnkit/lnkit/chain/rpc"
	"github.com/lnkit/lnkit/internal/regtest"
	"github.com/lnkit/lnkit/keys"
	"github.com/lnkit/lnkit/peer"
	"github.com/lnkit/lnkit/peer/tcp"
	"github.com/lnkit/lnkit/router/graph"
	"github.com/lnkit/lnkit/wire"
)

// lndGraph is the JSON of `lncli describegraph`.
type lndGraph struct {
	Edges []struct {
		ChannelID   string     `json:"channel_id"`
		Node1Pub    string     `json:"node1_pub"`
		Node2Pub    string     `json:"node2_pub"`
		Capacity    string     `json:"capacity"`
		Node1Policy *lndPolicy `json:"node1_policy"`
		Node2Policy *lndPolicy `json:"node2_policy"`
	} `json:"edges"`
}

type lndPolicy struct {
	TimeLockDelta    int    `json:"time_lock_delta"`
	MinHTLC          string `json:"min_htlc"`
	FeeBaseMsat      string `json:"fee_base_msat"`
	FeeRateMilliMsat string `json:"fee_rate_milli_msat"`
	Disabled         bool   `json:"disabled"`
	MaxHTLCMsat      string `json:"max_htlc_msat"`
	LastUpdate       int64  `json:"last_update"`
}

func atoi(t *testing.T, s string) uint64 {
	t.Helper()
	v, err := strconv.ParseUint(s, 10, 64)
	require.NoError(t, err, "%q", s)
	return v
}

// TestSyncFromLnd: three lnds with public channels a–b and b–c on btcd
// regtest; an lnkit node (peer.Manager, peer/tcp, this graph with the RPC
// UTXO source) connects to a and syncs. Its graph must match
// `lncli describegraph` channel for channel and policy for policy, and a
// later `lncli updatechanpolicy` on b must reach it.
func TestSyncFromLnd(t *testing.T) {
	if testing.Short() {
		t.Skip("integration: starts btcd/lnd; run without -short")
	}
	btcd := regtest.StartBtcd(t, regtest.BtcdOptions{})
	btcd.ActivateSegwit(t)
	opts := func(alias string) regtest.LndOptions {
		return regtest.LndOptions{Alias: alias, ExtraArgs: []string{"--trickledelay=200"}}
	}
	a := regtest.StartLnd(t, btcd, opts("a"))
	b := regtest.StartLnd(t, btcd, opts("b"))
	c := regtest.StartLnd(t, btcd, opts("c"))
	a.Fund(t, 5_000_000)
	b.Fund(t, 5_000_000)
	a.OpenChannel(t, b, 1_000_000)
	cpBC := b.OpenChannel(t, c, 800_000)
	c.ConnectPeer(t, a) // so every lnd hears all gossip quickly

	var lg lndGraph
	require.Eventually(t, func() bool {
		a.CLIJSON(t, &lg, "describegraph")
		if len(lg.Edges) != 2 {
			return false
		}
		for _, e := range lg.Edges {
			if e.Node1Policy == nil || e.Node2Policy == nil {
				return false
			}
		}
		return true
	}, 2*time.Minute, time.Second, "lnd a never saw both channels with both policies")

	// The lnkit node.
	client, err := rpc.Dial(context.Background(), rpc.Config{
		Host: btcd.RPCAddr, User: btcd.RPCUser, Password: btcd.RPCPass,
		CACertFile: btcd.RPCCertPath, Params: &chaincfg.RegressionNetParams, Timeout: 30 * time.Second,
	})
	require.NoError(t, err)
	t.Cleanup(client.Close)
	utxos, err := graph.NewRPCUTXOSource(client)
	require.NoError(t, err)
	logger := slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: slog.LevelInfo}))
	g, err := graph.New(graph.Config{
		ChainHash:         *chaincfg.RegressionNetParams.GenesisHash,
		UTXOSource:        utxos,
		BroadcastInterval: time.Second,
		Logger:            logger,
	})
	require.NoError(t, err)
	g.Tick(time.Now())

	km := keys.NewManager(keys.GenerateSeed(keys.NewCryptoEntropy()), keys.Config{})
	feats := peer.DefaultFeatures()
	feats.Set(wire.GossipQueriesOptional)
	mgr, err := peer.New(peer.Config{
		NodeKey:        km,
		Entropy:        keys.NewCryptoEntropy(),
		Chains:         []chainhash.Hash{*chaincfg.RegressionNetParams.GenesisHash},
		Features:       feats,
		RoutingHandler: g.Handler(),
		Logger:         logger,
	})
	require.NoError(t, err)
	tr, err := tcp.New(mgr, tcp.Config{TickInterval: 200 * time.Millisecond, Logger: logger})
	require.NoError(t, err)
	ctx, cancel := context.WithCancel(context.Background())
	var wg sync.WaitGroup
	wg.Add(2)
	go func() { defer wg.Done(); _ = tr.Run(ctx) }()
	go func() { // the application's clock for the graph
		defer wg.Done()
		tk := time.NewTicker(200 * time.Millisecond)
		defer tk.Stop()
		for {
			select {
			case <-ctx.Done():
				return
			case now := <-tk.C:
				g.Tick(now)
			}
		}
	}()
	t.Cleanup(func() {
		cancel()
		wg.Wait()
		require.NoError(t, tr.Close())
	})

	aID, err := wire.ParseNodeID(a.NodeID)
	require.NoError(t, err)
	dctx, dcancel := context.WithTimeout(context.Background(), time.Minute)
	defer dcancel()
	require.NoError(t, tr.Connect(dctx, aID, a.P2PAddr))

	matches := func(lg lndGraph) (bool, string) {
		_, chans := g.Size()
		if chans != len(lg.Edges) {
			return false, "channels " + strconv.Itoa(chans)
		}
		for _, e := range lg.Edges {
			scid := wire.NewShortChannelID(atoi(t, e.ChannelID))
			info, ok := g.ChannelInfo(scid)
			if !ok {
				return false, "missing " + scid.String()
			}
			if info.NodeID[0].String() != e.Node1Pub || info.NodeID[1].String() != e.Node2Pub {
				return false, "nodes of " + scid.String()
			}
			if uint64(info.Capacity) != atoi(t, e.Capacity) {
				return false, "capacity of " + scid.String()
			}
			for d, lp := range []*lndPolicy{e.Node1Policy, e.Node2Policy} {
				p := info.Policy[d]
				if lp == nil {
					if p.Flags&graph.PolicyKnown != 0 {
						return false, "extra policy"
					}
					continue
				}
				want := graph.Policy{
					HTLCMinimumMsat:           wire.MilliSatoshi(atoi(t, lp.MinHTLC)),
					HTLCMaximumMsat:           wire.MilliSatoshi(atoi(t, lp.MaxHTLCMsat)),
					FeeBaseMsat:               uint32(atoi(t, lp.FeeBaseMsat)),
					FeeProportionalMillionths: uint32(atoi(t, lp.FeeRateMilliMsat)),
					Timestamp:                 uint32(lp.LastUpdate),
					CLTVExpiryDelta:           uint16(lp.TimeLockDelta),
					Flags:                     graph.PolicyKnown,
				}
				if lp.Disabled {
					want.Flags |= graph.PolicyDisabled
				}
				if p != want {
					return false, "policy " + scid.String() + "/" + strconv.Itoa(d)
				}
			}
		}
		return true, ""
	}
	var why string
	require.Eventually(t, func() bool {
		a.CLIJSON(t, &lg, "describegraph")
		var ok bool
		ok, why = matches(lg)
		return ok
	}, 2*time.Minute, 500*time.Millisecond, "lnkit's graph never matched lnd's")
	require.True(t, g.Synced())

	// A policy change on b (channel b–c) reaches lnkit through a.
	b.CLI(t, "updatechanpolicy", "--base_fee_msat=2345", "--fee_rate_ppm=777", "--time_lock_delta=55", "--chan_point="+cpBC)
	require.Eventually(t, func() bool {
		a.CLIJSON(t, &lg, "describegraph")
		for _, e := range lg.Edges {
			for _, p := range []*lndPolicy{e.Node1Policy, e.Node2Policy} {
				if p != nil && p.FeeBaseMsat == "2345" {
					return true
				}
			}
		}
		return false
	}, 2*time.Minute, 500*time.Millisecond, "lnd a never saw the new policy")
	require.Eventually(t, func() bool {
		a.CLIJSON(t, &lg, "describegraph")
		var ok bool
		ok, why = matches(lg)
		return ok && strings.Contains(policyDump(g), "2345/777/55")
	}, 2*time.Minute, 500*time.Millisecond, "the new policy never reached lnkit: %s", why)
}

func policyDump(g *graph.Graph) string {
	var sb strings.Builder
	for _, id := range g.Channels() {
		info, _ := g.ChannelInfo(id)
		for _, p := range info.Policy {
			sb.WriteString(strconv.Itoa(int(p.FeeBaseMsat)) + "/" + strconv.Itoa(int(p.FeeProportionalMillionths)) + "/" + strconv.Itoa(int(p.CLTVExpiryDelta)) + " ")
		}
	}
	return sb.String()
}
