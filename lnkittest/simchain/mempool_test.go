package simchain_test

import (
	"context"
	"testing"

	"github.com/btcsuite/btcd/chaincfg/chainhash"
	btcwire "github.com/btcsuite/btcd/wire"
	"github.com/stretchr/testify/require"

	"github.com/lnkit/lnkit/lnkittest/simchain"
)

// txids returns the ids of txs.
func txids(txs ...*btcwire.MsgTx) []chainhash.Hash {
	out := make([]chainhash.Hash, len(txs))
	for i, tx := range txs {
		out[i] = tx.TxHash()
	}
	return out
}

// TestMempoolDoubleSpend checks that a mempool double spend that is no
// better is refused as a failed replacement, and that Spender and
// Broadcast's idempotence see the mempool.
func TestMempoolDoubleSpend(t *testing.T) {
	c := newChain(t)
	prev := fund(t, c, trueScript, 100_000)
	first := spendTrue([]prevOut{prev}, 99_000)
	require.NoError(t, c.Broadcast(first))
	require.NoError(t, c.Broadcast(first), "already in the mempool")
	spend, ok := c.Spender(prev.op)
	require.True(t, ok)
	require.Equal(t, simchain.Spend{TxID: first.TxHash()}, spend)

	second := spendTrue([]prevOut{prev}, 99_000)
	second.LockTime = 1 // another txid, the same fee
	err := c.Broadcast(second)
	requireTxError(t, err, simchain.ErrReplacement, -1)
	require.ErrorIs(t, err, simchain.ErrDoubleSpend)
	require.Equal(t, txids(first), txids(c.Mempool()...))

	c.Mine(1)
	require.NoError(t, c.Broadcast(first), "already in a block")
	spend, ok = c.Spender(prev.op)
	require.True(t, ok)
	require.Equal(t, simchain.Spend{TxID: first.TxHash(), Height: 2}, spend)
	requireTxError(t, c.Broadcast(second), simchain.ErrDoubleSpend, 0)
	_, ok = c.Unspent(prev.op)
	require.False(t, ok)
	out, ok := c.Unspent(outputOf(first, 0).op)
	require.True(t, ok)
	require.Equal(t, *first.TxOut[0], out)
}

// TestReplacement checks the replacement rules one by one, then a
// replacement evicting a transaction and its child.
func TestReplacement(t *testing.T) {
	c := newChain(t)
	prev := fund(t, c, trueScript, 100_000)
	parent := spendTrue([]prevOut{prev}, 99_000)               // 1,000 sat
	child := spendTrue([]prevOut{outputOf(parent, 0)}, 98_000) // 1,000 sat
	require.NoError(t, c.BroadcastTransactions(context.Background(), parent, child))

	manyOutputs := make([]int64, 10)
	for i := range manyOutputs {
		manyOutputs[i] = 9_700 // 3,000 sat for 483 vbytes
	}
	tests := []struct {
		name   string
		tx     *btcwire.MsgTx
		input  int
		detail string
	}{
		{"less fee than the evicted", spendTrue([]prevOut{prev}, 98_500), -1, "less than the 2000 sat"},
		{"no more fee than the evicted", spendTrue([]prevOut{prev}, 98_000), -1, "below the 96 sat relay fee"},
		{"fee rate not above the conflict's", spendTrue([]prevOut{prev}, manyOutputs...), -1, "not above"},
		{"spends the transaction it replaces", spendTrue([]prevOut{prev, outputOf(parent, 0)}, 150_000), 1, "which it replaces"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			te := requireTxError(t, c.Broadcast(tt.tx), simchain.ErrReplacement, tt.input)
			require.Contains(t, te.Detail, tt.detail)
			require.Equal(t, txids(parent, child), txids(c.Mempool()...))
		})
	}

	replacement := spendTrue([]prevOut{prev}, 97_900) // 2,100 sat: 100 more
	require.NoError(t, c.Broadcast(replacement))
	require.Equal(t, txids(replacement), txids(c.Mempool()...))
	spend, ok := c.Spender(outputOf(parent, 0).op)
	require.False(t, ok, "the child left with its parent: %v", spend)
	c.Mine(1)
	require.EqualValues(t, 1, c.Confirmations(replacement.TxHash()))
	require.Zero(t, c.Confirmations(parent.TxHash()))
}

// TestReplacementEvictionLimit checks that a replacement may not evict
// more than 100 transactions.
func TestReplacementEvictionLimit(t *testing.T) {
	c := newChain(t)
	prev := fund(t, c, trueScript, 1_000_000)
	values := make([]int64, 101)
	for i := range values {
		values[i] = 5_000
	}
	parent := spendTrue([]prevOut{prev}, values...)
	txs := []*btcwire.MsgTx{parent}
	for i := range values {
		txs = append(txs, spendTrue([]prevOut{outputOf(parent, i)}, 4_000))
	}
	require.NoError(t, c.BroadcastTransactions(context.Background(), txs...))
	te := requireTxError(t, c.Broadcast(spendTrue([]prevOut{prev}, 100_000)), simchain.ErrReplacement, -1)
	require.Contains(t, te.Detail, "102 transactions")
	require.Len(t, c.Mempool(), 102)
}

// TestPackageRelay checks CPFP of zero-fee parents: refused alone, accepted
// with a child paying for the package in the same call, confirmed together.
func TestPackageRelay(t *testing.T) {
	ctx := context.Background()
	c := newChain(t)
	prev := fund(t, c, trueScript, 100_000)
	parent := spendTrue([]prevOut{prev}, 100_000) // no fee
	requireTxError(t, c.Broadcast(parent), simchain.ErrFeeTooLow, -1)
	require.Empty(t, c.Mempool())

	// A child paying too little for both: both refused, with the
	// parent's error.
	stingy := spendTrue([]prevOut{outputOf(parent, 0)}, 99_900)
	te := requireTxError(t, c.BroadcastTransactions(ctx, parent, stingy), simchain.ErrFeeTooLow, -1)
	require.Equal(t, parent.TxHash(), te.TxID)
	require.Empty(t, c.Mempool())

	// A grandchild paying for three generations.
	child := spendTrue([]prevOut{outputOf(parent, 0)}, 100_000)
	grandchild := spendTrue([]prevOut{outputOf(child, 0)}, 99_000)
	require.NoError(t, c.BroadcastTransactions(ctx, parent, child, grandchild))
	require.Equal(t, txids(parent, child, grandchild), txids(c.Mempool()...))
	hashes := c.Mine(1)
	block, err := c.Block(ctx, hashes[0])
	require.NoError(t, err)
	require.Equal(t, txids(parent, child, grandchild), txids(block.Transactions[1:]...), "one block, parents first")

	// An unpaid parent before a refused transaction: the parent's error.
	prev2 := fund(t, c, trueScript, 100_000)
	parent2 := spendTrue([]prevOut{prev2}, 100_000)
	bad := spendTrue([]prevOut{prev2}, 200_000)
	te = requireTxError(t, c.BroadcastTransactions(ctx, parent2, bad), simchain.ErrFeeTooLow, -1)
	require.Equal(t, parent2.TxHash(), te.TxID)
	require.Empty(t, c.Mempool())
}

// TestBroadcastOrder checks the chain.Broadcaster contract: transactions
// before the refused one are accepted, the call stops there.
func TestBroadcastOrder(t *testing.T) {
	c := newChain(t)
	a := spendTrue([]prevOut{fund(t, c, trueScript, 100_000)}, 99_000)
	bad := spendTrue([]prevOut{fund(t, c, trueScript, 100_000)}, 200_000)
	b := spendTrue([]prevOut{fund(t, c, trueScript, 100_000)}, 99_000)
	err := c.BroadcastTransactions(context.Background(), a, bad, b)
	te := requireTxError(t, err, simchain.ErrInsufficientInput, -1)
	require.Equal(t, bad.TxHash(), te.TxID)
	require.Equal(t, txids(a), txids(c.Mempool()...))
	require.True(t, c.InMempool(a.TxHash()))
	require.False(t, c.InMempool(b.TxHash()))

	requireTxError(t, c.BroadcastTransactions(context.Background(), nil), simchain.ErrMalformed, -1)
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	require.ErrorIs(t, c.BroadcastTransactions(ctx, b), context.Canceled)
}

// TestMineTxEvictsConflicts checks that a block double spending mempool
// transactions evicts them with their descendants, and that Mine puts the
// whole mempool in its first block only.
func TestMineTxEvictsConflicts(t *testing.T) {
	c := newChain(t)
	prev := fund(t, c, trueScript, 100_000)
	other := spendTrue([]prevOut{fund(t, c, trueScript, 100_000)}, 99_000)
	parent := spendTrue([]prevOut{prev}, 99_000)
	child := spendTrue([]prevOut{outputOf(parent, 0)}, 98_000)
	require.NoError(t, c.BroadcastTransactions(context.Background(), other, parent, child))

	miner := spendTrue([]prevOut{prev}, 100_000) // no fee: a miner's own
	_, err := c.MineTx(miner)
	require.NoError(t, err)
	require.Equal(t, txids(other), txids(c.Mempool()...))

	tip := c.Tip().Height
	hashes := c.Mine(3)
	require.Len(t, hashes, 3)
	require.Equal(t, tip+3, c.Tip().Height)
	require.EqualValues(t, 3, c.Confirmations(other.TxHash()))
	for i, h := range hashes {
		block, err := c.Block(context.Background(), h)
		require.NoError(t, err)
		require.Len(t, block.Transactions, map[bool]int{true: 2, false: 1}[i == 0])
	}
	require.Nil(t, c.Mine(0))
}

// TestMineTxBlockRules checks the rules inside one block: a child after its
// parent is valid, before it is missing its input, and two spends of one
// output are a double spend; a refused block leaves nothing behind.
func TestMineTxBlockRules(t *testing.T) {
	c := newChain(t)
	prev := fund(t, c, trueScript, 100_000)
	parent := spendTrue([]prevOut{prev}, 99_000)
	child := spendTrue([]prevOut{outputOf(parent, 0)}, 98_000)
	twin := spendTrue([]prevOut{prev}, 98_000)
	tip := c.Tip()

	_, err := c.MineTx(child, parent)
	te := requireTxError(t, err, simchain.ErrMissingInput, 0)
	require.Equal(t, child.TxHash(), te.TxID)
	_, err = c.MineTx(parent, twin)
	te = requireTxError(t, err, simchain.ErrDoubleSpend, 0)
	require.Equal(t, twin.TxHash(), te.TxID)
	require.Equal(t, tip, c.Tip())
	_, ok := c.Spender(prev.op)
	require.False(t, ok)

	hash, err := c.MineTx(parent, child)
	require.NoError(t, err)
	require.Equal(t, hash, c.Tip().Hash)
	require.EqualValues(t, 1, c.Confirmations(child.TxHash()))
}
