package simchain_test

import (
	"context"
	"testing"

	btcwire "github.com/btcsuite/btcd/wire"
	"github.com/stretchr/testify/require"

	"github.com/lnkit/lnkit/chain"
	"github.com/lnkit/lnkit/lnkittest/simchain"
)

// TestReorgReturnsTxsToMempool checks that the transactions of
// disconnected blocks, funding transactions included, go back to the
// mempool in chain order, before the old mempool's, and confirm again.
func TestReorgReturnsTxsToMempool(t *testing.T) {
	c := newChain(t)
	f1 := fund(t, c, trueScript, 100_000)
	f2 := fund(t, c, trueScript, 100_000)
	a := spendTrue([]prevOut{f1}, 99_000)
	b := spendTrue([]prevOut{outputOf(a, 0)}, 98_000)
	require.NoError(t, c.BroadcastTransactions(context.Background(), a, b))
	c.Mine(1) // 3
	d := spendTrue([]prevOut{f2}, 99_000)
	_, err := c.MineTx(d) // 4
	require.NoError(t, err)
	e := spendTrue([]prevOut{outputOf(d, 0)}, 98_000)
	require.NoError(t, c.Broadcast(e))

	fresh, err := c.Reorg(3, 4) // back to 1: the second funding leaves too
	require.NoError(t, err)
	require.Len(t, fresh, 4)
	require.Equal(t, chain.BestBlock{Hash: fresh[3], Height: 5}, c.Tip())
	require.Equal(t, txids(f2tx(t, c, f2), a, b, d, e), txids(c.Mempool()...))
	require.Zero(t, c.Confirmations(a.TxHash()))
	require.EqualValues(t, 5, c.Confirmations(f1.op.Hash))
	spend, ok := c.Spender(f1.op)
	require.True(t, ok)
	require.Equal(t, simchain.Spend{TxID: a.TxHash()}, spend)

	c.Mine(1)
	for _, tx := range []*btcwire.MsgTx{a, b, d, e} {
		require.EqualValues(t, 1, c.Confirmations(tx.TxHash()))
	}
	require.EqualValues(t, 1, c.Confirmations(f2.op.Hash))
	require.Empty(t, c.Mempool())
}

// f2tx returns the funding transaction of a coin from the chain.
func f2tx(t *testing.T, c *simchain.Chain, p prevOut) *btcwire.MsgTx {
	t.Helper()
	for _, tx := range c.Mempool() {
		if tx.TxHash() == p.op.Hash {
			return tx
		}
	}
	require.FailNow(t, "funding transaction not in the mempool")
	return nil
}

// TestReorgDropsInvalid checks that disconnected transactions the new
// branch makes invalid leave, with their descendants: double spent by the
// branch, a coinbase spend become immature, a relative timelock no longer
// reached.
func TestReorgDropsInvalid(t *testing.T) {
	t.Run("double spent by the branch", func(t *testing.T) {
		c := newChain(t)
		f := fund(t, c, trueScript, 100_000)
		a := spendTrue([]prevOut{f}, 99_000)
		b := spendTrue([]prevOut{outputOf(a, 0)}, 98_000)
		require.NoError(t, c.BroadcastTransactions(context.Background(), a, b))
		c.Mine(1)
		thief := spendTrue([]prevOut{f}, 100_000)
		_, err := c.ReorgBlocks(1, []*btcwire.MsgTx{thief}, nil)
		require.NoError(t, err)
		require.Empty(t, c.Mempool())
		require.EqualValues(t, 2, c.Confirmations(thief.TxHash()))
		requireTxError(t, c.Broadcast(a), simchain.ErrDoubleSpend, 0)
		requireTxError(t, c.Broadcast(b), simchain.ErrMissingInput, 0)
	})
	t.Run("coinbase spend become immature", func(t *testing.T) {
		c := newChain(t)
		c.Mine(100)
		block, _ := c.BlockAt(1)
		cb := block.Transactions[0]
		spend := newSpend([]prevOut{outputOf(cb, 0)}, cb.TxOut[0].Value-1_000)
		_, err := c.MineTx(spend) // block 101: the earliest
		require.NoError(t, err)
		_, err = c.Reorg(1, 1)
		require.NoError(t, err)
		require.Equal(t, txids(spend), txids(c.Mempool()...), "still valid in block 101")
		_, err = c.Reorg(2, 0)
		require.NoError(t, err)
		require.Empty(t, c.Mempool(), "immature in block 100")
	})
	t.Run("relative timelock no longer reached", func(t *testing.T) {
		c := newChain(t)
		f := fund(t, c, trueScript, 100_000) // height 1
		spend := spendTrue([]prevOut{f}, 99_000)
		spend.TxIn[0].Sequence = 3 // valid from block 4
		c.Mine(2)
		require.NoError(t, c.Broadcast(spend))
		c.Mine(1)
		require.EqualValues(t, 1, c.Confirmations(spend.TxHash()))
		_, err := c.Reorg(1, 0)
		require.NoError(t, err)
		require.Equal(t, txids(spend), txids(c.Mempool()...))
		_, err = c.Reorg(1, 0)
		require.NoError(t, err)
		require.Empty(t, c.Mempool())
	})
}

// TestReorgBlocksInvalid checks that a branch with an invalid block
// changes nothing.
func TestReorgBlocksInvalid(t *testing.T) {
	c := newChain(t)
	f := fund(t, c, trueScript, 100_000)
	other := spendTrue([]prevOut{fund(t, c, trueScript, 50_000)}, 49_000)
	a := spendTrue([]prevOut{f}, 99_000)
	require.NoError(t, c.Broadcast(a))
	c.Mine(2)
	pending := spendTrue([]prevOut{outputOf(a, 0)}, 98_000)
	require.NoError(t, c.Broadcast(pending))
	tip := c.Tip()

	bad := spendTrue([]prevOut{f}, 200_000)
	_, err := c.ReorgBlocks(2, []*btcwire.MsgTx{other}, []*btcwire.MsgTx{bad})
	requireTxError(t, err, simchain.ErrInsufficientInput, -1)
	require.Equal(t, tip, c.Tip())
	require.EqualValues(t, 2, c.Confirmations(a.TxHash()))
	require.Equal(t, txids(pending), txids(c.Mempool()...))
	_, ok := c.Unspent(outputOf(a, 0).op)
	require.True(t, ok)
	spend, ok := c.Spender(f.op)
	require.True(t, ok)
	require.Equal(t, simchain.Spend{TxID: a.TxHash(), Height: 3}, spend)
	hash, height, err := c.BestBlock(context.Background())
	require.NoError(t, err)
	require.Equal(t, tip, chain.BestBlock{Hash: hash, Height: height})

	_, err = c.Reorg(-1, 0)
	require.ErrorIs(t, err, simchain.ErrReorgDepth)
	_, err = c.Reorg(int(tip.Height)+1, 0)
	require.ErrorIs(t, err, simchain.ErrReorgDepth)
	_, err = c.Reorg(int(tip.Height), 0)
	require.NoError(t, err, "back to genesis")
	require.Zero(t, c.Tip().Height)
}

// TestDeterministic checks that the same calls give the same blocks and
// transactions: no clock, no randomness.
func TestDeterministic(t *testing.T) {
	run := func() (chain.BestBlock, []*btcwire.MsgTx) {
		c := newChain(t)
		f := fund(t, c, trueScript, 100_000)
		require.NoError(t, c.Broadcast(spendTrue([]prevOut{f}, 99_000)))
		c.Mine(3)
		_, err := c.Reorg(3, 4) // the spend back to the mempool
		require.NoError(t, err)
		fund(t, c, paymentScript(testSigner(1)), 5_000)
		return c.Tip(), c.Mempool()
	}
	tip1, pool1 := run()
	tip2, pool2 := run()
	require.Len(t, pool1, 1)
	require.Equal(t, tip1, tip2)
	require.Equal(t, txids(pool1...), txids(pool2...))
}
