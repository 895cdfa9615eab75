package chain

import (
	"testing"

	"github.com/btcsuite/btcd/blockchain"
	"github.com/btcsuite/btcd/btcutil"
	"github.com/btcsuite/btcd/chaincfg"
	btcwire "github.com/btcsuite/btcd/wire"
	"github.com/stretchr/testify/require"
)

// TestMerkleRoot compares merkleRoot with btcd's for blocks of 1 to 40
// transactions and with the genesis block's header.
func TestMerkleRoot(t *testing.T) {
	genesis := chaincfg.MainNetParams.GenesisBlock
	root, mutated := merkleRoot(genesis.Transactions)
	require.Equal(t, genesis.Header.MerkleRoot, root)
	require.False(t, mutated)

	for n := 1; n <= 40; n++ {
		txs := make([]*btcwire.MsgTx, n)
		for i := range txs {
			tx := btcwire.NewMsgTx(2)
			tx.AddTxIn(&btcwire.TxIn{Sequence: uint32(i)})
			tx.AddTxOut(btcwire.NewTxOut(int64(n*1000+i), []byte{0x51}))
			txs[i] = tx
		}
		utxs := make([]*btcutil.Tx, n)
		for i, tx := range txs {
			utxs[i] = btcutil.NewTx(tx)
		}
		got, mutated := merkleRoot(txs)
		require.Equal(t, blockchain.CalcMerkleRoot(utxs, false), got, "%d transactions", n)
		require.False(t, mutated)
	}

	// CVE-2012-2459: duplicating the last two of six transactions gives
	// the same root, flagged as mutated.
	txs := make([]*btcwire.MsgTx, 6)
	for i := range txs {
		tx := btcwire.NewMsgTx(2)
		tx.AddTxIn(&btcwire.TxIn{Sequence: uint32(i)})
		txs[i] = tx
	}
	honest, _ := merkleRoot(txs[:5])
	dup, mutated := merkleRoot(append(txs[:5:5], txs[4]))
	require.Equal(t, honest, dup)
	require.True(t, mutated)
	root, _ = merkleRoot(nil)
	require.Zero(t, root)
}

// TestTxidHasher checks the buffer-reusing txid against btcd's, with and
// without witness data.
func TestTxidHasher(t *testing.T) {
	var h txidHasher
	for i := range 5 {
		tx := btcwire.NewMsgTx(2)
		for j := 0; j <= i; j++ {
			in := btcwire.NewTxIn(&btcwire.OutPoint{Index: uint32(j)}, nil, nil)
			if i%2 == 1 {
				in.Witness = btcwire.TxWitness{make([]byte, 72), make([]byte, 33)}
			}
			tx.AddTxIn(in)
		}
		tx.AddTxOut(btcwire.NewTxOut(int64(i), []byte{0x51}))
		require.Equal(t, tx.TxHash(), h.txid(tx))
	}
}
