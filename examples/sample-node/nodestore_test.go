package main

import (
	"bytes"
	"context"
	"testing"

	"github.com/btcsuite/btcd/chaincfg/chainhash"
	btcwire "github.com/btcsuite/btcd/wire"
	"github.com/stretchr/testify/require"

	"github.com/lnkit/lnkit/chain"
	"github.com/lnkit/lnkit/chain/wallet/spendable"
	"github.com/lnkit/lnkit/events"
	"github.com/lnkit/lnkit/persist"
	"github.com/lnkit/lnkit/persist/persisttest"
	"github.com/lnkit/lnkit/wire"
)

func TestNodeStorePeers(t *testing.T) {
	ctx := context.Background()
	kv := persisttest.NewCrashStore()
	s := nodeStore{kv: kv}
	id, err := wire.ParseNodeID(testNodeID)
	require.NoError(t, err)
	require.NoError(t, s.savePeer(ctx, id, "127.0.0.1:9735"))
	require.NoError(t, s.savePeer(ctx, id, "127.0.0.1:9736")) // the latest address wins
	// Entries this program never writes are skipped, not fatal.
	require.NoError(t, kv.Write(ctx, ns(peersSecondary), "nothex", []byte("h:1")))
	require.NoError(t, kv.Write(ctx, ns(peersSecondary), "02"+testNodeID[2:64]+"00", []byte("no port")))

	peers, skipped, err := s.peers(ctx)
	require.NoError(t, err)
	require.Equal(t, map[wire.NodeID]string{id: "127.0.0.1:9736"}, peers)
	require.Len(t, skipped, 2)
}

func TestNodeStoreCheckpoint(t *testing.T) {
	ctx := context.Background()
	kv := persisttest.NewCrashStore()
	s := nodeStore{kv: kv}
	_, ok, err := s.monitorCheckpoint(ctx)
	require.NoError(t, err)
	require.False(t, ok, "a new node has none")

	b := chain.BestBlock{Hash: chainhash.Hash{1, 2, 3}, Height: 432}
	require.NoError(t, s.saveMonitorCheckpoint(ctx, b))
	got, ok, err := s.monitorCheckpoint(ctx)
	require.NoError(t, err)
	require.True(t, ok)
	require.Equal(t, b, got)

	require.NoError(t, kv.Write(ctx, ns(chainSecondary), monitorCheckKey, []byte{1}))
	_, _, err = s.monitorCheckpoint(ctx)
	require.ErrorIs(t, err, persist.ErrCorrupt)
}

func TestNodeStoreSweeps(t *testing.T) {
	ctx := context.Background()
	kv := persisttest.NewCrashStore()
	s := nodeStore{kv: kv}
	e := &events.SpendableOutputs{
		Meta:      events.Meta{ID: 7},
		ChannelID: wire.ChannelID{9},
		Outputs: []spendable.Output{{
			Kind: spendable.StaticRemote, OutPoint: btcwire.OutPoint{Hash: chainhash.Hash{4}, Index: 1},
			Value: 20_000, PkScript: append([]byte{0, 20}, bytes.Repeat([]byte{5}, 20)...), ChannelKeyID: [32]byte{6},
		}},
	}
	require.NoError(t, s.saveSweep(ctx, e))
	got, err := s.sweeps(ctx)
	require.NoError(t, err)
	require.Len(t, got, 1)
	require.Equal(t, sweepKey(7), got[0].key)
	require.Equal(t, e.Outputs, got[0].ev.Outputs)
	require.Equal(t, e.ChannelID, got[0].ev.ChannelID)

	_, ok, err := s.sweepTxid(ctx, got[0].key)
	require.NoError(t, err)
	require.False(t, ok)
	require.NoError(t, s.saveSweepTxid(ctx, got[0].key, chainhash.Hash{8}))
	txid, ok, err := s.sweepTxid(ctx, got[0].key)
	require.NoError(t, err)
	require.True(t, ok)
	require.Equal(t, chainhash.Hash{8}, txid)
	require.NoError(t, s.clearSweepTxid(ctx, got[0].key))
	_, ok, err = s.sweepTxid(ctx, got[0].key)
	require.NoError(t, err)
	require.False(t, ok)

	require.NoError(t, s.saveSweepTxid(ctx, got[0].key, chainhash.Hash{8}))
	require.NoError(t, s.removeSweep(ctx, got[0].key))
	got, err = s.sweeps(ctx)
	require.NoError(t, err)
	require.Empty(t, got)
	_, ok, err = s.sweepTxid(ctx, sweepKey(7))
	require.NoError(t, err)
	require.False(t, ok)

	// A damaged record fails loudly: spendable outputs are never dropped.
	require.NoError(t, kv.Write(ctx, ns(sweepsSecondary), sweepKey(8), []byte{0xff}))
	_, err = s.sweeps(ctx)
	require.ErrorIs(t, err, persist.ErrCorrupt)
	require.NoError(t, kv.Write(ctx, ns(sweepTxSecondary), sweepKey(8), []byte{1}))
	_, _, err = s.sweepTxid(ctx, sweepKey(8))
	require.ErrorIs(t, err, persist.ErrCorrupt)
}

// FuzzDecodeCheckpoint: any stored checkpoint decodes or fails with
// persist.ErrCorrupt, never a panic, and a decoded one encodes back the
// same.
func FuzzDecodeCheckpoint(f *testing.F) {
	f.Add(encodeCheckpoint(chain.BestBlock{Hash: chainhash.Hash{1}, Height: 432}))
	f.Add([]byte{})
	f.Add(bytes.Repeat([]byte{0xff}, checkpointLength))
	f.Fuzz(func(t *testing.T, v []byte) {
		b, err := decodeCheckpoint(v)
		if err != nil {
			require.ErrorIs(t, err, persist.ErrCorrupt)
			return
		}
		require.Equal(t, v, encodeCheckpoint(b))
	})
}
