package lnkittest

import (
	"context"
	"fmt"

	btcwire "github.com/btcsuite/btcd/wire"

	"github.com/lnkit/lnkit/lnkittest/simchain"
	"github.com/lnkit/lnkit/router/graph"
	"github.com/lnkit/lnkit/wire"
)

var _ graph.UTXOSource = ChainUTXOSource{}

// ChainUTXOSource is the graph.UTXOSource of the simulated chain: the
// output a short_channel_id names in the main chain, while it is unspent.
// Every node's gossip graph checks channel announcements with it
// (Options.Gossip).
type ChainUTXOSource struct {
	// Chain is the simulated chain.
	Chain *simchain.Chain
}

// FundingOutput implements graph.UTXOSource: the output of the
// transaction at scid's index in the main-chain block at scid's height,
// or an error matching graph.ErrOutputNotFound when there is no such
// output or it is spent (by a confirmed transaction).
func (s ChainUTXOSource) FundingOutput(_ context.Context, scid wire.ShortChannelID) (graph.FundingOutput, error) {
	if scid.BlockHeight > 1<<31-1 {
		return graph.FundingOutput{}, fmt.Errorf("lnkittest: %v: no block at that height: %w", scid, graph.ErrOutputNotFound)
	}
	blk, ok := s.Chain.BlockAt(int32(scid.BlockHeight))
	if !ok {
		return graph.FundingOutput{}, fmt.Errorf("lnkittest: %v: no block at that height: %w", scid, graph.ErrOutputNotFound)
	}
	if int(scid.TxIndex) >= len(blk.Transactions) {
		return graph.FundingOutput{}, fmt.Errorf("lnkittest: %v: block has %d transactions: %w", scid, len(blk.Transactions), graph.ErrOutputNotFound)
	}
	op := btcwire.OutPoint{Hash: blk.Transactions[scid.TxIndex].TxHash(), Index: uint32(scid.OutputIndex)}
	out, ok := s.Chain.Unspent(op)
	if !ok {
		return graph.FundingOutput{}, fmt.Errorf("lnkittest: %v: output %v missing or spent: %w", scid, op, graph.ErrOutputNotFound)
	}
	return graph.FundingOutput{PkScript: out.PkScript, Value: wire.Satoshi(out.Value)}, nil
}
