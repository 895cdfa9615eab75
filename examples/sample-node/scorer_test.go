package main

import (
	"context"
	"errors"
	"log/slog"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/lnkit/lnkit/internal/regtest"
	"github.com/lnkit/lnkit/persist"
	"github.com/lnkit/lnkit/persist/persisttest"
	"github.com/lnkit/lnkit/router"
	"github.com/lnkit/lnkit/wire"
)

// failedRoute is a two-hop route of amount whose second channel, scid
// (from hop to payee, of capacity 1,000,000 sat), failed.
func failedRoute(t *testing.T, scid wire.ShortChannelID, amount wire.MilliSatoshi) *router.Route {
	t.Helper()
	var payer, hop, payee wire.NodeID
	payer[0], hop[0], payee[0] = 2, 2, 3
	hop[1], payee[1] = 1, 2
	return &router.Route{Payer: payer, TotalAmount: amount, Hops: []router.Hop{
		{NodeID: hop, ShortChannelID: wire.ShortChannelID{BlockHeight: 1}, AmountToForward: amount, CapacityKind: router.CapacityExact, Capacity: amount},
		{NodeID: payee, ShortChannelID: scid, AmountToForward: amount, Capacity: 1_000_000_000, CapacityKind: router.CapacityTotal},
	}}
}

// TestScorerPersisted: what the scorer learnt is written by the tick
// loop once scorerSaveInterval passed (not before; a failed write is
// tried again at the next tick) and at shutdown, and a new start loads
// it; a stored scorer that does not decode is replaced by an empty one,
// a store that cannot be read is an error.
func TestScorerPersisted(t *testing.T) {
	ctx := context.Background()
	log := slog.New(slog.DiscardHandler)
	store := persisttest.NewCrashStore()
	start := time.Unix(1_700_000_000, 0)
	k, err := openScorer(ctx, store, log, start)
	require.NoError(t, err)
	scid := wire.ShortChannelID{BlockHeight: 500, TxIndex: 1}
	const amount wire.MilliSatoshi = 20_000_000
	k.scorer.PaymentPathFailed(failedRoute(t, scid, amount), scid)
	_, hi, ok := k.scorer.EstimatedLiquidity(scid, 0, 1_000_000_000)
	require.True(t, ok)
	require.Equal(t, amount-1, hi)

	// Not yet written: a start now knows nothing.
	k.tick(ctx, start.Add(scorerSaveInterval-time.Second))
	k2, err := openScorer(ctx, store, log, start)
	require.NoError(t, err)
	_, _, ok = k2.scorer.EstimatedLiquidity(scid, 0, 1_000_000_000)
	require.False(t, ok)

	// Written by the tick loop: a start loads it, decayed to its time.
	saved := start.Add(scorerSaveInterval)
	k.tick(ctx, saved)
	want, err := k.scorer.MarshalBinary()
	require.NoError(t, err)
	k3, err := openScorer(ctx, store, log, saved)
	require.NoError(t, err)
	got, err := k3.scorer.MarshalBinary()
	require.NoError(t, err)
	require.Equal(t, want, got)
	_, hi3, ok := k3.scorer.EstimatedLiquidity(scid, 0, 1_000_000_000)
	require.True(t, ok)
	require.Less(t, hi3, 2*amount)

	// At shutdown.
	scid2 := wire.ShortChannelID{BlockHeight: 600}
	k3.scorer.PaymentPathFailed(failedRoute(t, scid2, amount), scid2)
	k3.save(ctx, saved)
	k4, err := openScorer(ctx, store, log, saved)
	require.NoError(t, err)
	_, _, ok = k4.scorer.EstimatedLiquidity(scid2, 0, 1_000_000_000)
	require.True(t, ok)

	// Corrupt: an empty scorer, overwritten at the next save.
	ns := persist.Namespace{Primary: router.ScorerNamespacePrimary, Secondary: router.ScorerNamespaceSecondary}
	require.NoError(t, store.Write(ctx, ns, router.ScorerKey, []byte{9, 9}))
	k5, err := openScorer(ctx, store, log, saved)
	require.NoError(t, err)
	_, _, ok = k5.scorer.EstimatedLiquidity(scid2, 0, 1_000_000_000)
	require.False(t, ok)
	k5.save(ctx, saved)
	_, err = openScorer(ctx, store, log, saved)
	require.NoError(t, err)

	// A failed write is tried again at the next tick.
	store.FailWrites(errors.New("disk full"))
	later := saved.Add(scorerSaveInterval)
	k5.tick(ctx, later)
	store.FailWrites(nil)
	k5.scorer.PaymentPathFailed(failedRoute(t, scid2, amount), scid2)
	k5.tick(ctx, later.Add(time.Minute))
	k6, err := openScorer(ctx, store, log, later)
	require.NoError(t, err)
	_, _, ok = k6.scorer.EstimatedLiquidity(scid2, 0, 1_000_000_000)
	require.True(t, ok)

	// A store that fails reads is an error.
	require.NoError(t, store.Close())
	_, err = openScorer(ctx, store, log, later)
	require.ErrorIs(t, err, persist.ErrClosed)
}

// TestSampleNodeSavesScorer: a node that quits leaves its scorer in its
// store, and the next start loads it (a corrupt one does not stop it).
func TestSampleNodeSavesScorer(t *testing.T) {
	if testing.Short() {
		t.Skip("integration: starts btcd/lnd; run without -short")
	}
	btcd := regtest.StartBtcd(t, regtest.BtcdOptions{})
	btcd.Generate(t, 3)
	dir := t.TempDir()
	startTestNode(t, "erin", btcd, dir).quit()

	ns := persist.Namespace{Primary: router.ScorerNamespacePrimary, Secondary: router.ScorerNamespaceSecondary}
	s, err := openStore(dir)
	require.NoError(t, err)
	_, err = s.Read(context.Background(), ns, router.ScorerKey)
	require.NoError(t, err, "saved at shutdown")
	require.NoError(t, s.Write(context.Background(), ns, router.ScorerKey, []byte{0xff}))
	require.NoError(t, s.Close())

	startTestNode(t, "erin", btcd, dir).quit()
	s, err = openStore(dir)
	require.NoError(t, err)
	defer s.Close()
	b, err := s.Read(context.Background(), ns, router.ScorerKey)
	require.NoError(t, err)
	_, err = router.LoadProbabilisticScorer(context.Background(), s, router.ProbabilisticConfig{})
	require.NoError(t, err, "the corrupt scorer was replaced: %x", b)
}
