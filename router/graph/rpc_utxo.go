package graph

import (
	"context"
	"errors"
	"fmt"
	"sync"

	"github.com/btcsuite/btcd/chaincfg/chainhash"
	btcwire "github.com/btcsuite/btcd/wire"

	"github.com/lnkit/lnkit/chain/rpc"
	"github.com/lnkit/lnkit/wire"
)

// ChainRPC is what RPCUTXOSource needs of a chain client; *rpc.Client
// (bitcoind or btcd) has it.
type ChainRPC interface {
	BlockHash(ctx context.Context, height int32) (chainhash.Hash, error)
	Block(ctx context.Context, hash chainhash.Hash) (*btcwire.MsgBlock, error)
	TxOut(ctx context.Context, op btcwire.OutPoint, includeMempool bool) (*rpc.TxOut, error)
}

// DefaultBlockCache is how many blocks RPCUTXOSource keeps (as txids and
// outputs): sync goes through channels in block order, so a few blocks
// serve every channel of a block with one getblock.
const DefaultBlockCache = 4

// RPCUTXOSource is the UTXOSource of a node with a full-node RPC: the
// short_channel_id's block by getblockhash and getblock, the transaction
// and output in it, then gettxout to see the output is unspent. The rate
// limit and the cache of answers are the Graph's (Config.LookupsPerTick,
// Config.FundingCacheSize); this adapter only caches recent blocks.
type RPCUTXOSource struct {
	rpc ChainRPC

	mu     sync.Mutex
	blocks []cachedBlock // most recent last
}

type cachedBlock struct {
	height uint32
	txs    []cachedTx
}

type cachedTx struct {
	hash chainhash.Hash
	outs []*btcwire.TxOut
}

// NewRPCUTXOSource returns the adapter over c.
func NewRPCUTXOSource(c ChainRPC) (*RPCUTXOSource, error) {
	if c == nil {
		return nil, newConfigError("ChainRPC", "is required")
	}
	return &RPCUTXOSource{rpc: c}, nil
}

// FundingOutput implements UTXOSource.
func (s *RPCUTXOSource) FundingOutput(ctx context.Context, scid wire.ShortChannelID) (FundingOutput, error) {
	txs, err := s.block(ctx, scid.BlockHeight)
	if err != nil {
		return FundingOutput{}, err
	}
	if int(scid.TxIndex) >= len(txs) {
		return FundingOutput{}, fmt.Errorf("graph: %v: block has %d transactions: %w", scid, len(txs), ErrOutputNotFound)
	}
	tx := txs[scid.TxIndex]
	if int(scid.OutputIndex) >= len(tx.outs) {
		return FundingOutput{}, fmt.Errorf("graph: %v: transaction has %d outputs: %w", scid, len(tx.outs), ErrOutputNotFound)
	}
	out, err := s.rpc.TxOut(ctx, btcwire.OutPoint{Hash: tx.hash, Index: uint32(scid.OutputIndex)}, false)
	if err != nil {
		return FundingOutput{}, err
	}
	if out == nil {
		return FundingOutput{}, fmt.Errorf("graph: %v: output spent: %w", scid, ErrOutputNotFound)
	}
	return FundingOutput{PkScript: out.PkScript, Value: wire.Satoshi(out.Value)}, nil
}

func (s *RPCUTXOSource) block(ctx context.Context, height uint32) ([]cachedTx, error) {
	s.mu.Lock()
	for _, b := range s.blocks {
		if b.height == height {
			s.mu.Unlock()
			return b.txs, nil
		}
	}
	s.mu.Unlock()
	if height > 1<<31-1 {
		return nil, ErrOutputNotFound
	}
	hash, err := s.rpc.BlockHash(ctx, int32(height))
	var rerr *rpc.RPCError
	if errors.As(err, &rerr) { // the node answered: no block at that height
		return nil, fmt.Errorf("graph: no block at height %d: %w", height, ErrOutputNotFound)
	}
	if err != nil {
		return nil, err
	}
	blk, err := s.rpc.Block(ctx, hash)
	if err != nil {
		return nil, err
	}
	txs := make([]cachedTx, len(blk.Transactions))
	for i, tx := range blk.Transactions {
		txs[i] = cachedTx{hash: tx.TxHash(), outs: tx.TxOut}
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	s.blocks = append(s.blocks, cachedBlock{height: height, txs: txs})
	if len(s.blocks) > DefaultBlockCache {
		s.blocks = s.blocks[1:]
	}
	return txs, nil
}
