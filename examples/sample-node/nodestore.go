package main

import (
	"context"
	"encoding/binary"
	"errors"
	"fmt"
	"strconv"

	"github.com/btcsuite/btcd/chaincfg/chainhash"

	"github.com/lnkit/lnkit/chain"
	"github.com/lnkit/lnkit/events"
	"github.com/lnkit/lnkit/persist"
	"github.com/lnkit/lnkit/wire"
)

// The sample node's own keys in its store, next to those of the wallet,
// the channel manager, the monitors and the event queue:
//
//	sample_node/peers/<node id hex>      "host:port" of a channel peer (ldk-sample's channel_peer_data)
//	sample_node/chain/chain_monitor      the block the chain monitor processed last
//	sample_node/sweeps/<event id>        a SpendableOutputs event (events.Encode) not yet swept for good
//	sample_node/sweep_txids/<event id>   the txid of its sweep, once broadcast
//	sample_node/inbound_payments/<hash>  a payment to this node (nodestore_payments.go)
const (
	storePrimary     = "sample_node"
	peersSecondary   = "peers"
	chainSecondary   = "chain"
	sweepsSecondary  = "sweeps"
	sweepTxSecondary = "sweep_txids"
	monitorCheckKey  = "chain_monitor"
	checkpointLength = chainhash.HashSize + 4
)

// nodeStore is the sample node's own state in the store.
type nodeStore struct {
	kv persist.KVStore
}

func ns(secondary string) persist.Namespace {
	return persist.Namespace{Primary: storePrimary, Secondary: secondary}
}

// savePeer remembers where a channel peer listens, to reconnect on start-up.
func (s nodeStore) savePeer(ctx context.Context, id wire.NodeID, addr string) error {
	if err := s.kv.Write(ctx, ns(peersSecondary), id.String(), []byte(addr)); err != nil {
		return fmt.Errorf("sample-node: saving the peer's address: %w", err)
	}
	return nil
}

// peers returns the remembered peer addresses by node id. An entry that
// does not parse is skipped (it was written by this program, so it only
// happens on a damaged store) and reported in skipped.
func (s nodeStore) peers(ctx context.Context) (map[wire.NodeID]string, []string, error) {
	keys, err := s.kv.List(ctx, ns(peersSecondary))
	if err != nil {
		return nil, nil, fmt.Errorf("sample-node: listing peers: %w", err)
	}
	out := make(map[wire.NodeID]string, len(keys))
	var skipped []string
	for _, k := range keys {
		id, err := wire.ParseNodeID(k)
		if err != nil {
			skipped = append(skipped, k)
			continue
		}
		v, err := s.kv.Read(ctx, ns(peersSecondary), k)
		if err != nil {
			return nil, nil, fmt.Errorf("sample-node: reading peer %s: %w", k, err)
		}
		if _, err := parseHostPort(string(v)); err != nil {
			skipped = append(skipped, k)
			continue
		}
		out[id] = string(v)
	}
	return out, skipped, nil
}

// monitorCheckpoint returns the block the chain monitor processed last, or
// ok false when none was recorded (a new node).
func (s nodeStore) monitorCheckpoint(ctx context.Context) (chain.BestBlock, bool, error) {
	v, err := s.kv.Read(ctx, ns(chainSecondary), monitorCheckKey)
	if errors.Is(err, persist.ErrNotFound) {
		return chain.BestBlock{}, false, nil
	}
	if err != nil {
		return chain.BestBlock{}, false, fmt.Errorf("sample-node: reading the chain monitor's checkpoint: %w", err)
	}
	b, err := decodeCheckpoint(v)
	if err != nil {
		return chain.BestBlock{}, false, err
	}
	return b, true, nil
}

// encodeCheckpoint encodes a block as a checkpoint: its hash, then its
// height as 4 bytes big-endian.
func encodeCheckpoint(b chain.BestBlock) []byte {
	return binary.BigEndian.AppendUint32(append([]byte(nil), b.Hash[:]...), uint32(b.Height))
}

// decodeCheckpoint decodes a checkpoint; a malformed one matches
// persist.ErrCorrupt.
func decodeCheckpoint(v []byte) (chain.BestBlock, error) {
	if len(v) != checkpointLength {
		return chain.BestBlock{}, fmt.Errorf("sample-node: chain monitor checkpoint is %d bytes, want %d: %w",
			len(v), checkpointLength, persist.ErrCorrupt)
	}
	var b chain.BestBlock
	copy(b.Hash[:], v)
	h := binary.BigEndian.Uint32(v[chainhash.HashSize:])
	if h > 1<<31-1 {
		return chain.BestBlock{}, fmt.Errorf("sample-node: chain monitor checkpoint height %d: %w", h, persist.ErrCorrupt)
	}
	b.Height = int32(h)
	return b, nil
}

// saveMonitorCheckpoint records the block the chain monitor processed last.
func (s nodeStore) saveMonitorCheckpoint(ctx context.Context, b chain.BestBlock) error {
	return s.kv.Write(ctx, ns(chainSecondary), monitorCheckKey, encodeCheckpoint(b))
}

// pendingSweep is a SpendableOutputs event kept until its sweep is deep
// enough.
type pendingSweep struct {
	key string
	ev  *events.SpendableOutputs
}

// saveSweep keeps e until its outputs are swept for good.
func (s nodeStore) saveSweep(ctx context.Context, e *events.SpendableOutputs) error {
	v, err := events.Encode(e)
	if err != nil {
		return fmt.Errorf("sample-node: encoding spendable outputs: %w", err)
	}
	if err := s.kv.Write(ctx, ns(sweepsSecondary), sweepKey(e.EventID()), v); err != nil {
		return fmt.Errorf("sample-node: saving spendable outputs: %w", err)
	}
	return nil
}

// sweepKey is the key of the event id: 20 digits, so keys sort by id.
func sweepKey(id uint64) string { return fmt.Sprintf("%020d", id) }

// sweeps returns the kept SpendableOutputs events, oldest first.
func (s nodeStore) sweeps(ctx context.Context) ([]pendingSweep, error) {
	keys, err := s.kv.List(ctx, ns(sweepsSecondary))
	if err != nil {
		return nil, fmt.Errorf("sample-node: listing sweeps: %w", err)
	}
	out := make([]pendingSweep, 0, len(keys))
	for _, k := range keys {
		if _, err := strconv.ParseUint(k, 10, 64); err != nil {
			return nil, fmt.Errorf("sample-node: sweep key %q: %w", k, persist.ErrCorrupt)
		}
		v, err := s.kv.Read(ctx, ns(sweepsSecondary), k)
		if err != nil {
			return nil, fmt.Errorf("sample-node: reading sweep %s: %w", k, err)
		}
		e, err := events.Decode(v)
		if err != nil {
			return nil, fmt.Errorf("sample-node: sweep %s: %w", k, err)
		}
		so, ok := e.(*events.SpendableOutputs)
		if !ok {
			return nil, fmt.Errorf("sample-node: sweep %s holds a %v event: %w", k, e.Kind(), persist.ErrCorrupt)
		}
		out = append(out, pendingSweep{key: k, ev: so})
	}
	return out, nil
}

// sweepTxid returns the txid of the sweep broadcast for the kept event
// key, if any.
func (s nodeStore) sweepTxid(ctx context.Context, key string) (chainhash.Hash, bool, error) {
	v, err := s.kv.Read(ctx, ns(sweepTxSecondary), key)
	if errors.Is(err, persist.ErrNotFound) {
		return chainhash.Hash{}, false, nil
	}
	if err != nil {
		return chainhash.Hash{}, false, err
	}
	if len(v) != chainhash.HashSize {
		return chainhash.Hash{}, false, fmt.Errorf("sample-node: sweep txid %s: %w", key, persist.ErrCorrupt)
	}
	var h chainhash.Hash
	copy(h[:], v)
	return h, true, nil
}

// saveSweepTxid records the sweep broadcast for the kept event key.
func (s nodeStore) saveSweepTxid(ctx context.Context, key string, txid chainhash.Hash) error {
	return s.kv.Write(ctx, ns(sweepTxSecondary), key, txid[:])
}

// clearSweepTxid forgets a sweep that left the wallet (abandoned).
func (s nodeStore) clearSweepTxid(ctx context.Context, key string) error {
	return s.kv.Remove(ctx, ns(sweepTxSecondary), key)
}

// removeSweep forgets a kept event whose sweep is deep enough, with its
// sweep's txid, in one batch.
func (s nodeStore) removeSweep(ctx context.Context, key string) error {
	return s.kv.Apply(ctx, []persist.Op{
		persist.RemoveOp(ns(sweepsSecondary), key),
		persist.RemoveOp(ns(sweepTxSecondary), key),
	})
}
