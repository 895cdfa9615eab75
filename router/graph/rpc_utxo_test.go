package graph_test

import (
	"context"
	"errors"
	"testing"

	"github.com/btcsuite/btcd/chaincfg/chainhash"
	btcwire "github.com/btcsuite/btcd/wire"
	"github.com/stretchr/testify/require"

	"github.com/lnkit/lnkit/chain/rpc"
	"github.com/lnkit/lnkit/router/graph"
	"github.com/lnkit/lnkit/wire"
)

// fakeChain is a one-block chain at height 100 for RPCUTXOSource.
type fakeChain struct {
	block  *btcwire.MsgBlock
	spent  map[btcwire.OutPoint]bool
	blocks int
	down   bool
}

func (f *fakeChain) BlockHash(_ context.Context, h int32) (chainhash.Hash, error) {
	if f.down {
		return chainhash.Hash{}, errors.New("connection refused")
	}
	if h != 100 {
		return chainhash.Hash{}, &rpc.RPCError{Method: "getblockhash", Code: -8, Message: "Block height out of range"}
	}
	return f.block.BlockHash(), nil
}

func (f *fakeChain) Block(context.Context, chainhash.Hash) (*btcwire.MsgBlock, error) {
	f.blocks++
	return f.block, nil
}

func (f *fakeChain) TxOut(_ context.Context, op btcwire.OutPoint, _ bool) (*rpc.TxOut, error) {
	if f.spent[op] {
		return nil, nil
	}
	tx := f.block.Transactions[0]
	if op.Hash != tx.TxHash() {
		return nil, nil
	}
	o := tx.TxOut[op.Index]
	return &rpc.TxOut{Value: wire.Satoshi(o.Value), PkScript: o.PkScript}, nil
}

func TestRPCUTXOSource(t *testing.T) {
	ctx := context.Background()
	script := graph.FundingPkScript(wire.Point{2, 1}, wire.Point{3, 1})
	tx := btcwire.NewMsgTx(2)
	tx.AddTxOut(btcwire.NewTxOut(1000, []byte{0x51}))
	tx.AddTxOut(btcwire.NewTxOut(500_000, script))
	chain := &fakeChain{block: &btcwire.MsgBlock{Transactions: []*btcwire.MsgTx{tx}}, spent: map[btcwire.OutPoint]bool{}}
	src, err := graph.NewRPCUTXOSource(chain)
	require.NoError(t, err)

	out, err := src.FundingOutput(ctx, wire.ShortChannelID{BlockHeight: 100, OutputIndex: 1})
	require.NoError(t, err)
	require.Equal(t, wire.Satoshi(500_000), out.Value)
	require.Equal(t, script, out.PkScript)

	for _, scid := range []wire.ShortChannelID{
		{BlockHeight: 101},                 // no such block
		{BlockHeight: 100, TxIndex: 1},     // no such transaction
		{BlockHeight: 100, OutputIndex: 2}, // no such output
	} {
		_, err := src.FundingOutput(ctx, scid)
		require.ErrorIs(t, err, graph.ErrOutputNotFound, "%v", scid)
	}
	chain.spent[btcwire.OutPoint{Hash: tx.TxHash(), Index: 1}] = true
	_, err = src.FundingOutput(ctx, wire.ShortChannelID{BlockHeight: 100, OutputIndex: 1})
	require.ErrorIs(t, err, graph.ErrOutputNotFound)
	require.Equal(t, 1, chain.blocks, "the block is fetched once")

	// a failing node is an error, not "not found" (not cached as absent)
	chain.down = true
	_, err = src.FundingOutput(ctx, wire.ShortChannelID{BlockHeight: 102})
	require.Error(t, err)
	require.NotErrorIs(t, err, graph.ErrOutputNotFound)
}

// TestCheapChecksFirst: floods of gossip a map lookup can refuse are
// refused for that reason, before their (forged) signatures are looked at.
func TestCheapChecksFirst(t *testing.T) {
	ctx := context.Background()
	n, g := small(t, graph.Config{})
	require.NoError(t, firstErr(g.AddBatch(ctx, n.Messages(true))))
	forgedAnn := n.Announcement(0, false) // known channel, zero signatures
	unknownUpd := n.Update(0, 0, false)
	unknownUpd.ShortChannelID.BlockHeight = 7
	oldUpd := n.Update(1, 0, false) // same timestamp as stored
	oldNode := n.NodeAnnouncement(n.Channels[0].Node[0], false)
	batch := make([]wire.Message, 0, 4000)
	for range 1000 {
		batch = append(batch, forgedAnn, unknownUpd, oldUpd, oldNode)
	}
	errs := g.AddBatch(ctx, batch)
	for i := 0; i < len(errs); i += 4 {
		require.ErrorIs(t, errs[i], graph.ErrDuplicate)
		require.ErrorIs(t, errs[i+1], graph.ErrUnknownChannel)
		require.ErrorIs(t, errs[i+2], graph.ErrOutdated)
		require.ErrorIs(t, errs[i+3], graph.ErrOutdated)
	}
}
