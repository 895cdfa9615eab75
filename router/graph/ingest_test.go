package graph_test

import (
	"context"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/lnkit/lnkit/router/graph"
	"github.com/lnkit/lnkit/router/graph/graphtest"
	"github.com/lnkit/lnkit/wire"
)

// small returns a small signed network and a graph with its UTXOs, ticked
// to the network's time.
func small(t testing.TB, cfg graph.Config) (*graphtest.Network, *graph.Graph) {
	t.Helper()
	n := graphtest.Generate(graphtest.Config{Nodes: 60, Channels: 150, Seed: 7})
	if cfg.UTXOSource == nil {
		cfg.UTXOSource = n.UTXOs()
	}
	g, err := graph.New(cfg)
	require.NoError(t, err)
	g.Tick(graphtest.BaseTime())
	return n, g
}

func TestIngestWholeNetwork(t *testing.T) {
	n, g := small(t, graph.Config{VerifyWorkers: 2})
	msgs := n.Messages(true)
	for i, err := range g.AddBatch(context.Background(), msgs) {
		require.NoError(t, err, "message %d (%v)", i, msgs[i].Type())
	}
	nodes, chans := g.Size()
	require.Equal(t, len(n.Channels), chans)
	require.Equal(t, len(msgs)-3*len(n.Channels), nodes)

	v := g.View()
	defer v.Release()
	for _, want := range n.Channels {
		c, ok := v.ChannelIndex(want.SCID)
		require.True(t, ok)
		ch := v.Channel(c)
		require.Equal(t, want.Capacity, ch.Capacity)
		for d := range 2 {
			require.Equal(t, want.Policy[d], *v.Policy(c, uint8(d)))
			id := n.NodeIDs[want.Node[d]]
			require.Equal(t, id, v.Node(ch.Node[d]).ID)
		}
		// adjacency holds the channel once on each side, with the right dir.
		for d, ni := range ch.Node {
			found := 0
			for _, e := range v.Edges(ni) {
				if e.Chan == c {
					found++
					require.Equal(t, uint8(d), e.Dir)
					require.Equal(t, ch.Node[1-d], e.Peer)
				}
			}
			require.Equal(t, 1, found)
		}
	}
	info, ok := g.Node(n.NodeIDs[n.Channels[0].Node[0]])
	require.True(t, ok)
	require.Len(t, info.Addresses, 1)
}

func TestBatchEqualsOneByOne(t *testing.T) {
	n, g1 := small(t, graph.Config{VerifyWorkers: 3})
	_, g2 := small(t, graph.Config{})
	msgs := n.Messages(true)
	// corrupt a few to make the outcome non-trivial
	bad := *msgs[5].(*wire.ChannelAnnouncement)
	bad.NodeSignature2[10] ^= 1
	msgs[5] = &bad
	errs := g1.AddBatch(context.Background(), msgs)
	for i, m := range msgs {
		err := g2.AddBatch(context.Background(), []wire.Message{m})[0]
		require.Equal(t, errs[i] == nil, err == nil, "message %d", i)
	}
	c1, _ := g1.Records()
	c2, _ := g2.Records()
	require.Equal(t, len(c1), len(c2))
}

func TestChecks(t *testing.T) {
	ctx := context.Background()
	n, g := small(t, graph.Config{UpdateBurst: 2, UpdateRefill: time.Hour})
	ann := n.Announcement(0, true)
	upd := n.Update(0, 0, true)
	resign := func(m *wire.ChannelUpdate) *wire.ChannelUpdate {
		h, _ := m.SignedDataHash()
		m.Signature = signWith(n.Keys[n.Channels[0].Node[m.ChannelFlags.Direction()]], h)
		return m
	}

	// an update before its announcement
	require.ErrorIs(t, g.AddChannelUpdate(ctx, upd), graph.ErrUnknownChannel)
	// a node with no channel
	require.ErrorIs(t, g.AddNodeAnnouncement(ctx, n.NodeAnnouncement(n.Channels[0].Node[0], true)), graph.ErrUnknownNode)

	wrongChain := *ann
	wrongChain.ChainHash[0] ^= 1
	require.ErrorIs(t, g.AddChannelAnnouncement(ctx, &wrongChain), graph.ErrWrongChain)

	for i := range 4 {
		bad := *ann
		sigs := []*wire.Signature{&bad.NodeSignature1, &bad.NodeSignature2, &bad.BitcoinSignature1, &bad.BitcoinSignature2}
		sigs[i][5] ^= 1
		require.ErrorIs(t, g.AddChannelAnnouncement(ctx, &bad), graph.ErrBadSignature, "signature %d", i)
	}
	swapped := *ann
	swapped.NodeID1, swapped.NodeID2 = swapped.NodeID2, swapped.NodeID1
	require.ErrorIs(t, g.AddChannelAnnouncement(ctx, &swapped), graph.ErrMalformed)

	// funding: unknown output, then wrong keys
	unknown := n.Announcement(1, true)
	unknown.ShortChannelID.BlockHeight = 9
	require.ErrorIs(t, g.AddChannelAnnouncement(ctx, unknown), graph.ErrBadSignature) // signature covers the scid
	mismatch := n.Announcement(1, false)
	mismatch.BitcoinKey2 = n.FundingPub[n.Channels[2].Node[0]]
	resignAnn(n, mismatch, n.Funding[n.Channels[2].Node[0]])
	require.ErrorIs(t, g.AddChannelAnnouncement(ctx, mismatch), graph.ErrFundingMismatch)

	require.NoError(t, g.AddChannelAnnouncement(ctx, ann))
	require.ErrorIs(t, g.AddChannelAnnouncement(ctx, ann), graph.ErrDuplicate)

	// updates
	wrongDir := *upd
	wrongDir.ChannelFlags ^= wire.ChanUpdateDirection // signed by node 1, claims node 2
	require.ErrorIs(t, g.AddChannelUpdate(ctx, &wrongDir), graph.ErrBadSignature)
	require.NoError(t, g.AddChannelUpdate(ctx, upd))
	require.ErrorIs(t, g.AddChannelUpdate(ctx, upd), graph.ErrOutdated)
	older := *upd
	older.Timestamp--
	require.ErrorIs(t, g.AddChannelUpdate(ctx, resign(&older)), graph.ErrOutdated)

	stale := *upd
	stale.Timestamp = uint32(graphtest.BaseUnix - 15*24*3600)
	require.ErrorIs(t, g.AddChannelUpdate(ctx, resign(&stale)), graph.ErrStale)
	future := *upd
	future.Timestamp = uint32(graphtest.BaseUnix + 2*3600)
	require.ErrorIs(t, g.AddChannelUpdate(ctx, resign(&future)), graph.ErrStale)
	zero := *upd
	zero.Timestamp = 0
	require.ErrorIs(t, g.AddChannelUpdate(ctx, &zero), graph.ErrMalformed)

	// disabled flag, then the rate limit (burst 2: the first update used one)
	dis := *upd
	dis.Timestamp++
	dis.ChannelFlags |= wire.ChanUpdateDisabled
	require.NoError(t, g.AddChannelUpdate(ctx, resign(&dis)))
	info, _ := g.ChannelInfo(upd.ShortChannelID)
	require.False(t, info.Policy[0].Usable())
	require.NotZero(t, info.Policy[0].Flags&graph.PolicyDisabled)
	again := dis
	again.Timestamp++
	require.ErrorIs(t, g.AddChannelUpdate(ctx, resign(&again)), graph.ErrRateLimited)
	g.Tick(graphtest.BaseTime().Add(time.Hour))
	require.NoError(t, g.AddChannelUpdate(ctx, resign(&again)))

	// htlc_maximum over capacity: kept, but unusable
	over := *n.Update(0, 1, false)
	over.HTLCMaximumMsat = n.Channels[0].Capacity.ToMilliSatoshi() + 1
	require.NoError(t, g.AddChannelUpdate(ctx, resign(&over)))
	info, _ = g.ChannelInfo(upd.ShortChannelID)
	require.NotZero(t, info.Policy[1].Flags&graph.PolicyUnusable)

	// node announcements: size, order, unknown features
	na := n.NodeAnnouncement(n.Channels[0].Node[0], true)
	require.NoError(t, g.AddNodeAnnouncement(ctx, na))
	require.ErrorIs(t, g.AddNodeAnnouncement(ctx, na), graph.ErrOutdated)
	huge := *na
	huge.Timestamp++
	huge.ExtraData = make([]byte, 2000)
	require.ErrorIs(t, g.AddNodeAnnouncement(ctx, &huge), graph.ErrTooLarge)
	feat := *na
	feat.Timestamp++
	feat.Features = wire.NewFeatureVector(200) // unknown even bit
	dns, err := wire.NewDNSAddress("node.example.com", 9735)
	require.NoError(t, err)
	feat.Addresses = append(feat.Addresses, dns, wire.NetAddress{Type: wire.AddressTorV2, Addr: make([]byte, 10), Port: 9735})
	h, _ := feat.SignedDataHash()
	feat.Signature = signWith(n.Keys[n.Channels[0].Node[0]], h)
	require.NoError(t, g.AddNodeAnnouncement(ctx, &feat))
	ni, ok := g.Node(na.NodeID)
	require.True(t, ok)
	require.Len(t, ni.Addresses, 2, "ipv4 and dns kept, tor v2 dropped")
	v := g.View()
	idx, _ := v.NodeIndex(na.NodeID)
	require.NotZero(t, v.Node(idx).Flags&graph.NodeUnknownFeature)
	v.Release()
}

func TestFundingLookupBudgetAndCache(t *testing.T) {
	ctx := context.Background()
	n := graphtest.Generate(graphtest.Config{Nodes: 30, Channels: 40, Seed: 3})
	src := &countingSource{inner: n.UTXOs()}
	g, err := graph.New(graph.Config{UTXOSource: src, LookupsPerTick: 2, LookupBurst: 2, FundingCacheSize: 8})
	require.NoError(t, err)
	require.NoError(t, g.AddChannelAnnouncement(ctx, n.Announcement(0, true)))
	require.NoError(t, g.AddChannelAnnouncement(ctx, n.Announcement(1, true)))
	require.ErrorIs(t, g.AddChannelAnnouncement(ctx, n.Announcement(2, true)), graph.ErrRateLimited)
	g.Tick(graphtest.BaseTime())
	require.NoError(t, g.AddChannelAnnouncement(ctx, n.Announcement(2, true)))
	require.Equal(t, 3, src.calls)

	// a made-up output: looked up once, then refused from the cache
	// before any signature is checked.
	fake := n.Announcement(3, false)
	fake.ShortChannelID = wire.ShortChannelID{BlockHeight: 1, TxIndex: 1}
	resignAnn(n, fake, nil)
	g.Tick(graphtest.BaseTime())
	require.ErrorIs(t, g.AddChannelAnnouncement(ctx, fake), graph.ErrFundingNotFound)
	for range 100 {
		require.ErrorIs(t, g.AddChannelAnnouncement(ctx, fake), graph.ErrFundingNotFound)
	}
	require.Equal(t, 4, src.calls)
}

func TestSpentAndZombiePruning(t *testing.T) {
	n, g := small(t, graph.Config{})
	ctx := context.Background()
	require.NoError(t, firstErr(g.AddBatch(ctx, n.Messages(true))))
	_, before := g.Size()
	scid := n.Channels[0].SCID
	g.FundingSpent(scid, 1000)
	require.Zero(t, g.BlockConnected(1011))
	require.Equal(t, 1, g.BlockConnected(1012))
	_, ok := g.ChannelInfo(scid)
	require.False(t, ok)
	_, after := g.Size()
	require.Equal(t, before-1, after)

	// every generated update is at most a week old: nothing is a zombie now,
	// everything is three weeks later.
	require.Zero(t, g.PruneZombies(graphtest.BaseTime()))
	require.Equal(t, after, g.PruneZombies(graphtest.BaseTime().Add(21*24*time.Hour)))
	nodes, chans := g.Size()
	require.Zero(t, nodes)
	require.Zero(t, chans)
}

func TestRecheckFundingRemovesClosedChannels(t *testing.T) {
	n := graphtest.Generate(graphtest.Config{Nodes: 60, Channels: 150, Seed: 7})
	utxos := n.UTXOs()
	g, err := graph.New(graph.Config{UTXOSource: utxos})
	require.NoError(t, err)
	g.Tick(graphtest.BaseTime())
	require.NoError(t, firstErr(g.AddBatch(context.Background(), n.Messages(true))))
	g.BlockConnected(800_000)
	closed := n.Channels[3].SCID
	utxos.Spend(closed)
	found := 0
	for range 4 { // 4 sweeps of 50 cover the 150 channels
		k, err := g.RecheckFunding(context.Background(), 50)
		require.NoError(t, err)
		found += k
	}
	require.Equal(t, 1, found)
	info, ok := g.ChannelInfo(closed)
	require.True(t, ok)
	require.NotZero(t, info.Flags&graph.ChannelSpent)
	require.Equal(t, 1, g.BlockConnected(800_012))
	_, ok = g.ChannelInfo(closed)
	require.False(t, ok)
}
