package graph_test

import (
	"context"
	"encoding/hex"
	"encoding/json"
	"strings"
	"testing"
	"time"

	"github.com/btcsuite/btcd/chaincfg/chainhash"
	"github.com/stretchr/testify/require"

	"github.com/lnkit/lnkit/internal/vectors"
	"github.com/lnkit/lnkit/router/graph"
	"github.com/lnkit/lnkit/router/graph/graphtest"
	"github.com/lnkit/lnkit/wire"
)

func queriesInit() *wire.Init {
	return &wire.Init{Features: wire.NewFeatureVector(wire.GossipQueriesOptional, wire.GossipQueriesExOptional)}
}

// roundTrip passes m through its wire encoding, as a real connection would.
func roundTrip(t testing.TB, m wire.Message) wire.Message {
	t.Helper()
	b, err := wire.Encode(nil, m)
	require.NoError(t, err)
	out, err := wire.Decode(b)
	require.NoError(t, err)
	return out
}

// pump delivers the two graphs' pending messages to each other, ticking
// both, until nothing moves.
func pump(t testing.TB, a, b *graph.Graph, idA, idB wire.NodeID, now time.Time) int {
	t.Helper()
	total, idle := 0, 0
	for round := 0; idle < 3 && round < 10_000; round++ {
		now = now.Add(time.Second)
		a.Tick(now)
		b.Tick(now)
		moved := 0
		for _, p := range []struct {
			src, dst *graph.Graph
			from     wire.NodeID
		}{{a, b, idA}, {b, a, idB}} {
			var prevEnd uint64
			for _, o := range p.src.Handler().PendingMessages(nil) {
				if r, ok := o.Msg.(*wire.ReplyChannelRange); ok {
					checkReply(t, r, prevEnd)
					prevEnd = r.EndHeight()
				}
				require.NoError(t, p.dst.Handler().HandleRoutingMessage(p.from, roundTrip(t, o.Msg)), "%v", o.Msg.Type())
				moved++
			}
		}
		total += moved
		if moved == 0 {
			idle++
		} else {
			idle = 0
		}
	}
	return total
}

func TestInitialSyncBetweenTwoGraphs(t *testing.T) {
	n := graphtest.Generate(graphtest.Config{Nodes: 200, Channels: 600, Seed: 11})
	mk := func() *graph.Graph {
		t.Helper()

		g, err := graph.New(graph.Config{UTXOSource: n.UTXOs(), QueryBatch: 100, ReplyBatch: 150, BacklogPerTick: 40, BroadcastInterval: 5 * time.Second})
		require.NoError(t, err)
		g.Tick(graphtest.BaseTime())
		return g
	}
	full, empty := mk(), mk()
	require.NoError(t, firstErr(full.AddBatch(context.Background(), n.Messages(true))))
	idFull, idEmpty := wire.NodeID{2, 1}, wire.NodeID{3, 2}
	require.NoError(t, full.Handler().PeerConnected(idEmpty, queriesInit(), true))
	require.NoError(t, empty.Handler().PeerConnected(idFull, queriesInit(), false))
	pump(t, full, empty, idFull, idEmpty, graphtest.BaseTime())
	require.True(t, empty.Synced())

	want, wantNodes := full.Records()
	got, gotNodes := empty.Records()
	require.Equal(t, len(want), len(got))
	require.Equal(t, len(wantNodes), len(gotNodes))
	for _, r := range want {
		info, ok := empty.ChannelInfo(r.Announcement.ShortChannelID)
		require.True(t, ok)
		w, _ := full.ChannelInfo(r.Announcement.ShortChannelID)
		require.Equal(t, w.Policy, info.Policy)
	}

	// A later update on the full side reaches the synced graph through the
	// staggered broadcast.
	upd := n.Update(0, 0, false)
	upd.Timestamp = graphtest.BaseUnix + 10
	upd.FeeBaseMsat = 4242
	h, _ := upd.SignedDataHash()
	upd.Signature = signWith(n.Keys[n.Channels[0].Node[0]], h)
	require.NoError(t, full.Broadcast(context.Background(), upd))
	pump(t, full, empty, idFull, idEmpty, graphtest.BaseTime().Add(time.Minute))
	info, _ := empty.ChannelInfo(upd.ShortChannelID)
	require.Equal(t, uint32(4242), info.Policy[0].FeeBaseMsat)
}

func TestQueryProtocolViolations(t *testing.T) {
	g, err := graph.New(graph.Config{})
	require.NoError(t, err)
	id := wire.NodeID{2}
	h := g.Handler()
	require.NoError(t, h.PeerConnected(id, &wire.Init{}, true))
	// unsolicited replies
	require.ErrorIs(t, h.HandleRoutingMessage(id, &wire.ReplyShortChanIDsEnd{}), graph.ErrProtocol)
	main := mainnet(t)
	require.ErrorIs(t, h.HandleRoutingMessage(id, &wire.ReplyChannelRange{ChainHash: main, NumBlocks: 1, SyncComplete: true}), graph.ErrProtocol)
	// flags not one per id
	q := &wire.QueryShortChanIDs{ChainHash: main, ShortChannelIDs: []wire.ShortChannelID{{BlockHeight: 1}}, QueryFlags: wire.Some(wire.QueryFlagsTLV{})}
	require.ErrorIs(t, h.HandleRoutingMessage(id, q), graph.ErrProtocol)
	require.ErrorIs(t, h.HandleRoutingMessage(id, &wire.QueryChannelRange{ChainHash: main}), graph.ErrProtocol)
}

// TestRangeQueryFlood: a peer may send two query_channel_range per tick;
// the third is refused before the graph is scanned, and a tick resets it.
func TestRangeQueryFlood(t *testing.T) {
	g, err := graph.New(graph.Config{})
	require.NoError(t, err)
	id := wire.NodeID{2}
	h := g.Handler()
	require.NoError(t, h.PeerConnected(id, &wire.Init{}, true))
	q := &wire.QueryChannelRange{ChainHash: mainnet(t), NumBlocks: 0xFFFFFFFF}
	require.NoError(t, h.HandleRoutingMessage(id, q))
	require.NoError(t, h.HandleRoutingMessage(id, q))
	require.ErrorIs(t, h.HandleRoutingMessage(id, q), graph.ErrRateLimited)
	g.Tick(time.Unix(1_700_000_000, 0))
	require.NoError(t, h.HandleRoutingMessage(id, q))
}

func mainnet(t testing.TB) chainhash.Hash {
	t.Helper()
	h, err := chainhash.NewHashFromStr("000000000019d6689c085ae165831e934ff763ae46a2a6c172b3f1b60a8ce26f")
	require.NoError(t, err)
	return *h
}

// TestExtendedQueriesVectors runs every bolt07 extended-queries vector
// through the sync code: queries are answered, replies drive a sync, and
// the zlib-encoded ones are refused as BOLT 7 now requires.
func TestExtendedQueriesVectors(t *testing.T) {
	var vecs []struct {
		Hex string          `json:"hex"`
		Msg json.RawMessage `json:"msg"`
	}
	vectors.Load(t, "bolt07-extended-queries.json", &vecs)
	require.Len(t, vecs, 10)
	for i, v := range vecs {
		raw, err := hex.DecodeString(v.Hex)
		require.NoError(t, err)
		msg, err := wire.Decode(raw)
		require.NoError(t, err, "vector %d", i)
		zlib := strings.Contains(string(v.Msg), "COMPRESSED_ZLIB")

		var chain chainhash.Hash
		switch m := msg.(type) {
		case *wire.QueryChannelRange:
			chain = m.ChainHash
		case *wire.ReplyChannelRange:
			chain = m.ChainHash
		case *wire.QueryShortChanIDs:
			chain = m.ChainHash
		}
		g, err := graph.New(graph.Config{ChainHash: chain})
		require.NoError(t, err)
		id := wire.NodeID{2, byte(i)}
		h := g.Handler()
		require.NoError(t, h.PeerConnected(id, queriesInit(), false))
		out := h.PendingMessages(nil) // our range query and filter
		require.IsType(t, &wire.QueryChannelRange{}, out[0].Msg)

		err = h.HandleRoutingMessage(id, msg)
		if zlib {
			require.ErrorIs(t, err, graph.ErrZlibEncoding, "vector %d", i)
			continue
		}
		require.NoError(t, err, "vector %d", i)
		g.Tick(time.Unix(graphtest.BaseUnix, 0))
		out = h.PendingMessages(nil)
		switch m := msg.(type) {
		case *wire.QueryChannelRange:
			require.NotEmpty(t, out)
			r := out[len(out)-1].Msg.(*wire.ReplyChannelRange)
			require.True(t, r.SyncComplete)
			require.GreaterOrEqual(t, r.EndHeight(), m.EndHeight())
			_, ts := r.Timestamps.Get()
			opt, _ := m.QueryOption.Get()
			require.Equal(t, opt&wire.QueryOptionWantTimestamps != 0, ts, "vector %d", i)
		case *wire.ReplyChannelRange:
			// the reply covers less than our query: the sync waits for more.
			require.Empty(t, out)
			// the final reply makes us ask for the ids with full flags.
			final := &wire.ReplyChannelRange{ChainHash: chain, FirstBlockHeight: m.FirstBlockHeight, NumBlocks: 0xFFFFFFFF - m.FirstBlockHeight, SyncComplete: true}
			require.NoError(t, h.HandleRoutingMessage(id, final))
			out = h.PendingMessages(nil)
			require.Len(t, out, 1)
			q := out[0].Msg.(*wire.QueryShortChanIDs)
			require.Equal(t, m.ShortChannelIDs, q.ShortChannelIDs)
			fl, ok := q.QueryFlags.Get()
			require.True(t, ok)
			require.Len(t, fl.Flags, len(m.ShortChannelIDs))
		case *wire.QueryShortChanIDs:
			require.Len(t, out, 1)
			require.IsType(t, &wire.ReplyShortChanIDsEnd{}, out[0].Msg)
		}
	}
}

// checkReply checks what lnd checks of a reply_channel_range: its ids lie
// in its range, and it starts at the previous reply's last block or the
// one after.
func checkReply(t testing.TB, r *wire.ReplyChannelRange, prevEnd uint64) {
	t.Helper()
	for _, id := range r.ShortChannelIDs {
		require.GreaterOrEqual(t, id.BlockHeight, r.FirstBlockHeight)
		require.Less(t, uint64(id.BlockHeight), r.EndHeight())
	}
	if prevEnd != 0 {
		require.Contains(t, []uint64{prevEnd - 1, prevEnd}, uint64(r.FirstBlockHeight))
	}
}

// TestBadSignatureFloodDisconnects: a peer flooding forged updates is cut
// off after Config.MaxBadSignatures of them, so the verification cost it
// can cause is bounded.
func TestBadSignatureFloodDisconnects(t *testing.T) {
	n, g := small(t, graph.Config{MaxBadSignatures: 3})
	require.NoError(t, firstErr(g.AddBatch(context.Background(), n.Messages(true)[:len(n.Channels)])))
	id := wire.NodeID{2, 9}
	h := g.Handler()
	require.NoError(t, h.PeerConnected(id, queriesInit(), true))
	forged := n.Update(0, 0, false)
	forged.Timestamp = graphtest.BaseUnix
	var err error
	for i := 0; i < 100 && err == nil; i++ {
		f := *forged
		f.Signature[0] = byte(i + 1)
		f.Signature[40] = 1
		err = h.HandleRoutingMessage(id, &f)
		g.Tick(graphtest.BaseTime())
	}
	require.ErrorIs(t, err, graph.ErrBadSignature)
}

// TestConfigErrors: every bad Config field is named.
func TestConfigErrors(t *testing.T) {
	for _, cfg := range []graph.Config{
		{StaleAfter: -1}, {UpdateBurst: -1}, {UpdateBurst: 300}, {QueryBatch: 9000}, {ReplyBatch: 3000}, {VerifyWorkers: -2},
	} {
		_, err := graph.New(cfg)
		require.ErrorIs(t, err, graph.ErrInvalidConfig)
		var ce *graph.ConfigError
		require.ErrorAs(t, err, &ce)
		require.NotEmpty(t, ce.Field)
	}
	_, err := graph.NewRPCUTXOSource(nil)
	require.ErrorIs(t, err, graph.ErrInvalidConfig)
}
