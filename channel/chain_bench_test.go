package channel

import (
	"encoding/binary"
	"fmt"
	"testing"

	"github.com/btcsuite/btcd/chaincfg/chainhash"
	btcwire "github.com/btcsuite/btcd/wire"
)

// benchBlock is a block of n transactions (after a coinbase) with two
// inputs and two outputs each, spending made-up outpoints.
func benchBlock(n int) *btcwire.MsgBlock {
	b := &btcwire.MsgBlock{}
	cb := btcwire.NewMsgTx(2)
	cb.AddTxIn(&btcwire.TxIn{PreviousOutPoint: btcwire.OutPoint{Index: btcwire.MaxPrevOutIndex}})
	cb.AddTxOut(btcwire.NewTxOut(1, anyonePkScript()))
	b.Transactions = append(b.Transactions, cb)
	for i := range n {
		tx := btcwire.NewMsgTx(2)
		for j := range 2 {
			var h chainhash.Hash
			binary.BigEndian.PutUint64(h[:], uint64(i*2+j))
			tx.AddTxIn(&btcwire.TxIn{PreviousOutPoint: btcwire.OutPoint{Hash: h}, Witness: btcwire.TxWitness{anyoneScript}})
			tx.AddTxOut(btcwire.NewTxOut(1000, anyonePkScript()))
		}
		b.Transactions = append(b.Transactions, tx)
	}
	return b
}

// BenchmarkBlockConnected measures a block of 2000 transactions through
// a Manager with channels waiting for their funding (each block is
// indexed, and the opener looks for double spends of its inputs) and with
// confirmed channels (no index: a depth check per channel).
func BenchmarkBlockConnected(b *testing.B) {
	for _, confirmed := range []bool{false, true} {
		for _, channels := range []int{1, 20} {
			b.Run(fmt.Sprintf("confirmed=%v/channels=%d", confirmed, channels), func(b *testing.B) {
				tp := newTestPair(b, testUser(3, false), testUser(3, false))
				for i := range channels {
					tp.open(100_000, 0, uint64(i))
				}
				if confirmed {
					tp.mine(3)
				}
				tp.hold(tp.a)
				block := benchBlock(2000)
				height := tp.a.m.BestBlock().Height
				b.ReportAllocs()
				b.ResetTimer()
				for b.Loop() {
					height++
					block.Header.Nonce = uint32(height)
					tp.a.m.BlockConnected(block, height)
				}
			})
		}
	}
}
