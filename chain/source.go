package chain

import (
	"context"

	"github.com/btcsuite/btcd/chaincfg/chainhash"
	btcwire "github.com/btcsuite/btcd/wire"
)

// BlockSource serves the block chain as one full node sees it. Header and
// Block must also answer for blocks that have left the main chain (full
// nodes keep stale blocks), so that listeners sitting on them can be walked
// back.
type BlockSource interface {
	// Header returns the header of the block with this hash and its
	// height.
	Header(ctx context.Context, hash chainhash.Hash) (*HeaderData, error)

	// Block returns the whole block with this hash.
	Block(ctx context.Context, hash chainhash.Hash) (*btcwire.MsgBlock, error)

	// BestBlock returns the hash and height of the tip of the main chain.
	BestBlock(ctx context.Context) (chainhash.Hash, int32, error)
}

// BlockHashSource is an optional [BlockSource] capability: the hash of the
// main-chain block at a height. A [Poller] uses it to catch listeners up in
// bounded steps instead of walking every header back from the tip.
type BlockHashSource interface {
	BlockHash(ctx context.Context, height int32) (chainhash.Hash, error)
}

// HeaderData is a block header with its hash and height.
type HeaderData struct {
	// Header is the 80-byte block header.
	Header btcwire.BlockHeader

	// Hash is Header.BlockHash().
	Hash chainhash.Hash

	// Height is the block's height (genesis = 0).
	Height int32
}

// BestBlock identifies a block by hash and height; a listener declares the
// block it has processed last with it.
type BestBlock struct {
	// Hash is the block's hash.
	Hash chainhash.Hash

	// Height is the block's height (genesis = 0).
	Height int32
}
