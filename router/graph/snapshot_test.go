package graph_test

import (
	"context"
	"fmt"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/lnkit/lnkit/persist/persisttest"
	"github.com/lnkit/lnkit/router/graph"
	"github.com/lnkit/lnkit/router/graph/graphtest"
	"github.com/lnkit/lnkit/wire"
)

func TestSaveLoad(t *testing.T) {
	ctx := context.Background()
	n := graphtest.Generate(graphtest.Config{Nodes: 300, Channels: 900, Seed: 5})
	g, err := graph.New(graph.Config{})
	require.NoError(t, err)
	n.Populate(g)
	store := persisttest.NewCrashStore()

	empty, err := graph.Load(ctx, store, graph.Config{})
	require.NoError(t, err)
	nodes, chans := empty.Size()
	require.Zero(t, nodes+chans)

	require.NoError(t, g.Save(ctx, store))
	require.NoError(t, g.Save(ctx, store)) // overwrite
	back, err := graph.Load(ctx, store, graph.Config{})
	require.NoError(t, err)
	c1, n1 := g.Records()
	c2, n2 := back.Records()
	require.Equal(t, c1, c2)
	require.Equal(t, n1, n2)

	// an unknown version is refused
	meta, err := store.Read(ctx, graph.Namespace, "meta")
	require.NoError(t, err)
	future := append([]byte(nil), meta...)
	future[4] = 2
	require.NoError(t, store.Write(ctx, graph.Namespace, "meta", future))
	_, err = graph.Load(ctx, store, graph.Config{})
	require.ErrorIs(t, err, graph.ErrCorruptSnapshot)
	require.NoError(t, store.Write(ctx, graph.Namespace, "meta", meta))

	// a flipped byte is caught by the checksum
	keys, _ := store.List(ctx, graph.Namespace)
	v, _ := store.Read(ctx, graph.Namespace, keys[0])
	v[len(v)/2] ^= 1
	require.NoError(t, store.Write(ctx, graph.Namespace, keys[0], v))
	_, err = graph.Load(ctx, store, graph.Config{})
	require.ErrorIs(t, err, graph.ErrCorruptSnapshot)
}

func FuzzDecodeSnapshot(f *testing.F) {
	n := graphtest.Generate(graphtest.Config{Nodes: 8, Channels: 10, Seed: 2})
	snap, err := graph.EncodeSnapshot(n.Records())
	require.NoError(f, err)
	f.Add(snap)
	f.Add(snap[:len(snap)/2])
	f.Add([]byte("LNKG\x01\xff\xff\xff\xff\x00\x00\x00\x00"))
	f.Fuzz(func(t *testing.T, b []byte) {
		chans, nodes, err := graph.DecodeSnapshot(b)
		if err != nil {
			require.ErrorIs(t, err, graph.ErrCorruptSnapshot)
			return
		}
		// what decodes re-encodes to a snapshot that decodes the same.
		again, err := graph.EncodeSnapshot(chans, nodes)
		if err != nil {
			return
		}
		c2, n2, err := graph.DecodeSnapshot(again)
		require.NoError(t, err)
		require.Equal(t, len(chans), len(c2))
		require.Equal(t, len(nodes), len(n2))
		g, err := graph.New(graph.Config{})
		require.NoError(t, err)
		g.ImportTrusted(chans, nodes)
	})
}

// FuzzGossip feeds arbitrary messages to a graph holding a small network
// through the peer handler: nothing panics, and every refusal is a typed
// reason.
func FuzzGossip(f *testing.F) {
	n := graphtest.Generate(graphtest.Config{Nodes: 8, Channels: 10, Seed: 2})
	for _, m := range n.Messages(true)[:12] {
		b, err := wire.Encode(nil, m)
		require.NoError(f, err)
		f.Add(b)
	}
	q := &wire.QueryShortChanIDs{ChainHash: n.ChainHash, ShortChannelIDs: []wire.ShortChannelID{n.Channels[0].SCID}}
	b, _ := wire.Encode(nil, q)
	f.Add(b)
	b, _ = wire.Encode(nil, &wire.QueryChannelRange{ChainHash: n.ChainHash, NumBlocks: 0xFFFFFFFF})
	f.Add(b)
	b, _ = wire.Encode(nil, &wire.GossipTimestampFilter{ChainHash: n.ChainHash, TimestampRange: 0xFFFFFFFF})
	f.Add(b)
	recs, nodes := n.Records()
	f.Fuzz(func(t *testing.T, b []byte) {
		m, err := wire.Decode(b)
		if err != nil {
			return
		}
		g, err := graph.New(graph.Config{UTXOSource: n.UTXOs()})
		require.NoError(t, err)
		g.Tick(graphtest.BaseTime())
		g.ImportTrusted(recs, nodes)
		h := g.Handler()
		id := wire.NodeID{2}
		require.NoError(t, h.PeerConnected(id, queriesInit(), true))
		_ = h.HandleRoutingMessage(id, m)
		g.Tick(graphtest.BaseTime().Add(61e9))
		_ = h.PendingMessages(nil)
		if _, ok := m.(*wire.ChannelUpdate); ok {
			errs := g.AddBatch(context.Background(), []wire.Message{m})
			if errs[0] != nil {
				requireReason(t, errs[0])
			}
		}
	})
}

func requireReason(t *testing.T, err error) {
	t.Helper()
	for _, r := range []error{graph.ErrWrongChain, graph.ErrBadSignature, graph.ErrMalformed, graph.ErrUnknownChannel,
		graph.ErrUnknownNode, graph.ErrDuplicate, graph.ErrOutdated, graph.ErrStale, graph.ErrRateLimited,
		graph.ErrTooLarge, graph.ErrFundingNotFound, graph.ErrFundingMismatch, graph.ErrFundingLookup} {
		if errorsIs(err, r) {
			return
		}
	}
	require.Fail(t, fmt.Sprintf("untyped refusal: %v", err))
}
