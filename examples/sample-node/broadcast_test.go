package main

import (
	"context"
	"testing"

	"github.com/btcsuite/btcd/chaincfg/chainhash"
	btcwire "github.com/btcsuite/btcd/wire"
	"github.com/stretchr/testify/require"

	"github.com/lnkit/lnkit/chain"
)

// nopBroadcaster accepts every transaction.
type nopBroadcaster struct{}

func (nopBroadcaster) BroadcastTransactions(context.Context, ...*btcwire.MsgTx) error { return nil }

// spending returns a transaction spending op, told apart by tag.
func spending(op btcwire.OutPoint, tag int64) *btcwire.MsgTx {
	tx := btcwire.NewMsgTx(2)
	tx.AddTxIn(btcwire.NewTxIn(&op, nil, nil))
	tx.AddTxOut(btcwire.NewTxOut(1000+tag, []byte{0x51}))
	return tx
}

// blockOf is a block holding txs.
func blockOf(txs ...*btcwire.MsgTx) *btcwire.MsgBlock {
	return &btcwire.MsgBlock{Transactions: txs}
}

func TestBroadcasterForgetsConflicted(t *testing.T) {
	funding := btcwire.OutPoint{Hash: chainhash.Hash{1}}
	ours := spending(funding, 1)                                          // our commitment
	child := spending(btcwire.OutPoint{Hash: ours.TxHash(), Index: 0}, 2) // its CPFP
	theirs := spending(funding, 3)                                        // the peer's commitment
	other := spending(btcwire.OutPoint{Hash: chainhash.Hash{2}}, 4)       // unrelated, ours too

	tests := []struct {
		name    string
		run     func(b *broadcaster)
		pending []chainhash.Hash
	}{
		{"a conflict 5 deep: still sent", func(b *broadcaster) {
			b.BlockConnected(blockOf(theirs), 100)
			for h := int32(101); h < 105; h++ {
				b.BlockConnected(blockOf(), h)
			}
		}, []chainhash.Hash{ours.TxHash(), child.TxHash(), other.TxHash()}},
		{"a conflict 6 deep: the transaction and its child are forgotten", func(b *broadcaster) {
			b.BlockConnected(blockOf(theirs), 100)
			for h := int32(101); h <= 105; h++ {
				b.BlockConnected(blockOf(), h)
			}
		}, []chainhash.Hash{other.TxHash()}},
		{"a conflict reorganised away is undone", func(b *broadcaster) {
			b.BlockConnected(blockOf(theirs), 100)
			b.BlockDisconnected(&btcwire.BlockHeader{}, 100)
			for h := int32(100); h <= 110; h++ {
				b.BlockConnected(blockOf(), h)
			}
		}, []chainhash.Hash{ours.TxHash(), child.TxHash(), other.TxHash()}},
		{"forget drops a transaction at once", func(b *broadcaster) {
			b.forget(other.TxHash())
		}, []chainhash.Hash{ours.TxHash(), child.TxHash()}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			r, err := chain.NewRebroadcaster(chain.RebroadcasterConfig{Broadcaster: nopBroadcaster{}})
			require.NoError(t, err)
			b := newBroadcaster(r)
			require.NoError(t, b.BroadcastTransactions(context.Background(), ours, child, other))
			tc.run(b)
			require.ElementsMatch(t, tc.pending, r.Pending())
		})
	}
}
