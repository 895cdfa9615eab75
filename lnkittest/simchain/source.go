package simchain

import (
	"context"

	"github.com/btcsuite/btcd/chaincfg/chainhash"
	btcwire "github.com/btcsuite/btcd/wire"

	"github.com/lnkit/lnkit/chain"
	"github.com/lnkit/lnkit/chain/chaintest"
)

// Header implements chain.BlockSource, for main-chain and stale blocks.
func (c *Chain) Header(ctx context.Context, hash chainhash.Hash) (*chain.HeaderData, error) {
	return c.tree.Header(ctx, hash)
}

// Block implements chain.BlockSource, for main-chain and stale blocks. The
// block is shared: do not modify it.
func (c *Chain) Block(ctx context.Context, hash chainhash.Hash) (*btcwire.MsgBlock, error) {
	return c.tree.Block(ctx, hash)
}

// BestBlock implements chain.BlockSource.
func (c *Chain) BestBlock(ctx context.Context) (chainhash.Hash, int32, error) {
	return c.tree.BestBlock(ctx)
}

// BlockHash implements chain.BlockHashSource.
func (c *Chain) BlockHash(ctx context.Context, height int32) (chainhash.Hash, error) {
	return c.tree.BlockHash(ctx, height)
}

// SetHooks injects faults into the chain.BlockSource answers (not into the
// Listen deliveries of Connect), as chaintest.Chain.SetHooks does. A hook
// may call the Chain.
func (c *Chain) SetHooks(h chaintest.Hooks) { c.tree.SetHooks(h) }
