package lnkittest

import (
	"context"
	"encoding/binary"
	"errors"
	"fmt"

	"github.com/btcsuite/btcd/chaincfg/chainhash"
	btcwire "github.com/btcsuite/btcd/wire"

	"github.com/lnkit/lnkit/chain"
	"github.com/lnkit/lnkit/persist"
)

// The harness's own keys in a node's store: the block it delivered last to
// each chain listener that does not know its own (see Handlers.Listen).
const (
	checkpointPrimary   = "lnkittest"
	checkpointSecondary = "best_block"
	// checkpointLen is a checkpoint's encoding: the block hash, then the
	// height as 4 bytes big-endian.
	checkpointLen = chainhash.HashSize + 4
)

// Checkpoint keys of a node's listeners.
const (
	monitorCheckpoint = "chain_monitor"
	listenCheckpoint  = "listen"
)

// errCheckpoint reports a stored checkpoint that is not one.
var errCheckpoint = errors.New("lnkittest: corrupt chain checkpoint")

// checkpointNS is the namespace of the checkpoints.
func checkpointNS() persist.Namespace {
	return persist.Namespace{Primary: checkpointPrimary, Secondary: checkpointSecondary}
}

// encodeCheckpoint encodes b.
func encodeCheckpoint(b chain.BestBlock) []byte {
	return binary.BigEndian.AppendUint32(append([]byte(nil), b.Hash[:]...), uint32(b.Height))
}

// decodeCheckpoint decodes a checkpoint; a malformed one matches
// errCheckpoint and persist.ErrCorrupt.
func decodeCheckpoint(v []byte) (chain.BestBlock, error) {
	if len(v) != checkpointLen {
		return chain.BestBlock{}, fmt.Errorf("%w: %d bytes, want %d: %w", errCheckpoint, len(v), checkpointLen, persist.ErrCorrupt)
	}
	var b chain.BestBlock
	copy(b.Hash[:], v)
	h := binary.BigEndian.Uint32(v[chainhash.HashSize:])
	if h > 1<<31-1 {
		return chain.BestBlock{}, fmt.Errorf("%w: height %d: %w", errCheckpoint, h, persist.ErrCorrupt)
	}
	b.Height = int32(h)
	return b, nil
}

// follower is a chain listener of a node with the block it processed last.
type follower struct {
	l    chain.Listen
	best chain.BestBlock
}

// follower returns how l follows the chain: from its own best block when it
// is a BestBlocker, otherwise from its checkpoint under key (the node's
// birthday when there is none), wrapped so that each block it processes
// moves the checkpoint.
func (n *Node) follower(l chain.Listen, key string) (follower, error) {
	if bb, ok := l.(BestBlocker); ok {
		best := bb.BestBlock()
		if best == (chain.BestBlock{}) {
			return follower{}, fmt.Errorf("lnkittest: node %d: %T has a zero BestBlock (a fresh one starts at the chain tip)", n.Index, l)
		}
		return follower{l: l, best: best}, nil
	}
	best := n.birthday
	v, err := n.Store.Read(n.net.ctx, checkpointNS(), key)
	switch {
	case err == nil:
		if best, err = decodeCheckpoint(v); err != nil {
			return follower{}, err
		}
	case !errors.Is(err, persist.ErrNotFound):
		return follower{}, fmt.Errorf("lnkittest: node %d: read chain checkpoint: %w", n.Index, err)
	}
	return follower{l: &checkpointed{l: l, store: n.Store, ctx: n.net.ctx, key: key}, best: best}, nil
}

// follow catches every listener up with the chain, from its best block
// (walking back a reorganisation it missed), then connects them to the
// chain in order.
func (n *Node) follow(fs ...follower) error {
	tip := n.net.Chain.Tip()
	poller, err := chain.NewPoller(chain.PollerConfig{Source: n.net.Chain})
	if err != nil {
		return err
	}
	ls := make([]chain.Listen, 0, len(fs))
	for _, f := range fs {
		if f.best != tip {
			poller.AddListener(f.l, f.best)
		}
		ls = append(ls, f.l)
	}
	if err := poller.PollOnce(n.net.ctx); err != nil {
		return fmt.Errorf("lnkittest: node %d: catch up with the chain: %w", n.Index, err)
	}
	n.unlisten = n.net.Chain.Connect(ls...)
	return nil
}

// checkpointed is a listener that does not know its best block: after each
// block it processed, its checkpoint is written to the store, so that a
// restart catches it up from there. A failed write (a failing store)
// leaves the older checkpoint: the listener is then caught up from further
// back, never skipped.
type checkpointed struct {
	l     chain.Listen
	store persist.KVStore
	ctx   context.Context
	key   string
}

// BlockConnected implements chain.Listen.
func (c *checkpointed) BlockConnected(block *btcwire.MsgBlock, height int32) {
	c.l.BlockConnected(block, height)
	c.save(chain.BestBlock{Hash: block.Header.BlockHash(), Height: height})
}

// BlockDisconnected implements chain.Listen.
func (c *checkpointed) BlockDisconnected(header *btcwire.BlockHeader, height int32) {
	c.l.BlockDisconnected(header, height)
	c.save(chain.BestBlock{Hash: header.PrevBlock, Height: height - 1})
}

// save writes the checkpoint.
func (c *checkpointed) save(b chain.BestBlock) {
	_ = c.store.Write(c.ctx, checkpointNS(), c.key, encodeCheckpoint(b))
}
